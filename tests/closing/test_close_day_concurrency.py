"""A close and a write of the same day never interleave, on SQLite and PostgreSQL: a write already past
its check is waited for and counted; a write that comes during the close waits and is then refused."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from salon_cli.core.errors import RuleViolation
from salon_cli.db.models import Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import day_end
from salon_cli.services.closing import day_close, zreport
from salon_cli.services.till import sales, tenders, tickets
from shop import make_shop

TODAY = date(2026, 11, 21)


@pytest.fixture
def shop(engine, salon):
    shop = make_shop(engine)
    with UnitOfWork(engine) as uow:  # the 12:00 visit stays booked past the close (the guard, issue 28)
        day_end.leave_booked(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                             reason="she comes on Monday")
        uow.commit()
    return shop


def _close(engine, shop, counted):
    with UnitOfWork(engine) as uow:
        report = day_close.close(uow.session, actor=shop.marco, location=shop.loc, day=TODAY, counted_cents=counted)
        uow.commit()
    return report


def test_a_sale_in_flight_when_the_close_starts_is_waited_for_and_counted(engine, shop):
    inside = threading.Event()
    out: dict[str, object] = {}

    def desk():
        with UnitOfWork(engine) as uow:
            s = uow.session
            sale = tickets.open_sale(s, actor=shop.sofia, location=shop.loc)
            sales.add_product(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, product="shampoo")
            tenders.pay(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="cash")
            inside.set()
            time.sleep(1.0)  # the close starts now, while this sale is still being written
            uow.commit()
        out["sale"] = sale.id

    def manager():
        inside.wait(10)
        out["report"] = _close(engine, shop, 18000)

    threads = [threading.Thread(target=desk), threading.Thread(target=manager)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    report = out["report"]
    assert report["sales_count"] == 1 and report["by_method"] == {"cash": 18000}
    assert (report["expected_cash_cents"], report["variance_cents"]) == (18000, 0)


def test_a_sale_that_comes_during_the_close_waits_and_is_refused(engine, shop, monkeypatch):
    figuring = threading.Event()
    real = zreport.figures

    def slow(*args, **kwargs):
        figuring.set()
        time.sleep(1.0)  # a desk tries to sell while the close is reading the day
        return real(*args, **kwargs)

    monkeypatch.setattr(zreport, "figures", slow)
    out: dict[str, object] = {}

    def manager():
        out["report"] = _close(engine, shop, 0)

    def desk():
        figuring.wait(10)
        try:
            with UnitOfWork(engine) as uow:
                tickets.open_sale(uow.session, actor=shop.sofia, location=shop.loc)
                uow.commit()
            out["desk"] = "sold"
        except RuleViolation as exc:
            out["desk"] = str(exc)

    threads = [threading.Thread(target=manager), threading.Thread(target=desk)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert out["report"]["sales_count"] == 0
    assert "business day 2026-11-21 at centro is closed" in str(out["desk"])
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.exec(select(sa.func.count()).select_from(Sale)).one() == 0
