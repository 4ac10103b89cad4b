"""Records out as CSV, JSON and NDJSON, streamed: rows are written as they come; CSV files in.

A record is a flat-ish dict of JSON-ready values (see `jsonable`). JSON is one document: an object
for one record, an array for many. NDJSON is one object a line. CSV has a header row; lists are
joined with ';' and objects written as JSON.

CSV cells a spreadsheet would run as a formula are written with a leading `'` (`neutralise`, OWASP's
advice on CSV injection) unless the caller asks for `raw`; reading takes that mark off again (`unmark`),
so a file written here reads back exactly. JSON and NDJSON are always exact.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import operator
import re
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


# -- formula cells ---------------------------------------------------------------------------------

# first characters a spreadsheet reads as the start of a formula ('+' and '-' only before more than a
# number), and the mark itself: a text that begins with marks before such a start is marked once more
FORMULA_STARTS = frozenset("=@\t\r+-'")
_NUMBER = re.compile(r"[+-](?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?%?\Z")


def is_formula(text: str) -> bool:
    """Would a spreadsheet run this cell: it starts with `=`, `@`, a tab or a carriage return, or with `+`
    or `-` followed by anything but a number (`+5215512345678`, `-12.50`, `+3` are numbers). A text that
    is such a cell behind leading `'` counts too, so that `unmark(neutralise(t)) == t` for every text."""
    core = text.lstrip("'")
    first = core[:1]
    if first in ("+", "-"):
        return len(core) > 1 and _NUMBER.match(core) is None
    return first in ("=", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """The CSV cell of `text`: as it is, or with a leading `'` when a spreadsheet would run it."""
    return "'" + text if text[:1] in FORMULA_STARTS and is_formula(text) else text


def unmark(text: str) -> str:
    """A cell read from CSV without the mark `neutralise` put on it (a `'` before a formula)."""
    return text[1:] if text[:1] == "'" and is_formula(text[1:]) else text


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


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    """One data row of an import: `number` is its row in the file (the header is row 1); `cells`
    are its values as the file has them (to write a refused row back out)."""

    number: int
    values: dict[str, str]
    cells: tuple[str, ...] = ()


class SourceRows(list[SourceRow]):
    """The rows of a file, and its header as the file names the columns."""

    def __init__(self, rows: Iterable[SourceRow] = (), header: Sequence[str] = ()) -> None:
        super().__init__(rows)
        self.header = list(header)


@dataclass(frozen=True)
class Fault:
    row: int | None
    column: str | None
    problem: str

    def __str__(self) -> str:
        where = " ".join(p for p in (f"row {self.row}" if self.row else "", f"column {self.column}" if self.column else "") if p)
        return _printable(f"{where}: {self.problem}" if where else self.problem)


def _printable(text: str) -> str:
    """A fault on one line of a terminal: what a hostile file puts in a column name or value (a newline,
    a form feed, an escape sequence, NUL) is shown escaped, never sent to the terminal as it is."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ImportRefused(InvalidInput):
    """An import with faults: nothing was written. Names every row and column at fault."""

    def __init__(self, faults: list[Fault]) -> None:
        shown = "; ".join(str(f) for f in faults[:3])
        more = f" (and {len(faults) - 3} more)" if len(faults) > 3 else ""
        super().__init__(f"import refused, nothing written: {shown}{more}",
                         hint="fix the file (or map its columns with --map SRC=field) and run it again, "
                              "or import the good rows with --skip-bad")
        self.faults = faults
        self.outcome: Any = None  # a dry run's plan, when the rows could be checked


IGNORE = "-"  # `--map "Loyalty Points=-"`: a column of the file that is not imported
ERROR_COLUMN = "import_error"  # the reason column of a rejects file: read and ignored, so it imports again


def parse_mapping(pairs: Iterable[str], *, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """`--map "Nombre=first_name"` ... -> {"nombre": "first_name"} (source names folded), over `base`
    (a mapping file's columns); `SRC=-` ignores the column."""
    mapping: dict[str, str] = {_column_key(k): v for k, v in (base or {}).items()}
    for pair in pairs:
        src, sep, field = pair.partition("=")
        if not sep or not src.strip() or not field.strip():
            raise InvalidInput(f"--map {pair!r} is not SRC=field", hint="e.g. --map \"Nombre=first_name\", or SRC=- to skip a column")
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
) -> SourceRows:
    """Every row of a CSV file, keyed by our field names, or `ImportRefused` naming the faults.

    UTF-8 with or without a BOM (a UTF-16 BOM is followed too), other encodings by name; CRLF, LF
    or CR-only lines; quoted fields with newlines inside; values separated by commas, or by the
    semicolons (Excel where the decimal mark is a comma), tabs or bars the header line shows. A
    column that maps to no field (and is not mapped to `-`), a missing required column, a row with
    more or fewer values than the header, a value holding a NUL character, or bytes that are not in
    the encoding: all refused before anything is written.
    """

    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InvalidInput(f"encoding {encoding!r} is not known") from None
    encoding = file_encoding(encoding, _start(stream))
    try:
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    except LookupError:  # a codec of bytes to bytes (hex, base64, rot13, ...): not how text is stored
        raise InvalidInput(f"encoding {encoding!r} is not a text encoding",
                           hint="e.g. utf-8, latin-1, cp1252, utf-16") from None
    mapping = mapping or {}
    known = {f.lower(): f for f in fields}
    faults: list[Fault] = []
    try:
        first = text.readline()
        lines = itertools.chain([first], text) if first else iter(())
        reader = csv.reader(lines, delimiter=delimiter_of(first), strict=True)
        header = next(reader, None)
        if header is None:
            raise ImportRefused([Fault(None, None, "the file is empty")])
        columns: list[str | None] = []
        for name in header:
            target = mapping.get(_column_key(name)) or known.get(_column_key(name).replace(" ", "_"))
            if target == IGNORE or (target is None and _column_key(name) == ERROR_COLUMN):
                columns.append(None)
            elif target is None or target.lower() not in known:
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
        rows = SourceRows(header=header)
        for values in reader:
            number = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                faults.append(Fault(number, None, f"has {len(values)} values, the header has {len(header)}"))
                continue
            cells = {c: _cell_in(v) for c, v in zip(columns, values) if c}
            if any("\x00" in v for v in cells.values()):  # no database keeps it in text (PostgreSQL refuses it)
                faults += [Fault(number, c, "holds a NUL character (\\x00)") for c, v in cells.items() if "\x00" in v]
                continue
            rows.append(SourceRow(number, cells, tuple(values)))
    except UnicodeError as exc:  # bytes not in the encoding; or UTF-16 without its byte-order mark
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        raise ImportRefused([Fault(None, None, f"not {encoding} text ({reason}); try --encoding")]) from None
    except csv.Error as exc:
        raise ImportRefused([Fault(reader.line_num, None, f"malformed CSV: {exc}")]) from None
    finally:
        text.detach()
    if faults:
        raise ImportRefused(faults)
    return rows


def _cell_in(cell: str) -> str:
    """A value as an import reads it: trimmed, and without the mark our CSV puts on a formula."""
    cell = cell.strip()
    return unmark(cell) if cell[:1] == "'" else cell


def delimiter_of(header: str) -> str:
    """The separator of a file, read off its header line: the one of `,` `;` tab `|` it uses most
    outside quotes (a comma when it shows none: a file of one column)."""
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {d: outside.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def file_encoding(encoding: str, start: bytes) -> str:
    """The encoding a file opening with the bytes `start` is read in: `encoding`, unless that is UTF-8
    and the file opens with a UTF-16 byte-order mark (Excel's "Unicode text" exports)."""

    utf8 = codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    return "utf-16" if utf8 and start[:2] in (b"\xff\xfe", b"\xfe\xff") else encoding


def _start(stream: IO[bytes]) -> bytes:
    """The first two bytes of the stream, left unread (empty when it can neither peek nor seek)."""
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return peek(2)[:2]
    if stream.seekable():
        at = stream.tell()
        start = stream.read(2)
        stream.seek(at)
        return start
    return b""


def write_rejects(out: IO[str], header: Sequence[str], refused: Iterable[tuple[SourceRow, str]]) -> int:
    """Refused rows as the file had them, with their reasons in an `import_error` column (which the
    importers ignore, so the fixed file imports as it is). Returns the number of rows written. A cell
    a spreadsheet would run is marked once (`neutralise` of what the import read), never twice."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*header, ERROR_COLUMN])
    count = 0
    for row, reason in refused:
        writer.writerow([neutralise(unmark(cell)) for cell in (*row.cells, reason)])
        count += 1
    return count
