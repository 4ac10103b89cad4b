"""Changes told at once to the dashboards of other desks, on PostgreSQL (LISTEN/NOTIFY).

Every change writes its audit row (DESIGN.md rule 1), and the newest audit id is the change marker the
dashboard polls (`services.salon.changes`). Writing an audit row also marks the session (`changed`); when
its transaction commits, a PostgreSQL session sends one `NOTIFY salon_changes` in that same transaction
(the payload: the changed locations' ids, comma-separated, "" for none). PostgreSQL delivers a
notification only when its transaction commits, so a change rolled back tells nobody, and a listener that
hears one can read the change at once (`db.listen`). SQLite has no such thing: the dashboard polls there.

The marks live on the session and are dropped when its outermost transaction ends (committed: sent;
rolled back: forgotten). A savepoint's release sends nothing; its rollback keeps the marks of the
transaction around it (one harmless notification too many at worst: the listener reads the marker).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

CHANNEL = "salon_changes"
_MARKS = "salon_changed_locations"
_SEND = sa.text("SELECT pg_notify(:channel, :payload)")


def changed(session: Session, location_id: int | None = None) -> None:
    """Note that this session's transaction changed something (at `location_id`): told on commit."""
    marks = session.info.get(_MARKS)
    if marks is None:
        marks = session.info[_MARKS] = set()
    marks.add(location_id)


def payload(marks: set[int | None]) -> str:
    """The notification's text: the locations changed, ids in order ("" when none is named)."""
    return ",".join(str(i) for i in sorted(m for m in marks if m is not None))


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction around it tells, when it commits
    marks = session.info.pop(_MARKS, None)
    if not marks or session.get_bind().dialect.name != "postgresql":
        return
    session.execute(_SEND, {"channel": CHANNEL, "payload": payload(marks)})


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction: committed (sent) or rolled back
        session.info.pop(_MARKS, None)


def install() -> None:
    """Send every session's marks on commit (idempotent)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
