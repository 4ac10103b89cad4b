"""`--save-mapping FILE.toml`: the mapping an import used, written for the next import (`--mapping`).

Every column of the file's header is written with the field (or fields) it was read as, "-" for one
skipped, whether `--map`, the `--mapping` file or the column's own name said so; then how the file
was read: the formats the import found in it or was given (`Outcome.settings` over the options; a
date or time format only when the file has a column of dates or of times apart), the
encoding it was read in, and the import's own options that a mapping file keeps (`status`,
`default_duration`, `amount_before_tax`, as given or as the import decided them). The next file of
the same export then imports with `--mapping FILE.toml` and nothing else.

The file is written as the rejects file is: checked before the import runs (`targets.check`: never
the database, an existing file only when a `--save-mapping` wrote it, unless `--force`), created
0600 beside the target and moved into place.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salon_cli.cli.output import message
from salon_cli.cli.transfer import targets
from salon_cli.core.errors import InvalidInput
from salon_cli.io.column_map import IGNORE, column_key
from salon_cli.io.mapping_file import MappingFile, dump

if TYPE_CHECKING:
    from salon_cli.io.tabular import SourceRows
    from salon_cli.services.transfer.imports import Outcome

_FORMATS = ("date_format", "time_format", "decimal_separator")
# a format is kept only when the file has a column it reads: a file without times has no time format
_READ_BY = {"date_format": {"date", "birthday"}, "time_format": {"time"}}


def used(rows: SourceRows, outcome: Outcome, *, given: dict[str, Any], flags: dict[str, Any],
         encoding: str) -> MappingFile:
    """The mapping file that reads the file of `rows` as it was read: `given` are the formats the run
    was given (date_format, time_format, decimal_separator; None when not), `flags` its own options
    (None when not given), `encoding` the one asked for (the file's own BOM may have said another)."""
    columns: dict[str, str | list[str]] = {}
    for name, fields in zip(rows.header, rows.columns, strict=False):
        key = column_key(name)
        if any(column_key(c) == key for c in columns):
            continue  # a column named twice is read the same way twice: one key says it
        columns[name] = IGNORE if not fields else fields[0] if len(fields) == 1 else list(fields)
    found = {k: v for k, v in outcome.settings.items() if v is not None}
    read = {f for fields in rows.columns for f in fields}
    formats = {k: found.get(k, given.get(k)) if read & _READ_BY.get(k, read) else None for k in _FORMATS}
    chosen = {k: found.get(k, v) for k, v in flags.items()}
    return MappingFile(columns=columns, encoding=_plain(rows.encoding or encoding),
                       flags={k: v for k, v in chosen.items() if v is not None}, **formats)


def write(path: Path, mapping: MappingFile, *, source: str, committed: bool) -> None:
    """Write `mapping` to `path` (PATH.part moved into place; 0600, or the mode PATH had). After a
    committed import a failure is a warning (the import is done); in a dry run, the error."""
    from salon_cli.io.private_files import open_replacement

    part = targets.part_of(path)
    try:
        with open_replacement(part, path) as out:
            out.write(dump(mapping, source=source))
        os.replace(part, path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        if not committed:
            raise InvalidInput(f"--save-mapping {path}: {exc.strerror or exc}; nothing written") from None
        message(f"warning: the import is done, but its mapping could not be written to {path}: "
                f"{exc.strerror or exc}")
        return
    message(f"the mapping used: {path} (import the next such file with --mapping {path})")


def _plain(encoding: Any) -> str:
    """The encoding as a person names it: UTF-8 (with or without a BOM) is utf-8."""
    name = codecs.lookup(encoding).name
    return "utf-8" if name in ("utf-8", "utf-8-sig") else str(encoding)
