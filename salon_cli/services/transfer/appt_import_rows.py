"""One row of an appointments file on its own: the columns read, and each value checked and parsed.

`check_row` turns a source row into a `Row` (or names its faults); `appt_import` resolves what the
rows point at and writes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import IO, Any

from salon_cli.core.date_formats import (detect_date_format, detect_datetime_format, detect_time_format, parse_date,
                                         parse_datetime, parse_time)
from salon_cli.core.errors import InvalidInput
from salon_cli.core.money import detect_decimal_separator, parse_money_cell
from salon_cli.core.recurrence import resolve
from salon_cli.io.tabular import Fault, ImportRefused, SourceRow, read_csv
from salon_cli.services.book import views as book
from salon_cli.services.clients import profiles as client_service
from salon_cli.services.book.appointments import MAX_MINUTES
from salon_cli.services.salon.locations import LocationView

FIELDS = ("external_id", "client", "service", "staff", "date", "time", "status", "duration_min", "price", "note",
          "deposit")
# Columns of our own export, read so that an exported file imports as it is.
EXPORTED = ("starts_at", "ends_at", "client_id", "client_phone", "client_email", "services", "price_cents",
            "deposit_cents", "walk_in", "checked_in_at", "completed_at", "cancelled_at", "cancel_reason", "no_show_at")
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
    starts_at: datetime
    time_column: str
    duration: int | None
    price: int | None
    deposit: tuple[str, int]  # (column, cents)
    clients: list[tuple[str, str, Any]]  # ways to find the client: (column, kind, value), in order
    client_column: str
    service_refs: list[str]
    service_column: str
    fields: dict[str, Any]  # stored as they are: external_id, note, cancel_reason, walk_in, stamps given
    client_id: int | None = None
    services: list[Ref] = field(default_factory=list)
    staff: Ref | None = None
    ends_at: datetime | None = None
    kept_id: int | None = None  # `keep_ids`: the file's id, and its penalty (id, status, cents)
    penalty: tuple[int, str, int] | None = None

    @property
    def external_id(self) -> str | None:
        return self.fields["external_id"]


def read(stream: IO[bytes], *, mapping: dict[str, str] | None = None, encoding: str = "utf-8-sig") -> list[SourceRow]:
    rows = read_csv(stream, fields=FIELDS + EXPORTED + IGNORED, required=("staff",), mapping=mapping, encoding=encoding)
    have = set(rows[0].values) if rows else set()
    missing = [Fault(1, name, "required column is missing") for name, alts in (
        ("service", {"service", "services"}), ("date", {"date", "starts_at"}), ("time", {"time", "starts_at"}))
        if rows and not have & alts]
    if missing:
        raise ImportRefused(missing)
    return rows


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


def check_row(src: SourceRow, location: LocationView, formats: Formats, faults: list[Fault]) -> Row | None:
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

    status = check("status", _status, "booked")
    if text("starts_at"):
        time_column, starts = "starts_at", check("starts_at", lambda t: _instant(t, tz, "starts_at"))
    else:
        day, at = need("date", formats.day_and_time) or (None, None)
        at = need("time", formats.time_of) if text("time") or not formats.date_has_time else at
        time_column = "time" if text("time") or not formats.date_has_time else "date"
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
              "walk_in": check("walk_in", _flag, False),
              **{name: check(name, lambda t, n=name: _instant(t, tz, n)) for name in _STAMPS}}
    clients, client_column = _client_tries(v, location, check)
    service_column = "services" if text("services") else "service"
    refs = [r.strip() for r in re.split(r"[;+]", v.get(service_column, "")) if r.strip()]
    if not refs:
        fault("service", "no service given")
    if not text("staff"):
        fault("staff", "no staff member given")
    if len(faults) > before:
        return None
    return Row(number=src.number, values=v, status=status, starts_at=starts, time_column=time_column,
               duration=duration, price=price, deposit=(deposit_column, deposit),
               clients=clients, client_column=client_column, service_refs=refs, service_column=service_column,
               fields=fields)


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


def _status(value: str) -> str:
    found = _WORDS.get(re.sub(r"[\s_-]+", "", value.lower()))
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
