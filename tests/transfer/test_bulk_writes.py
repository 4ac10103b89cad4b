"""The import's bulk writes: instants written once per distinct value stay each row's own, and the
cycle collector an import pauses is back as it was afterwards."""

from __future__ import annotations

import gc
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from cli_helpers import INIT, salon
from salon_cli.db.bulk import insert_many
from salon_cli.db.models import AuditLog


def test_repeated_and_distinct_instants_each_stored_as_given(engine) -> None:
    base = datetime(2026, 11, 21, 17, 0, tzinfo=timezone.utc)
    mexico = base.astimezone(ZoneInfo("America/Mexico_City"))  # the same instant, another zone: one key
    instants = [base, mexico, base + timedelta(seconds=1), None, base, base + timedelta(microseconds=7)]
    with Session(engine) as session:
        insert_many(session, AuditLog, [
            {"at": at or base, "business_at": at, "actor": "lucia", "action": "test", "entity": "row",
             "entity_id": n, "run_by": "lucia"} for n, at in enumerate(instants)])
        session.commit()
        got = session.execute(sa.select(AuditLog.entity_id, AuditLog.at, AuditLog.business_at)
                              .where(AuditLog.action == "test").order_by(AuditLog.entity_id)).all()
    assert [(n, b) for n, _, b in got] == list(enumerate(instants))
    assert [a for _, a, _ in got] == [at or base for at in instants]


def test_an_import_runs_without_the_collector_and_leaves_it_as_it_found_it(sqlite_url, tmp_path,
                                                                          monkeypatch) -> None:
    from salon_cli.cli.transfer import import_run

    during: list[bool] = []
    read_rows = import_run._read_rows

    def reading(*args, **kwargs):  # type: ignore[no-untyped-def]
        during.append(gc.isenabled())
        return read_rows(*args, **kwargs)

    monkeypatch.setattr(import_run, "_read_rows", reading)
    salon(sqlite_url, *INIT)
    source = tmp_path / "clients.csv"
    source.write_text("first_name,last_name,phone\nAna,Ruiz,5512345678\n", encoding="utf-8")
    assert gc.isenabled()
    assert salon(sqlite_url, "--as", "lucia", "--pin", "1234", "import", "clients", str(source)).code == 0
    assert gc.isenabled()
    gc.disable()
    try:
        assert salon(sqlite_url, "--as", "lucia", "--pin", "1234", "import", "clients", str(source)).code == 0
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
    assert during == [False, False]
