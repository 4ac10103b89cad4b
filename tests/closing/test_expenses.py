"""Money out: expenses, the cash drawer, their export, and the frozen day, on SQLite and PostgreSQL.

The salon is `tests/shop.py`'s: now is Saturday 2026-11-21 11:00 in Mexico City (MXN); the owner is
lucia (PIN 1234, staff 1), marco the manager (PIN 2222), sofia the receptionist (PIN 2222).
"""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from cli_helpers import OWNER
from cli_helpers import salon as cli
from salon_cli.core import clock as clock_module
from salon_cli.core.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from salon_cli.db.models import AuditLog, CashMovement, DayClose, Expense
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.closing import drawer as cash_drawer, expenses
from salon_cli.services.transfer import expense_export
from shop import make_shop

TODAY = date(2026, 11, 21)
NOW = "2026-11-21T11:00:00-06:00"
SOFIA = ["--as", "sofia", "--pin", "2222"]
MARCO = ["--as", "marco", "--pin", "2222"]


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine)


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


def _read(engine, fn, *args, **kw):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session, *args, **kw)


def _count(engine, model, *where):
    return _read(engine, lambda s: s.exec(select(sa.func.count()).select_from(model).where(*where)).one())


def _add(engine, shop, *, amount=10000, category="supplies", description="Gloves", actor=None, **kw):
    return _do(engine, expenses.add, actor=actor or shop.sofia, location=shop.loc, amount_cents=amount,
               category=category, description=description, **kw)


def _close(engine, shop, day=TODAY):
    with UnitOfWork(engine) as uow:
        uow.session.add(DayClose(location_id=shop.loc.id, business_date=day, revision=1, status="closed",
                                 closed_at=clock_module.now()))
        uow.commit()


def _reopen(engine, shop, day=TODAY):
    with UnitOfWork(engine) as uow:
        row = uow.session.exec(select(DayClose).where(DayClose.location_id == shop.loc.id,
                                                      DayClose.business_date == day)).one()
        row.status = "reopened"
        uow.session.add(row)
        uow.commit()


def ok(db, *args):
    run = cli(db, *args)
    assert run.code == 0, (args, run.stderr)
    return run


# ----------------------------------------------------------------------------- expenses (services)

def test_add_defaults_to_today_normalises_the_category_and_is_audited(engine, shop):
    view = _add(engine, shop, amount=24550, category="  Office   SUPPLIES ", description="  Gloves  and foil ")
    assert (view.business_date, view.category, view.description, view.amount_cents, view.paid_from, view.status,
            view.created_by, view.void_reason, view.voided_by) == (
        TODAY, "office supplies", "Gloves and foil", 24550, "cash", "recorded", "sofia", None, None)
    assert view.created_at.isoformat() == "2026-11-21T17:00:00+00:00"
    with UnitOfWork(engine, write=False) as uow:
        log = uow.session.exec(select(AuditLog).where(AuditLog.action == "expense.add")).one()
    assert (log.actor, log.entity, log.entity_id, log.before) == ("sofia", "expense", view.id, None)
    assert log.after["amount_cents"] == 24550 and log.after["category"] == "office supplies"


def test_an_earlier_day_is_allowed_a_day_to_come_is_refused(engine, shop):
    earlier = _add(engine, shop, day=TODAY - timedelta(days=3), paid_from=" Bank ")
    assert (earlier.business_date, earlier.paid_from) == (date(2026, 11, 18), "bank")
    with pytest.raises(InvalidInput, match="after today"):
        _add(engine, shop, day=TODAY + timedelta(days=1))
    assert _count(engine, Expense) == 1


@pytest.mark.parametrize("change, match", [
    ({"amount": 0}, "more than zero"), ({"amount": -100}, "more than zero"),
    ({"amount": 10**12}, "too large"), ({"category": "   "}, "category is empty"),
    ({"category": "x" * 65}, "longer than 64"), ({"description": ""}, "description is empty"),
    ({"description": "y" * 201}, "longer than 200"), ({"paid_from": "paypal"}, "not one of cash, card, bank"),
])
def test_bad_input_is_refused_and_changes_nothing(engine, shop, change, match):
    with pytest.raises(InvalidInput, match=match):
        _add(engine, shop, **change)
    assert _count(engine, Expense) == 0 and _count(engine, AuditLog, col(AuditLog.entity) == "expense") == 0


def test_void_needs_a_manager_a_reason_and_happens_once(engine, shop):
    spent = _add(engine, shop)
    with pytest.raises(NotPermitted):
        _do(engine, expenses.void, actor=shop.sofia, location=shop.loc, expense_id=spent.id, reason="oops")
    with pytest.raises(InvalidInput, match="reason is empty"):
        _do(engine, expenses.void, actor=shop.marco, location=shop.loc, expense_id=spent.id, reason="  ")
    with pytest.raises(NotFound, match="no expense 99"):
        _do(engine, expenses.void, actor=shop.marco, location=shop.loc, expense_id=99, reason="oops")
    void = _do(engine, expenses.void, actor=shop.marco, location=shop.loc, expense_id=spent.id,
               reason=" entered  twice ")
    assert (void.status, void.void_reason, void.voided_by, void.created_by) == ("void", "entered twice", "marco",
                                                                                "sofia")
    assert void.voided_at is not None
    with pytest.raises(RuleViolation, match="already void"):
        _do(engine, expenses.void, actor=shop.marco, location=shop.loc, expense_id=spent.id, reason="again")
    with UnitOfWork(engine, write=False) as uow:
        log = uow.session.exec(select(AuditLog).where(AuditLog.action == "expense.void")).one()
    assert (log.actor, log.entity_id, log.before["status"], log.after["status"], log.after["void_reason"]) == (
        "marco", spent.id, "recorded", "void", "entered twice")


def test_list_is_newest_first_and_by_category_sums_recorded_ones(engine, shop):
    a = _add(engine, shop, amount=1000, category="Supplies", day=TODAY - timedelta(days=2))
    b = _add(engine, shop, amount=2500, category="rent", paid_from="bank", day=TODAY - timedelta(days=1))
    c = _add(engine, shop, amount=700, category="supplies ")
    d = _add(engine, shop, amount=999, category="supplies")
    _do(engine, expenses.void, actor=shop.marco, location=shop.loc, expense_id=d.id, reason="wrong")

    def ids(**kw):
        return [v.id for v in _read(engine, expenses.list_expenses, location=shop.loc, **kw)]

    assert ids() == [c.id, b.id, a.id]
    assert ids(include_void=True) == [d.id, c.id, b.id, a.id]
    assert ids(category=" SUPPLIES") == [c.id, a.id]
    assert ids(first=TODAY - timedelta(days=1), last=TODAY - timedelta(days=1)) == [b.id]
    assert ids(first=TODAY - timedelta(days=1)) == [c.id, b.id]
    with pytest.raises(InvalidInput, match="is after --to"):
        ids(first=TODAY, last=TODAY - timedelta(days=1))
    assert _read(engine, expenses.by_category, location=shop.loc, first=None, last=None) == [
        ("rent", 2500), ("supplies", 1700)]
    assert _read(engine, expenses.by_category, location=shop.loc, first=TODAY, last=TODAY) == [("supplies", 700)]
    assert _read(engine, expenses.by_category, location=shop.loc, first=None, last=None, paid_from="cash") == [
        ("supplies", 1700)]


# ----------------------------------------------------------------------------- cash drawer (services)

def _move(engine, shop, kind, amount, reason=None, actor=None):
    return _do(engine, cash_drawer.move, actor=actor or shop.sofia, location=shop.loc, kind=kind,
               amount_cents=amount, reason=reason)


def test_one_float_a_day_out_needs_a_reason_and_totals(engine, shop):
    first = _move(engine, shop, "float", 50000)
    assert (first.business_date, first.kind, first.amount_cents, first.reason, first.created_by) == (
        TODAY, "float", 50000, None, "sofia")
    with pytest.raises(RuleViolation, match="already counted") as refused:
        _move(engine, shop, "float", 60000)
    assert "salon cash in" in refused.value.hint and "salon cash out" in refused.value.hint
    with pytest.raises(InvalidInput, match="needs a reason"):
        _move(engine, shop, "out", 100, reason="   ")
    with pytest.raises(InvalidInput, match="not one of float, in, out"):
        _move(engine, shop, "drop", 100)
    with pytest.raises(InvalidInput, match="more than zero"):
        _move(engine, shop, "in", 0)
    _move(engine, shop, " IN ", 20000)
    _move(engine, shop, "in", 5050, reason="change")
    out = _move(engine, shop, "out", 15000, reason="  bank   deposit ")
    assert out.reason == "bank deposit"
    totals = _read(engine, cash_drawer.totals, shop.loc.id, TODAY)
    assert totals == {"float_cents": 50000, "in_cents": 25050, "out_cents": 15000}
    assert _read(engine, cash_drawer.totals, shop.loc.id, TODAY - timedelta(days=1)) == {
        "float_cents": 0, "in_cents": 0, "out_cents": 0}
    moves = _read(engine, cash_drawer.movements, location=shop.loc, day=TODAY)
    assert [(m.kind, m.amount_cents) for m in moves] == [("float", 50000), ("in", 20000), ("in", 5050),
                                                         ("out", 15000)]
    assert _count(engine, CashMovement) == 4
    actions = _read(engine, lambda s: s.exec(select(AuditLog.action).where(AuditLog.entity == "cash_movement")
                                             .order_by(col(AuditLog.id))).all())
    assert actions == ["cash.float", "cash.in", "cash.in", "cash.out"]


def test_two_floats_at_once_make_one(engine, shop):
    barrier, outcomes = threading.Barrier(2), []

    def desk():
        barrier.wait(timeout=30)
        try:
            _move(engine, shop, "float", 50000)
            outcomes.append("ok")
        except RuleViolation:
            outcomes.append("refused")

    threads = [threading.Thread(target=desk) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused"]
    assert _count(engine, CashMovement, col(CashMovement.kind) == "float") == 1


# ----------------------------------------------------------------------------- the frozen day (CLI)

def test_a_closed_day_refuses_expenses_voids_and_drawer_moves_until_reopened(engine, shop, db_url):
    spent = _add(engine, shop, amount=1000)
    expenses_before, audit_before = _count(engine, Expense), _count(engine, AuditLog)
    _close(engine, shop)
    refused = [
        [*SOFIA, "expense", "add", "--amount", "20", "--category", "supplies", "--description", "foil"],
        [*SOFIA, "expense", "add", "--amount", "20", "--category", "supplies", "--description", "foil",
         "--date", "2026-11-21"],
        [*MARCO, "expense", "void", str(spent.id), "--reason", "wrong"],
        [*SOFIA, "cash", "float", "--amount", "500"],
        [*SOFIA, "cash", "in", "--amount", "100"],
        [*SOFIA, "cash", "out", "--amount", "100", "--reason", "bank"],
    ]
    for args in refused:
        run = cli(db_url, *args)
        assert run.code == 1, (args, run.stderr)
        assert run.stdout == ""
        assert run.stderr.startswith("error: business day 2026-11-21 at centro is closed: "), run.stderr
        assert "hint: a manager can re-open it: salon reopen-day --date 2026-11-21" in run.stderr
    assert _count(engine, Expense) == expenses_before and _count(engine, CashMovement) == 0
    assert _count(engine, AuditLog) == audit_before
    assert _read(engine, expenses.get, spent.id, shop.loc).status == "recorded"
    # an open earlier day still takes a late expense
    ok(db_url, *SOFIA, "expense", "add", "--amount", "20", "--category", "supplies", "--description", "late",
       "--date", "2026-11-20")

    _reopen(engine, shop)
    for args in refused:
        ok(db_url, *args)
    assert _count(engine, Expense) == expenses_before + 3
    assert _read(engine, expenses.get, spent.id, shop.loc).status == "void"
    assert _read(engine, cash_drawer.totals, shop.loc.id, TODAY) == {
        "float_cents": 50000, "in_cents": 10000, "out_cents": 10000}


def test_a_closed_earlier_day_refuses_an_expense_dated_in_it(engine, shop, db_url):
    _close(engine, shop, TODAY - timedelta(days=1))
    run = cli(db_url, *SOFIA, "expense", "add", "--amount", "20", "--category", "rent", "--description", "x",
              "--date", "2026-11-20")
    assert run.code == 1 and "business day 2026-11-20 at centro is closed: an expense is refused" in run.stderr
    assert _count(engine, Expense) == 0
    ok(db_url, *SOFIA, "expense", "add", "--amount", "20", "--category", "rent", "--description", "x")


# ----------------------------------------------------------------------------- CLI

def test_expense_add_prints_the_record(shop, db_url):
    run = ok(db_url, *SOFIA, "expense", "add", "--amount", "245.50", "--category", " Office  Supplies",
             "--description", "Gloves and foil", "--paid-from", "card", "-f", "json")
    assert json.loads(run.stdout) == {
        "id": 1, "business_date": "2026-11-21", "category": "office supplies", "description": "Gloves and foil",
        "amount_cents": 24550, "paid_from": "card", "status": "recorded", "created_by": "sofia", "created_at": NOW,
        "void_reason": None, "voided_by": None, "voided_at": None}
    assert run.stderr == "expense 1 recorded: 245.50 MXN office supplies on 2026-11-21, paid from card\n"


@pytest.mark.parametrize("amount, says", [("-5", "must not be negative"), ("0", "more than zero"),
                                          ("1.001", "more decimals than MXN allows"), ("abc", "is not a number")])
def test_bad_amounts_exit_2_and_change_nothing(engine, shop, db_url, amount, says):
    for args in (["expense", "add", "--amount", amount, "--category", "rent", "--description", "x"],
                 ["cash", "in", "--amount", amount]):
        run = cli(db_url, *SOFIA, *args)
        assert run.code == 2, (args, run.stderr)
        assert run.stdout == "" and says in run.stderr and run.stderr.startswith("error: ")
    assert _count(engine, Expense) == 0 and _count(engine, CashMovement) == 0


def test_other_bad_input_exits_2(engine, shop, db_url):
    base = [*SOFIA, "expense", "add", "--amount", "10", "--description", "x"]
    assert cli(db_url, *base, "--category", "rent", "--date", "2026-11-22").code == 2
    assert cli(db_url, *base, "--category", "rent", "--date", "21/11/2026").code == 2
    assert cli(db_url, *base, "--category", "rent", "--paid-from", "paypal").code == 2
    assert cli(db_url, *base, "--category", " ").code == 2
    assert cli(db_url, *base).code == 2  # --category is required
    run = cli(db_url, *SOFIA, "cash", "out", "--amount", "10")
    assert run.code == 2 and run.stderr.startswith("error: taking cash out needs a reason")
    assert cli(db_url, "expense", "list", "--date", "2026-11-21", "--from", "2026-11-01").code == 2
    assert _count(engine, Expense) == 0 and _count(engine, CashMovement) == 0


def test_void_through_the_cli_needs_a_manager_pin(engine, shop, db_url):
    ok(db_url, *SOFIA, "expense", "add", "--amount", "10", "--category", "rent", "--description", "x")
    run = cli(db_url, *SOFIA, "expense", "void", "1", "--reason", "oops")
    assert run.code == 3 and run.stdout == ""
    assert cli(db_url, "--as", "marco", "--pin", "9999", "expense", "void", "1", "--reason", "oops").code == 3
    assert cli(db_url, "--as", "marco", "expense", "void", "1", "--reason", "oops").code == 3
    assert _read(engine, expenses.get, 1, shop.loc).status == "recorded"
    run = ok(db_url, *MARCO, "expense", "void", "1", "--reason", "entered twice", "-f", "json")
    data = json.loads(run.stdout)
    assert (data["status"], data["void_reason"], data["voided_by"], data["voided_at"]) == (
        "void", "entered twice", "marco", NOW)
    run = cli(db_url, *MARCO, "expense", "void", "1", "--reason", "again")
    assert run.code == 1 and run.stderr.startswith("error: expense 1 is already void")
    assert cli(db_url, *MARCO, "expense", "void", "42", "--reason", "x").code == 1


def test_expense_list_formats_and_total(shop, db_url):
    ok(db_url, *SOFIA, "expense", "add", "--amount", "100", "--category", "Rent", "--description", "November",
       "--paid-from", "bank", "--date", "2026-11-01")
    ok(db_url, *SOFIA, "expense", "add", "--amount", "12.50", "--category", "supplies", "--description", "Foil, 2 rolls")
    ok(db_url, *SOFIA, "expense", "add", "--amount", "3", "--category", "supplies", "--description", "wrong")
    ok(db_url, *MARCO, "expense", "void", "3", "--reason", "typo")

    run = ok(db_url, "expense", "list", "-f", "csv")
    assert run.stdout == (
        "id,business_date,category,description,amount_cents,paid_from,status,created_by\n"
        "2,2026-11-21,supplies,\"Foil, 2 rolls\",1250,cash,recorded,sofia\n"
        "1,2026-11-01,rent,November,10000,bank,recorded,sofia\n")
    assert run.stderr == "2 expenses, total 112.50 MXN\n"

    run = ok(db_url, "expense", "list", "--include-void", "--category", "SUPPLIES", "-f", "json")
    rows = json.loads(run.stdout)
    assert [(r["id"], r["status"], r["void_reason"]) for r in rows] == [(3, "void", "typo"), (2, "recorded", None)]
    assert run.stderr == "1 expense, total 12.50 MXN (1 void, not counted)\n"

    run = ok(db_url, "expense", "list", "--from", "2026-11-01", "--to", "2026-11-20", "-f", "ndjson")
    assert [json.loads(line)["id"] for line in run.stdout.splitlines()] == [1]
    run = ok(db_url, "expense", "list", "--date", "2026-11-21")
    assert run.stdout.splitlines() == [
        "id  business_date  category  description    amount  paid_from  status    created_by",  # figures to the right
        " 2  2026-11-21     supplies  Foil, 2 rolls   12.50  cash       recorded  sofia"]
    run = ok(db_url, "expense", "list", "--date", "2026-10-01", "-f", "json")
    assert run.stdout == "[]\n" and run.stderr == "0 expenses, total 0.00 MXN\n"


def test_cash_commands_print_the_movement_and_the_day(engine, shop, db_url):
    run = ok(db_url, *SOFIA, "cash", "float", "--amount", "500", "-f", "json")
    assert json.loads(run.stdout) == {"id": 1, "business_date": "2026-11-21", "kind": "float", "amount_cents": 50000,
                                      "reason": None, "created_by": "sofia", "created_at": NOW}
    assert run.stderr == "opening float of 500.00 MXN recorded on 2026-11-21\n"
    run = cli(db_url, *SOFIA, "cash", "float", "--amount", "600")
    assert run.code == 1 and run.stdout == ""
    assert run.stderr.splitlines()[0] == "error: the float of 2026-11-21 at centro is already counted"
    assert run.stderr.splitlines()[1].startswith("hint: correct it with: salon cash in")
    ok(db_url, *SOFIA, "cash", "in", "--amount", "100")
    ok(db_url, *SOFIA, "cash", "out", "--amount", "250.75", "--reason", "bank deposit")
    run = ok(db_url, "cash", "list", "-f", "csv")
    assert run.stdout == (
        "id,business_date,kind,amount_cents,reason,created_by,created_at\n"
        f"1,2026-11-21,float,50000,,sofia,{NOW}\n"
        f"2,2026-11-21,in,10000,,sofia,{NOW}\n"
        f"3,2026-11-21,out,25075,bank deposit,sofia,{NOW}\n")
    assert run.stderr == "2026-11-21: float 500.00, in 100.00, out 250.75 MXN\n"
    run = ok(db_url, "cash", "list", "--date", "2026-11-20", "-f", "json")
    assert run.stdout == "[]\n" and run.stderr == "2026-11-20: float 0.00, in 0.00, out 0.00 MXN\n"
    assert _count(engine, CashMovement) == 3


# ----------------------------------------------------------------------------- export

def test_export_csv_header_and_json_round_trip(engine, shop, db_url, tmp_path):
    ok(db_url, *SOFIA, "expense", "add", "--amount", "100", "--category", "rent", "--description", "November",
       "--paid-from", "bank", "--date", "2026-11-01")
    ok(db_url, *SOFIA, "expense", "add", "--amount", "12.34", "--category", "supplies", "--description", "Foil")
    ok(db_url, *MARCO, "expense", "void", "2", "--reason", "typo")
    ok(db_url, *OWNER, "expense", "add", "--amount", "0.99", "--category", "coffee", "--description", "Beans")

    run = ok(db_url, "export", "expenses")
    table = list(csv.reader(io.StringIO(run.stdout)))
    assert table[0] == expense_export.COLUMNS
    assert [row[0] for row in table[1:]] == ["1", "2", "3"]
    assert run.stderr == "exported 3 expenses\n"

    out = tmp_path / "gastos.json"
    run = ok(db_url, "export", "expenses", "--format", "json", "--output", str(out))
    assert run.stdout == "" and run.stderr == f"exported 3 expenses to {out}\n"
    records = json.loads(out.read_text(encoding="utf-8"))
    assert [list(r) for r in records] == [expense_export.COLUMNS] * 3
    assert [(r["id"], r["business_date"], r["category"], r["amount_cents"], r["paid_from"], r["status"],
             r["created_by"], r["void_reason"], r["voided_by"]) for r in records] == [
        (1, "2026-11-01", "rent", 10000, "bank", "recorded", "sofia", None, None),
        (2, "2026-11-21", "supplies", 1234, "cash", "void", "sofia", "typo", "marco"),
        (3, "2026-11-21", "coffee", 99, "cash", "recorded", "lucia", None, None)]
    assert records[1]["voided_at"] == NOW and records[0]["created_at"] == NOW
    # the figures add up to what the services say
    recorded = sum(r["amount_cents"] for r in records if r["status"] == "recorded")
    assert recorded == sum(c for _, c in _read(engine, expenses.by_category, location=shop.loc, first=None,
                                               last=None)) == 10099

    run = ok(db_url, "export", "expenses", "--from", "2026-11-02", "-f", "ndjson")
    assert [json.loads(line)["id"] for line in run.stdout.splitlines()] == [2, 3]
    assert cli(db_url, "export", "expenses", "--from", "2026-11-30", "--to", "2026-11-01").code == 2


def test_export_pages_by_id(engine, shop):
    for n in range(7):
        _add(engine, shop, amount=100 + n, description=f"item {n}")
    rows = _read(engine, lambda s: list(expense_export.expenses(s, location=shop.loc, batch=3)))
    assert [r["amount_cents"] for r in rows] == [100, 101, 102, 103, 104, 105, 106]
