"""Values the database cannot hold are bad input (issue 26, item 17): a date no business day can fall on,
a text longer than its column, a NUL character. Exit 2, one line naming what is at fault (the option;
an import's row and column), nothing written; on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from cli_helpers import INIT, OWNER, salon as cli
from salon_cli.db.engine import make_engine
from salon_cli.db.models import AuditLog
from salon_cli.db.uow import UnitOfWork

DATES = [
    ("close-day", "--date", "9999-12-31", "--preview"),
    ("close-day", "--date", "9999-12-31", "--counted-cash", "0"),
    ("reopen-day", "--date", "0001-01-01", "--reason", "typo"),
    ("report", "day", "--date", "9999-12-31"),
    ("report", "revenue", "--from", "0001-01-01", "--to", "2026-11-30"),
    ("appt", "list", "--date", "9999-12-31"),
    ("appt", "list", "--from", "2026-11-01", "--to", "9999-12-31"),
    ("expense", "list", "--date", "9999-12-31"),
    ("export", "sales", "--from", "0001-01-01"),
    ("audit", "--since", "9999-12-31"),
    ("detect-no-shows", "--as-of", "0001-01-01T00:00:00+14:00"),
    ("expire-points", "--as-of", "9999-12-31T23:00:00-06:00"),
]


def _audit_rows(db_url: str) -> int:
    with UnitOfWork(make_engine(db_url), write=False) as uow:
        return uow.session.exec(select(func.count()).select_from(AuditLog)).one()


def test_dates_that_become_no_instant_are_refused_naming_the_option(db_url, clock):
    assert cli(db_url, *INIT).code == 0
    before = _audit_rows(db_url)
    for args in DATES:
        done = cli(db_url, *OWNER, *args)
        option = args[next(i for i, a in enumerate(args) if a.startswith(("9999", "0001"))) - 1]
        assert done.code == 2, (args, done.stderr)
        assert done.stderr.startswith(f"error: {option} ") and "out of range" in done.stderr, (args, done.stderr)
        assert len(done.stderr.splitlines()) == 1 and done.stdout == "", (args, done.stderr)
    assert _audit_rows(db_url) == before


@pytest.mark.parametrize("args, column", [
    (("service", "add", "S" * 10_000, "--duration", "30", "--price", "100"), "service name"),
    (("product", "add", "P" * 10_000, "--price", "100"), "product name"),
    (("staff", "add", "N" * 10_000, "--code", "nina", "--role", "stylist", "--pin", "2222"), "staff name"),
    (("location", "add", "--code", "norte", "--name", "L" * 10_000, "--timezone", "UTC", "--currency", "MXN"),
     "location name"),
])
def test_a_text_longer_than_its_column_is_bad_input_anywhere(db_url, clock, args, column):
    assert cli(db_url, *INIT).code == 0
    before = _audit_rows(db_url)
    done = cli(db_url, *OWNER, *args)
    assert done.code == 2, done.stderr
    assert done.stderr.splitlines() == [f"error: {column} is longer than 120 characters (10000)"]
    assert _audit_rows(db_url) == before
