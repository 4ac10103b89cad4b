"""CSV files in: an import's rows keyed by our field names, every fault named by row and column
(`read_csv`), and the refused rows written back out (`write_rejects`).

Which field each column is read as comes from `column_map` (`--map`, a mapping file) and, for a
column the mapping does not name, from the column's own name (`First Name` is first_name).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from salon_cli.core.errors import InvalidInput
from salon_cli.io.column_map import IGNORE, ColumnMap, column_key
from salon_cli.io.formula_cells import neutralise, unmark


@dataclass(frozen=True)
class SourceRow:
    """One data row of an import: `number` is its row in the file (the header is row 1); `cells`
    are its values as the file has them (to write a refused row back out)."""

    number: int
    values: dict[str, str]
    cells: tuple[str, ...] = ()


class SourceRows(list[SourceRow]):
    """The rows of a file, and its header as the file names the columns; `columns` is what `read_csv`
    read each column of the header as (its fields, () when skipped), `encoding` the encoding it read
    the file in: what `--save-mapping` writes down for the next import."""

    def __init__(self, rows: Iterable[SourceRow] = (), header: Sequence[str] = (),
                 columns: Sequence[tuple[str, ...]] = (), encoding: str | None = None) -> None:
        super().__init__(rows)
        self.header = list(header)
        self.columns = list(columns)
        self.encoding = encoding


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
    """An import with faults: nothing was written. Names every row and column at fault.

    `rows_read` and `rows_left` (the rows that had no fault and are not in a group with one: what
    `--skip-bad` would import at most), when the import counted them, let the interface say how much
    of the file is at fault and offer `--skip-bad` only where it would help."""

    def __init__(self, faults: list[Fault]) -> None:
        self.faults = faults
        self.outcome: Any = None  # a dry run's plan, when the rows could be checked
        self.rows_read: int | None = None
        self.rows_left: int | None = None
        super().__init__(self._say(), hint="fix the file (or map its columns with --map SRC=field) and run it again"
                         if self.of_file else "fix those rows and run it again")

    @property
    def of_file(self) -> bool:
        """A fault of the file itself (its header, its bytes): no row can be imported."""
        return any(f.row is None or f.row <= 1 for f in self.faults)

    def counted(self, rows_read: int, rows_left: int) -> None:
        """The rows the import read, and those without fault: said in the message from now on."""
        self.rows_read, self.rows_left = rows_read, rows_left
        self.message = self._say()
        self.args = (self.message,)

    def _say(self) -> str:
        shown = "; ".join(str(f) for f in self.faults[:3])
        more = f" (and {len(self.faults) - 3} more)" if len(self.faults) > 3 else ""
        counts = ""
        if self.rows_read is not None and self.rows_left is not None:
            counts = f" (read {self.rows_read:,} rows, {self.rows_read - self.rows_left:,} refused)"
        return f"import refused, nothing written: {shown}{more}{counts}"


ERROR_COLUMN = "import_error"  # the reason column of a rejects file: read and ignored, so it imports again


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
    column the mapping reads as two fields (a `ColumnMap`) gives its value to both. A column that
    maps to no field (and is not mapped to `-`), two columns read as one field, a missing required
    column, a row with more or fewer values than the header, a value holding a NUL character, or
    bytes that are not in the encoding: all refused before anything is written.
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
        read_as = [_fields_of(name, mapping, known, faults) for name in header]
        columns = [f[0] if f else None for f in read_as]
        # a column read as two fields: the further ones copied from the first, (first, further) pairs
        also = [(f[0], more) for f in read_as for more in f[1:]]
        faults += _read_twice(header, read_as)
        seen = {f for fs in read_as for f in fs}
        for need in required:
            if need not in seen:
                faults.append(Fault(1, need, "required column is missing"))
        rows = SourceRows(header=header, columns=read_as, encoding=encoding)
        for values in reader:
            number = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                faults.append(Fault(number, None, f"has {len(values)} values, the header has {len(header)}"))
                continue
            cells = {c: _cell_in(v) for c, v in zip(columns, values) if c}
            for first_field, more in also:
                cells[more] = cells[first_field]
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


def _fields_of(name: str, mapping: Mapping[str, str], known: dict[str, str], faults: list[Fault]) -> tuple[str, ...]:
    """The fields a header column is read as: those the mapping gives it, else the field of its name
    (`First Name` is first_name); () for a column skipped. An unknown column is a fault."""
    key = column_key(name)
    given = mapping.fields_of(key) if isinstance(mapping, ColumnMap) else tuple(f for f in (mapping.get(key),) if f)
    if not given:
        if key == ERROR_COLUMN:
            return ()
        if key.replace(" ", "_") in known:
            return (known[key.replace(" ", "_")],)
        faults.append(Fault(1, name or "(blank)", "unknown column"))
        return ()
    if IGNORE in given:
        return ()
    unknown = [f for f in given if f.lower() not in known]
    if unknown:
        faults.append(Fault(1, name or "(blank)", f"unknown column: read as {unknown[0]!r}, which is not a field here"))
        return ()
    return tuple(known[f.lower()] for f in given)


def _read_twice(header: Sequence[str], read_as: Sequence[tuple[str, ...]]) -> list[Fault]:
    """Two columns read as one field: one value would be lost. Names both columns."""
    faults = []
    first: dict[str, int] = {}
    for at, fields in enumerate(read_as):
        for field in fields:
            other = first.setdefault(field, at)
            if other != at:
                a, b = header[other], header[at]
                where = f" (columns {other + 1} and {at + 1})" if column_key(a) == column_key(b) else ""
                faults.append(Fault(1, b, f"read as {field}, as is column {a}{where}: two columns read as one field "
                                          f"(map one of them to - to skip it)"))
    return faults


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
