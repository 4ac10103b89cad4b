"""SALON_NOW behind the owner's switch (issue 26, item 13).

A database honours SALON_NOW in commands that change data only when it was made with `salon init
--allow-clock-override` or its owner ran `salon policy set --allow-clock-override` (the demo has it on).
Elsewhere such a command is refused (exit 2) before it changes anything; reads may still use it. The
PIN lockout and the audit log's `at` keep the machine's instant whatever SALON_NOW says.

These tests run without the `clock` fixture where SALON_NOW is what they test: a test's in-process
clock (`set_clock`) stands in for the machine's, and SALON_NOW is not read while one is installed.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlmodel import select

from cli_helpers import INIT, OWNER, salon as cli
from salon_cli.db import migrate
from salon_cli.db.engine import make_engine
from salon_cli.db.models import AuditLog, Client, Policy, Staff
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import clock_override

SALON_NOW = "2026-11-21T11:00:00-06:00"
SALON_NOW_UTC = datetime(2026, 11, 21, 17, 0, tzinfo=timezone.utc)
REFUSED = "error: SALON_NOW is set but this database does not allow a clock override"
MARCO = ["--as", "marco", "--pin", "2222"]


def _engine(db_url):
    return make_engine(db_url)


def _clients(db_url) -> list[Client]:
    with UnitOfWork(_engine(db_url), write=False) as uow:
        return list(uow.session.exec(select(Client)))


def _audit(db_url, action: str) -> list[AuditLog]:
    with UnitOfWork(_engine(db_url), write=False) as uow:
        return list(uow.session.exec(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def _allowed(db_url) -> bool:
    with UnitOfWork(_engine(db_url), write=False) as uow:
        return clock_override.allowed(uow.session)


def _policy_json(db_url, *args: str) -> dict:
    done = cli(db_url, *args, "policy", "show", "-f", "json")
    assert done.code == 0, done.stderr
    return json.loads(done.stdout)


def test_a_change_under_salon_now_is_refused_where_the_database_does_not_allow_it(db_url, monkeypatch):
    assert cli(db_url, *INIT).code == 0
    assert _allowed(db_url) is False  # the secure default
    monkeypatch.setenv("SALON_NOW", SALON_NOW)
    done = cli(db_url, "--as", "lucia", "client", "add", "--first", "Ana", "--last", "López")
    assert done.code == 2
    assert done.stderr.splitlines()[0] == REFUSED
    assert "policy set --allow-clock-override" in done.stderr.splitlines()[1]
    assert done.stdout == "" and _clients(db_url) == []
    # a cron job too, and a manager's change with a PIN: refused before anything is written
    assert cli(db_url, "detect-no-shows").code == 2
    assert cli(db_url, *OWNER, "service", "add", "Corte", "--duration", "30", "--price", "100").code == 2
    with UnitOfWork(_engine(db_url), write=False) as uow:
        assert uow.session.exec(select(sa.func.count()).select_from(AuditLog)).one() == 2  # init's two rows
    # reads still use it
    listed = cli(db_url, "client", "list", "-f", "json")
    assert (listed.code, json.loads(listed.stdout)) == (0, [])
    assert cli(db_url, "appt", "list", "-f", "json").code == 0
    assert cli(db_url, "policy", "show", "-f", "json").code == 0
    # a read that proves who reads (a PIN) is still a read
    report = cli(db_url, *OWNER, "report", "revenue", "-f", "json")
    assert report.code == 0, report.stderr


def test_init_under_salon_now_needs_the_switch_and_then_honours_it(db_url, monkeypatch):
    monkeypatch.setenv("SALON_NOW", SALON_NOW)
    refused = cli(db_url, *INIT)
    assert refused.code == 2 and refused.stderr.splitlines()[0] == REFUSED
    assert "--allow-clock-override" in refused.stderr
    done = cli(db_url, *INIT, "--allow-clock-override", "-f", "json")
    assert done.code == 0, done.stderr
    assert json.loads(done.stdout)["allow_clock_override"] is True
    assert _policy_json(db_url)["allow_clock_override"] is True
    added = cli(db_url, "--as", "lucia", "client", "add", "--first", "Ana", "--last", "López")
    assert added.code == 0, added.stderr
    (client,) = _clients(db_url)
    assert client.created_at == SALON_NOW_UTC  # the business instant is SALON_NOW's


def test_audit_rows_keep_the_machine_instant_and_the_business_one_beside_it(db_url, monkeypatch):
    assert cli(db_url, *INIT, "--allow-clock-override").code == 0
    monkeypatch.setenv("SALON_NOW", "2020-01-01T10:00:00-06:00")  # years before the machine's clock
    before = datetime.now(timezone.utc)
    assert cli(db_url, "--as", "lucia", "client", "add", "--first", "Ana", "--last", "López").code == 0
    after = datetime.now(timezone.utc)
    (row,) = _audit(db_url, "client.add")
    assert before - timedelta(seconds=1) <= row.at <= after + timedelta(seconds=1)
    assert row.business_at == datetime(2020, 1, 1, 16, 0, tzinfo=timezone.utc)
    shown = json.loads(cli(db_url, "audit", "--entity", "client", "-f", "json").stdout)
    assert shown[0]["business_at"] == "2020-01-01T10:00:00-06:00"
    monkeypatch.delenv("SALON_NOW")
    assert cli(db_url, "--as", "lucia", "client", "add", "--first", "Eva", "--last", "Ruiz").code == 0
    assert _audit(db_url, "client.add")[1].business_at is None  # no override: one instant


def test_the_pin_lockout_keeps_the_machine_instant(db_url, monkeypatch):
    """A lock set under a SALON_NOW in the past does not run out at once, and a SALON_NOW a day ahead
    does not lift it (both held even where the database allows the override)."""
    assert cli(db_url, *INIT, "--allow-clock-override").code == 0
    monkeypatch.setenv("SALON_NOW", "2020-01-01T10:00:00-06:00")
    for _ in range(5):
        wrong = cli(db_url, "--as", "lucia", "--pin", "0000", "client", "add", "--first", "A", "--last", "B")
        assert wrong.code == 3
    with UnitOfWork(_engine(db_url), write=False) as uow:
        locked_until = uow.session.exec(select(Staff.locked_until).where(Staff.code == "lucia")).one()
    assert locked_until > datetime.now(timezone.utc) + timedelta(minutes=14)
    monkeypatch.delenv("SALON_NOW")
    still = cli(db_url, *OWNER, "client", "add", "--first", "A", "--last", "B")
    assert still.code == 3 and "locked" in still.stderr
    ahead = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    monkeypatch.setenv("SALON_NOW", ahead)
    again = cli(db_url, *OWNER, "client", "add", "--first", "A", "--last", "B")
    assert again.code == 3 and "locked" in again.stderr
    assert _clients(db_url) == []


def test_the_switch_is_the_owners_audited_and_the_chains(db_url, monkeypatch):
    assert cli(db_url, *INIT).code == 0
    assert cli(db_url, *OWNER, "staff", "add", "Marco", "--code", "marco", "--role", "manager", "--pin", "2222").code == 0
    manager = cli(db_url, *MARCO, "policy", "set", "--allow-clock-override")
    assert manager.code == 3 and "clock override" in manager.stderr
    assert cli(db_url, *MARCO, "policy", "set", "--no-show-grace", "20", "--allow-clock-override").code == 3
    assert _policy_json(db_url)["no_show_grace_min"] == 15  # nothing of the refused command stayed
    assert _allowed(db_url) is False and _audit(db_url, "policy.clock_override") == []

    done = cli(db_url, *OWNER, "policy", "set", "--allow-clock-override", "-f", "json")
    assert done.code == 0, done.stderr
    assert json.loads(done.stdout)["allow_clock_override"] is True
    (row,) = _audit(db_url, "policy.clock_override")
    assert (row.actor, row.before, row.after) == ("lucia", {"allow_clock_override": False},
                                                  {"allow_clock_override": True})
    # a new location takes the chain's switch
    assert cli(db_url, *OWNER, "location", "add", "--code", "norte", "--name", "Norte",
               "--timezone", "America/Monterrey", "--currency", "MXN").code == 0
    assert _policy_json(db_url, "--location", "norte")["allow_clock_override"] is True
    monkeypatch.setenv("SALON_NOW", SALON_NOW)
    assert cli(db_url, "--location", "norte", "--as", "lucia", "client", "add", "--first", "A", "--last", "B").code == 0
    # the owner turns it off again, at every location (turning it off under SALON_NOW is allowed)
    assert cli(db_url, *OWNER, "--location", "norte", "policy", "set", "--no-allow-clock-override").code == 0
    assert _allowed(db_url) is False
    with UnitOfWork(_engine(db_url), write=False) as uow:
        assert uow.session.exec(select(Policy.allow_clock_override)).all() == [False, False]
    assert len(_audit(db_url, "policy.clock_override")) == 3
    refused = cli(db_url, "--location", "centro", "--as", "lucia", "client", "add", "--first", "C", "--last", "D")
    assert refused.code == 2 and refused.stderr.splitlines()[0] == REFUSED


def test_the_dashboard_is_refused_at_once(db_url, monkeypatch):
    assert cli(db_url, *INIT).code == 0
    monkeypatch.setenv("SALON_NOW", SALON_NOW)
    done = cli(db_url, "tui")
    assert done.code == 2 and done.stderr.splitlines()[0] == REFUSED


def test_the_demo_has_the_switch_on(db_url, monkeypatch):
    monkeypatch.setenv("SALON_NOW", SALON_NOW)
    assert cli(db_url, "demo", "--clients", "5", "--days", "1").code == 0
    assert _policy_json(db_url)["allow_clock_override"] is True
    assert cli(db_url, "--as", "sofia", "client", "add", "--first", "Ana", "--last", "Nueva").code == 0


def test_the_in_process_test_clock_still_stands_in(db_url, clock, monkeypatch):
    """A test's clock (`set_clock`) is used, and SALON_NOW not read, whatever the switch says."""
    assert cli(db_url, *INIT).code == 0
    monkeypatch.setenv("SALON_NOW", "2020-01-01T10:00:00-06:00")
    assert cli(db_url, "--as", "lucia", "client", "add", "--first", "Ana", "--last", "López").code == 0
    (client,) = _clients(db_url)
    assert client.created_at == clock.now()
    (row,) = _audit(db_url, "client.add")
    assert (row.at, row.business_at) == (clock.now(), None)


def test_an_upgraded_database_has_the_switch_off(engine, clock):
    from alembic import command
    from salon_cli.services.salon.setup import initialise

    initialise(engine, location_code="centro", location_name="Salón Centro", timezone="America/Mexico_City",
               currency="MXN", owner_name="Lucía", owner_code="lucia", owner_pin="1234", allow_clock_override=True)
    with migrate.writer(engine).begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0012_desk_rules")
    migrate.upgrade(engine)
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.exec(select(Policy.allow_clock_override)).all() == [False]
        assert clock_override.allowed(uow.session) is False


def test_an_empty_salon_now_is_no_override(db_url, monkeypatch):
    assert cli(db_url, *INIT).code == 0
    monkeypatch.setenv("SALON_NOW", "")
    assert cli(db_url, "--as", "lucia", "client", "add", "--first", "A", "--last", "B").code == 0
