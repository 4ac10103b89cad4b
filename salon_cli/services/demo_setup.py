"""Making room for the demo salon: refuse to overwrite a real one unless forced."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from salon_cli.core.errors import RuleViolation
from salon_cli.db import migrate
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.demo import DemoSummary, build_demo
from salon_cli.services.setup import is_initialised


def _initialised(engine: Engine) -> bool:
    if migrate.current_revision(engine) is None:
        return False
    with UnitOfWork(engine, write=False) as uow:
        return is_initialised(uow)


def fresh_demo(engine: Engine, *, clients: int, days: int, seed: int, force: bool) -> DemoSummary:
    if _initialised(engine):
        if not force:
            raise RuleViolation("this database already holds a salon",
                                hint="use another --db, or --force to wipe it (everything in it is lost)")
        migrate.drop_everything(engine)
    migrate.upgrade(engine)
    return build_demo(engine, clients=clients, days=days, seed=seed)


def ensure_demo(engine: Engine) -> bool:
    """Build the demo salon if the database holds none; True when it was built now."""
    if _initialised(engine):
        migrate.ensure_current(engine, auto_upgrade=True)
        return False
    migrate.upgrade(engine)
    build_demo(engine)
    return True
