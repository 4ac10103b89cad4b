"""`salon demo`: a living demo salon -- a team, a menu, clients, a month of history and today's book.

Everything comes from `seed` and `clock.now()`: the same seed at the same "now" builds the same
salon, row for row. Staff, services and products go through their services (audited one by one);
the bulk rows (clients, appointments and their items, penalties) are added directly and summed up
in one `demo.build` audit row, so that a month of history builds in well under a second.

The history is what the services would have left behind: every appointment has its items (now and
then two services, e.g. a cut and a blow-dry); around 6 % of past appointments are no-shows, marked
at start + the policy's grace with their penalty (as `detect-no-shows` would: created by the system),
and around 7.5 % were cancelled -- ahead of the late-cancel window, late by the client (with the
late-cancel penalty) or late by the salon (no penalty). Most penalties are still pending, some were
paid at the desk a day or two later, a few were waived by the owner with a reason. Nothing in the
past is left `booked`, so `detect-no-shows` run at once marks only today's overdue appointment.
Today's book draws on its own random stream: a change to the history leaves it as it was.

Every completed past visit was checked out: a paid sale priced with the demo's tax (IVA 16 %,
included in the prices), now and then a product, a promotion, a gift card sold and later spent,
tips, cash with change, the card terminal, Stripe, split tender, and two refunds
(`demo.sales.demo_sales`, its own random stream too).

This module is the top of the package: the CLI calls `fresh_demo` and `ensure_demo`, the tests
`build_demo`. `build_demo` builds the salon part by part, each part owned by one module below it,
and writes the one audit row. Imports go only down this list: `build` imports the parts, no part
imports `build` or another part, and `visits` (imported by the two books and the sales) imports none:

    build    fresh_demo, ensure_demo, build_demo, DemoSummary
      team      the location, the owner, the team, the menu and the shelf, their hours and a holiday
      clients   the clients and their profiles (tags, notes, preferences)
      history   the past days' book, its no-shows and cancellations, their penalties
      today     today's book
      ahead     the next two weeks' bookings
      sales     the month's sales (checkout, tenders, gift cards, refunds) and the demo's taxes
      loyalty   the loyalty program, its cards and rewards, and the members
      close     the drawer, the expenses and the closed days
        visits  what the history and today's book share: the visit, the hours (a split shift too), the slots,
                the clients
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.db import migrate
from salon_cli.db.models import Appointment, AppointmentItem, AuditLog, Penalty, Policy
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.clients import search as client_search
from salon_cli.services.demo.clients import make_clients, make_profiles
from salon_cli.services.demo.close import demo_close
from salon_cli.services.demo.history import WAIVE_REASONS, make_penalties, mark_outcomes, past_book
from salon_cli.services.demo.loyalty import demo_loyalty
from salon_cli.services.demo.sales import DEMO_TAXES, demo_sales
from salon_cli.services.demo.team import (
    HOLIDAY, LOCATION, OWNER, PRODUCTS, SERVICE_MENU, TEAM, DemoStaff, add_hours, add_team_and_menu, stylist_menus,
)
from salon_cli.services.demo.ahead import DAYS_AHEAD, ahead_book
from salon_cli.services.demo.today import today_book
from salon_cli.services.demo.visits import Audience
from salon_cli.services.salon import audit
from salon_cli.services.salon import setup as salon_setup
from salon_cli.services.salon.actors import Actor

# What callers import from here (`WAIVE_REASONS` lives with the penalties, in `demo.history`).
__all__ = ["WAIVE_REASONS", "DemoSummary", "build_demo", "ensure_demo", "fresh_demo"]


@dataclass(frozen=True)
class DemoSummary:
    location: str
    location_name: str
    business_date: date
    staff: tuple[DemoStaff, ...]
    services: int
    products: int
    clients: int
    appointments_past: int
    appointments_today: int
    sales: int = 0
    appointments_ahead: int = 0


def _initialised(engine: Engine) -> bool:
    if migrate.current_revision(engine) is None:
        return False
    with UnitOfWork(engine, write=False) as uow:
        return salon_setup.is_initialised(uow)


def fresh_demo(engine: Engine, *, clients: int, days: int, seed: int, force: bool) -> DemoSummary:
    if _initialised(engine):
        if not force:
            raise RuleViolation("this database already holds a salon",
                                hint="use another --db, or --force to wipe it (everything in it is lost)")
        migrate.drop_everything(engine)
    migrate.upgrade(engine)
    return build_demo(engine, clients=clients, days=days, seed=seed)


def ensure_demo(engine: Engine, progress: Callable[[str], None] | None = None) -> str | None:
    """Build the demo salon if the database holds none, or build it again for today when its days are
    past (a demo of last week shows an empty book: today's and the next two weeks' bookings come with
    the build). What was done ("built", "rebuilt for today ...") or None when the demo was current."""
    if _initialised(engine):
        migrate.ensure_current(engine, auto_upgrade=True)
        built_on = _built_on(engine)
        today = _today(engine)
        if built_on is None or today is None or built_on >= today:
            return None
        if progress:
            progress(f"the demo salon is of {built_on}: building it again for today (changes made in it are lost)")
        migrate.drop_everything(engine)
        migrate.upgrade(engine)
        build_demo(engine, progress=progress)
        return f"rebuilt for {today} (it was of {built_on})"
    migrate.upgrade(engine)
    build_demo(engine, progress=progress)
    return "built"


def _built_on(engine: Engine) -> date | None:
    with UnitOfWork(engine, write=False) as uow:
        row = uow.session.exec(select(AuditLog).where(AuditLog.action == "demo.build")
                               .order_by(col(AuditLog.id).desc())).first()
    day = (row.after or {}).get("business_date") if row is not None else None
    return date.fromisoformat(str(day)) if day else None


def _today(engine: Engine) -> date | None:
    from salon_cli.services.salon import locations

    with UnitOfWork(engine, write=False) as uow:
        place = locations.resolve(uow.session, LOCATION["code"])
    return business_date(clock.now(), place.tz)


def build_demo(engine: Engine, *, clients: int = 300, days: int = 30, seed: int = 7, ahead: int = DAYS_AHEAD,
               progress: Callable[[str], None] | None = None) -> DemoSummary:
    """Initialise an empty database (schema at head) as the demo salon `centro` and fill it: `days` of
    history, today, and `ahead` days of bookings. `progress` hears each part as it starts (the
    dashboard's `--demo` prints them)."""
    say = progress or (lambda _text: None)
    if clients < 1 or days < 0:
        raise InvalidInput("the demo needs at least one client and zero or more days of history")
    with UnitOfWork(engine, write=False) as uow:
        if salon_setup.is_initialised(uow):
            raise RuleViolation("this database already holds a salon; the demo needs an empty one",
                                hint="use another --db, or salon demo --force to wipe it")
    say("building the demo salon: the location, the team, the menu and the hours")
    init = salon_setup.initialise(
        engine, location_code=LOCATION["code"], location_name=LOCATION["name"],
        timezone=LOCATION["timezone"], currency=LOCATION["currency"],
        owner_name=OWNER.name, owner_code=OWNER.code, owner_pin=OWNER.pin,
        allow_clock_override=True,  # a demo is shown at any "now" (SALON_NOW): scripts/try_a_morning.sh
    )
    location, now, rng = init.location, clock.now(), random.Random(seed)
    tz = location.tz
    today = business_date(now, tz)
    owner = Actor(id=init.owner.id, code=init.owner.code, name=init.owner.name, role=init.owner.role)

    with UnitOfWork(engine) as uow:
        session = uow.session
        staff_ids, services, products = add_team_and_menu(session, actor=owner, location=location,
                                                          owner_id=init.owner.id)
        add_hours(session, actor=owner, location=location, today=today)
        menu = stylist_menus()

        say(f"building the demo salon: {clients} clients, {days} days of history, today and the next two weeks")
        people, men = make_clients(rng, clients, now - timedelta(days=days), location.id)
        regulars = [rng.choice((1, 1, 1, 2, 3, 5)) for _ in people]  # some clients come far more often
        audience = Audience(regulars, men)
        policy = session.exec(select(Policy).where(Policy.location_id == location.id)).one()
        past = past_book(rng, today, days, tz, menu, audience)
        mark_outcomes(rng, past, grace=timedelta(minutes=policy.no_show_grace_min),
                      late_window=timedelta(hours=policy.late_cancel_hours))
        booked_today = today_book(random.Random(f"{seed}:today"), today, now, tz, menu, audience)
        booked_ahead = ahead_book(random.Random(f"{seed}:ahead"), today, now, tz, menu, audience,
                                  open_on_sunday=today.weekday() == 6, holiday=HOLIDAY[:3], days=ahead)

        no_shows = Counter(v.client for v in past if v.status == "no_show" and v.client is not None)
        for index, person in enumerate(people):
            person.no_show_count = no_shows[index]
            person.deposit_required = no_shows[index] >= policy.deposit_after_no_shows
        session.add_all(people)
        session.flush()
        desk_id = staff_ids["sofia"]
        visits = past + booked_today + booked_ahead
        appointments = [
            Appointment(
                location_id=location.id, staff_id=staff_ids[v.staff], service_id=services[v.services[0]].id,
                client_id=people[v.client].id if v.client is not None else None,
                starts_at=v.starts_at, ends_at=v.ends_at, status=v.status,
                price_cents=sum(services[code].price_cents for code in v.services), walk_in=v.walk_in,
                checked_in_at=v.checked_in_at, completed_at=v.completed_at, cancelled_at=v.cancelled_at,
                cancel_reason=v.cancel_reason, cancelled_by_salon=v.cancelled_by_salon, no_show_at=v.no_show_at,
                created_at=v.created_at, created_by_id=desk_id, updated_at=v.updated_at,
            )
            for v in visits
        ]
        session.add_all(appointments)
        session.flush()
        session.execute(sa.insert(AppointmentItem), [
            {"appointment_id": appt.id, "position": position, "service_id": services[code].id,
             "staff_id": appt.staff_id, "duration_min": services[code].duration_min,
             "price_cents": services[code].price_cents}
            for appt, v in zip(appointments, visits, strict=True) for position, code in enumerate(v.services)
        ])
        penalty_rows = make_penalties(random.Random(f"{seed}:penalties"), appointments[:len(past)], past, policy,
                                      services, location, now=now, desk_id=desk_id, owner_id=init.owner.id)
        if penalty_rows:
            session.execute(sa.insert(Penalty), penalty_rows)
        session.flush()
        say("building the demo salon: the month's sales, loyalty and the closed days")
        policy.taxes = [dict(tax) for tax in DEMO_TAXES]
        session.add(policy)
        sold = demo_sales(session, rng=random.Random(f"{seed}:sales"), location=location,
                          appointments=appointments[:len(past)], visits=past, services=services, products=products,
                          taxes=policy.taxes, desk_id=desk_id, manager_id=staff_ids["marco"],
                          paid_penalties=session.exec(select(Penalty).where(
                              Penalty.location_id == location.id, Penalty.status == "paid")
                              .order_by(col(Penalty.id))).all())
        desk = Actor(id=staff_ids["sofia"], code="sofia", name="Sofía Ramírez", role="receptionist")
        sold.update(demo_loyalty(session, rng=random.Random(f"{seed}:loyalty"), location=location, owner=owner,
                                 desk=desk, history_start=now - timedelta(days=days), now=now))
        manager = Actor(id=staff_ids["marco"], code="marco", name="Marco Antonio Ruiz", role="manager")
        sold.update(demo_close(session, rng=random.Random(f"{seed}:close"), location=location, today=today, days=days,
                               now=now, desk=desk, manager=manager))
        profiles, counts = make_profiles(random.Random(f"{seed}:profiles"), people, regulars, staff_ids, menu, now)
        session.add_all(profiles)
        session.flush()
        say("building the demo salon: the search index")
        client_search.reindex_all(session)
        summary = DemoSummary(
            location=location.code, location_name=location.name, business_date=today,
            staff=(OWNER, *(member for member, _, _ in TEAM)), services=len(SERVICE_MENU),
            products=len(PRODUCTS), clients=len(people), appointments_past=len(past),
            appointments_today=len(booked_today), sales=sold["sales"], appointments_ahead=len(booked_ahead),
        )
        outcomes = Counter(v.status for v in past)
        by_status = Counter(row["status"] for row in penalty_rows)
        audit.record(session, actor=owner, action="demo.build", entity="location", entity_id=location.id,
                     location_id=location.id, after={
                         "seed": seed, "days": days, "clients": summary.clients,
                         "services": summary.services, "products": summary.products,
                         "appointments_past": summary.appointments_past,
                         "appointments_today": summary.appointments_today,
                         "appointments_ahead": summary.appointments_ahead,
                         "appointment_items": sum(len(v.services) for v in visits),
                         "no_shows": sum(no_shows.values()), "cancelled": outcomes["cancelled"],
                         "late_cancelled": outcomes["late_cancelled"],
                         "penalties": len(penalty_rows),
                         "penalties_no_show": sum(row["kind"] == "no_show" for row in penalty_rows),
                         "penalties_late_cancel": sum(row["kind"] == "late_cancel" for row in penalty_rows),
                         "penalties_pending": by_status["pending"], "penalties_paid": by_status["paid"],
                         "penalties_waived": by_status["waived"],
                         "penalty_cents": sum(row["amount_cents"] for row in penalty_rows),
                         "business_date": today, "taxes": policy.taxes, **sold, **counts,
                     })
        uow.commit()
    return summary
