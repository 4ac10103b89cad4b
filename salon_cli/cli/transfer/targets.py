"""Where `export --output FILE` and `import --rejects FILE` may write: `io.output_files`' checks, with
the salon's SQLite database (and its -wal/-shm/-journal files) taken from the settings.

The database layer is imported inside `check`: `salon --help` stays light (DESIGN.md, lazy imports).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

OUTPUT_RULE = ("An existing FILE is replaced only when it is a previous {what} (it starts with this "
               "export's CSV header, or with a JSON or NDJSON record whose fields begin with those columns) "
               "or is empty; anything else needs --force. Never the salon's database or its -wal/-shm files, "
               "even with --force.")


def force_option(option: str, what: str) -> Any:
    return typer.Option(False, "--force", help=f"Let {option} replace an existing file that is not a previous "
                                               f"{what} (never the salon's database).")


def part_of(path: Path) -> Path:
    """The file written first, then moved onto `path`."""
    return path.with_name(path.name + ".part")


def check(app: Any, path: Path, *, option: str, force: bool, ours: Any, what: str) -> None:
    """Refuse (exit 2, nothing written) a `path` that is the database or a file that is not ours."""
    from salon_cli.db.engine import normalize_url, sqlite_path
    from salon_cli.io import output_files

    url = normalize_url(app.settings.database_url)
    database = sqlite_path(url) if url.startswith("sqlite") else None
    output_files.check_target(path, option=option, protected=output_files.database_files(database), ours=ours,
                              what=what, force=force, beside=[part_of(path)])
