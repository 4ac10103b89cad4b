"""`salon --help`, `--version` and a command's `--help` load no database, UI or payment library."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from import_probe import HEAVY, PROBE


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["staff", "--help"], ["staff", "add", "--help"], ["db", "--help"],
     ["policy", "set", "--help"], ["tui", "--help"], ["init", "--help"]],
)
def test_help_and_version_import_nothing_heavy(args):
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.replace("json.loads(HEAVY)", repr(list(HEAVY))), *args],
        capture_output=True, text=True, timeout=60,
    )
    line = [x for x in proc.stderr.splitlines() if x.startswith("LOADED=")]
    assert line, proc.stderr
    assert json.loads(line[0][len("LOADED="):]) == []
    assert proc.stdout  # help or version was printed


def test_core_is_pure():
    proc = subprocess.run(
        [sys.executable, "-c", "import sys, salon_cli.core.money, salon_cli.core.clock, salon_cli.core.days, "
         "salon_cli.core.permissions, salon_cli.core.pins, salon_cli.core.codes, salon_cli.core.errors; "
         "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy','sqlmodel','typer','textual','rich','stripe')))"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.stdout.strip() == "[]", proc.stderr


def test_version_output():
    from salon_cli import __version__

    proc = subprocess.run([sys.executable, "-m", "salon_cli", "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout == f"salon {__version__}\n"
