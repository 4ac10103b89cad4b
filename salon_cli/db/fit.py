"""What a text column can hold, checked before a flush writes it: no value longer than the column
(PostgreSQL refuses it with a driver error, SQLite stores it whole), and no NUL character (PostgreSQL
refuses it; nothing a person types holds one). A value at fault is bad input: exit 2 naming the table
and the column, nothing written. The services check what people type with their own words first; this
is the floor under every change made through a session. Bulk writes (`db/bulk.py`) are checked by
their callers (an import names the row and the column, `io.tabular.read_csv`)."""

from __future__ import annotations

from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from salon_cli.core.errors import InvalidInput


@cache
def _limits(table: sa.Table) -> tuple[tuple[str, int | None], ...]:
    """(attribute, length) of each text column of `table` (length None: unbounded text)."""
    return tuple((c.key, getattr(c.type, "length", None)) for c in table.columns if _is_text(c.type))


def _is_text(kind: Any) -> bool:
    """A `String`, or a decorator of one (SQLModel's `AutoString`)."""
    return isinstance(kind.impl if isinstance(kind, sa.types.TypeDecorator) else kind, sa.String)


def check_fits(row: Any) -> None:
    table = getattr(type(row), "__table__", None)
    if table is None:
        return
    for key, length in _limits(table):
        value = getattr(row, key, None)
        if not isinstance(value, str):
            continue
        if length is not None and len(value) > length:
            raise InvalidInput(f"{table.name} {key.replace('_', ' ')} is longer than {length} characters "
                               f"({len(value)})")
        if "\x00" in value:
            raise InvalidInput(f"{table.name} {key.replace('_', ' ')} holds a NUL character (\\x00)")


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for row in (*session.new, *session.dirty):
        check_fits(row)


def install() -> None:
    """Check every session's new and changed rows before each flush (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
