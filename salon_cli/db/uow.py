"""The unit of work: one transaction, committed explicitly, rolled back otherwise."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import Engine
from sqlmodel import Session

from salon_cli.db.engine import writer


class UnitOfWork:
    """`with uow: ...; uow.commit()` -- leaving the block without commit rolls back.

    `write=True` (the default) opens the transaction for writing: `BEGIN IMMEDIATE` on SQLite.
    Read-only work (lists, reports) passes `write=False` so it never waits for the write lock.
    """

    def __init__(self, engine: Engine, *, write: bool = True) -> None:
        self.engine = engine
        self.write = write
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        bind = writer(self.engine) if self.write else self.engine
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
