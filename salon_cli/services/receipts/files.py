"""A receipt saved as a file (`--pdf FILE`, `--text FILE`, the dashboard's `f`), with the checks every
output file of the salon gets (`io.output_files`): never the database or its -wal/-shm files, an
existing file only when it is a receipt written before (or empty) unless forced, never a folder or a
device. The file is written beside the target and moved into place, 0600 when new.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import Engine

from salon_cli.core.errors import InvalidInput
from salon_cli.db.engine import is_sqlite, normalize_url, sqlite_path
from salon_cli.io import output_files, private_files
from salon_cli.services.receipts import pdf, text

KINDS = {"pdf": ("receipt PDF", pdf.is_pdf_of_ours), "text": ("text receipt", text.is_receipt)}


def protected_by_url(url: str) -> list[Path]:
    """The SQLite database file of a database URL and the files beside it (none for PostgreSQL)."""
    url = normalize_url(url)
    return output_files.database_files(sqlite_path(url) if url.startswith("sqlite") else None)


def protected_by_engine(engine: Engine) -> list[Path]:
    if not is_sqlite(engine):
        return []
    return output_files.database_files(sqlite_path(engine.url.render_as_string(hide_password=False)))


def check(path: Path, kind: str, *, option: str, protected: Sequence[Path], force: bool = False) -> None:
    """Refuse (exit 2, nothing written) a target that is the database or a file that is not ours."""
    what, ours = KINDS[kind]
    output_files.check_target(path, option=option, protected=list(protected), ours=ours, what=what, force=force,
                              beside=[part_of(path)])


def part_of(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def save(path: Path, data: bytes, kind: str, *, option: str, protected: Sequence[Path], force: bool = False) -> Path:
    """Check `path`, then write `data` to it (via FILE.part); its folder is made (0700) when missing."""
    check(path, kind, option=option, protected=protected, force=force)
    part = part_of(path)
    try:
        private_files.make_private_dirs(path.parent)
        with private_files.open_replacement(part, path) as out:  # 0600 unless FILE was shared on purpose
            out.flush()
            out.buffer.write(data)
        os.replace(part, path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise InvalidInput(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
