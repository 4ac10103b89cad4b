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
    """The `salon` console script: pause the collector, then load and run the command tree."""
    launch.pause()
    launch.command = command_of(sys.argv[1:])
    from salon_cli.cli.app import main as run  # after the pause: loading the tree is what it is for

    run()
