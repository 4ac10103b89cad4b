"""The book of one day as a grid: a column per stylist, a row per slot across the opening hours.

A read model for the dashboard's book (no writes). The columns are the staff who work that day (their
hours, `salon.hours`), anyone else with a live appointment that day, and those on time off (shaded,
with the reason). The rows run on the policy's slot (15 minutes by default) from the earliest opening
to the latest closing, widened to hold every appointment of the day; with no opening hours set, from
09:00 to 20:00. Each appointment is a block over the rows it covers, in its state's words
(`board.state_of`); cancelled ones free their slot and are left to the list view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.services.book import views as book
from salon_cli.services.book.board import state_of
from salon_cli.services.book.views import AppointmentView
from salon_cli.services.salon import hours
from salon_cli.services.salon.hours import Span
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row

DAY_START, DAY_END = time(9, 0), time(20, 0)  # the book's rows where no opening hours are set
GONE = ("cancelled", "late_cancelled")


@dataclass(frozen=True)
class GridColumn:
    code: str
    name: str
    spans: tuple[Span, ...]  # working hours (empty: not working: off, or no hours that day)
    off: str | None  # time off's reason


@dataclass(frozen=True)
class GridBlock:
    appointment: AppointmentView
    state: str
    column: int
    first_row: int
    rows: int


@dataclass(frozen=True)
class Grid:
    location: LocationView
    day: date
    today: date
    now: datetime
    slot_min: int
    start: datetime  # the first row's instant (aware, the location's zone)
    rows: int
    columns: tuple[GridColumn, ...]
    blocks: tuple[GridBlock, ...]
    opening: tuple[Span, ...]

    def at(self, row: int) -> datetime:
        """The instant a row starts."""
        return self.start + timedelta(minutes=self.slot_min * row)

    def row_of(self, instant: datetime) -> int:
        return int((instant - self.start).total_seconds() // 60) // self.slot_min

    def now_row(self) -> int | None:
        if self.day != self.today:
            return None
        row = self.row_of(self.now.astimezone(self.location.tz))
        return row if 0 <= row < self.rows else None

    def block_at(self, column: int, row: int) -> GridBlock | None:
        for block in self.blocks:
            if block.column == column and block.first_row <= row < block.first_row + block.rows:
                return block
        return None

    def working(self, column: int, row: int) -> bool:
        """Whether the column's stylist works the slot (an unworked slot is shaded)."""
        col = self.columns[column]
        if col.off:
            return False
        wall = self.at(row).timetz().replace(tzinfo=None)
        return any(span.start <= wall < span.end for span in col.spans)


def grid(session: Session, *, location: LocationView, day: date | None = None) -> Grid:
    now = clock.now()
    today = business_date(now, location.tz)
    day = day or today
    plan = hours.day_plan(session, location, day)
    slot = plan.slot_min or 15
    grace = timedelta(minutes=policy_row(session, location).no_show_grace_min)
    appts = [a for a in book.appointments(session, location=location, start=day) if a.status not in GONE]
    booked_staff = {a.staff for a in appts}
    columns = [GridColumn(code=s.code, name=s.name, spans=s.spans, off=s.off) for s in plan.staff
               if s.spans or s.off or s.code in booked_staff]
    known = {c.code for c in columns}
    for code in sorted(booked_staff - known):  # someone booked who is not on the plan (left, or not a stylist)
        name = next(a.staff_name for a in appts if a.staff == code)
        columns.append(GridColumn(code=code, name=name, spans=(), off=None))
    first, last = _bounds(plan.opening, [c.spans for c in columns])
    tz = location.tz
    start = datetime.combine(day, first, tzinfo=tz)
    end = datetime.combine(day, last, tzinfo=tz)
    for appt in appts:  # widen to hold every appointment of the day
        start = min(start, _floor(appt.starts_at.astimezone(tz), slot))
        end = max(end, appt.ends_at.astimezone(tz))
    rows = max(1, -(-int((end - start).total_seconds() // 60) // slot))
    index = {c.code: i for i, c in enumerate(columns)}
    blocks = []
    for appt in appts:
        begin = int((appt.starts_at.astimezone(tz) - start).total_seconds() // 60) // slot
        # every row it touches: 12:35-13:35 covers the rows of 12:30, 12:45, 13:00, 13:15 and 13:30
        covered = (appt.ends_at - (start + timedelta(minutes=begin * slot))).total_seconds() / 60
        span = max(1, -(-int(covered) // slot))
        blocks.append(GridBlock(appointment=appt, state=state_of(appt, now, grace), column=index[appt.staff],
                                first_row=begin, rows=min(span, rows - begin)))
    return Grid(location=location, day=day, today=today, now=now, slot_min=slot, start=start, rows=rows,
                columns=tuple(columns), blocks=tuple(_stacked(blocks)), opening=plan.opening)


def _bounds(opening: tuple[Span, ...], worked: list[tuple[Span, ...]]) -> tuple[time, time]:
    spans = list(opening) + [s for spans in worked for s in spans]
    if not spans:
        return DAY_START, DAY_END
    return min(s.start for s in spans), max(s.end for s in spans)


def _floor(instant: datetime, slot: int) -> datetime:
    minutes = instant.hour * 60 + instant.minute
    return instant.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(minutes=minutes - minutes % slot)


def _stacked(blocks: list[GridBlock]) -> list[GridBlock]:
    """Blocks of one column that overlap (a booking made with overlap allowed) are cut so that each row
    shows one of them: the earlier keeps its rows up to where the later begins."""
    out: list[GridBlock] = []
    for block in sorted(blocks, key=lambda b: (b.column, b.first_row, b.appointment.id)):
        if out and out[-1].column == block.column and out[-1].first_row + out[-1].rows > block.first_row:
            prev = out[-1]
            if block.first_row > prev.first_row:
                out[-1] = GridBlock(prev.appointment, prev.state, prev.column, prev.first_row,
                                    block.first_row - prev.first_row)
            else:  # same start: the later one takes the row after the earlier's first
                block = GridBlock(block.appointment, block.state, block.column, prev.first_row + 1,
                                  max(1, block.rows - 1))
                out[-1] = GridBlock(prev.appointment, prev.state, prev.column, prev.first_row, 1)
        out.append(block)
    return out
