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


def allow_clock_override(engine) -> None:
    """The owner's switch on (`salon policy set --allow-clock-override`): for a test whose `salon` processes
    run under SALON_NOW, which a database honours in commands that change data only when it is on."""
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon import clock_override
    from salon_cli.services.salon.actors import SYSTEM

    with UnitOfWork(engine) as uow:
        clock_override.set_allowed(uow.session, actor=SYSTEM, allow=True)
        uow.commit()


# The staff of `tests/shop.py`'s salon, as a command line names them (PINs 2222).
SOFIA = ["--as", "sofia", "--pin", "2222"]
MARCO = ["--as", "marco", "--pin", "2222"]


def ok(db_url: str | None, *args: str) -> Run:
    """`salon ...` that must succeed (the assertion shows stderr when it does not)."""
    run = salon(db_url, *args)
    assert run.code == 0, (args, run.stderr)
    return run


def js(db_url: str | None, *args: str):  # type: ignore[no-untyped-def]
    """`salon ... -f json` that must succeed, parsed."""
    import json

    return json.loads(ok(db_url, *args, "-f", "json").stdout)


def small_salon(db_url: str) -> str:
    """A salon to import into: `salon init`, a receptionist (sofia 3333), a stylist (ana 4444), one
    service (corte, 45 min, 350), one product (shampoo, 180, 5 in stock) and IVA 16 % included."""
    ok(db_url, *INIT)
    for args in (["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
                 ["staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444"],
                 ["service", "add", "Corte dama", "--code", "corte", "--duration", "45", "--price", "350"],
                 ["product", "add", "Shampoo", "--code", "shampoo", "--price", "180", "--stock", "5"],
                 ["policy", "set", "--tax", "IVA:16%:inclusive"]):
        ok(db_url, *OWNER, *args)
    return db_url
