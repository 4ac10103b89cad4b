"""Start-up: the cycle collector is paused while `salon` loads, and always comes back on.

The console script (`startup.main`) pauses it; a command settles (freeze what was loaded, collector on)
before it runs, the dashboard once its first book is painted (`launch`). Code that never paused is left alone."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys

import pytest
from textual.widgets import DataTable

from salon_cli import launch, startup
from cli_helpers import INIT, salon
from salon_cli.tui.app import SalonApp
from tui_helpers import settle


@pytest.fixture
def collector():
    """Whatever a test does to the collector is undone."""
    was = gc.isenabled()
    yield
    launch._paused = launch._held = False
    gc.unfreeze()
    if was:
        gc.enable()


def test_settle_without_pause_leaves_the_collector_alone(collector):
    frozen = gc.get_freeze_count()
    gc.disable()
    launch.settle()
    assert not gc.isenabled()  # someone else turned it off: not ours to turn on
    assert gc.get_freeze_count() == frozen
    gc.enable()
    launch.settle()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_pause_then_settle_freezes_what_was_loaded_and_turns_it_on_once(collector):
    launch.pause()
    assert not gc.isenabled()
    loaded = [object() for _ in range(1000)]
    launch.settle()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(loaded)
    gc.disable()
    launch.settle()  # a second settle does nothing
    assert not gc.isenabled()


def test_the_dashboard_holds_the_start_up_past_the_database_opening(collector):
    launch.pause()
    launch.hold()
    launch.loaded()  # `salon tui` opens its database before the dashboard has painted anything
    assert not gc.isenabled()
    launch.settle()  # the first book painted
    assert gc.isenabled()


def test_a_bulk_job_keeps_the_collector_off_even_when_the_start_up_settles_inside_it(collector):
    launch.pause()
    with launch.bulk():  # an import: its command opens the database (and settles) inside the job
        launch.loaded()
        assert not gc.isenabled()
        with launch.bulk():  # nested: the outer job still owns the collector
            pass
        assert not gc.isenabled()
    assert gc.isenabled()  # the job over, the start-up's settle takes effect
    with launch.bulk():  # a later job in the same process
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with launch.bulk():
        pass
    assert not gc.isenabled()  # off before the job: left off


_PROBE = """
import atexit, gc, json, sys
from salon_cli import launch, startup
seen = {}
real = launch.settle
def settle():
    seen["paused before settle"] = not gc.isenabled()
    seen["models loaded"] = "salon_cli.db.models" in sys.modules
    real()
launch.settle = settle
atexit.register(lambda: print(json.dumps({**seen, "enabled at exit": gc.isenabled()}), file=sys.stderr))
sys.argv = ["salon", *sys.argv[1:]]
startup.main()
"""


def test_a_command_runs_with_the_collector_back_on(sqlite_url, clock):
    assert salon(sqlite_url, *INIT).code == 0
    proc = subprocess.run([sys.executable, "-c", _PROBE, "--db", sqlite_url, "staff", "list"],
                          capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "lucia" in proc.stdout
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    # settled as the command opened its database, with the models it needed already in
    assert report == {"paused before settle": True, "models loaded": True, "enabled at exit": True}


def test_help_alone_exits_0_through_the_console_script():
    proc = subprocess.run([sys.executable, "-m", "salon_cli", "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "Usage: salon" in proc.stdout


def test_the_dashboard_settles_once_the_first_book_is_painted(demo_engine, collector):
    async def scenario() -> None:
        launch.pause()
        app = SalonApp(demo_engine, poll_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert app.screen.query_one(DataTable).row_count > 0
            assert gc.isenabled() and not launch._paused

    asyncio.run(scenario())


@pytest.mark.parametrize("argv, command", [
    (["tui"], "tui"), (["--db", "sqlite:///x.db", "tui", "--demo"], "tui"), (["--db=sqlite:///x.db", "staff", "list"], "staff"),
    (["--as", "ana", "--pin", "1", "--location", "centro", "checkin", "7"], "checkin"),
    (["--help", "tui"], None), (["--version"], None), ([], None), (["--weird", "tui"], None),
])
def test_the_command_is_read_off_the_arguments(argv, command):
    assert startup.command_of(argv) == command


def test_each_command_is_registered_by_the_module_the_table_names():
    """Registering a command's module alone gives that command as the whole tree has it."""
    import importlib

    import typer
    import typer.main

    from salon_cli.cli import app as root

    full = typer.main.get_command(root.app)
    assert set(root.COMMAND_MODULES) == set(full.commands)
    assert set(root.COMMAND_MODULES.values()) == set(root.MODULES)
    for module in root.MODULES:
        alone = typer.Typer()
        alone.callback()(lambda: None)
        importlib.import_module(f"salon_cli.cli.{module}").register(alone)
        commands = typer.main.get_command(alone).commands
        assert {c for c, m in root.COMMAND_MODULES.items() if m == module} == set(commands), module
        for name, command in commands.items():
            assert command.help == full.commands[name].help, name


def test_a_command_loads_only_its_own_module(sqlite_url, clock):
    assert salon(sqlite_url, *INIT).code == 0
    probe = ("import sys\nsys.argv = ['salon', *sys.argv[1:]]\nfrom salon_cli import startup\ntry:\n    startup.main()\n"
             "except SystemExit:\n    pass\nprint(sorted(m for m in sys.modules if m.startswith('salon_cli.cli.')), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe, "--db", sqlite_url, "staff", "list"],
                          capture_output=True, text=True, timeout=120)
    assert "lucia" in proc.stdout, proc.stderr
    loaded = eval(proc.stderr.strip().splitlines()[-1])  # noqa: S307 - our own probe's list of names
    assert "salon_cli.cli.salon.staff" in loaded
    assert "salon_cli.cli.till.sales" not in loaded and "salon_cli.cli.closing.reports" not in loaded


def test_a_command_on_sqlite_loads_no_postgresql_dialect(sqlite_url, clock):
    """SQLAlchemy's PostgreSQL dialect (40-50 ms) is left unloaded on SQLite: JSON columns and partial
    indexes name it only once a PostgreSQL engine is made."""
    assert salon(sqlite_url, *INIT).code == 0
    probe = ("import sys\nsys.argv = ['salon', *sys.argv[1:]]\nfrom salon_cli import startup\ntry:\n    startup.main()\n"
             "except SystemExit:\n    pass\nprint(sorted(m for m in sys.modules if 'dialects.' in m or m == 'salon_cli.db.models'), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe, "--db", sqlite_url, "client", "list"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded = eval(proc.stderr.strip().splitlines()[-1])  # noqa: S307 - our own probe's list of names
    assert "salon_cli.db.models" in loaded and "sqlalchemy.dialects.sqlite" in loaded
    assert not [m for m in loaded if m.startswith("sqlalchemy.dialects.postgresql")]
