"""The demo salon's money out and its closed days: an opening float every morning, the odd expense
from the drawer or the bank, cash taken to the safe, and every past day closed by the desk the way
`salon close-day` does it (the real Z-report, a count a few pesos off now and then, a note where the
policy asks for one). Today is open, with its float in the drawer.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlmodel import Session, select

from salon_cli.db.models import CashMovement, DayClose, Expense, Policy, Sale
from salon_cli.services.closing import zreport
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView

FLOAT_CENTS = 1_500_00
# (category, description, low, high in cents, paid from, chance a day)
EXPENSES = (("supplies", "Foils, gloves and cotton", 150_00, 600_00, "cash", 0.30),
            ("cleaning", "Cleaning products", 80_00, 300_00, "cash", 0.15),
            ("laundry", "Towels to the laundry", 120_00, 250_00, "cash", 0.20),
            ("coffee", "Coffee and water for clients", 60_00, 180_00, "cash", 0.20),
            ("maintenance", "Dryer repair", 400_00, 1_500_00, "card", 0.03),
            ("utilities", "Electricity and water", 1_800_00, 2_600_00, "bank", 0.04))
RENT = ("rent", "Rent of the premises", 28_000_00, "bank")
# how far off the count is, in cents: mostly exact, sometimes a few pesos, rarely more (with a note)
VARIANCES = (0,) * 14 + (-50, 100, -200, 500, -1_000, 2_000, -3_000)
BIG = (8_000, -12_000)  # once in a while, past the policy's threshold
NOTES = {8_000: "a client's tip counted in by mistake", -12_000: "change given twice to a walk-in; told the manager"}


def _at(day: date, hour: int, minute: int, tz: Any) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(timezone.utc)


def demo_close(session: Session, *, rng: random.Random, location: LocationView, today: date, days: int, now: datetime,
               desk: Actor, manager: Actor) -> dict[str, int]:
    tz = location.tz
    threshold = session.exec(select(Policy.variance_note_over_cents).where(Policy.location_id == location.id)).one()
    counts = {"expenses": 0, "cash_movements": 0, "days_closed": 0}
    trading = set(session.exec(select(Sale.business_date).where(Sale.location_id == location.id).distinct()).all())
    for offset in range(days, -1, -1):
        day = today - timedelta(days=offset)
        opening = _at(day, 9, 0, tz)
        if day != today and day not in trading:
            continue  # the salon did not open that day
        if day == today and opening > now:
            break
        session.add(CashMovement(location_id=location.id, business_date=day, kind="float", amount_cents=FLOAT_CENTS,
                                 reason="opening float", created_at=opening, created_by_id=desk.id))
        counts["cash_movements"] += 1
        if day.day == 1:
            category, text, cents, paid_from = RENT
            session.add(Expense(location_id=location.id, business_date=day, category=category, description=text,
                                amount_cents=cents, paid_from=paid_from, created_at=opening + timedelta(minutes=30),
                                created_by_id=manager.id))
            counts["expenses"] += 1
        for category, text, low, high, paid_from, chance in EXPENSES:
            at = opening + timedelta(minutes=rng.randrange(60, 540))
            if rng.random() < chance and (day < today or at <= now):
                session.add(Expense(location_id=location.id, business_date=day, category=category, description=text,
                                    amount_cents=rng.randrange(low, high, 10_00), paid_from=paid_from, created_at=at,
                                    created_by_id=desk.id))
                counts["expenses"] += 1
        if day == today:
            break
        session.flush()
        report = zreport.figures(session, location, day)
        extra = report["expected_cash_cents"] - FLOAT_CENTS
        if extra >= 2_000_00 and rng.random() < 0.5:  # the manager takes the takings to the safe
            session.add(CashMovement(location_id=location.id, business_date=day, kind="out",
                                     amount_cents=extra // 500_00 * 500_00, reason="to the safe",
                                     created_at=_at(day, 16, 0, tz), created_by_id=manager.id))
            counts["cash_movements"] += 1
            session.flush()
            report = zreport.figures(session, location, day)
        variance = rng.choice(BIG) if rng.random() < 0.04 else rng.choice(VARIANCES)
        counted = max(report["expected_cash_cents"] + variance, 0)
        variance = counted - report["expected_cash_cents"]
        note = NOTES.get(variance) or ("recounted twice; could not find it" if abs(variance) > threshold else None)
        closed_at = _at(day, 20, 15, tz)
        report.update(status="closed", revision=1, counted_cash_cents=counted, variance_cents=variance, note=note,
                      closed_at=closed_at.astimezone(tz).isoformat(), closed_by=desk.code)
        session.add(DayClose(location_id=location.id, business_date=day, revision=1, status="closed", snapshot=report,
                             expected_cash_cents=report["expected_cash_cents"], counted_cash_cents=counted,
                             variance_cents=variance, note=note, closed_at=closed_at, closed_by_id=desk.id))
        counts["days_closed"] += 1
    session.flush()
    return counts
