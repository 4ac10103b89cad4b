"""Working hours: a location's opening hours, each staff member's hours, and the day they make.

Hours are ranges of minutes of the day on the location's clock, by weekday (0 Monday .. 6 Sunday);
several ranges a day are allowed (a lunch break, a split shift). The rules:

- a location with no opening hours at all is open at any time: the book refuses nothing for hours
  (every database from before hours existed books as it did); slot suggestions then use `DEFAULT_DAY`;
- a staff member with no hours of their own works the opening hours; one with hours of their own works
  only those (a weekday without a range is a day they do not work);
- time off (`salon.time_off`) takes the whole day away.

`day_plan` is the read model of the dashboard's book; `working_spans` and `staff_rule` are what the
booking check and the slot suggestions read. Setting hours needs a manager and is audited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission
from salon_cli.db.models import OpeningHours, Staff, StaffHours, TimeOff
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row
from salon_cli.services.salon.staff import find

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CLOSED_WORDS = frozenset({"off", "closed", "none", "-"})
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
APPOINTMENT_ROLES = ("stylist",)  # owners and managers take appointments when they have hours of their own


@dataclass(frozen=True)
class Span:  # local wall-clock, start < end
    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


DEFAULT_DAY = Span(time(9, 0), time(20, 0))  # the day slot suggestions use where no hours are set


@dataclass(frozen=True)
class StaffDay:
    staff_id: int
    code: str
    name: str
    role: str
    spans: tuple[Span, ...]  # their working hours that day (empty: not working that day)
    off: str | None  # the reason when on time off that day (e.g. "holiday"), else None; spans then empty
    hours_set: bool  # False: no hours of their own -> they work the opening hours


@dataclass(frozen=True)
class DayPlan:
    day: date
    opening: tuple[Span, ...]  # the location's opening hours that day (empty: closed)
    opening_set: bool  # False: the location has no opening hours set at all
    slot_min: int  # the policy's slot
    staff: tuple[StaffDay, ...]  # active staff of the location who take appointments, by code


@dataclass(frozen=True)
class StaffRule:
    """What the book checks for one staff member on one day: `spans` is None where nothing restricts
    the time (no hours of their own, none for the location); `off` the reason of their time off."""

    spans: tuple[Span, ...] | None
    off: str | None


@dataclass(frozen=True)
class WeekdayHours:
    """One weekday's hours, for `salon hours show` and `salon staff hours`. `source`: `own` (the staff
    member's), `opening` (the location's), `any` (nothing set: no limit)."""

    weekday: str
    hours: str  # "09:00-14:00, 15:00-19:00", "closed" (a location), "off" (a staff member), or "any"
    ranges: list[dict[str, str]]
    source: str
    staff: str | None = None


# ----------------------------------------------------------------------------- parsing and words

def _span(start_min: int, end_min: int) -> Span:
    return Span(time(start_min // 60, start_min % 60), time.max if end_min >= 1440 else time(end_min // 60, end_min % 60))


def minutes(at: time) -> int:
    return 1440 if at == time.max else at.hour * 60 + at.minute


def spans_text(spans: Sequence[Span]) -> str:
    return ", ".join(f"{s.start:%H:%M}-{'24:00' if s.end == time.max else f'{s.end:%H:%M}'}" for s in spans)


def weekday_of(text: str) -> int:
    key = text.strip().lower()[:3]
    if key not in WEEKDAYS or not DAY_NAMES[WEEKDAYS.index(key)].lower().startswith(text.strip().lower()):
        raise InvalidInput(f"{text!r} is not a day of the week", hint="mon, tue, wed, thu, fri, sat or sun")
    return WEEKDAYS.index(key)


def parse_ranges(text: str, *, day: str) -> list[tuple[int, int]]:
    """`09:00-14:00,15:00-19:00` as minutes of the day, in order; `off`/`closed` is no range.
    A malformed, reversed or overlapping range is refused naming the day (`--tue`)."""
    raw = text.strip().lower()
    if raw in CLOSED_WORDS:
        return []
    ranges = []
    for part in raw.split(","):
        found = _RANGE.match(part.strip())
        if not found:
            raise InvalidInput(f"--{day} {text!r}: {part.strip()!r} is not HH:MM-HH:MM",
                               hint=f"e.g. --{day} 09:00-14:00,15:00-19:00 or --{day} off")
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise InvalidInput(f"--{day} {text!r}: {part.strip()} is not a time of day",
                               hint="hours 00 to 23 (24:00 ends the day), minutes 00 to 59")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if start >= end:
            raise InvalidInput(f"--{day} {text!r}: {part.strip()} ends before it starts",
                               hint="a range that runs past midnight is not supported: end it at 24:00")
        ranges.append((start, end))
    ranges.sort()
    for (s1, e1), (s2, e2) in zip(ranges, ranges[1:]):
        if s2 < e1:
            raise InvalidInput(f"--{day} {text!r}: {spans_text([_span(s1, e1)])} and {spans_text([_span(s2, e2)])} overlap")
    return ranges


def _parse_week(days: Mapping[str, str | None], closed: Sequence[str] = ()) -> dict[int, list[tuple[int, int]]]:
    """The weekdays given (`{"mon": "09:00-19:00"}`; None: not given) and those named closed."""
    week: dict[int, list[tuple[int, int]]] = {}
    for key, text in days.items():
        if text is not None:
            week[weekday_of(key)] = parse_ranges(text, day=WEEKDAYS[weekday_of(key)])
    for item in closed:
        for name in item.split(","):
            if name.strip():
                wd = weekday_of(name)
                if week.get(wd):
                    raise InvalidInput(f"{WEEKDAYS[wd]} is given hours and named closed")
                week[wd] = []
    return week


# ----------------------------------------------------------------------------- reading

def _ranges(rows: Sequence[Any]) -> dict[int, tuple[Span, ...]]:
    week: dict[int, list[Span]] = {}
    for r in sorted(rows, key=lambda r: (r.weekday, r.start_min)):
        week.setdefault(r.weekday, []).append(_span(r.start_min, r.end_min))
    return {wd: tuple(spans) for wd, spans in week.items()}


def opening_week(session: Session, location: LocationView) -> dict[int, tuple[Span, ...]] | None:
    """The location's opening hours by weekday (a weekday missing: closed); None when none are set."""
    rows = session.exec(select(OpeningHours).where(OpeningHours.location_id == location.id)).all()
    return _ranges(rows) if rows else None


def staff_week(session: Session, staff_id: int) -> dict[int, tuple[Span, ...]] | None:
    rows = session.exec(select(StaffHours).where(StaffHours.staff_id == staff_id)).all()
    return _ranges(rows) if rows else None


def off_reason(session: Session, staff_id: int, day: date) -> str | None:
    row = session.exec(select(TimeOff).where(TimeOff.staff_id == staff_id, col(TimeOff.first_day) <= day,
                                             col(TimeOff.last_day) >= day).order_by(col(TimeOff.id))).first()
    return row.reason if row else None


def staff_rule(session: Session, location: LocationView, staff_id: int, day: date) -> StaffRule:
    off = off_reason(session, staff_id, day)
    if off is not None:
        return StaffRule((), off)
    own = staff_week(session, staff_id)
    if own is not None:
        return StaffRule(own.get(day.weekday(), ()), None)
    opening = opening_week(session, location)
    return StaffRule(None if opening is None else opening.get(day.weekday(), ()), None)


def working_spans(session: Session, location: LocationView, staff_id: int, day: date) -> tuple[Span, ...]:
    """The staff member's working hours that day (empty: not working); `DEFAULT_DAY` where none are set."""
    rule = staff_rule(session, location, staff_id, day)
    return (DEFAULT_DAY,) if rule.spans is None else rule.spans


def takes_appointments(member: Staff | Any, location: LocationView, has_hours: bool) -> bool:
    return (member.active and member.location_id in (None, location.id)
            and (member.role in APPOINTMENT_ROLES or member.role in ("owner", "manager") and has_hours))


def day_plan(session: Session, location: LocationView, day: date) -> DayPlan:
    """The location's day: its opening hours, its slot, and each staff member who takes appointments."""
    opening = opening_week(session, location)
    opening_today = () if opening is None else opening.get(day.weekday(), ())
    with_hours = set(session.exec(select(StaffHours.staff_id).distinct()).all())
    offs = {r.staff_id: r.reason for r in session.exec(
        select(TimeOff).where(col(TimeOff.first_day) <= day, col(TimeOff.last_day) >= day)
        .order_by(col(TimeOff.id).desc()))}
    members = session.exec(select(Staff).where(col(Staff.active)).order_by(col(Staff.code))).all()
    people = []
    for m in members:
        sid = m.id or 0
        if not takes_appointments(m, location, sid in with_hours):
            continue
        if sid in offs:
            spans: tuple[Span, ...] = ()
        elif sid in with_hours:
            spans = (staff_week(session, sid) or {}).get(day.weekday(), ())
        else:
            spans = (DEFAULT_DAY,) if opening is None else opening_today
        people.append(StaffDay(staff_id=sid, code=m.code, name=m.name, role=m.role, spans=spans,
                               off=offs.get(sid), hours_set=sid in with_hours))
    return DayPlan(day=day, opening=opening_today, opening_set=opening is not None,
                   slot_min=policy_row(session, location).slot_min, staff=tuple(people))


def _week_view(week: dict[int, tuple[Span, ...]] | None, *, source: str, closed: str,
               staff: str | None = None) -> list[WeekdayHours]:
    out = []
    for wd, key in enumerate(WEEKDAYS):
        spans = None if week is None else week.get(wd, ())
        out.append(WeekdayHours(
            weekday=key, hours="any" if spans is None else (spans_text(spans) or closed),
            ranges=[{"start": f"{s.start:%H:%M}", "end": spans_text([s]).split("-")[1]} for s in spans or ()],
            source="any" if spans is None else source, staff=staff))
    return out


def show_opening(session: Session, location: LocationView) -> list[WeekdayHours]:
    return _week_view(opening_week(session, location), source="opening", closed="closed")


def show_staff_hours(session: Session, location: LocationView, who: str) -> list[WeekdayHours]:
    member = find(session, who)
    own = staff_week(session, member.id or 0)
    if own is not None:
        return _week_view(own, source="own", closed="off", staff=member.code)
    return _week_view(opening_week(session, location), source="opening", closed="off", staff=member.code)


# ----------------------------------------------------------------------------- setting

def _rows_of(week: dict[int, tuple[Span, ...]] | None) -> dict[str, str]:
    return {WEEKDAYS[wd]: spans_text(spans) or "closed" for wd, spans in sorted((week or {}).items())}


def set_opening(session: Session, *, actor: Actor, location: LocationView, days: Mapping[str, str | None],
                closed: Sequence[str] = (), clear: bool = False) -> list[WeekdayHours]:
    """Set some weekdays' opening hours (a weekday not given keeps its hours; with none set before, it
    is closed); `closed` names closed days; `clear` forgets them all (open at any time again)."""
    authorize(actor, Permission.policy_manage)
    week = _parse_week(days, closed)
    if not week and not clear:
        raise InvalidInput("no hours given", hint="e.g. salon hours set --mon 09:00-19:00 ... --closed sun")
    before = opening_week(session, location)
    if clear:
        session.execute(sa.delete(OpeningHours).where(col(OpeningHours.location_id) == location.id))
    for wd, ranges in week.items():
        session.execute(sa.delete(OpeningHours).where(col(OpeningHours.location_id) == location.id,
                                                col(OpeningHours.weekday) == wd))
        session.add_all([OpeningHours(location_id=location.id, weekday=wd, start_min=s, end_min=e) for s, e in ranges])
    if not clear and not any(week.values()) and before is None:
        raise InvalidInput("every day given is closed", hint="give at least one day's hours")
    session.flush()
    after = opening_week(session, location)
    audit.record(session, actor=actor, action="hours.set", entity="location", entity_id=location.id,
                 location_id=location.id, before={"opening_hours": _rows_of(before)},
                 after={"opening_hours": _rows_of(after)})
    return show_opening(session, location)


def set_staff_hours(session: Session, *, actor: Actor, location: LocationView, who: str,
                    days: Mapping[str, str | None], clear: bool = False) -> list[WeekdayHours]:
    """Set some weekdays of a staff member's hours (`off`: not working that day; a weekday not given
    keeps its value, and with no hours of their own before, is off); `clear` forgets their hours (they
    work the opening hours again)."""
    authorize(actor, Permission.staff_manage)
    member = find(session, who, lock=True)
    week = _parse_week(days)
    if not week and not clear:
        raise InvalidInput("no hours given", hint="e.g. salon staff hours ana --mon 09:00-14:00,15:00-19:00 --sun off")
    sid = member.id or 0
    before = staff_week(session, sid)
    if clear:
        session.execute(sa.delete(StaffHours).where(col(StaffHours.staff_id) == sid))
    for wd, ranges in week.items():
        session.execute(sa.delete(StaffHours).where(col(StaffHours.staff_id) == sid,
                                              col(StaffHours.weekday) == wd))
        session.add_all([StaffHours(staff_id=sid, weekday=wd, start_min=s, end_min=e) for s, e in ranges])
    session.flush()
    after = staff_week(session, sid)
    if week and after is None:
        raise InvalidInput(f"{member.code} would work no day at all",
                           hint="give a day's hours, or --clear to have them work the opening hours")
    audit.record(session, actor=actor, action="staff.hours", entity="staff", entity_id=sid, location_id=location.id,
                 before={"hours": _rows_of(before)}, after={"hours": _rows_of(after)})
    return show_staff_hours(session, location, member.code)
