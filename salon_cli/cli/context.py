"""What every command shares: settings, the engine (opened lazily, once), the location and actor.

The clock override: with `SALON_NOW` set, a database that does not allow it (its owner's switch,
`services/salon/clock_override.py`) gets a fence on its engine, so every transaction that writes is
refused (exit 2) before it begins, whichever command or service opens it; reads still use it. Proving
who acts passes the fence: its writes (a failed PIN) keep the machine's instant anyway.

The database and the services are imported when first used: imports inside functions keep `salon --help`
light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import getpass
import os
import sys
from functools import cached_property
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from salon_cli import launch
from salon_cli.cli.output import message
from salon_cli.core.errors import NotPermitted
from salon_cli.core.permissions import Permission, needs_pin
from salon_cli.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon.actors import Actor
    from salon_cli.services.salon.locations import LocationView

T = TypeVar("T")


class AppContext:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._location: LocationView | None = None
        self._create = False

    def raw_engine(self, *, create: bool = False) -> Engine:
        """The engine with no schema check (for `init`, `demo`, `db ...`). `create`: a SQLite file that
        does not exist yet is made (only `init`, `demo` and `db upgrade` make one)."""
        self._create = self._create or create
        return self._engine

    @cached_property
    def _engine(self) -> Engine:
        from salon_cli.db.engine import make_engine

        if not self._create:
            _refuse_a_missing_file(self.settings)
        engine = make_engine(self.settings.database_url)
        launch.loaded()  # the command's modules are in: the collector back on (salon_cli/launch.py)
        _warn_if_open_to_others(engine)
        return engine

    @cached_property
    def engine(self) -> Engine:
        """The engine of a database at schema head (the default SQLite file upgrades itself)."""
        from salon_cli.db.migrate import ensure_current

        ensure_current(self._engine, auto_upgrade=self.settings.default_database)
        self._fence_clock_override(self._engine)
        return self._engine

    def _fence_clock_override(self, engine: Engine) -> None:
        """SALON_NOW set where the database does not allow a clock override: its writes refused."""
        from salon_cli.core import clock

        if not clock.overridden():
            return
        from salon_cli.db.engine import fence_writes
        from salon_cli.db.uow import UnitOfWork
        from salon_cli.services.salon import clock_override

        with UnitOfWork(engine, write=False) as uow:
            if clock_override.allowed(uow.session):
                return
        fence_writes(engine, clock_override.refusal)

    def check_writable(self) -> None:
        """A command that changes data from its start (the dashboard) refuses a fenced clock override now,
        not at its first change."""
        from salon_cli.db.engine import check_writable

        check_writable(self.engine)

    def uow(self, *, write: bool = True, fenced: bool = True) -> UnitOfWork:
        from salon_cli.db.uow import UnitOfWork

        return UnitOfWork(self.engine, write=write, fenced=fenced)

    def change(self, permission: Permission, work: Callable[[Session, Actor], T]) -> T:
        """Identify the actor for `permission`, then run `work` in one committed transaction."""
        actor = self.actor(permission)
        with self.uow() as uow:
            result = work(uow.session, actor)
            uow.commit()
        return result

    def read(self, work: Callable[[Session], T]) -> T:
        """Run `work` in a read-only transaction."""
        with self.uow(write=False) as uow:
            return work(uow.session)

    def location(self) -> LocationView:
        if self._location is None:
            from salon_cli.services.salon.locations import resolve

            with self.uow(write=False) as uow:
                self._location = resolve(uow.session, self.settings.location)
        return self._location

    def actor(self, permission: Permission = Permission.desk) -> Actor:
        """The staff member acting (`--as`), PIN checked where the permission needs one."""
        from salon_cli.services.salon import staff
        from salon_cli.services.salon.policy import row as policy_row

        location = self.location()
        who = self.settings.staff
        if not who:
            with self.uow(write=False) as uow:
                desk_id = policy_row(uow.session, location).desk_actor_id
            if desk_id is None or needs_pin(permission):
                raise NotPermitted(
                    "who is acting? this needs a staff member",
                    hint="pass --as CODE (or set SALON_STAFF)" + (" and --pin" if needs_pin(permission) else ""),
                )
            who = str(desk_id)
        pin = self.settings.pin
        if pin is None and needs_pin(permission) and sys.stdin.isatty():
            pin = typer.prompt(f"PIN for {who}", hide_input=True)
        with self.uow(fenced=False) as uow:  # a failed PIN is counted even behind a clock-override fence
            return staff.identify(uow, who=who, pin=pin, location=location, permission=permission)

    def job_actor(self) -> Actor:
        """A cron job's actor: `system`, run by the staff member given with `--as` (proved: an unknown
        member or a wrong PIN is exit 3 before the job starts), else by the machine's user."""
        from salon_cli.services.salon import staff
        from salon_cli.services.salon.actors import system_run_by

        if not self.settings.staff:
            return system_run_by(_os_user())
        location = self.location() if self.settings.location else None
        with self.uow(fenced=False) as uow:
            return staff.job_runner(uow, who=self.settings.staff, pin=self.settings.pin, location=location)


def _refuse_a_missing_file(settings: Settings) -> None:
    """A SQLite database that is not there is never made by a command that only uses one: a mistyped
    `--db` must not leave folders and an empty database behind. A folder that does not exist is a wrong
    path (exit 2); a file that does not exist, a salon not made yet (exit 1)."""
    from salon_cli.core.errors import InvalidInput, NotFound
    from salon_cli.db.engine import normalize_url, sqlite_path

    url = normalize_url(settings.database_url)
    path = sqlite_path(url) if url.startswith("sqlite") else None
    if path is None or path.exists():
        return
    if settings.default_database:
        raise NotFound("salon is not initialised here", hint="run: salon init ... (or salon demo)")
    if not path.parent.is_dir():
        raise InvalidInput(f"--db: there is no folder {path.parent} for the database {path}",
                           hint="check the path; salon init, salon demo or salon db upgrade create a new one")
    raise NotFound(f"there is no database at {path}",
                   hint="check --db; salon init, salon demo or salon db upgrade create a new one")


def _os_user() -> str:
    """Who is logged in on this machine (cron's user), as the OS says; the uid where it cannot say."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _warn_if_open_to_others(engine: Engine) -> None:
    """An existing SQLite file that anyone on the machine may read is said, not changed (SECURITY.md)."""
    from salon_cli.db.engine import is_sqlite, sqlite_path
    from salon_cli.io.private_files import open_to_others

    path = sqlite_path(engine.url.render_as_string(hide_password=False)) if is_sqlite(engine) else None
    mode = open_to_others(path) if path is not None else None
    if mode is not None:
        message(f"warning: {path} is open to other users of this machine (mode {mode:o})")
        message(f"hint: chmod 600 {path}")


def app_context(ctx: typer.Context) -> AppContext:
    obj: Any = ctx.find_root().obj
    if not isinstance(obj, AppContext):  # a sub-app invoked on its own (tests)
        obj = AppContext(Settings.from_env())
        ctx.find_root().obj = obj
    return obj
