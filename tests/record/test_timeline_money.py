"""A client's timeline tells the money too (issue 29): sales with their status, total and receipt,
refunds, and the loyalty ledger (the welcome bonus, points earned, voided by a refund, adjusted),
beside visits, notes and messages, newest first, on SQLite and PostgreSQL.

The salon of `tests/shop.py` (IVA 16 % included). Saturday 2026-11-21 in Mexico City: Ximena's cut
by ana and a shampoo at 11:00, paid in cash (530 points, and the 50 of the welcome); 100.00 of it given
back at 11:30 by the manager (100 points voided); her colour opened and voided at 11:40; 30 points
added by the manager at 11:50; a private note by the manager. Her appointment of today is at 12:00.
An imported sale of Pedro's (receipt R-77) is his alone.
"""

from __future__ import annotations

import json

import pytest

from cli_helpers import salon as cli
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.record import timeline
from shop import make_shop

MARCO = ["--as", "marco", "--pin", "2222"]


def _do(engine, shop, fn, who=None):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, who or shop.sofia, shop.loc)
        uow.commit()
    return result


@pytest.fixture
def story(engine, salon, clock):
    from salon_cli.db.models import Sale
    from salon_cli.services.clients import notes
    from salon_cli.services.loyalty import cards
    from salon_cli.services.till import sales, tenders, tickets

    shop = make_shop(engine, taxes=["IVA:16%:inclusive"])

    def paid(s, actor, loc):
        sale = tickets.create(s, actor=actor, location=loc, client_id=shop.ximena)
        sales.add_service(s, actor=actor, location=loc, sale_id=sale.id, service="corte", staff="ana")
        sales.add_product(s, actor=actor, location=loc, sale_id=sale.id, product="shampoo")
        tenders.pay(s, actor=actor, location=loc, sale_id=sale.id, method="cash")
        return sale.id

    def opened(s, actor, loc):
        sale = tickets.create(s, actor=actor, location=loc, client_id=shop.ximena)
        sales.add_service(s, actor=actor, location=loc, sale_id=sale.id, service="tinte", staff="beto")
        return sale.id

    first = _do(engine, shop, paid)
    clock.advance(minutes=30)
    [refund] = _do(engine, shop, lambda s, a, loc: tenders.refund(s, actor=a, location=loc, sale_id=first,
                                                                  amount_cents=10000, reason="shampoo devuelto"),
                   who=shop.marco)
    clock.advance(minutes=10)
    second = _do(engine, shop, opened)
    _do(engine, shop, lambda s, a, loc: sales.void(s, actor=a, location=loc, sale_id=second, reason="no vino"),
        who=shop.marco)
    clock.advance(minutes=10)
    _do(engine, shop, lambda s, a, loc: cards.adjust(s, actor=a, location=loc, client_id=shop.ximena, points=30,
                                                     reason="cortesía"), who=shop.marco)
    _do(engine, shop, lambda s, a, loc: notes.add_note(s, actor=a, location=loc, client_id=shop.ximena,
                                                       body="prefiere pagar en efectivo", private=True),
        who=shop.marco)

    def imported(s, actor, loc):  # someone else's sale, as an import leaves it: only its receipt differs
        sale_id = opened(s, actor, loc)
        row = s.get(Sale, sale_id)
        row.client_id, row.external_id = shop.pedro, "R-77"
        s.add(row)
        return sale_id

    _do(engine, shop, imported)
    return shop, first, refund.id, second


def _events(engine, shop, reader):
    with UnitOfWork(engine, write=False) as uow:
        return [(e.kind, e.summary, e.amount_cents, e.points, e.at.astimezone(shop.loc.tz).strftime("%H:%M"))
                for e in timeline.timeline(uow.session, client_id=shop.ximena, reader=reader)]


def test_the_timeline_tells_sales_refunds_and_points_newest_first(engine, story):
    shop, first, refund, second = story
    money = [
        ("loyalty", "adjust +30 points: cortesía", None, 30, "11:50"),
        ("sale", f"void 800.00 MXN, receipt centro:{second}: Tinte", 80000, None, "11:40"),
        ("refund", f"100.00 MXN back by cash from receipt centro:{first}: shampoo devuelto", -10000, None, "11:30"),
        ("loyalty", f"void -100 points: refund {refund} of sale {first}", None, -100, "11:30"),
        ("sale", f"partially_refunded 530.00 MXN, receipt centro:{first}: Corte, Shampoo", 53000, None, "11:00"),
        ("message", "sms confirmation (queued): Hola Ximena, tu cita de Corte con Ana quedó agendada para el sábado "
                    "21 de noviem", None, None, "11:00"),  # the booking's, queued as it was made
        ("loyalty", f"earn +530 points: sale {first} (bronze)", None, 530, "11:00"),  # written after the welcome
        ("loyalty", "welcome +50 points: welcome bonus", None, 50, "11:00"),
    ]
    visit = ("visit", "Corte with ana (booked)", None, None, "12:00")
    anonymous = _events(engine, shop, None)
    assert anonymous == [visit] + money  # the private note is not the desk's to read
    manager = _events(engine, shop, shop.marco)
    assert manager[0] == visit and manager[1][:2] == ("note", "[general, private] marco: prefiere pagar en efectivo")
    assert manager[2:] == money
    with UnitOfWork(engine, write=False) as uow:  # Pedro's imported sale is named by its own receipt
        [pedro] = timeline.timeline(uow.session, client_id=shop.pedro, reader=None)
    assert (pedro.kind, pedro.summary, pedro.amount_cents) == ("sale", "open 800.00 MXN, receipt R-77: Tinte", 80000)
    # the newest `limit` events of every kind together
    with UnitOfWork(engine, write=False) as uow:
        assert [e.kind for e in timeline.timeline(uow.session, client_id=shop.ximena, reader=None, limit=3)] == [
            "visit", "loyalty", "sale"]


def test_the_timeline_on_the_command_line(db_url, engine, story):
    shop, first, _, _ = story
    doc = json.loads(cli(db_url, "client", "timeline", str(shop.ximena), "-f", "json").stdout)
    assert [list(e) for e in doc] == [["at", "kind", "ref", "summary", "amount_cents", "points"]] * 9
    assert [(e["kind"], e["amount_cents"], e["points"]) for e in doc] == [
        ("visit", None, None), ("loyalty", None, 30), ("sale", 80000, None), ("refund", -10000, None),
        ("loyalty", None, -100), ("sale", 53000, None), ("message", None, None), ("loyalty", None, 530),
        ("loyalty", None, 50)]
    assert doc[5]["ref"] == first and doc[5]["at"] == "2026-11-21T11:00:00-06:00"
    table = cli(db_url, *MARCO, "client", "timeline", str(shop.ximena))
    assert table.code == 0, table.stderr
    text = table.stdout
    assert "amount" in text and "points" in text and "-100.00" in text and "530.00" in text
    assert "prefiere pagar en efectivo" in text  # the manager reads the private note
    assert "prefiere" not in cli(db_url, "client", "timeline", str(shop.ximena)).stdout
