"""Start-up speed: Python's cycle collector is paused while `salon` loads its modules.

Loading typer, SQLAlchemy, SQLModel, Textual and the table models allocates a few hundred thousand
objects that live as long as the process. With the collector on, every full collection during that
load walks all of them again: 0.15-0.2 s of a 0.8 s start on this project's 2-CPU machine (measured
with benchmarks/tui.py). `salon` pauses the collector at launch (`pause`, called by the console
script before anything else is imported); `settle` then freezes what was loaded (`gc.freeze`: kept out
of every later collection, since it lives until exit anyway) and turns the collector back on. Commands
settle before they run; the dashboard settles once its first screen has been painted (or after a few
seconds, whichever comes first). Code that never paused (tests, a library user) is not touched.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Turn the collector off for the start-up, if it is on."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def settle() -> None:
    """End the start-up: freeze what was loaded and turn the collector back on (once; a no-op unless paused)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def main() -> None:
    """The `salon` console script: pause the collector, then load and run the command tree."""
    pause()
    from salon_cli.cli.app import main as run

    run()
