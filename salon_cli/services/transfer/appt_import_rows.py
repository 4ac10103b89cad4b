"""One row of an appointments file on its own: the columns read, and each value checked and parsed.

`check_row` turns a source row into a `Row` (or names its faults); `appt_import` resolves what the
rows point at and writes them.

A row's status is its `status` cell, else the import's `status` (`--status`: a no-show report is
every row `no_show`; a cell that says otherwise is a fault), else what its time says: a past row was
a visit (`completed`), a future one is `booked`. A no-show or cancellation row (a report's) may leave
out its time, staff and service: `appt_reports` finds its booking by client and day.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import IO, Any

from salon_cli.core import clock
from salon_cli.core.date_formats import (detect_date_format, detect_datetime_format, detect_time_format, parse_date,
                                         parse_datetime, parse_time)
from salon_cli.core.days import business_date
from salon_cli.core.errors import InvalidInput
from salon_cli.core.money import detect_decimal_separator, parse_money_cell
from salon_cli.core.recurrence import resolve
from salon_cli.io.tabular import Fault, ImportRefused, SourceRow, read_csv
from salon_cli.services.book import views as book
from salon_cli.services.clients import profiles as client_service
from salon_cli.services.book.appointments import MAX_MINUTES
from salon_cli.services.salon.locations import LocationView

FIELDS = ("external_id", "client", "service", "staff", "date", "time", "status", "duration_min", "price", "note",
          "deposit", "created", "cancel_date", "cancelled_by")
# Columns of our own export, read so that an exported file imports as it is.
EXPORTED = ("starts_at", "ends_at", "client_id", "client_phone", "client_email", "services", "price_cents",
            "deposit_cents", "walk_in", "checked_in_at", "completed_at", "cancelled_at", "cancel_reason", "no_show_at", "created_at")
IGNORED = ("id", "series_id", "penalty_id", "penalty_status", "penalty_cents")
DEFAULT_DATE_FORMAT, DEFAULT_TIME_FORMAT = "%Y-%m-%d", "%H:%M"
_WORDS = {"booked": "booked", "confirmed": "booked", "scheduled": "booked", "checkedin": "checked_in",
          "arrived": "checked_in", "inservice": "in_service", "started": "in_service", "inprogress": "in_service",
          "done": "completed", "completed": "completed", "complete": "completed", "finished": "completed",
          "cancelled": "cancelled", "canceled": "cancelled", "latecancel": "late_cancelled",
          "latecancelled": "late_cancelled", "latecanceled": "late_cancelled", "noshow": "no_show"}
_FLAGS = {"true": True, "yes": True, "y": True, "1": True, "si": True, "sí": True, "x": True,
          "false": False, "no": False, "n": False, "0": False, "": False}
_STAMPS = ("checked_in_at", "completed_at", "cancelled_at", "no_show_at")
REPORTED = ("no_show", "cancelled", "late_cancelled")  # what a no-show or cancellation report says
PAST, FUTURE = "no status: past, taken as completed", "no status: future, taken as booked"


@dataclass(eq=False)
class Ref:
    """A service or staff member rows point at; `id` is None until a missing one is created."""

    id: int | None
    code: str
    name: str
    active: bool = True
    duration_min: int = 60
    price_cents: int = 0


@dataclass(eq=False)
class Row:
    number: int
    values: dict[str, str]
    status: str
    starts_at: datetime | None  # None: a report's row without a time, until its booking is found
    time_column: str
    duration: int | None
    price: int | None
    deposit: tuple[str, int]  # (column, cents)
    clients: list[tuple[str, str, Any]]  # ways to find the client: (column, kind, value), in order
    client_column: str
    service_refs: list[str]  # the cell's parts (split on '+' and ';'), tried when the whole is unknown
    service_column: str
    fields: dict[str, Any]  # stored as they are: external_id, note, cancel_reason, walk_in, stamps given
    day: date | None = None  # the business day of the row
    status_said: str = "column"  # column | option (--status) | past | future (no status: read off the time)
    service_cell: str = ""  # the service cell whole (`CUT+2`), matched first
    placed: str | None = None  # a report's row that found no booking: where it was put, and why
    client_id: int | None = None
    services: list[Ref] = field(default_factory=list)
    staff: Ref | None = None
    ends_at: datetime | None = None
    kept_id: int | None = None  # `keep_ids`: the file's id, and its penalty (id, status, cents)
    penalty: tuple[int, str, int] | None = None

    @property
    def external_id(self) -> str | None:
        return self.fields["external_id"]

    @property
    def reported(self) -> bool:
        """A no-show or cancellation the file (or --status) says, not one read off the time."""
        return self.status in REPORTED and self.status_said in ("column", "option")

    @property
    def by_day(self) -> bool:
        """A report's row that names no time, staff or service: its booking is found by client and day."""
        return self.reported and (self.starts_at is None or not self.values.get("staff", "").strip()
                                  or not self.service_cell)

    @property
    def status_note(self) -> str | None:
        """Why the row has its status, where the file did not say it (a future row: booked, as always)."""
        return PAST if self.status_said == "past" else None


def read(stream: IO[bytes], *, mapping: dict[str, str] | None = None, encoding: str = "utf-8-sig") -> list[SourceRow]:
    """The rows of the file; which columns it needs depends on the rows' statuses (`check_columns`)."""
    return read_csv(stream, fields=FIELDS + EXPORTED + IGNORED, mapping=mapping, encoding=encoding)


def check_columns(rows: Sequence[SourceRow], status: str | None, shape: Formats) -> None:
    """`ImportRefused` for the columns the file lacks: date always; time (unless the dates hold it),
    staff and service unless every row is a no-show or cancellation (a report, or `status`)."""
    if not rows:
        return
    have = set(rows[0].values)
    # `status` decides (a cell that disagrees is that row's fault); else every row's cell must say it
    report = status in REPORTED if status else all(_status_word(r.values.get("status", "")) in REPORTED for r in rows)
    report_may = " (a no-show or cancellation report may leave it out: --status no_show|cancelled)"
    needs = [("date", {"date", "starts_at"}, "")]
    if not report:
        needs += [("service", {"service", "services"}, ""), ("staff", {"staff"}, ""),
                  ("time", {"time", "starts_at"} | ({"date"} if shape.date_has_time else set()), report_may)]
    missing = [Fault(1, name, "required column is missing" + why) for name, alts, why in needs if not have & alts]
    if missing:
        raise ImportRefused(missing)


def check_status(value: str | None) -> str | None:
    """`--status`: one of our statuses or another system's word for one (None: none given)."""
    if value is None or not value.strip():
        return None
    try:
        return _status(value.strip())
    except InvalidInput as exc:
        raise InvalidInput(f"--{exc.message}") from None


def check_formats(date_format: str | None, time_format: str | None) -> None:
    """Given patterns must be strftime patterns (None: detected from the file)."""
    for option, pattern in (("--date-format", date_format), ("--time-format", time_format)):
        if pattern is not None and "%" not in pattern:
            raise InvalidInput(f"{option} {pattern!r} is not a strftime pattern", hint="e.g. %m/%d/%Y or '%I:%M %p'")


@dataclass(frozen=True)
class Formats:
    """How a file writes its dates and times: given, or read off the values."""

    date_pattern: str
    time_pattern: str
    date_has_time: bool = False  # the date column holds date and time ("11/21/2026 3:50 PM")
    decimal: str | None = None  # the money cells' decimal separator, where the file shows it

    def day_and_time(self, text: str) -> tuple[date, time | None]:
        if self.date_has_time:
            at = parse_datetime(text, self.date_pattern)
            return at.date(), at.time()
        return parse_date(text, self.date_pattern), None

    def time_of(self, text: str) -> time:
        try:
            return parse_time(text, self.time_pattern)
        except InvalidInput:
            if self.time_pattern != DEFAULT_TIME_FORMAT:
                raise
            return parse_time(text, "%H:%M:%S")  # 15:50 and 15:50:00 in one file


def formats(rows: Sequence[SourceRow], date_format: str | None, time_format: str | None,
            decimal: str | None = None, money: Sequence[str] = ("price", "deposit")) -> Formats:
    """The given patterns, else those the `date` and `time` columns show (`InvalidInput` when the
    values read two ways, e.g. every day is 12 or less: 03/04/2026); the given decimal separator,
    else the one the `money` columns show."""
    check_formats(date_format, time_format)
    decimal = check_decimal(decimal) or detect_decimal_separator(
        r.values.get(c, "") for r in rows for c in money if c in r.values)
    days = [r.values.get("date", "") for r in rows]
    times = [r.values.get("time", "") for r in rows]
    if date_format is not None:
        with_time = any(d in date_format for d in ("%H", "%I", "%M"))
        date_pattern = date_format
    else:
        found = detect_date_format(days)
        with_time = found is None and (found := detect_datetime_format(days)) is not None
        date_pattern = found or DEFAULT_DATE_FORMAT
    return Formats(date_pattern, time_format or detect_time_format(times) or DEFAULT_TIME_FORMAT, with_time, decimal)


def check_decimal(mark: str | None) -> str | None:
    if mark is not None and mark not in (".", ","):
        raise InvalidInput(f"--decimal-separator {mark!r} is not '.' or ','")
    return mark


def check_row(src: SourceRow, location: LocationView, formats: Formats, faults: list[Fault],
              status: str | None = None) -> Row | None:
    """The row checked and parsed, or None (its faults added). `status`: the import's `--status`
    (already checked), for every row whose cell is empty."""
    v, tz, currency, before = src.values, location.tz, location.currency, len(faults)

    spaced = {name: " ".join(value.split()) for name, value in v.items()}  # each cell's spaces folded once

    def text(name: str) -> str:
        return spaced.get(name, "")

    def check(column: str, fn: Callable[[str], Any], default: Any = None) -> Any:
        given = spaced.get(column, "")
        if not given:
            return default
        try:
            return fn(given)
        except InvalidInput as exc:
            faults.append(Fault(src.number, column, exc.message))
            return None

    def fault(column: str, problem: str) -> None:
        faults.append(Fault(src.number, column, problem))

    def need(column: str, fn: Callable[[str], Any]) -> Any:
        return check(column, fn) if text(column) else fault(column, f"{column} is empty")

    def money(column: str) -> Any:
        return check(column, lambda t: parse_money_cell(t, currency, what=column, decimal=formats.decimal) if "_" not in column else _whole(t, column))

    said = check("status", _status)
    if said is not None and status is not None and _kind(said) != _kind(status):
        fault("status", f"the file says {said}, --status says {status}")
        said = None  # the row read as --status says, for its other checks
    given = said or status
    reported = given in REPORTED  # a report's row may leave out its time, staff and service
    day: date | None = None
    if text("starts_at"):
        time_column, starts = "starts_at", check("starts_at", lambda t: _instant(t, tz, "starts_at"))
        day = business_date(starts, tz) if starts is not None else None
    else:
        day, at = need("date", formats.day_and_time) or (None, None)
        timed = text("time") or not formats.date_has_time
        if timed and (text("time") or not reported):
            at = need("time", formats.time_of)
        time_column = "time" if timed else "date"
        starts = resolve(datetime.combine(day, at), tz).at if day and at else None
    duration = check("duration_min", _minutes)
    if duration is None and text("ends_at") and starts is not None:
        ends = check("ends_at", lambda t: _instant(t, tz, "ends_at"))
        duration = ends and check("ends_at", lambda _: _minutes(str(int((ends - starts).total_seconds() // 60))))
    price = money("price") if text("price") else money("price_cents")
    deposit_column = "deposit_cents" if text("deposit_cents") and not text("deposit") else "deposit"
    deposit = money(deposit_column) or 0
    fields = {"external_id": check("external_id", lambda t: _limited(t, 64, "external id")),
              "note": check("note", lambda t: _limited(t, 500, "note")),
              "cancel_reason": check("cancel_reason", lambda t: _limited(t, 255, "cancel reason")),
              "cancelled_by": check("cancelled_by", lambda t: _limited(t, 120, "cancelled by")),
              "walk_in": check("walk_in", _flag, False),
              **{name: check(name, lambda t, n=name: _instant(t, tz, n)) for name in _STAMPS}}
    fields["cancelled_at"] = fields["cancelled_at"] or check("cancel_date", lambda t: _on(t, formats, tz, "cancel date"))
    fields["created"] = check("created_at", lambda t: _instant(t, tz, "created_at")) or check(
        "created", lambda t: _on(t, formats, tz, "created"))
    if fields["created"] is not None and fields["created"] > clock.now():
        fault("created" if text("created") else "created_at", "the booking's creation is in the future")
    clients, client_column = _client_tries(v, location, check)
    service_column = "services" if text("services") else "service"
    cell = text(service_column)
    refs = [r.strip() for r in re.split(r"[;+]", cell) if r.strip()]
    if not refs and not reported:
        fault("service", "no service given")
    if not text("staff") and not reported:
        fault("staff", "no staff member given")
    if reported and starts is None and not clients:
        fault(client_column, f"a {given.replace('_', '-')} without a time needs a client: its booking is found by "
                             "client and day")
    if len(faults) > before:
        return None
    said_by = ("column" if said else "option" if status else
               "past" if starts is not None and starts < clock.now() else "future")
    return Row(number=src.number, values=v, status=given or ("completed" if said_by == "past" else "booked"),
               starts_at=starts, time_column=time_column, duration=duration, price=price,
               deposit=(deposit_column, deposit), clients=clients, client_column=client_column, service_refs=refs,
               service_column=service_column, fields=fields, day=day, status_said=said_by, service_cell=cell)


def _kind(status: str) -> str:
    """A late cancel is a cancellation: `--status cancelled` takes a file's 'late cancel' rows."""
    return "cancelled" if status == "late_cancelled" else status


def _on(text: str, formats: Formats, tz: Any, what: str) -> datetime:
    """A date (its day's start on the location's clock), or date and time, as the file writes its
    dates; else ISO-8601."""
    patterns = [formats.date_pattern] + ([formats.date_pattern.split(" ")[0]] if formats.date_has_time else [])
    for pattern in patterns:
        try:
            at = parse_datetime(text, pattern, what=what)
        except InvalidInput:
            continue
        return resolve(at, tz).at
    try:
        return _instant(text, tz, what)
    except InvalidInput:
        raise InvalidInput(f"{what} {text!r} does not match the date format {formats.date_pattern}") from None


def _client_tries(v: dict[str, str], location: LocationView, check: Callable[..., Any]) -> tuple[list[tuple[str, str, Any]], str]:
    """The ways to find the row's client, in order: [(column, kind, value)], and the column to blame."""
    def phone(text: str) -> str | None:
        return client_service.check_phone(text, location)[0]

    given = [(column, kind, check(column, parse)) for column, kind, parse in (
        ("client_phone", "phone", phone), ("client_email", "email", client_service.check_email),
        ("client_id", "id", lambda t: _whole(t, "client id"))) if v.get(column, "").strip()]
    if given:
        return [g for g in given if g[2] is not None], given[0][0]
    raw = " ".join(v.get("client", "").split())
    if not raw:
        return [], "client"
    tries = [("client", "external_code", raw)] + ([("client", "id", int(raw))] if raw.isdigit() else [])
    looks_like = {"phone": sum(ch.isdigit() for ch in raw) >= 7, "email": "@" in raw}  # else no need to try
    for kind, parse in (("phone", phone), ("email", client_service.check_email)):
        try:
            value = parse(raw) if looks_like[kind] else None
        except InvalidInput:
            value = None
        tries += [("client", kind, value)] if value else []
    return tries, "client"


def _limited(value: str, most: int, what: str) -> str:
    if len(value) > most:
        raise InvalidInput(f"{what} is longer than {most} characters")
    return value


def _status_word(value: str) -> str | None:
    return _WORDS.get(re.sub(r"[\s_-]+", "", value.lower()))


def _status(value: str) -> str:
    found = _status_word(value)
    if found is None:
        raise InvalidInput(f"status {value!r} is not one of {', '.join(book.STATUSES)} "
                           "(or confirmed, arrived, done, canceled, no-show, late cancel)")
    return found


def _instant(value: str, tz: Any, what: str) -> datetime:
    """ISO-8601; with an offset it is that instant, without one a wall time on the location's clock."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{what} {value!r} is not an ISO-8601 time such as 2026-11-21T10:00:00-06:00") from None
    return resolve(parsed, tz).at if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def _whole(value: str, what: str) -> int:
    if not value.lstrip("-").isdigit():
        raise InvalidInput(f"{what} {value!r} is not a whole number")
    if value.startswith("-"):
        raise InvalidInput(f"{what} {value} must not be negative")
    return int(value)


def _minutes(value: str) -> int:
    minutes = int(value) if value.lstrip("-").isdigit() else _whole(value, "duration")
    if not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"length {minutes} minutes is not between 1 and {MAX_MINUTES}")
    return minutes


def _flag(value: str) -> bool:
    if value.lower() not in _FLAGS:
        raise InvalidInput(f"walk_in {value!r} is not yes or no (true/false, 1/0)")
    return _FLAGS[value.lower()]


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()
