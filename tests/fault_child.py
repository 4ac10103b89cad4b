"""`python tests/fault_child.py ARGS...` runs `salon ARGS...` with a fault point inside its transactions.

tests/system/test_faults.py kills the process (SIGKILL) or cuts its PostgreSQL connection at a point it
chooses, deterministically: the child stops there and says so, rather than the test sleeping and hoping.

FAULT_AT     `write:N`     before the N-th INSERT, UPDATE, DELETE or COPY is sent
             `commit:N`    before the COMMIT of the N-th transaction that wrote is sent
             `committed:N` just after that COMMIT returned
FAULT_READY  the file written (JSON: pid, PostgreSQL backend pid) when the point is reached
FAULT_GO     the file the child then waits for before it goes on (the test kills it instead, or cuts
             its connection first); after two minutes without it the child exits 99
FAULT_LOG    count mode: one line per point passed ("write 3 INSERT INTO ..."), nothing paused
FAULT_SQLITE_ROOM  SQLite only: `PRAGMA max_page_count` set this many pages above the file's size, so
             that a write past it fails as on a full disk (SQLITE_FULL)

Writes are counted at the statement (SQLAlchemy's `before_cursor_execute`) and, on PostgreSQL, at
each COPY of a bulk insert (`salon_cli.db.bulk.insert_plain`, which bypasses the statement events).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

WRITES = ("INSERT", "UPDATE", "DELETE")


def install() -> None:
    at = os.environ.get("FAULT_AT", "")
    kind, _, number = at.partition(":")
    target = int(number) if number else 0
    ready, go, log = os.environ.get("FAULT_READY"), os.environ.get("FAULT_GO"), os.environ.get("FAULT_LOG")

    import sqlalchemy as sa
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from salon_cli.db import bulk

    counts = {"write": 0, "commit": 0, "committed": 0}
    dirty: set[int] = set()  # connections whose open transaction wrote
    just_committed: list[bool] = [False]

    def backend_pid(conn: Any) -> int | None:
        try:
            info = getattr(conn.connection.dbapi_connection, "info", None)
        except sa.exc.SQLAlchemyError:  # a connection already lost
            return None
        return getattr(info, "backend_pid", None)

    def reached(point: str, detail: str, pid: int | None) -> None:
        counts[point] += 1
        if log:
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"{point} {counts[point]} {detail[:70]}\n")
        if point == kind and counts[point] == target:
            tmp = f"{ready}.tmp"
            with open(tmp, "w", encoding="utf-8") as out:
                json.dump({"pid": os.getpid(), "backend_pid": pid, "at": at}, out)
            os.replace(tmp, ready)  # type: ignore[arg-type]
            deadline = time.monotonic() + 120
            while not (go and os.path.exists(go)):
                if time.monotonic() > deadline:
                    os._exit(99)
                time.sleep(0.02)

    def wrote(conn: Any, detail: str) -> None:
        dirty.add(id(conn))
        reached("write", detail, backend_pid(conn))

    @event.listens_for(sa.engine.Engine, "before_cursor_execute")
    def _statement(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip()[:6].upper() in WRITES:
            wrote(conn, " ".join(statement.split()))

    @event.listens_for(sa.engine.Engine, "commit")
    def _commit(conn: Any) -> None:
        if id(conn) in dirty:
            dirty.discard(id(conn))
            reached("commit", "", backend_pid(conn))
            just_committed[0] = True

    @event.listens_for(sa.engine.Engine, "rollback")
    def _rollback(conn: Any) -> None:
        dirty.discard(id(conn))

    @event.listens_for(Session, "after_commit")
    def _after_commit(session: Any) -> None:
        if just_committed[0]:
            just_committed[0] = False
            reached("committed", "", None)

    room = os.environ.get("FAULT_SQLITE_ROOM")
    if room:  # SQLite: the database may grow by this many pages, then "database or disk is full"
        @event.listens_for(sa.engine.Engine, "connect")
        def _full(dbapi_conn: Any, _record: Any) -> None:
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages + int(room)}")

    plain = bulk.insert_plain

    def insert_plain(session: Any, model: Any, columns: Any, rows: Any) -> None:
        connection = session.connection()
        if rows and connection.dialect.name == "postgresql":  # COPY: no statement event
            wrote(connection, f"COPY {model.__table__.name} ({len(rows)} rows)")
        plain(session, model, columns, rows)

    bulk.insert_plain = insert_plain  # before the importers bind the name


if __name__ == "__main__":
    install()
    sys.argv = ["salon", *sys.argv[1:]]
    from salon_cli.startup import main

    main()
