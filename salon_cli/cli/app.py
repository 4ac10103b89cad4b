"""The root of the `salon` command tree: global options, error handling, exit codes, and the table of
the modules that register each command (imported by name, below the root: they never import it).

The database's own failure is explained by `salon_cli.db.failures`, imported only when one happens:
imports inside functions keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer._click.exceptions import ClickException
from typer.core import TyperGroup

from salon_cli import __version__, launch
from salon_cli.cli import output
from salon_cli.cli.context import AppContext
from salon_cli.core.errors import SalonError
from salon_cli.settings import Settings

_EPILOG = "Exit codes: 0 done, 1 refused or not found, 2 bad input, 3 not permitted, 4 busy, 5 outside service failed."


class SalonGroup(TyperGroup):
    """Turns `SalonError` into `error: ...` and its exit code; keeps usage errors to one line."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SalonError as exc:
            output.error(exc.message, exc.hint)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:  # `salon ... | head`: the reader has had enough; say nothing more
            _quiet_stdout()
            raise typer.Exit(PIPE_CLOSED) from None
        except Exception as exc:
            if _debug() or _is_click_exception(exc):
                raise
            known = _database_failure(exc, ctx)
            if known is not None:  # a lost connection, a full disk, a read-only file: said plainly
                output.error(known.message, known.hint)
                raise typer.Exit(known.exit_code) from None
            output.error(_describe(exc), "run again with SALON_DEBUG=1 for the details")
            raise typer.Exit(1) from None

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            code = super().main(args=args, prog_name=prog_name or "salon", complete_var=complete_var,
                                standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
        except ClickException as exc:
            output.error(exc.format_message(), _usage_hint(exc))
            code = exc.exit_code
        except typer.Abort:
            output.error("aborted")
            code = 1
        if standalone_mode:
            if code == PIPE_CLOSED:
                _end_as_cat_does()
            sys.exit(code)
        return code


PIPE_CLOSED = launch.PIPE_CLOSED


def _end_as_cat_does() -> None:
    launch.end_as_cat_does()


def _quiet_stdout() -> None:
    launch.quiet_stdout()


def _debug() -> bool:
    return os.environ.get("SALON_DEBUG", "") not in ("", "0")


def _is_click_exception(exc: Exception) -> bool:
    return isinstance(exc, ClickException)


def _database_failure(exc: Exception, ctx: Any) -> SalonError | None:
    """What a failure of the database itself means (salon_cli/db/failures.py), or None."""
    if not type(exc).__module__.startswith("sqlalchemy"):  # sqlalchemy is not loaded by `--help`
        return None
    from salon_cli.db.failures import explain

    settings = getattr(getattr(ctx, "obj", None), "settings", None)
    return explain(exc, getattr(settings, "database_url", None))


def _describe(exc: Exception) -> str:
    """One line for an unexpected failure; database trouble said plainly."""
    name = type(exc).__name__
    if type(exc).__module__.startswith("sqlalchemy"):
        orig = getattr(exc, "orig", None)
        text = str(orig or exc).strip().splitlines()[0]
        return f"database: {text}"
    return f"{name}: {str(exc).strip().splitlines()[0] if str(exc).strip() else name}"


def _usage_hint(exc: Any) -> str | None:
    ctx = getattr(exc, "ctx", None)
    return f"see: {ctx.command_path} --help" if ctx is not None else None


def _version(value: bool) -> None:
    if value:
        print(f"salon {__version__}")
        raise typer.Exit(0)


app = typer.Typer(
    cls=SalonGroup,
    name="salon",
    help="The front desk of a salon, barbershop or spa: clients, appointments, checkout, loyalty, the daily close.",
    epilog=_EPILOG,
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    pretty_exceptions_enable=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(None, "--db", envvar="SALON_DATABASE_URL", show_envvar=True,
                                  help="sqlite:///path.db or postgresql+psycopg://user@host/db. Default: salon.db in SALON_HOME."),
    location: str | None = typer.Option(None, "--location", envvar="SALON_LOCATION", show_envvar=True,
                                        help="Location code to act on (default: the only one)."),
    as_: str | None = typer.Option(None, "--as", envvar="SALON_STAFF", show_envvar=True,
                                   help="Acting staff member (code or id); recorded on every change."),
    pin: str | None = typer.Option(None, "--pin", envvar="SALON_PIN", show_envvar=False,
                                   help="That staff member's PIN (env SALON_PIN); prompted on a terminal when needed."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Global options come before the subcommand: salon --as ana staff list"""
    ctx.obj = AppContext(Settings.from_env(db=db, location=location, staff=as_, pin=pin))
    if ctx.invoked_subcommand == "tui":  # the start-up lasts until the first book is painted
        launch.hold()


# The module that registers each top-level command (under salon_cli/cli/), in the order of `salon --help`.
# The console script notes the command it was given (`launch.command`, read off argv by startup.py): then
# only that module is loaded (`salon tui` does not import the other 18, 50-80 ms); without one (`salon
# --help`, a typo, an import in tests) every module is. tests/system/test_startup.py checks this table
# against the full tree.
MODULES = ("salon.setup", "salon.locations", "salon.hours", "salon.staff", "salon.catalog", "clients", "transfer.imports",
           "transfer.exports", "book.appointments", "book.no_show_job", "book.penalties", "messages", "salon.audit", "till.sales",
           "till.gift_cards", "stripe", "loyalty", "promotions", "memberships", "closing.money_out", "closing.close_day",
           "closing.reports")
COMMAND_MODULES = {
    "db": "salon.setup", "demo": "salon.setup", "init": "salon.setup", "tui": "salon.setup",
    "location": "salon.locations", "policy": "salon.locations", "hours": "salon.hours", "staff": "salon.staff", "product": "salon.catalog",
    "service": "salon.catalog", "client": "clients", "import": "transfer.imports", "export": "transfer.exports",
    "appt": "book.appointments", "checkin": "book.appointments", "detect-no-shows": "book.no_show_job",
    "penalty": "book.penalties", "send-reminders": "messages", "template": "messages", "outbox": "messages",
    "audit": "salon.audit", "jobs": "salon.audit", "checkout": "till.sales", "sale": "till.sales",
    "giftcard": "till.gift_cards", "stripe": "stripe", "expire-points": "loyalty", "loyalty": "loyalty",
    "promo": "promotions", "membership": "memberships", "renew-memberships": "memberships", "cash": "closing.money_out",
    "expense": "closing.money_out", "close-day": "closing.close_day", "reopen-day": "closing.close_day",
    "report": "closing.reports",
}


def _register(command: str | None = None) -> None:
    for name in (COMMAND_MODULES[command],) if command in COMMAND_MODULES else MODULES:
        importlib.import_module(f"salon_cli.cli.{name}").register(app)


_register(launch.command)


def main(argv: Sequence[str] | None = None) -> None:
    app(args=list(argv) if argv is not None else None, prog_name="salon")
