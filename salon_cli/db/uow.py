"""The unit of work: one transaction, committed explicitly, rolled back otherwise."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import Engine
from sqlmodel import Session

from salon_cli.db import fit
from salon_cli.db.engine import writer

fit.install()  # every session: no text longer than its column, no NUL (exit 2, not a driver error)


class UnitOfWork:
    """`with uow: ...; uow.commit()` -- leaving the block without commit rolls back.

    `write=True` (the default) opens the transaction for writing: `BEGIN IMMEDIATE` on SQLite.
    Read-only work (lists, reports) passes `write=False` so it never waits for the write lock.
    A write on an engine behind a fence (`engine.fence_writes`) is refused on entering, unless
    `fenced=False`.
    """

    def __init__(self, engine: Engine, *, write: bool = True, fenced: bool = True) -> None:
        self.engine = engine
        self.write = write
        self.fenced = fenced
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        bind = writer(self.engine, fenced=self.fenced) if self.write else self.engine
        self.session = Session(bind=bind, expire_on_commit=False, autoflush=True)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() rolls back whatever was not committed; it does not expire loaded objects, so
        # read models built from them stay usable after the block.
        self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name
