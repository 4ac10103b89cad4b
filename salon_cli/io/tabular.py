"""Records out as CSV, JSON and NDJSON, streamed: rows are written as they come.

A record is a flat-ish dict of JSON-ready values (see `jsonable`). JSON is one document: an object
for one record, an array for many. NDJSON is one object a line. CSV has a header row; lists are
joined with ';' and objects written as JSON.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import IO, Any
from zoneinfo import ZoneInfo


def as_dict(obj: Any) -> dict[str, Any]:
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    if isinstance(obj, Mapping):
        return dict(obj)
    raise TypeError(f"cannot write {type(obj).__name__} as a record")


def jsonable(value: Any, tz: ZoneInfo | None = None) -> Any:
    """Instants in the location's offset, dates as YYYY-MM-DD, enums as their values."""
    if isinstance(value, datetime):
        return (value.astimezone(tz) if tz else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, tz) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, tz) for v in value]
    return value


def records(items: Iterable[Any], tz: ZoneInfo | None = None) -> Iterator[dict[str, Any]]:
    for item in items:
        yield jsonable(as_dict(item), tz)


def write_json(rows: Iterable[dict[str, Any]], out: IO[str], *, one: bool = False) -> None:
    if one:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, indent=2) + "\n")
            return
        out.write("null\n")
        return
    out.write("[")
    first = True
    for row in rows:
        out.write("\n  " if first else ",\n  ")
        out.write(json.dumps(row, ensure_ascii=False))
        first = False
    out.write("\n]\n" if not first else "]\n")


def write_ndjson(rows: Iterable[dict[str, Any]], out: IO[str]) -> None:
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(csv_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str], *, columns: list[str] | None = None) -> None:
    writer: Any = None
    for row in rows:
        if writer is None:
            columns = columns or list(row)
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(columns)
        writer.writerow([csv_cell(row.get(c)) for c in columns or []])
    if writer is None and columns:
        csv.writer(out, lineterminator="\n").writerow(columns)
