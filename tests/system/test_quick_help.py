"""`salon --help` kept after its first printing (salon_cli/quick/help.py): the same bytes, without
loading the command tree; a page kept per terminal and per set of words; stale once the tree changes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from salon_cli.quick import cache, help

PROBE = """
import sys
sys.argv = ['salon', *sys.argv[1:]]
from salon_cli import startup
try:
    startup.main()
except SystemExit as done:
    code = done.code
loaded = sorted(m for m in ('typer', 'rich', 'salon_cli.cli.app', 'sqlalchemy') if m in sys.modules)
print('LOADED=' + ','.join(loaded), file=sys.stderr)
sys.exit(code)
"""


def _salon(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, env=env, timeout=120)


def _loaded(run: subprocess.CompletedProcess) -> str:
    return run.stderr.decode().strip().splitlines()[-1].removeprefix("LOADED=")


@pytest.mark.slow
def test_a_help_page_is_printed_once_by_typer_then_from_the_kept_copy(tmp_path):
    env = {**os.environ, "SALON_HOME": str(tmp_path), "COLUMNS": "100"}
    for words in (["--help"], ["report", "revenue", "--help"], ["client", "-h"]):
        first = _salon(env, *words)
        again = _salon(env, *words)
        assert first.returncode == again.returncode == 0
        assert "Usage: salon" in first.stdout.decode()
        assert again.stdout == first.stdout  # byte for byte
        assert "typer" in _loaded(first).split(",")
        assert _loaded(again) == ""  # neither typer, rich, the tree nor a database library
    kept = sorted(p.name for p in (tmp_path / "cache").glob("help-*.txt"))
    assert len(kept) == 3
    wider = _salon({**env, "COLUMNS": "140"}, "--help")  # another terminal width: its own page
    assert "typer" in _loaded(wider)
    assert len(list((tmp_path / "cache").glob("help-*.txt"))) == 4
    assert max(len(line) for line in wider.stdout.decode().splitlines()) > 100


@pytest.mark.slow
def test_what_is_not_a_help_page_is_never_kept(tmp_path):
    env = {**os.environ, "SALON_HOME": str(tmp_path)}
    typo = _salon(env, "nosuch", "--help")
    assert typo.returncode == 2 and b"No such command" in typo.stderr
    twice = _salon(env, "nosuch", "--help")
    assert twice.returncode == 2 and "typer" in _loaded(twice)
    version = _salon(env, "--version")
    assert version.stdout == b"salon 0.1.0\n" and _loaded(version) == ""
    assert not list((tmp_path / "cache").glob("*"))


@pytest.mark.slow
def test_a_cache_folder_that_cannot_be_written_costs_only_the_speed(tmp_path):
    (tmp_path / "cache").write_text("a file where the folder should be")
    env = {**os.environ, "SALON_HOME": str(tmp_path)}
    for _ in range(2):
        run = _salon(env, "--help")
        assert run.returncode == 0 and b"Usage: salon" in run.stdout and "typer" in _loaded(run)


def test_the_key_holds_the_words_the_tree_and_the_terminal(monkeypatch):
    base = help.key(["--help"])
    assert help.key(["client", "--help"]) != base
    monkeypatch.delenv("NO_COLOR")  # (the tests' own environment sets it)
    assert help.key(["--help"]) != base
    monkeypatch.setenv("NO_COLOR", "1")
    assert help.key(["--help"]) == base
    monkeypatch.setenv("COLUMNS", "97")
    assert help.key(["--help"]) != base
    monkeypatch.setattr(cache, "signature", lambda: "another tree")
    assert help.key(["--help"]) != base


def test_the_signature_changes_when_a_command_module_changes(tmp_path, monkeypatch):
    package = tmp_path / "salon_cli"
    (package / "cli" / "book").mkdir(parents=True)
    for name in ("__init__.py", "startup.py", "cli/__init__.py", "cli/book/appointments.py"):
        (package / name).write_text("x = 1\n")
    monkeypatch.setattr(cache, "_HERE", package)
    cache.signature.cache_clear()
    try:
        before = cache.signature()
        cache.signature.cache_clear()
        assert cache.signature() == before
        (package / "cli" / "book" / "appointments.py").write_text("x = 22\n")
        cache.signature.cache_clear()
        assert cache.signature() != before
    finally:
        cache.signature.cache_clear()


def test_only_the_plain_forms_are_help_pages():
    assert help.requested(["--help"]) and help.requested(["appt", "book", "-h"])
    assert not help.requested([]) and not help.requested(["--db", "x", "--help"])
    assert not help.requested(["--help", "client"]) and not help.requested(["client", "show", "1"])


@pytest.mark.slow
def test_a_help_page_into_a_closed_pipe_ends_as_cat_does(tmp_path):
    """`salon --help | head -0`: SIGPIPE, no message, whether Typer prints the page or the kept copy."""
    env = {**os.environ, "SALON_HOME": str(tmp_path)}
    assert _salon(env, "client", "--help").returncode == 0  # the page kept
    for words in (["client", "--help"], ["report", "--help"]):  # kept, then printed by Typer (not kept)
        proc = subprocess.Popen([sys.executable, "-m", "salon_cli", *words], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env)
        proc.stdout.close()  # the reader is gone before the first byte
        err = proc.stderr.read()
        assert proc.wait(timeout=120) == -13 and err == b"", (words, err)
    assert not list((tmp_path / "cache").glob("help-*")) or len(list((tmp_path / "cache").glob("help-*"))) == 1
