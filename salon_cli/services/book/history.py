"""An appointment's states over time, in desk words, from the audit log (oldest first).

Every change of an appointment writes its audit row in the same transaction (`services.salon.audit`),
so the log is the appointment's story: booked, checked in, started, completed, cancelled, no-show,
reinstated, moved. Rows that are not a change of state (the deposit asked, an import's file row) are
left out. `at` is the business instant of the change (the clock override's, where one was in force).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from salon_cli.core.errors import NotFound
from salon_cli.db.models import Appointment, AuditLog, Location, Staff

_WORDS = {
    "appointment.book": "booked",
    "appointment.import": "booked",
    "appointment.walk_in": "checked in",
    "appointment.check_in": "checked in",
    "appointment.start": "started",
    "appointment.complete": "completed",
    "appointment.cancel": "cancelled",
    "appointment.late_cancel": "cancelled",
    "appointment.no_show": "no-show",
    "appointment.reinstate": "reinstated",
    "appointment.undo_check_in": "check-in undone",
    "appointment.move": "moved",
}
_STATUS_WORDS = {"booked": "booked", "checked_in": "checked in", "in_service": "started", "completed": "completed",
                 "cancelled": "cancelled", "late_cancelled": "cancelled", "no_show": "no-show"}
_SKIPPED = frozenset({"appointment.deposit_ask", "appointment.import_file"})


@dataclass(frozen=True)
class StateChange:
    at: datetime
    action: str  # desk words: booked, checked in, started, completed, cancelled, no-show, reinstated, moved to ...
    actor: str | None  # staff code, or "system" (the no-show job)
    detail: str | None


def _detail(row: AuditLog, tz: ZoneInfo, staff: dict[int, str]) -> tuple[str, str | None]:
    words = _WORDS.get(row.action, row.action.removeprefix("appointment.").replace("_", " "))
    before: dict[str, Any] = row.before or {}
    after: dict[str, Any] = row.after or {}
    if row.action == "appointment.move":
        starts = after.get("starts_at")
        when = datetime.fromisoformat(starts).astimezone(tz).strftime("%Y-%m-%d %H:%M") if starts else "?"
        moved = f"moved to {when}"
        if after.get("staff_id") is not None and after.get("staff_id") != before.get("staff_id"):
            moved += f" with {staff.get(after['staff_id'], after['staff_id'])}"
        return moved, None
    if row.action == "appointment.walk_in":
        return words, "walk-in"
    if row.action == "appointment.import":
        status = after.get("status")
        return _STATUS_WORDS.get(status or "booked", str(status)), "imported"
    if row.action in ("appointment.cancel", "appointment.late_cancel"):
        parts = ["late: inside the policy's window"] if row.action == "appointment.late_cancel" else []
        parts += ["by the salon"] if after.get("cancelled_by_salon") else []
        parts += [after["cancel_reason"]] if after.get("cancel_reason") else []
        return words, "; ".join(parts) or None
    if row.action == "appointment.no_show":
        parts = ["marked by detect-no-shows"] if row.actor == "system" else []
        parts += [f"penalty {after['penalty_id']}"] if after.get("penalty_id") else []
        return words, ", ".join(parts) or None
    if row.action == "appointment.reinstate":
        back = "checked in" if after.get("status") == "checked_in" else "booked"
        return words, f"back to {back}: {after.get('reason') or ''}".rstrip(": ")
    return words, None


def history(session: Session, appointment_id: int) -> list[StateChange]:
    """The appointment's changes of state, oldest first (NotFound for an appointment that never was)."""
    appt = session.get(Appointment, appointment_id)
    if appt is None:
        raise NotFound(f"no appointment {appointment_id}", hint="see: salon appt list")
    place = session.get(Location, appt.location_id)
    tz = ZoneInfo(place.timezone) if place is not None else ZoneInfo("UTC")
    rows = [r for r in session.exec(select(AuditLog).where(
        AuditLog.entity == "appointment", AuditLog.entity_id == appointment_id).order_by(col(AuditLog.id)))
        if r.action not in _SKIPPED]
    ids = {r.after["staff_id"] for r in rows if r.action == "appointment.move" and (r.after or {}).get("staff_id")}
    staff = dict(session.exec(select(col(Staff.id), col(Staff.code)).where(col(Staff.id).in_(sorted(ids)))).all()) \
        if ids else {}
    changes = []
    for row in rows:
        action, detail = _detail(row, tz, staff)
        changes.append(StateChange(at=row.business_at or row.at, action=action, actor=row.actor or None,
                                   detail=detail))
    return changes
