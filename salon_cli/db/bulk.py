"""Many rows in one statement: what imports write, without an ORM object per row.

`insert_with_ids` gives each new row its id before the insert, so that a plain executemany (SQLite)
or COPY (PostgreSQL) does the work: on PostgreSQL the ids come from the table's sequence; on SQLite, whose
write transaction (BEGIN IMMEDIATE) keeps every other writer out until it commits, they follow the
largest id, as SQLite itself would number them. An INSERT ... RETURNING instead runs row by row on
SQLite (100,000 statements for 100,000 rows) and is parsed page by page on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from salon_cli.db.types import UTCDateTime


def insert_with_ids(session: Session, model: Any, values: list[dict[str, Any]],
                    ids: list[int] | None = None) -> list[int]:
    """Insert `values` into `model`'s table; their new ids, in order. `ids` keeps the given ones
    instead (an import that keeps our own export's ids): the caller has checked that they are free."""
    if not values:
        return []
    table = model.__table__
    postgres = session.get_bind().dialect.name == "postgresql"
    if ids is not None:
        if postgres:  # the sequence past the kept ids first, so that rows made meanwhile take later ones
            session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), GREATEST(:top, "
                                    f"COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{table.name}', 'id')::regclass), 0)))"),
                            {"top": max(ids)})
    elif postgres:
        ids = list(session.execute(sa.text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                                           "FROM generate_series(1, :n)"), {"n": len(values)}).scalars())
    else:
        last = session.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
        ids = list(range(last + 1, last + 1 + len(values)))
    insert_many(session, model, [{**v, "id": i} for v, i in zip(values, ids, strict=True)])
    return list(ids)


def taken_ids(session: Session, model: Any, ids: Any, chunk: int = 500) -> set[int]:
    """Which of `ids` `model`'s table already has."""
    wanted, found = sorted(set(ids)), set()
    column = model.__table__.c.id
    for start in range(0, len(wanted), chunk):
        found.update(session.execute(sa.select(column).where(column.in_(wanted[start:start + chunk]))).scalars())
    return found


def insert_many(session: Session, model: Any, values: list[dict[str, Any]]) -> None:
    """Insert `values` (dicts with the same keys) into `model`'s table, as one batch.

    The rows go to the driver as tuples, each value through its column type's own bind processor
    (the UTC instants, JSON): what SQLAlchemy would send, without its per-row bookkeeping, which
    costs more than the insert itself for 100,000 rows of twenty columns. A column left out takes
    its model default, as an ORM insert would give it."""
    if not values:
        return
    table = model.__table__
    connection = session.connection()
    columns = tuple(values[0])
    defaults = {c.name: c.default for c in table.c if c.name not in columns and c.default is not None
                and (c.default.is_scalar or c.default.is_callable)}
    dialect = connection.dialect
    names = (*columns, *defaults)
    processors = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in names]
    # an instant repeats down a batch (every row's updated_at, a sale's created_at on each of its
    # payments): each distinct one goes through its processors once
    steps = [(k, p, {} if isinstance(table.c[names[k]].type, UTCDateTime) else None)
             for k, p in enumerate(processors) if p is not None]
    rows = []
    for value in values:
        row = [value[c] for c in columns]
        row += [d.arg(None) if d.is_callable else d.arg for d in defaults.values()]
        for k, process, seen in steps:
            if seen is None:
                row[k] = process(row[k])
            else:
                given = row[k]
                done = seen.get(given, seen)
                if done is seen:
                    done = seen[given] = process(given)
                row[k] = done
        rows.append(tuple(row))
    insert_plain(session, model, names, rows)


def insert_plain(session: Session, model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert `rows` (tuples of values the driver takes, in `columns` order) straight through the
    driver: for the big tables of an import (500,000 search keys for 100,000 clients), where
    building and binding a parameter dict per row costs more than the insert. SQLite: one
    executemany. PostgreSQL: COPY, which loads rows several times faster than an INSERT per row
    (psycopg's executemany), in the same transaction."""
    if not rows:
        return
    table = model.__table__
    connection = session.connection()
    preparer = connection.dialect.identifier_preparer
    target = f"{preparer.format_table(table)} ({', '.join(preparer.quote(c) for c in columns)})"
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.cursor()
        try:
            with cursor.copy(f"COPY {target} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(f"INSERT INTO {target} VALUES ({', '.join(mark for _ in columns)})", rows)


ANALYZE_FROM = 1000  # rows written: fewer leave the planner's figures about right


def analyze(session: Session, rows: int, *models: Any) -> None:
    """After a bulk write of `rows` rows on PostgreSQL, refresh the planner's statistics of `models`'
    tables, in the caller's transaction. Without them a table just filled looks empty (or as small as
    it was) until autovacuum comes by, and the next import's look-ups by phone, e-mail or external
    id scan the whole table instead of using its index: 25 ms instead of 9 ms a batch of 500 on
    100,000 clients. SQLite plans from its indexes alone."""
    if rows < ANALYZE_FROM or session.get_bind().dialect.name != "postgresql":
        return
    connection = session.connection()
    preparer = connection.dialect.identifier_preparer
    for model in models:
        connection.exec_driver_sql(f"ANALYZE {preparer.format_table(model.__table__)}")

