"""Records out as CSV, JSON and NDJSON, streamed: rows are written as they come; CSV files in.

A record is a flat-ish dict of JSON-ready values (see `jsonable`). JSON is one document: an object
for one record, an array for many. NDJSON is one object a line. CSV has a header row; lists are
joined with ';' and objects written as JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import IO, Any
from zoneinfo import ZoneInfo

from salon_cli.core.errors import InvalidInput


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


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    """One data row of an import: `number` is its row in the file (the header is row 1)."""

    number: int
    values: dict[str, str]


@dataclass(frozen=True)
class Fault:
    row: int | None
    column: str | None
    problem: str

    def __str__(self) -> str:
        where = " ".join(p for p in (f"row {self.row}" if self.row else "", f"column {self.column}" if self.column else "") if p)
        return f"{where}: {self.problem}" if where else self.problem


class ImportRefused(InvalidInput):
    """An import with faults: nothing was written. Names every row and column at fault."""

    def __init__(self, faults: list[Fault]) -> None:
        shown = "; ".join(str(f) for f in faults[:3])
        more = f" (and {len(faults) - 3} more)" if len(faults) > 3 else ""
        super().__init__(f"import refused, nothing written: {shown}{more}",
                         hint="fix the file (or map its columns with --map SRC=field) and run it again")
        self.faults = faults


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """`--map "Nombre=first_name"` ... -> {"nombre": "first_name"} (source names folded)."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        src, sep, field = pair.partition("=")
        if not sep or not src.strip() or not field.strip():
            raise InvalidInput(f"--map {pair!r} is not SRC=field")
        mapping[_column_key(src)] = field.strip()
    return mapping


def _column_key(name: str) -> str:
    return " ".join(name.strip().lower().split())


def read_csv(
    stream: IO[bytes],
    *,
    fields: Sequence[str],
    required: Sequence[str] = (),
    mapping: Mapping[str, str] | None = None,
    encoding: str = "utf-8-sig",
) -> list[SourceRow]:
    """Every row of a CSV file, keyed by our field names, or `ImportRefused` naming the faults.

    UTF-8 with or without a BOM, CRLF or LF, quoted fields with newlines inside. A column that maps
    to no field, a missing required column, a row with more or fewer values than the header, or bytes
    that are not in the encoding: all refused before anything is written.
    """
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InvalidInput(f"encoding {encoding!r} is not known") from None
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    mapping = mapping or {}
    known = {f.lower(): f for f in fields}
    faults: list[Fault] = []
    try:
        reader = csv.reader(text, strict=True)
        header = next(reader, None)
        if header is None:
            raise ImportRefused([Fault(None, None, "the file is empty")])
        columns: list[str | None] = []
        for name in header:
            target = mapping.get(_column_key(name)) or known.get(_column_key(name).replace(" ", "_"))
            if target is None or target.lower() not in known:
                faults.append(Fault(1, name or "(blank)", "unknown column"))
                columns.append(None)
            else:
                columns.append(known[target.lower()])
        seen = [c for c in columns if c]
        for dup in {c for c in seen if seen.count(c) > 1}:
            faults.append(Fault(1, dup, "two columns map to this field"))
        for need in required:
            if need not in seen:
                faults.append(Fault(1, need, "required column is missing"))
        rows: list[SourceRow] = []
        for values in reader:
            number = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                faults.append(Fault(number, None, f"has {len(values)} values, the header has {len(header)}"))
                continue
            rows.append(SourceRow(number, {c: v.strip() for c, v in zip(columns, values) if c}))
    except UnicodeDecodeError as exc:
        raise ImportRefused([Fault(None, None, f"not {encoding} text ({exc.reason}); try --encoding")]) from None
    except csv.Error as exc:
        raise ImportRefused([Fault(reader.line_num, None, f"malformed CSV: {exc}")]) from None
    finally:
        text.detach()
    if faults:
        raise ImportRefused(faults)
    return rows
