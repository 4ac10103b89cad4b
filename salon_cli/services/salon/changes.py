"""A cheap change marker for screens that stay open all day (the dashboard).

Every change writes its audit row in the same transaction (DESIGN.md rule 1), so the newest audit id
moves whenever anything changes, from any terminal or cron job: one indexed read of the primary key.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from salon_cli.db.models import AuditLog


def marker(session: Session) -> int:
    """The newest audit row's id (0 on an empty log): it moves whenever anything changes."""
    return int(session.exec(select(sa.func.coalesce(sa.func.max(AuditLog.id), 0))).one())
