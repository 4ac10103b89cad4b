"""Running `salon` in-process (Typer's CliRunner) the way a user types it."""

from __future__ import annotations

from dataclasses import dataclass

from typer.testing import CliRunner

from salon_cli.cli.app import app

OWNER = ["--as", "lucia", "--pin", "1234"]
INIT = [
    "init", "--location-code", "centro", "--location-name", "Salón Centro",
    "--timezone", "America/Mexico_City", "--currency", "MXN", "--owner", "Lucía Hernández",
    "--owner-code", "lucia", "--owner-pin", "1234",
]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def salon(db_url: str | None, *args: str, input: str | None = None) -> Run:
    argv = (["--db", db_url] if db_url else []) + list(args)
    result = CliRunner().invoke(app, argv, input=input, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)
