"""`salon [COMMAND...] --help`, printed from the page kept the first time it was printed.

A page is kept only for the plain forms (command words, then `--help` or `-h`) and only when it was
printed in full with status 0. Its key holds everything the page depends on besides the tree
(`cache.signature`): the words, whether each of stdin, stdout and stderr is a terminal and its size, and
the environment variables rich and typer read to choose width and colour. So a page printed into a pipe
is never replayed on a terminal, nor one 80 columns wide in a window of 120.
"""

from __future__ import annotations

import hashlib
import os
import sys
from typing import Any, TextIO

from salon_cli.quick import cache

HELP = ("--help", "-h")
_ENV = ("COLUMNS", "LINES", "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "TERMINAL_WIDTH", "TTY_COMPATIBLE",
        "TTY_INTERACTIVE", "PY_COLORS", "GITHUB_ACTIONS", "JUPYTER_COLUMNS", "JUPYTER_LINES", "CLICOLOR",
        "CLICOLOR_FORCE", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONIOENCODING")


def requested(argv: list[str]) -> bool:
    """`salon [WORD...] --help`: a page that can be kept."""
    return bool(argv) and argv[-1] in HELP and not any(a.startswith("-") for a in argv[:-1])


def _terminal(fd: int) -> str:
    try:
        if not os.isatty(fd):
            return "-"
        size = os.get_terminal_size(fd)
        return f"{size.columns}x{size.lines}"
    except OSError:
        return "?"


def key(argv: list[str]) -> str:
    env = sorted((k, v) for k, v in os.environ.items()
                 if k in _ENV or k.startswith(("TYPER_", "_TYPER", "RICH_")))
    facts = [cache.signature(), "\0".join(argv), ",".join(_terminal(fd) for fd in (0, 1, 2)), repr(env),
             sys.stdout.encoding if sys.stdout else ""]
    return "help-" + hashlib.sha256("\n".join(facts).encode()).hexdigest()[:32] + ".txt"


def answer(argv: list[str]) -> bool:
    """The kept page written to stdout, if there is one for these words and this terminal."""
    if not requested(argv):
        return False
    page = cache.read(key(argv))
    if page is None:
        return False
    out = sys.stdout.buffer
    out.write(page)
    out.flush()
    return True


class Capture:
    """stdout, copied as it is written: rich still sees the terminal (or the pipe) it writes to."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.parts: list[str | bytes] = []
        self.pipe_closed = False  # the reader went away (`salon --help | head -1`)

    def write(self, text: str | bytes) -> int:
        self.parts.append(text)
        try:
            return self._stream.write(text)  # type: ignore[arg-type]
        except BrokenPipeError:
            self.pipe_closed = True
            raise

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self.pipe_closed = True
            raise

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, flush, buffer ...
        return getattr(self._stream, name)


def capture(argv: list[str]) -> Capture | None:
    """Start copying stdout for a page not kept yet (None for anything else)."""
    if not requested(argv):
        return None
    copy = Capture(sys.stdout)
    sys.stdout = copy  # type: ignore[assignment]
    return copy


def keep(argv: list[str], copy: Capture | None, status: object) -> None:
    """Keep the page copied, if it was printed in full (status 0) and nothing wrote past the copy."""
    if copy is None or status not in (0, None) or not copy.parts or copy.pipe_closed:
        return
    encoding = getattr(copy, "encoding", None) or "utf-8"
    try:
        data = b"".join(p if isinstance(p, bytes) else p.encode(encoding) for p in copy.parts)
    except UnicodeEncodeError:
        return
    cache.write(key(argv), data)
