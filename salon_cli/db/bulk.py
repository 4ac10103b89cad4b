"""Many rows in one statement: what imports write, without an ORM object per row.

`insert_with_ids` gives each new row its id before the insert, so that a plain executemany (batched
by the driver) does the work: on PostgreSQL the ids come from the table's sequence; on SQLite, whose
write transaction (BEGIN IMMEDIATE) keeps every other writer out until it commits, they follow the
largest id, as SQLite itself would number them. An INSERT ... RETURNING instead runs row by row on
SQLite (100,000 statements for 100,000 rows) and is parsed page by page on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session


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
    """Insert `values` (dicts with the same keys) into `model`'s table in one executemany.

    On SQLite the rows go to the driver as tuples, each value through its column type's own bind
    processor (the UTC instants, JSON): what SQLAlchemy would send, without its per-row bookkeeping,
    which costs more than the insert itself for 100,000 rows of twenty columns."""
    if not values:
        return
    table = model.__table__
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        session.execute(sa.insert(table), values)
        return
    columns = tuple(values[0])
    dialect = connection.dialect
    processors = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    steps = [(k, p) for k, p in enumerate(processors) if p is not None]
    rows = []
    for value in values:
        row = [value[c] for c in columns]
        for k, process in steps:
            row[k] = process(row[k])
        rows.append(tuple(row))
    insert_plain(session, model, columns, rows)


def insert_plain(session: Session, model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert `rows` (tuples of plain text and numbers, in `columns` order) straight through the
    driver's executemany: for the big, plain tables of an import (500,000 search keys for 100,000
    clients), where building and binding a parameter dict per row costs more than SQLite's insert."""
    if not rows:
        return
    table = model.__table__
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    preparer = connection.dialect.identifier_preparer
    statement = (f"INSERT INTO {preparer.format_table(table)} ({', '.join(preparer.quote(c) for c in columns)}) "
                 f"VALUES ({', '.join(mark for _ in columns)})")
    connection.exec_driver_sql(statement, rows)
