"""A receipt's language is the receipt's, not the process's: its words come from that language's catalog
(`i18n.catalog(lang)`), whatever `i18n.use` set for the dashboard, and the active language is left as it
was. Every word a receipt or a Z-report prints has its Spanish in the catalog."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from salon_cli import i18n
from salon_cli.services.receipts import zreport
from salon_cli.services.receipts.words import METHODS, WORDS, Speaker

TZ = ZoneInfo("America/Mexico_City")
SAME_IN_SPANISH = {"Tel.", "Subtotal", "Total", "incl."}

REPORT = {
    "location": "centro", "business_date": "2026-11-21", "currency": "MXN", "timezone": "America/Mexico_City",
    "status": "closed", "sales_count": 2, "gross_cents": 71000, "total_cents": 76041, "net_cents": 66041,
    "refund_cents": 10000, "by_method": {"cash": 61041, "card": 20000}, "refunds_by_method": {"cash": 10000},
    "cash_float_cents": 100000, "cash_sales_cents": 61041, "cash_refunds_cents": 10000,
    "expected_cash_cents": 151041, "counted_cash_cents": 151041, "variance_cents": 0, "no_shows": 1,
    "closed_at": "2026-11-22T03:10:00+00:00", "closed_by": "marco",
}


@pytest.fixture
def spoken():
    """The process speaking English, as it does until the dashboard chooses; put back afterwards."""
    before = i18n.active()
    i18n.use("en")
    yield
    i18n.use(before)


def test_every_printed_word_has_its_spanish():
    es = i18n.catalog("es")
    msgids = [*WORDS.values(), *METHODS.values(), *zreport.LABELS.values(), *zreport.STATUS.values()]
    assert [m for m in msgids if es.pgettext("receipt", m) == m and m not in SAME_IN_SPANISH] == []


def test_a_spanish_receipt_from_an_english_desk_and_an_english_one_from_a_spanish_desk(spoken):
    es, en = Speaker("es", "MXN", TZ), Speaker("en", "MXN", TZ)
    assert (es["tendered"], es["change"], es.method("gift_card"), es.money(81041)) == (
        "Recibido", "Cambio", "Tarjeta de regalo", "$810.41")
    assert (en["tendered"], en["change"], en.method("gift_card"), en.money(81041)) == (
        "Tendered", "Change", "Gift card", "MX$810.41")
    assert i18n.active() == "en"

    english_desk = zreport.text(REPORT, "es")
    i18n.use("es")
    assert zreport.text(REPORT, "es") == english_desk  # the same paper whatever the desk speaks
    spanish_desk = zreport.text(REPORT, "en")
    assert i18n.active() == "es"
    i18n.use("en")
    assert zreport.text(REPORT, "en") == spanish_desk

    said = [" ".join(line.split()) for line in english_desk.splitlines()]
    assert said[1:3] == ["Corte Z · 21 nov 2026", "cerrado"]
    assert "Dinero recibido" in said and "Efectivo $610.41" in said and "Tarjeta $200.00" in said
    assert "= esperado $1,510.41" in said and "Cerrado 2026-11-21 21:10 por marco" in said
    told = [" ".join(line.split()) for line in spanish_desk.splitlines()]
    assert told[1:3] == ["Z-report · Nov 21, 2026", "closed"] and "= expected MX$1,510.41" in told


def test_an_unknown_method_or_status_is_printed_as_it_is(spoken):
    assert Speaker("es", "MXN", TZ).method("barter") == "barter"
    assert "preview" in zreport.text({**REPORT, "status": "preview"}, "es").splitlines()[2]
