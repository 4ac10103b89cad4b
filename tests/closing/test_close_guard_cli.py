"""The guarded close at the command line (issue 28), on SQLite and PostgreSQL: `close-day --unfinished`,
the desk refused with one line naming the counts, `appt leave-booked`, a manager's close over what is
left, `--early` before the closing hour, and `close-day --pending`.

The salon is tests/shop.py's (now: Saturday 2026-11-21 11:00 in Mexico City; Ximena's 12:00 corte,
appointment 1, is booked); Pedro's 09:00 corte (appointment 2) is marked a no-show and Pedro has an empty
ticket open (sale 1)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from cli_helpers import MARCO, OWNER, SOFIA, js, ok
from cli_helpers import salon as cli
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments, status as appt_status
from salon_cli.services.till import tickets
from shop import make_shop

WORDS = "1 appointment still booked or in the chair, 1 sale open, 1 penalty pending"


@pytest.fixture
def desk(engine, salon, db_url, clock):
    shop = make_shop(engine)
    clock.advance(hours=-3)
    with UnitOfWork(engine) as uow:
        missed = appointments.book_appointment(uow.session, actor=shop.sofia, location=shop.loc, client_id=shop.pedro,
                                               services=["corte"], staff="beto", at="2026-11-21 09:00").appointments[0]
        uow.commit()
    clock.advance(hours=3)
    with UnitOfWork(engine) as uow:
        appt_status.no_show(uow.session, actor=shop.marco, location=shop.loc, appointment_id=missed.id)
        tickets.open_sale(uow.session, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
        uow.commit()
    return db_url


def test_unfinished_the_desk_refused_leave_booked_and_a_managers_close_over_the_rest(desk):
    run = ok(desk, "close-day", "--unfinished", "-f", "json")
    assert run.stderr == f"2026-11-21 at centro: {WORDS}\n"
    rows = json.loads(run.stdout)
    assert [(r["kind"], r["id"], r["status"], r["client"]) for r in rows] == [
        ("appointment", 1, "booked", "Ximena Jiménez"), ("sale", 1, "open", "Pedro Páramo"),
        ("penalty", 1, "pending", "Pedro Páramo")]
    assert rows[0]["at"] == "2026-11-21T12:00:00-06:00" and rows[2]["amount_cents"] == 17500
    table = ok(desk, "close-day", "--unfinished").stdout
    assert "appointment" in table and "Ximena Jiménez" in table and "175.00" in table

    refused = cli(desk, *SOFIA, "close-day", "--counted-cash", "0")
    assert (refused.code, refused.stdout) == (1, "")
    assert refused.stderr.splitlines() == [
        f"error: {WORDS}: finish them first",
        "hint: see them: salon close-day --unfinished; a manager may close with --note (--as CODE --pin PIN)"]
    no_note = cli(desk, *MARCO, "close-day", "--counted-cash", "0")
    assert no_note.code == 1 and no_note.stderr.startswith(f"error: {WORDS}: a manager closes over them only with a note")
    earlier = cli(desk, *SOFIA, "close-day", "--date", "2026-11-20", "--unfinished", "-f", "json")
    assert (earlier.code, json.loads(earlier.stdout)) == (0, [])

    assert cli(desk, *SOFIA, "appt", "leave-booked", "1", "--reason", " ").code == 2
    assert cli(desk, *SOFIA, "appt", "leave-booked", "99", "--reason", "x").code == 1
    gone = cli(desk, *SOFIA, "appt", "leave-booked", "2", "--reason", "x")
    assert gone.code == 1 and "appointment 2 is no show" in gone.stderr
    left = ok(desk, *SOFIA, "appt", "leave-booked", "1", "--reason", "she comes at 19:00", "-f", "json")
    assert json.loads(left.stdout)["status"] == "booked"
    assert left.stderr == "appointment 1 stays booked past the close of 2026-11-21\n"
    after = ok(desk, "close-day", "--unfinished", "-f", "json")
    assert [r["kind"] for r in json.loads(after.stdout)] == ["sale", "penalty"]
    assert after.stderr == "2026-11-21 at centro: 1 sale open, 1 penalty pending; 1 left booked past the close\n"

    closed = ok(desk, *MARCO, "close-day", "--counted-cash", "0", "--note", "Pedro pays on Monday", "-f", "json")
    report = json.loads(closed.stdout)
    assert report["unfinished"] == {"appointments": [], "sales": [1], "penalties": [1], "left_booked": [1],
                                    "words": "1 sale open, 1 penalty pending", "approved_by": "marco"}
    assert "closed over unfinished work (1 sale open, 1 penalty pending): the list is kept with the close" in closed.stderr
    readable = ok(desk, *MARCO, "report", "day").stdout
    assert "closed over: 1 sale open, 1 penalty pending" in readable and "note: Pedro pays on Monday" in readable


def test_early_close_and_the_days_left_unclosed(db_url, clock):
    from cli_helpers import INIT

    ok(db_url, *INIT)
    ok(db_url, *OWNER, "hours", "set", "--sat", "09:00-20:00", "--fri", "09:00-20:00")
    clock.set(datetime(2026, 11, 19, 16, 0, tzinfo=timezone.utc))  # Thursday 10:00: the float, never closed
    ok(db_url, *OWNER, "cash", "float", "--amount", "500")
    clock.set(datetime(2026, 11, 21, 17, 0, tzinfo=timezone.utc))
    pending = ok(db_url, "close-day", "--pending", "-f", "json")
    assert json.loads(pending.stdout) == [{"business_date": "2026-11-19", "sales_count": 0, "payments_count": 0,
                                           "cash_movements_count": 1, "expenses_count": 0, "appointments_count": 0,
                                           "reopened": False}]
    assert pending.stderr == "1 day left unclosed in the 60 days before 2026-11-21\n"
    for argv in (("--pending", "--date", "2026-11-19"), ("--pending", "--unfinished"), ("--pending", "--counted-cash", "1")):
        assert cli(db_url, "close-day", *argv).code == 2, argv

    early = cli(db_url, *OWNER, "close-day", "--counted-cash", "0")
    assert (early.code, early.stdout) == (1, "")
    assert early.stderr.splitlines() == ["error: it is 11:00 and the salon closes at 20:00",
                                         "hint: close before the closing hour on purpose: salon close-day --early"]
    assert js(db_url, *OWNER, "close-day", "--date", "2026-11-19", "--counted-cash", "500")["early"] is False
    done = js(db_url, *OWNER, "close-day", "--counted-cash", "0", "--early")
    assert (done["status"], done["early"]) == ("closed", True)
    assert "closed before the closing hour" in ok(db_url, *OWNER, "report", "day").stdout
    none = ok(db_url, "close-day", "--pending")
    assert none.stderr.splitlines() == ["every day with activity in the 60 days before 2026-11-21 is closed", "(no rows)"]


class _Terminal:
    """`sys` as `close_day` sees it on a terminal: stdin is a TTY (CliRunner feeds the answers)."""

    class stdin:  # noqa: N801 - stands for sys.stdin
        @staticmethod
        def isatty() -> bool:
            return True

    @property
    def stdout(self):  # the runner's, as it is at the time
        import sys

        return sys.stdout


def test_on_a_terminal_the_guard_comes_before_the_count_and_an_early_close_is_asked(desk, monkeypatch):
    from salon_cli.cli.closing import close_day

    monkeypatch.setattr(close_day, "sys", _Terminal())
    held = cli(desk, *SOFIA, "close-day", input="")
    assert held.code == 1 and "Cash in the drawer" not in held.stdout
    assert held.stderr.splitlines()[0] == f"error: {WORDS}: finish them first"
    ok(desk, *MARCO, "penalty", "waive", "1", "--reason", "first time")
    ok(desk, *MARCO, "sale", "void", "1", "--reason", "opened by mistake")
    ok(desk, *SOFIA, "appt", "leave-booked", "1", "--reason", "she comes at 19:00")
    ok(desk, *OWNER, "hours", "set", "--sat", "09:00-20:00")
    kept_open = cli(desk, *SOFIA, "close-day", input="n\n")
    assert kept_open.code == 1 and "It is 11:00 and the salon closes at 20:00: close the day early?" in kept_open.stdout
    assert kept_open.stderr.splitlines()[0] == "error: it is 11:00 and the salon closes at 20:00: the day is left open"
    closed = cli(desk, *SOFIA, "close-day", "-f", "json", input="y\n0\n")
    assert closed.code == 0, closed.stderr
    assert "Cash in the drawer for 2026-11-21" in closed.stdout
    report = json.loads(closed.stdout[closed.stdout.index("{"):])
    assert (report["status"], report["early"], report["counted_cash_cents"]) == ("closed", True, 0)
