"""Records out as CSV, JSON and NDJSON, streamed: rows are written as they come.

A record is a flat-ish dict of JSON-ready values (see `jsonable`). JSON is one document: an object
for one record, an array for many. NDJSON is one object a line. CSV has a header row; lists are
joined with ';' and objects written as JSON.

CSV cells a spreadsheet would run as a formula are written with a leading `'` (`neutralise`, OWASP's
advice on CSV injection) unless the caller asks for `raw`; reading takes that mark off again (`unmark`),
so a file written here reads back exactly (`formula_cells`). JSON and NDJSON are always exact.

CSV files in are read by `source_rows` and mapped by `column_map`; their names are imported here too,
where the importers have always found them.
"""

from __future__ import annotations

import csv
import json
import operator
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import IO, Any
from zoneinfo import ZoneInfo

from salon_cli.io.column_map import IGNORE, ColumnMap, parse_mapping
from salon_cli.io.formula_cells import FORMULA_STARTS, is_formula, neutralise, unmark
from salon_cli.io.source_rows import (ERROR_COLUMN, Fault, ImportRefused, SourceRow, SourceRows, delimiter_of,
                                      file_encoding, read_csv, write_rejects)

__all__ = ["ERROR_COLUMN", "FORMULA_STARTS", "IGNORE", "ColumnMap", "Fault", "ImportRefused", "SourceRow", "SourceRows",
           "as_dict", "cell_maker", "csv_cell", "delimiter_of", "file_encoding", "is_formula", "jsonable", "neutralise",
           "parse_mapping", "read_csv", "records", "unmark", "write_csv", "write_json", "write_ndjson", "write_rejects"]


def as_dict(obj: Any) -> dict[str, Any]:
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    if isinstance(obj, Mapping):
        return dict(obj)
    raise TypeError(f"cannot write {type(obj).__name__} as a record")


# values a record passes on as they are: the common case, tested first and by type (an export
# converts tens of millions of cells; an isinstance chain for each was most of its time)
_PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any, tz: ZoneInfo | None = None) -> Any:
    """Instants in the location's offset, dates as YYYY-MM-DD, enums as their values."""
    if type(value) in _PLAIN:
        return value
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
    plain = _PLAIN
    for item in items:
        row = item if type(item) is dict else as_dict(item)
        yield {str(k): v if type(v) in plain else jsonable(v, tz) for k, v in row.items()}


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


# cells the csv module writes as `csv_cell` would itself: text, numbers and None (an empty cell)
_AS_IS = frozenset({str, int, float, type(None)})


def cell_maker(tz: ZoneInfo | None = None, *, neutral: bool = False) -> Any:
    """A function turning one raw value into its CSV cell, as `csv_cell(jsonable(value, tz))` does,
    by the value's type: one lookup and one call for the cells that are not text or numbers. With
    `neutral`, a text cell a spreadsheet would run is marked (`neutralise`)."""
    safe = neutralise if neutral else str

    def when(value: datetime) -> str:
        return (value.astimezone(tz) if tz else value).isoformat()

    def listed(value: list[Any]) -> str:
        try:
            return safe(";".join(value))  # a list of codes: text already
        except TypeError:
            return safe(csv_cell(jsonable(value, tz)))

    def other(value: Any) -> Any:
        return safe(csv_cell(jsonable(value, tz)))

    by_type: dict[type, Any] = {datetime: when, bool: lambda v: "true" if v else "false", list: listed,
                                date: date.isoformat}
    if neutral:
        by_type[str] = neutralise

    def make(value: Any) -> Any:
        return by_type.get(type(value), other)(value)

    return make


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str], *, columns: list[str] | None = None,
              tz: ZoneInfo | None = None, raw: bool = False) -> None:
    """Rows as CSV with a header. Rows may be records already (`records`) or raw ones: each cell is
    made JSON-ready (`jsonable`, instants in `tz`) and then a CSV cell, in one pass. A text a
    spreadsheet would run is marked (`neutralise`) unless `raw`."""
    writer: Any = None
    as_is = _AS_IS
    # text that cannot be a formula (its first character says so) is written as it is, unlooked-up
    starts = frozenset() if raw else FORMULA_STARTS
    make = cell_maker(tz, neutral=not raw)
    names: list[str] = []
    cells: Any = None
    for row in rows:
        if writer is None:
            names = list(columns or row)
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(names)
            if len(names) > 1:
                cells = operator.itemgetter(*names)
        try:
            values = cells(row)
        except (KeyError, TypeError):  # a column the record lacks is an empty cell (one column: no getter)
            values = [row.get(c) for c in names]
        writer.writerow([v if (t := type(v)) in as_is and (t is not str or v[:1] not in starts) else make(v)
                         for v in values])
    if writer is None and columns:
        csv.writer(out, lineterminator="\n").writerow(columns)
