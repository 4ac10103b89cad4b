"""What every table shares: the constraint naming convention, the base class, the UTC column,
the `CHECK ... IN (...)` helper and partial indexes (kept in `_PARTIAL`: a PostgreSQL engine completes them)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig

from salon_cli.db.types import UTCDateTime

__all__ = [
    "SQLModel", "TableModel", "_PARTIAL", "_in", "_utc", "_wide", "partial_index", "partial_indexes_for_postgresql",
]

# Stable constraint names, so that migrations (and SQLite batch mode) can find them again.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_PARTIAL: list[tuple[sa.Index, str]] = []


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> sa.Index:
    """An index over the rows that match `where` (SQLite and PostgreSQL both have them).

    The PostgreSQL half is attached by `partial_indexes_for_postgresql` when a PostgreSQL engine is
    made: naming `postgresql_where=` here would load SQLAlchemy's PostgreSQL dialect on every start,
    SQLite included."""
    index = sa.Index(name, *columns, unique=unique, sqlite_where=sa.text(where))
    _PARTIAL.append((index, where))
    return index


def partial_indexes_for_postgresql() -> None:
    """Give each partial index its PostgreSQL `WHERE` (idempotent; db/engine.py calls it)."""
    for index, where in _PARTIAL:
        index.dialect_options["postgresql"]["where"] = sa.text(where)


class TableModel(SQLModel):
    """The base of every table: pydantic builds a table's validator and serializer when first used
    (an audit snapshot, say), not when this module is imported — the dashboard opens sooner."""

    model_config = SQLModelConfig(defer_build=True)


def _utc(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


_WIDE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _wide(**kw: Any) -> Any:
    """A 64-bit integer column: every amount of money (`*_cents`) and every count of points or stamps.

    PostgreSQL's INTEGER is 32-bit (2,147,483,647 minor units): an IDR or COP salon passes it in a
    day's takings. SQLite's INTEGER is already 64-bit, so there the column stays INTEGER (no table is
    rebuilt to change a declared name)."""
    return Field(sa_type=_WIDE, **kw)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"
