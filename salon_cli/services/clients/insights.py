"""What the manager asks of the client base: stats, birthdays, who to win back (one client's story is
`record.timeline`).

Visit figures come from `client_views.visit_stats`, the one definition of a visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.core.errors import InvalidInput
from salon_cli.db.models import Client
from salon_cli.services.clients import views as client_views
from salon_cli.services.clients.views import ClientRow
from salon_cli.services.salon.locations import LocationView

ACTIVE_DAYS, NEW_DAYS, CHURN_DAYS, TOP = 30, 30, 90, 5


@dataclass(frozen=True)
class TopClient:
    id: int
    name: str
    visits: int
    total_spent_cents: int


@dataclass(frozen=True)
class ClientStats:
    location: str
    total: int
    active_30d: int
    new_30d: int
    churned_90d: int
    avg_clv_cents: int
    avg_visits: float
    top_clients: tuple[TopClient, ...]


@dataclass(frozen=True)
class Birthday:
    id: int
    first_name: str
    last_name: str
    birthday: date
    next_birthday: date
    days_away: int
    turns: int
    phone: str | None
    email: str | None
    marketing_consent: bool


def _rounded_mean(total: int, count: int) -> int:
    """Integer mean rounded half up: money stays integral."""
    return (2 * total + count) // (2 * count) if count else 0


def stats(session: Session, *, location: LocationView) -> ClientStats:
    """The client base at `location`, read from the visits themselves (`visit_stats`), never from when a
    row was written: an import makes thousands of clients today whose history goes back years.

    `total`: live clients on file. `new_30d`: those whose first visit here was in the last 30 days (a
    client who has not come yet is not new; one whose first visit was years ago is not new because
    the import wrote them today). `active_30d`: a visit in the last 30 days; `churned_90d`: came
    before, not in the last 90 days. Lifetime value and visits are averaged over the clients with
    any visit or purchase here."""
    now = clock.now()
    figures = client_views.visit_stats(location.id)
    live = col(Client.merged_into_id).is_(None)
    total = session.exec(select(sa.func.count()).select_from(Client).where(live)).one()
    row = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(figures.c.total_spent_cents), 0),
            sa.func.coalesce(sa.func.sum(figures.c.visits), 0),
            sa.func.count().filter(figures.c.last_visit_at >= now - timedelta(days=ACTIVE_DAYS)),
            sa.func.count().filter(figures.c.last_visit_at < now - timedelta(days=CHURN_DAYS)),
            sa.func.count().filter(figures.c.first_visit_at >= now - timedelta(days=NEW_DAYS)),
        ).select_from(figures).join(Client, col(Client.id) == figures.c.client_id).where(live)
    ).one()
    visited, spent, visits, active, churned, new = (int(x) for x in row)
    top = [
        TopClient(id=r.id, name=f"{r.first_name} {r.last_name}".strip(), visits=r.visits,
                  total_spent_cents=r.total_spent_cents)
        for r in client_views.list_clients(session, location_id=location.id, min_visits=1,
                                           sort="total_spent", desc=True, limit=TOP)
    ]
    return ClientStats(
        location=location.code, total=int(total), active_30d=active, new_30d=new, churned_90d=churned,
        avg_clv_cents=_rounded_mean(spent, visited),
        avg_visits=round(visits / visited, 2) if visited else 0.0, top_clients=tuple(top),
    )


def _next_birthday(born: date, today: date) -> date:
    """This year's birthday, or next year's if it has passed; 29 February is kept on 28 February."""
    for year in (today.year, today.year + 1):
        try:
            day = born.replace(year=year)
        except ValueError:
            day = date(year, 2, 28)
        if day >= today:
            return day
    raise AssertionError("unreachable")


def birthdays(session: Session, *, location: LocationView, days: int = 7, today: date | None = None) -> list[Birthday]:
    """Clients whose birthday falls today (or `today`) or in the next `days` days (location's calendar)."""
    if not 0 <= days <= 366:
        raise InvalidInput("--days must be between 0 and 366")
    today = today or business_date(clock.now(), location.tz)
    wanted = {(today + timedelta(days=i)).month * 100 + (today + timedelta(days=i)).day for i in range(days + 1)}
    if 228 in wanted:
        wanted.add(229)  # those born on 29 February celebrate on the 28th in common years
    month_day = sa.extract("month", col(Client.birthday)) * 100 + sa.extract("day", col(Client.birthday))
    rows = session.exec(select(Client).where(col(Client.merged_into_id).is_(None), col(Client.erased_at).is_(None),
                                             col(Client.birthday).is_not(None),
                                             month_day.in_(sorted(wanted)))).all()
    found = []
    for c in rows:
        assert c.birthday is not None
        upcoming = _next_birthday(c.birthday, today)
        if (upcoming - today).days > days:
            continue
        found.append(Birthday(id=c.id or 0, first_name=c.first_name, last_name=c.last_name, birthday=c.birthday,
                              next_birthday=upcoming, days_away=(upcoming - today).days,
                              turns=upcoming.year - c.birthday.year, phone=c.phone, email=c.email,
                              marketing_consent=c.marketing_consent))
    return sorted(found, key=lambda b: (b.days_away, b.last_name, b.first_name, b.id))


def win_back(session: Session, *, location: LocationView, inactive_days: int = 90,
             limit: int | None = None) -> list[ClientRow]:
    """Clients who came before but not in `inactive_days`, best customers first (erased clients left out)."""
    erased = set(session.exec(select(Client.id).where(col(Client.erased_at).is_not(None))).all())
    rows = client_views.list_clients(session, location_id=location.id, min_visits=1, inactive_days=inactive_days,
                                     sort="total_spent", desc=True, limit=None if limit is None else limit + len(erased))
    return [r for r in rows if r.id not in erased][:limit]
