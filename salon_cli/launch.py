"""Start-up speed: Python's cycle collector is paused while `salon` loads its modules.

Loading typer, SQLAlchemy, SQLModel, Textual and the table models allocates a few hundred thousand
objects that live as long as the process. With the collector on, every full collection during that
load walks all of them again: 0.15-0.2 s of a 0.8 s start on this project's 2-CPU machine (measured
with benchmarks/tui.py). `salon` pauses the collector at launch (`pause`, called by the console
script, salon_cli/startup.py, before anything else is imported); `settle` then freezes what was loaded
(`gc.freeze`: kept out of every later collection, since it lives until exit anyway) and turns the
collector back on. Commands settle once they have loaded what they need; the dashboard once its first
screen has been painted (or after a few seconds, whichever comes first). Code that never paused
(tests, a library user) is not touched.

The console script also notes the command it was given (`command`): the command tree then loads
only the module that registers it (salon_cli/cli/app.py), not all of them.

When a command settles: as it opens the database (`loaded`, called when the engine is made), by
which time it has imported the services and models it needs. `salon --help` and `salon X --help`
never get there, and load no database library at all. The dashboard `hold`s: its start-up goes on
until the first book is painted.

A bulk job (an import) runs with the collector off for the whole job (`bulk`): it holds every row of
its file until it commits, millions of live objects the collector would walk again and again without
finding garbage. A start-up that settles during the job leaves the collector off until the job ends.

This module imports nothing of the project: the console script writes it, the modules it loads read it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_paused = False
_held = False
_bulk = 0  # bulk jobs running (`bulk`)
_on_after_bulk = False  # a settle during a bulk job: the collector goes on when the job ends
command: str | None = None  # the one command the console script was given, if it could tell (startup.main)


def pause() -> None:
    """Turn the collector off for the start-up, if it is on."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def hold() -> None:
    """The dashboard's start-up lasts until its first paint: `loaded` does not end it."""
    global _held
    _held = True


def loaded() -> None:
    """A command has opened its database, its modules loaded: settle (unless held)."""
    if not _held:
        settle()


def settle() -> None:
    """End the start-up: freeze what was loaded and turn the collector back on (once; a no-op unless paused)."""
    global _paused, _on_after_bulk
    if _paused:
        _paused = False
        gc.freeze()
        if _bulk:
            _on_after_bulk = True
        else:
            gc.enable()


@contextmanager
def bulk() -> Iterator[None]:
    """The collector off for a bulk job, and afterwards as it was (or on, if the start-up settled
    meanwhile). Reference counting still frees what the job lets go; the few cycles it makes are
    collected once the collector is back."""
    global _bulk, _on_after_bulk
    was_on = gc.isenabled()
    gc.disable()
    _bulk += 1
    try:
        yield
    finally:
        _bulk -= 1
        if not _bulk:
            if was_on or _on_after_bulk:
                gc.enable()
            _on_after_bulk = False


# The status a shell gives a command that a closed pipe ended (128 + SIGPIPE), as `cat` ends.
PIPE_CLOSED = 141


def end_as_cat_does() -> None:
    """End the process by SIGPIPE itself, as `cat` does when the reader of its output has gone: no
    message, and the status a shell (and `set -o pipefail`) expects. Python ignores SIGPIPE so that a
    socket's write raises instead (SMTP, Stripe); the default comes back only here, at the very end.
    Where there is no SIGPIPE (Windows), the caller exits with 141."""
    import os
    import signal
    import sys

    sigpipe = getattr(signal, "SIGPIPE", None)
    if sigpipe is None:
        return
    sys.stderr.flush()
    signal.signal(sigpipe, signal.SIG_DFL)
    os.kill(os.getpid(), sigpipe)


def quiet_stdout() -> None:
    """Point stdout at /dev/null so that Python's own flush at exit cannot fail on the closed pipe."""
    import os
    import sys

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
