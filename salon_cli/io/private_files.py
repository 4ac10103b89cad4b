"""Files only the salon's own user may read: the SQLite database, its folder, client photos, exports.

What salon creates is private: folders 0700, files 0600, whatever the umask. SQLite gives the
`-wal`, `-shm` and `-journal` files it makes the mode of the database file, so they follow.
What exists already is never changed: a folder such as /tmp or the user's home is not ours to
tighten, and a database shared on purpose (a group of desk accounts on one machine) must keep
working. `open_to_others` tells the interface when an existing file can be read by anyone, so that
it can say so. On Windows the modes mean little; the calls are harmless there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TextIO

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def make_private_dirs(folder: Path) -> None:
    """`folder` and its missing parents, each one created here 0700; existing ones left as they are."""
    missing: list[Path] = []
    current = Path(os.path.abspath(folder))
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue  # made meanwhile by another process: its mode is its maker's
        os.chmod(new, PRIVATE_DIR)  # mkdir's mode passes through the umask


def create_private_file(path: Path) -> bool:
    """Create `path` empty, 0600, unless it exists (then it is left alone). True when made here."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(fd)
    os.chmod(path, PRIVATE_FILE)  # exactly 0600, whatever the umask took off
    return True


def open_replacement(part: Path, final: Path) -> TextIO:
    """Open `part` for writing the text that will replace `final` (by `os.replace`): a fresh file,
    0600 whatever the umask, or the mode `final` already has (a file shared on purpose stays
    shared). A `part` left by a run that died is removed first, never written through: it could be
    a link planted in a shared folder."""
    try:
        mode = stat.S_IMODE(final.stat().st_mode)
    except FileNotFoundError:
        mode = PRIVATE_FILE
    part.unlink(missing_ok=True)
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        if hasattr(os, "fchmod"):  # not on Windows, where modes mean little
            os.fchmod(fd, mode)  # exactly this mode, whatever the umask took off
        return os.fdopen(fd, "w", encoding="utf-8", newline="")
    except BaseException:
        os.close(fd)
        raise


def prepare_sqlite_file(path: Path) -> None:
    """Before SQLite opens `path`: a new database file is 0600 in folders made 0700 (SQLite reads
    an empty file as an empty database, and gives its journal and WAL files the same mode)."""
    make_private_dirs(path.parent)
    create_private_file(path)


def open_to_others(path: Path) -> int | None:
    """The permission bits of `path` when users other than its owner and group may read or write
    it; None when they may not, or when there is no such file."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    return mode if mode & (stat.S_IROTH | stat.S_IWOTH) else None
