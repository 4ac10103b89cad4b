"""The blind count at the command line (issue 26, item 11), on SQLite and PostgreSQL: a receptionist's preview
prints no cash figure (table, JSON, CSV); a refused close keeps its count; a receptionist's count again after
the expected cash was shown is exit 3, a manager's (with the PIN) is kept beside the first in the Z-report.

The day is `test_blind_count.py`'s: expected cash 880.00 (float 500 + cash 350 + in 100 - out 50 - a cash
expense 20), a card sale of 180.00 with 30.00 refunded by card, a bank expense of 90.00.
"""

from __future__ import annotations

import json
import re

import pytest

from cli_helpers import OWNER
from cli_helpers import salon as cli
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.checkout import appointment as checkout
from salon_cli.services.closing import drawer as cash_drawer, expenses
from salon_cli.services.till import sales, tenders, tickets
from shop import make_shop

SOFIA = ["--as", "sofia"]
MARCO = ["--as", "marco"]
MARCO_PIN = ["--as", "marco", "--pin", "2222"]

BLIND_TABLE = """\
Z-report  centro  2026-11-21 (Saturday)  preview, revision 1  [24 h, America/Mexico_City]
Sales (2)
  blind count: the money is shown once a count is committed
Money received (other than cash)
  card               180.00
Refunds given
  card               -30.00
Cash drawer
  blind count: counted first, then shown
Staff (services)
  ana Ana                 1
  sofia Sofia             0
The day
  no-shows                0
"""

BLIND_JSON = {
    "business_date": "2026-11-21", "location": "centro", "timezone": "America/Mexico_City", "currency": "MXN",
    "status": "preview", "revision": 1, "hours": 24, "sales_count": 2,
    "gross_cents": None, "discount_cents": None, "tax_cents": None, "tip_cents": None, "total_cents": None,
    "refund_cents": None, "net_cents": None, "revenue_cents": None,
    "by_method": {"card": 18000}, "refunds_by_method": {"card": 3000},
    "expenses_cents": None, "expenses_by_category": None, "cash_expenses_cents": None,
    "cash_float_cents": None, "cash_sales_cents": None, "cash_refunds_cents": None, "cash_in_cents": None,
    "cash_out_cents": None, "expected_cash_cents": None, "counted_cash_cents": None, "variance_cents": None,
    "count": None, "note": None,
    "staff": [{"code": "ana", "name": "Ana", "services": 1, "revenue_cents": None, "tips_cents": None,
               "commission_cents": None},
              {"code": "sofia", "name": "Sofia", "services": 0, "revenue_cents": None, "tips_cents": None,
               "commission_cents": None}],
    "no_shows": 0, "penalties_cents": None, "points_issued": None, "points_redeemed": None,
    "open_sales": 0, "pending_payments": 0, "late": [],
    "closed_at": None, "closed_by": None, "reopened_at": None, "reopened_by": None, "reopen_reason": None,
    "counts": [], "blind": True, "unfinished": None, "early": None,
}


def ok(db, *args):
    run = cli(db, *args)
    assert run.code == 0, (args, run.stderr)
    return run


def js(db, *args):
    return json.loads(ok(db, *args, "-f", "json").stdout)


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


@pytest.fixture
def desk(engine, salon, db_url, clock):
    shop = make_shop(engine)
    loc, sofia = shop.loc, shop.sofia
    _do(engine, cash_drawer.move, actor=sofia, location=loc, kind="float", amount_cents=50000, reason=None)
    checkout.checkout(engine, actor=sofia, location=loc, appointment_id=shop.appt,
                      tenders=[checkout.parse_tender("cash", "MXN")])
    card = _do(engine, tickets.open_sale, actor=sofia, location=loc, client_id=shop.pedro)
    _do(engine, sales.add_product, actor=sofia, location=loc, sale_id=card.id, product="shampoo")
    _do(engine, tenders.pay, actor=sofia, location=loc, sale_id=card.id, method="card")
    _do(engine, tenders.refund, actor=shop.marco, location=loc, sale_id=card.id, amount_cents=3000, reason="dented")
    _do(engine, cash_drawer.move, actor=sofia, location=loc, kind="in", amount_cents=10000, reason="change")
    _do(engine, cash_drawer.move, actor=sofia, location=loc, kind="out", amount_cents=5000, reason="to the safe")
    _do(engine, expenses.add, actor=sofia, location=loc, amount_cents=2000, category="supplies",
        description="gloves", paid_from="cash")
    _do(engine, expenses.add, actor=shop.marco, location=loc, amount_cents=9000, category="rent",
        description="storage", paid_from="bank")
    return db_url


def _audit(db, entity):
    rows = sorted(js(db, *OWNER, "audit", "--entity", entity), key=lambda row: row["id"])  # oldest first
    return [(row["action"], row["actor"]) for row in rows]


def test_a_receptionists_preview_prints_no_cash_figure(desk):
    run = ok(desk, *SOFIA, "close-day", "--preview")
    assert run.stdout == BLIND_TABLE
    assert "blind count" in run.stderr
    assert js(desk, *SOFIA, "close-day", "--preview") == BLIND_JSON
    rows = ok(desk, *SOFIA, "close-day", "--preview", "-f", "csv").stdout.splitlines()
    assert "by_method.card,18000" in rows and not [r for r in rows if r.startswith("by_method.cash")]
    assert [r for r in rows if r.startswith(("cash_", "expected_", "net_", "total_")) and not r.endswith(",")] == []
    # a manager who does not prove it with the PIN sees what the desk sees, in the preview and the live report
    assert js(desk, *MARCO, "close-day", "--preview") == BLIND_JSON
    live = js(desk, *MARCO, "report", "day")
    assert live == {**BLIND_JSON, "status": "open"}
    assert _audit(desk, "cash_reveal") == []


def test_a_blind_preview_with_a_count_is_exit_3(desk):
    run = cli(desk, *SOFIA, "close-day", "--preview", "--counted-cash", "800")
    assert run.code == 3 and run.stdout == ""
    assert "would show the expected cash before the count is committed" in run.stderr
    assert "880" not in run.stderr


def test_a_managers_preview_with_the_pin_shows_the_drawer_and_is_kept(desk):
    report = js(desk, *MARCO_PIN, "close-day", "--preview")
    assert (report["blind"], report["expected_cash_cents"], report["cash_float_cents"]) == (False, 88000, 50000)
    table = ok(desk, *MARCO_PIN, "close-day", "--preview").stdout
    assert re.search(r"\n  = expected +880\.00\n", table)
    assert _audit(desk, "cash_reveal") == [("day.expected_shown", "marco")] * 2


def test_a_refused_close_records_its_count_and_a_receptionists_recount_is_exit_3(desk):
    short = cli(desk, *SOFIA, "close-day", "--counted-cash", "800")
    assert short.code == 1 and short.stdout == ""
    assert "80.00 MXN short" in short.stderr and "(expected 880.00 MXN, counted 800.00 MXN)" in short.stderr
    assert "the count is kept" in short.stderr
    assert _audit(desk, "cash_count") == [("day.count", "sofia"), ("day.close_refused", "sofia")]
    # committed: the desk's preview now shows the drawer against that count
    seen = js(desk, *SOFIA, "close-day", "--preview")
    assert (seen["blind"], seen["expected_cash_cents"], seen["counted_cash_cents"]) == (False, 88000, 80000)
    again = cli(desk, *SOFIA, "close-day", "--counted-cash", "880")
    assert again.code == 3 and again.stdout == ""
    assert "counting again needs a manager's PIN" in again.stderr
    assert cli(desk, *MARCO, "close-day", "--counted-cash", "880").code == 3  # no PIN: not proved a manager
    assert _audit(desk, "cash_count") == [("day.count", "sofia"), ("day.close_refused", "sofia")]
    # the count made closes the day with a note (given again, or not at all)
    report = js(desk, *SOFIA, "close-day", "--note", "a 100 bill went to the bank")
    assert (report["counted_cash_cents"], report["variance_cents"], len(report["counts"])) == (80000, -8000, 1)


def test_a_managers_recount_with_the_pin_keeps_both_counts_in_the_z_report(desk):
    assert cli(desk, *SOFIA, "close-day", "--count", "500x1,100x3").code == 1
    run = ok(desk, *MARCO_PIN, "close-day", "--counted-cash", "879", "-f", "json")
    report = json.loads(run.stdout)
    assert (report["status"], report["counted_cash_cents"], report["variance_cents"]) == ("closed", 87900, -100)
    assert report["counts"] == [
        {"id": 1, "counted_cash_cents": 80000, "count": [{"denomination_cents": 50000, "count": 1},
                                                          {"denomination_cents": 10000, "count": 3}],
         "expected_cash_cents": 88000, "variance_cents": -8000, "by": "sofia", "at": "2026-11-21T11:00:00-06:00",
         "after_expected_shown": False},
        {"id": 2, "counted_cash_cents": 87900, "count": None, "expected_cash_cents": 88000, "variance_cents": -100,
         "by": "marco", "at": "2026-11-21T11:00:00-06:00", "after_expected_shown": True}]
    assert js(desk, *MARCO_PIN, "report", "day")["counts"] == report["counts"]
    table = ok(desk, *MARCO_PIN, "report", "day").stdout
    assert re.search(r"\nCounts \(2\)\n  #1 11:00 sofia +800\.00\n  #2 11:00 marco \* +879\.00\n"
                     r"  \* counted after the expected cash was shown\n", table)
    assert re.search(r"\n  counted +879\.00\n  variance +-1\.00 short\n", table)
    assert _audit(desk, "cash_count") == [("day.count", "sofia"), ("day.close_refused", "sofia"), ("day.count", "marco")]
