"""Column types that keep their promises on both databases."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out.

    PostgreSQL keeps `timestamptz`; SQLite has no offsets and silently drops them, so naive UTC is
    stored there and UTC is attached again on the way out. A naive value going in is a bug: refused.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        utc = value.astimezone(timezone.utc)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def result_processor(self, dialect: sa.Dialect, coltype: Any) -> Any:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        # SQLite hands back the stored text: parsed here in one call a value instead of the generic
        # chain (the dialect's DATETIME processor, then process_result_value), a third of the time of
        # reading rows of instants (an export reads millions)
        parse, slow = datetime.fromisoformat, self.process_result_value

        def process(value: Any) -> datetime | None:
            if type(value) is str:
                try:
                    return parse(value + "+00:00")  # naive UTC text, as stored: aware in one C call
                except ValueError:
                    pass  # text that carries an offset of its own
            return None if value is None else slow(value, dialect)

        return process

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQLite text
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class JSONDocument(TypeDecorator[Any]):
    """JSON: `jsonb` on PostgreSQL, JSON text on SQLite.

    Chosen when a dialect is met rather than with `with_variant(JSONB(), "postgresql")`, which loads
    SQLAlchemy's PostgreSQL dialect as the models are imported: 40-50 ms of every start on SQLite.
    Python `None` is stored as JSON `null`, as `sa.JSON()` does.
    """

    impl = sa.JSON
    cache_ok = True
    should_evaluate_none = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB  # the dialect in use

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(sa.JSON())


JSONType = JSONDocument()
