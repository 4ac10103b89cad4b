"""The demo salon's past: every past day's book as if everybody came, then who did not -- no-shows
and cancellations, ahead of the late-cancel window or late -- and the penalties they left, still
pending, paid at the desk or waived by the owner.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from salon_cli.db.models import Appointment, Policy
from salon_cli.services.book.penalties import policy_fee, reason_for
from salon_cli.services.demo.visits import BUSY_GAPS, QUIET_GAPS, Audience, ClientPicker, Visit, fill, hours
from salon_cli.services.salon.catalog import ServiceView
from salon_cli.services.salon.locations import LocationView

CLOSED_WEEKDAYS = frozenset({6})  # Sunday; today's book is built whatever the day, for the newcomer
QUIET_WEEKDAYS = frozenset({0, 1})  # Monday, Tuesday

# Outcomes of past bookings, as shares of all past appointments (walk-ins included).
NO_SHOW_RATE = 0.06
CANCEL_RATE = 0.075
EARLY_CANCEL_SHARE = 0.45  # of cancellations: made before the policy's late-cancel window
SALON_CANCEL_SHARE = 0.2  # of those inside the window: the salon cancelled (no penalty)
CANCEL_REASONS = ("cambio de planes", "enfermedad", "viaje de trabajo", "se le complicó el trabajo",
                  "problema con el transporte", "reagenda por WhatsApp")
SALON_CANCEL_REASONS = ("la estilista se reportó enferma", "corte de luz en el local")
# Penalties: shares settled by now (the rest still pending); paid only once a day or two has passed.
PENALTY_PAID_SHARE = 0.3
PENALTY_WAIVED_SHARE = 0.1
PAID_METHODS = ("cash", "card", "card")  # at the desk: cash, or the outside card terminal
WAIVE_REASONS = ("llamó con emergencia familiar", "primera vez, se le explicó la política")


def past_book(rng: random.Random, today: date, days: int, tz: ZoneInfo,
              menu: dict[str, list[tuple[str, int]]], audience: Audience) -> list[Visit]:
    """Every past day's book, as if everybody came (`mark_outcomes` then decides who did not)."""
    visits = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() in CLOSED_WEEKDAYS:
            continue
        opening, closing = hours(day, tz)
        gaps = QUIET_GAPS if day.weekday() in QUIET_WEEKDAYS else BUSY_GAPS
        clients = ClientPicker(rng, audience)
        for code, services in menu.items():
            for start, end, booked in fill(rng, opening, closing, services, gaps):
                visits.append(_past_visit(rng, code, booked, start, end, clients))
    return visits


def _past_visit(rng: random.Random, staff_code: str, services: tuple[str, ...], start: datetime, end: datetime,
                clients: ClientPicker) -> Visit:
    minutes = timedelta(minutes=1)
    if rng.random() < 0.05:  # a walk-in, sometimes never asked for a name
        client = clients.pick(services) if rng.random() < 0.5 else None
        return Visit(staff_code, services, start, end, "completed", client, created_at=start, walk_in=True,
                     checked_in_at=start, completed_at=end + rng.randint(0, 10) * minutes)
    return Visit(staff_code, services, start, end, "completed", clients.pick(services),
                 created_at=start - timedelta(days=rng.randint(2, 21), minutes=rng.randint(0, 600)),
                 checked_in_at=start - rng.randint(-8, 12) * minutes,  # early, or a little late
                 completed_at=end + rng.randint(-5, 10) * minutes)


def mark_outcomes(rng: random.Random, visits: Sequence[Visit], *, grace: timedelta, late_window: timedelta) -> None:
    """Turn some booked (not walk-in) past visits into no-shows and cancellations, at the demo's rates
    (`NO_SHOW_RATE`, `CANCEL_RATE` of all past visits; exact counts, so even a short history has them).

    A no-show is marked at start + grace, as detection would. A cancellation before the late-cancel
    window is `cancelled`; one inside it is `late_cancelled` (the client's, penalised) or, now and
    then, `cancelled` by the salon. Every cancellation says why and comes after the booking was made.
    """
    booked = [v for v in visits if not v.walk_in]
    no_shows = min(len(booked), round(len(visits) * NO_SHOW_RATE))
    cancels = min(len(booked) - no_shows, round(len(visits) * CANCEL_RATE))
    chosen = rng.sample(booked, no_shows + cancels)
    window_min = max(1, int(late_window.total_seconds() // 60))
    for v in chosen[:no_shows]:
        v.status, v.checked_in_at, v.completed_at, v.no_show_at = "no_show", None, None, v.starts_at + grace
    for v in chosen[no_shows:]:
        v.checked_in_at = v.completed_at = None
        roll = rng.random()
        latest_early = v.starts_at - late_window - timedelta(minutes=1)  # the last moment before the window
        if roll < EARLY_CANCEL_SHARE and latest_early > v.created_at + timedelta(minutes=1):
            room = int((latest_early - v.created_at).total_seconds() // 60)
            v.status, v.cancel_reason = "cancelled", rng.choice(CANCEL_REASONS)
            v.cancelled_at = latest_early - timedelta(minutes=rng.randint(0, min(room - 1, 3 * 24 * 60)))
            continue
        ahead = timedelta(minutes=rng.randint(min(30, window_min), window_min))
        v.cancelled_at = max(v.starts_at - ahead, v.created_at + timedelta(minutes=1))
        if rng.random() < SALON_CANCEL_SHARE:
            v.status, v.cancelled_by_salon, v.cancel_reason = "cancelled", True, rng.choice(SALON_CANCEL_REASONS)
        else:
            v.status, v.cancel_reason = "late_cancelled", rng.choice(CANCEL_REASONS)


def make_penalties(rng: random.Random, appointments: Sequence[Appointment], visits: Sequence[Visit], policy: Policy,
                   services: dict[str, ServiceView], location: LocationView, *, now: datetime, desk_id: int | None,
                   owner_id: int) -> list[dict[str, Any]]:
    """The penalty rows of the past no-shows (made by detection: no staff member) and late cancellations
    (made at the desk), at the policy's fee; none when the fee is zero or nobody is on file.

    Most are still pending; a share was paid at the desk a day or two later (those old enough), a few
    were waived by the owner with a reason."""
    made: list[tuple[datetime, dict[str, Any]]] = []
    for appt, v in zip(appointments, visits, strict=True):
        if v.status not in ("no_show", "late_cancelled") or appt.client_id is None:
            continue
        kind = "no_show" if v.status == "no_show" else "late_cancel"
        amount = policy_fee(policy, kind, appt.price_cents)
        created = v.no_show_at if kind == "no_show" else v.cancelled_at
        if amount <= 0 or created is None:
            continue
        made.append((created, {
            "location_id": appt.location_id, "appointment_id": appt.id, "client_id": appt.client_id, "kind": kind,
            "amount_cents": amount, "status": "pending", "created_at": created,
            "created_by_id": None if kind == "no_show" else desk_id,
            "reason": reason_for(kind, services[v.services[0]].name, v.starts_at, location),
            "waived_at": None, "waived_by_id": None, "waive_reason": None,
            "paid_at": None, "paid_method": None, "paid_by_id": None, "updated_at": created,
        }))
    order = rng.sample(made, len(made))
    waived = round(len(made) * PENALTY_WAIVED_SHARE)
    paid = round(len(made) * PENALTY_PAID_SHARE)
    for created, row in order[:waived]:
        at = min(now, created + timedelta(hours=rng.randint(1, 30)))
        row.update(status="waived", waived_at=at, waived_by_id=owner_id, waive_reason=rng.choice(WAIVE_REASONS),
                   updated_at=at)
    for created, row in order[waived:]:
        if paid <= 0:
            break
        at = created + timedelta(hours=rng.randint(20, 52), minutes=rng.randint(0, 59))
        if at <= now:  # else too recent to have been paid: still pending
            row.update(status="paid", paid_at=at, paid_method=rng.choice(PAID_METHODS), paid_by_id=desk_id,
                       updated_at=at)
            paid -= 1
    return [row for _, row in made]
