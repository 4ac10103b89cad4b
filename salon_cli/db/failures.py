"""What a failure of the database itself means to the person at the desk, as a `SalonError`.

The transaction that met it was rolled back (SQLite's journal and PostgreSQL both guarantee it), so
each message says that nothing was saved. The interfaces ask `explain` about an unexpected exception
before they fall back to a generic line:

* PostgreSQL connection lost mid-transaction (server restarted, backend terminated, network cut):
  exit 5, like any other outside service that failed; running the command again is safe.
* SQLite file that cannot be written (read-only file or folder, full disk, I/O error) or opened:
  exit 2, as for any other file `salon` is told to write and cannot (`export --output`).
"""

from __future__ import annotations

from typing import Any

from salon_cli.core.errors import InvalidInput, OutsideServiceFailed, SalonError

# SQLite's primary result codes (the low byte of an extended code)
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 8, 10, 13, 14


def explain(exc: BaseException, database_url: str | None = None) -> SalonError | None:
    """The error to show for `exc`, when it is a failure of the database we can name; else None."""
    from sqlalchemy.exc import DBAPIError  # start-up: the error path of every command, sqlalchemy only if loaded

    if not isinstance(exc, DBAPIError):
        return None
    if exc.connection_invalidated:
        return OutsideServiceFailed(
            "the database connection was lost; nothing was saved",
            hint="check that the database server is running and reachable, then run the command again")
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if code is None:
        return None
    where = _sqlite_file(database_url)
    primary = code & 0xFF
    if primary == _SQLITE_FULL:
        return InvalidInput(f"cannot write the database {where}: the disk is full; nothing was saved",
                            hint="free some space on that disk, then run the command again")
    if primary == _SQLITE_READONLY:
        return InvalidInput(f"cannot write the database {where}: it is read-only; nothing was saved",
                            hint="salon writes the file and, beside it, its -wal and -shm files: "
                                 "check the owner and permissions of the file and its folder")
    if primary == _SQLITE_CANTOPEN:
        return InvalidInput(f"cannot open the database {where}",
                            hint="check that the file and its folder exist and that you may read and write them")
    if primary == _SQLITE_IOERR:
        return InvalidInput(f"cannot write the database {where}: input/output error; nothing was saved",
                            hint="check the disk it is on, then run the command again")
    return None


def _sqlite_file(database_url: Any) -> str:
    if not database_url:
        return "file"
    from salon_cli.db.engine import sqlite_path  # start-up: as above

    try:
        path = sqlite_path(str(database_url))
    except Exception:  # an unparsable URL never reaches a query; be safe in an error path
        return "file"
    return str(path) if path is not None else "file"
