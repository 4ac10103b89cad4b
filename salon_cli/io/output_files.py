"""Where a file the user names for output may be written: `salon export --output`, `salon import --rejects`.

One mistyped path must not destroy anything:

- Never onto the salon's SQLite database or its `-wal`, `-shm` and `-journal` files, not even with
  `--force`. Paths are compared resolved (symlinks, `x/../salon.db`) and, for files that exist, by
  device and inode (a hard link), so no spelling gets through.
- Onto an existing file only when it is one we wrote before, or it is empty (nothing in it to lose);
  anything else needs `--force`. A previous export is recognised by how it starts: CSV whose header row
  is that export's columns, or a JSON array or NDJSON whose first record's fields begin with them (any
  of the three formats: `-f json` may replace last week's CSV of the same export). A rejects file:
  a CSV header row whose last column is `import_error`.
- Never onto something that is not a regular file (a folder, a device, a pipe): the file is written
  beside the target and moved into place, which would replace the node itself.

Only the start of the file (`HEAD_BYTES`) is read. The checks run before anything is written; the
file itself is then written beside the target and moved into place (`private_files.open_replacement`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from salon_cli.core.errors import InvalidInput

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
HEAD_BYTES = 1 << 20  # the first record of an export fits well inside; a header row always does
REJECTS_COLUMN = "import_error"

Recogniser = Callable[[str], bool]


def database_files(database: Path | None) -> list[Path]:
    """The SQLite database file and the files SQLite keeps beside it (none for PostgreSQL)."""
    if database is None:
        return []
    return [database, *(database.with_name(database.name + side) for side in SQLITE_SIDE_FILES)]


def check_target(path: Path, *, option: str, protected: Sequence[Path], ours: Recogniser, what: str,
                 force: bool, beside: Sequence[Path] = ()) -> None:
    """Raise `InvalidInput` (exit 2) naming `path` unless writing it is safe: see the module's rules.
    `what` names what `ours` recognises ("clients export"); `beside` are the files written on the way
    (`FILE.part`), which must not be the database either."""
    for candidate in (path, *beside):
        hit = _protected(candidate, protected)
        if hit is not None:
            which = "the salon's database" if hit == protected[0] else "a file of the salon's database"
            through = "" if candidate is path else f" would write {candidate}, which"
            raise InvalidInput(f"{option} {path}{through} is {which} ({hit}); nothing written, "
                               "not even with --force")
    try:
        info = path.stat()
    except FileNotFoundError:
        return  # a new file (or a link to none): nothing there to lose
    except OSError as exc:
        raise InvalidInput(f"{option} {path}: {exc.strerror or exc}; nothing written") from None
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInput(f"{option} {path} exists and is not a regular file; nothing written")
    if force or info.st_size == 0 or ours(_head(path)):
        return
    raise InvalidInput(f"{option} {path} exists and is not a previous {what}; nothing written "
                       "(--force replaces it)")


def _protected(candidate: Path, protected: Sequence[Path]) -> Path | None:
    real = os.path.realpath(candidate)
    for target in protected:
        if real == os.path.realpath(target):
            return target
        try:
            if os.path.samefile(candidate, target):
                return target
        except OSError:  # one of them does not exist (yet): the resolved names decide
            continue
    return None


def _head(path: Path) -> str:
    """The start of the file as text ("" when it cannot be read: not recognised then)."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(HEAD_BYTES)
    except OSError:
        return ""
    return data.decode("utf-8", errors="replace")


def export_of(columns: Sequence[str]) -> Recogniser:
    """Recognise a previous export with these columns, written as CSV, JSON or NDJSON."""
    wanted = list(columns)

    def recognise(head: str) -> bool:
        text = head.lstrip()
        if text.startswith("["):  # JSON: an array of records, `[]` when there were none
            rest = text[1:].lstrip()
            if rest.startswith("]"):
                return rest[1:].strip() == ""
            return _first_record_has(rest, wanted)
        if text.startswith("{"):  # NDJSON: one record a line
            return _first_record_has(text, wanted)
        return _header_row(head) == wanted

    return recognise


def is_rejects(head: str) -> bool:
    """Recognise a rejects file: the refused rows of an import, with `import_error` as the last column."""
    header = _header_row(head)
    return bool(header) and header[-1] == REJECTS_COLUMN


def _first_record_has(text: str, wanted: list[str]) -> bool:
    try:
        record, _ = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return False
    return isinstance(record, dict) and list(record)[: len(wanted)] == wanted


def _header_row(head: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(head, newline="")), [])
    except csv.Error:
        return []
