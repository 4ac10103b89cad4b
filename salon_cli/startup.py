"""The `salon` console script: pause the cycle collector, note the command given, then load and run
the command tree.

The entry point of the process, above everything it loads: nothing in the project imports this
module. What the modules it loads need of the start-up (the collector paused and settled, the command
named on the command line) is in salon_cli/launch.py, which this module writes before it imports the
command tree (that import is inside `main` so that it happens after the pause: it is the load the
pause is for).
"""

from __future__ import annotations

import sys

from salon_cli import launch
from salon_cli.quick import complete, help

_VALUED = ("--db", "--location", "--as", "--pin")  # the root's options that take a value


def command_of(argv: list[str]) -> str | None:
    """The command `salon ARGV` runs (`tui` in `salon --db URL tui`), or None when help or the version
    is asked for before it (the root's help lists every command) or there is none."""
    args = iter(argv)
    for arg in args:
        if arg in _VALUED:
            next(args, None)
        elif arg.startswith("--") and "=" in arg and arg.split("=", 1)[0] in _VALUED:
            continue
        elif arg.startswith("-"):
            return None  # --help, --version, or an option we do not know: the whole tree decides
        else:
            return arg
    return None


def main() -> None:
    """The `salon` console script: answer quickly what needs no command tree (the version, a help page
    kept, a TAB); else pause the collector, then load and run the tree."""
    argv = sys.argv[1:]
    status = quick_answer(argv)
    if status is not None:
        sys.exit(status)
    launch.pause()
    tab = complete.requested() is not None
    launch.command = None if tab else command_of(argv)
    page = help.capture(argv)  # a help page printed for the first time: kept for the next
    from salon_cli.cli.app import app, main as run  # after the pause: loading the tree is what it is for

    if tab:  # the whole tree is loaded: describe it for the next TAB, then let Typer answer this one
        from salon_cli.cli import tree

        tree.save(app)
    try:
        run()
    except SystemExit as done:
        if page is not None and page.pipe_closed:  # rich's own answer is exit 1: end as `cat` ends
            launch.quiet_stdout()
            launch.end_as_cat_does()
        help.keep(argv, page, done.code)
        raise


def quick_answer(argv: list[str]) -> int | None:
    """The exit status of an answer given without the command tree (salon_cli/quick), or None."""
    if argv == ["--version"]:
        from salon_cli import __version__

        print(f"salon {__version__}")
        return 0
    status = complete.answer()
    if status is not None:
        return status
    try:
        return 0 if help.answer(argv) else None
    except BrokenPipeError:  # `salon --help | head -1`: ended as `cat` ends, as the full tree would
        launch.quiet_stdout()
        launch.end_as_cat_does()
        return launch.PIPE_CLOSED
