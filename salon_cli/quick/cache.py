"""Where the quick answers are kept, and what makes one stale.

The folder is `SALON_HOME/cache` when SALON_HOME is set (tests, a salon kept in one folder), else the
platform's cache folder for `salon` (`~/.cache/salon` on Linux). Every answer is keyed by `signature()`:
the version, the size and modification time of every module that shapes the command tree and its help,
and the typer installed. Editing a command (or upgrading) makes every kept answer stale at once, as it
should. Nothing here may fail a command: an unreadable or unwritable folder just means no quick answer.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent.parent  # the salon_cli package
KEEP = 200  # answers kept; past that the oldest go


def folder() -> Path:
    home = os.environ.get("SALON_HOME")
    if home:
        return Path(home).expanduser() / "cache"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("salon", appauthor=False))


@cache
def signature() -> str:
    """What the command tree is made of, as a short hash: a change to any of it is a new signature."""
    from salon_cli import __version__

    h = hashlib.sha256(__version__.encode())
    parts = [_HERE / "__init__.py", _HERE / "startup.py", _HERE / "cli"]
    typer_init = _typer_init()
    if typer_init is not None:
        parts.append(typer_init)
    for part in parts:
        for path in sorted(_files(part)):
            try:
                st = path.stat()
            except OSError:
                continue
            h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:24]


def _files(part: Path) -> list[Path]:
    if part.is_file():
        return [part]
    out = []
    for root, dirs, names in os.walk(part):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        out.extend(Path(root) / n for n in names if n.endswith(".py"))
    return out


def _typer_init() -> Path | None:
    from importlib.util import find_spec

    try:
        spec = find_spec("typer")
    except (ImportError, ValueError):
        return None
    return Path(spec.origin) if spec and spec.origin else None


def read(name: str) -> bytes | None:
    try:
        return (folder() / name).read_bytes()
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    """Kept atomically (a reader never sees half a file); any failure is ignored."""
    try:
        where = folder()
        where.mkdir(parents=True, exist_ok=True)
        tmp = where / f".{name}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, where / name)
        kept = sorted(where.glob("*.*"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
