"""Staff: who works here, their roles and PINs, and proving who is at the keyboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.codes import check_code
from salon_cli.core.errors import Conflict, InvalidInput, NotFound, NotPermitted, RuleViolation
from salon_cli.core.permissions import Permission, Role, may_grant, needs_pin
from salon_cli.core.pins import check_pin_format, hash_pin, verify_pin
from salon_cli.db.models import Location, Policy, Staff
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import SYSTEM, Actor, system_run_by
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

RESERVED_CODES = frozenset({"system", "desk"})
# Compared against when the code is unknown, so a wrong code costs the same time as a wrong PIN.
_DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


@dataclass(frozen=True)
class StaffView:
    id: int
    code: str
    name: str
    role: str
    active: bool
    location_id: int | None
    commission_bp: int
    locked_until: datetime | None

    @classmethod
    def of(cls, row: Staff) -> StaffView:
        return cls(
            id=row.id or 0, code=row.code, name=row.name, role=row.role, active=row.active,
            location_id=row.location_id, commission_bp=row.commission_bp, locked_until=row.locked_until,
        )


def _role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise InvalidInput(
            f"role {text!r} is not one of {', '.join(r.value for r in Role)}"
        ) from None


def find(session: Session, who: str | int, *, lock: bool = False) -> Staff:
    """A staff member by code or id."""
    text = str(who).strip()
    query = select(Staff).where(Staff.id == int(text)) if text.isdigit() else select(Staff).where(Staff.code == text.lower())
    if lock:
        query = query.with_for_update()
    row = session.exec(query).first()
    if row is None:
        raise NotFound(f"no staff member {text!r}", hint="see: salon staff list")
    return row


def _policy(session: Session, location: LocationView) -> Policy:
    policy = session.exec(select(Policy).where(Policy.location_id == location.id)).first()
    if policy is None:  # every location is created with one; a missing row is a broken database
        raise RuleViolation(f"location {location.code} has no policy row")
    return policy


def identify(
    uow: UnitOfWork,
    *,
    who: str,
    pin: str | None,
    location: LocationView,
    permission: Permission = Permission.desk,
) -> Actor:
    """Prove who is acting. Commits its own transaction, so that a failed PIN stays counted.

    A PIN is checked when the permission needs one (manager-only actions) or when one is given.
    After `pin_max_failures` wrong PINs the member is locked for `pin_lock_minutes`; while locked
    even the right PIN is refused. Every failure is audited.
    """
    session = uow.session
    text = (who or "").strip()
    if text.lower() == SYSTEM.code:
        raise NotPermitted("'system' is the cron jobs' actor; act as a staff member")
    try:
        row = find(session, text, lock=True)
    except NotFound:
        verify_pin(pin or "", _DUMMY_HASH)
        raise NotPermitted(f"no staff member {text!r}", hint="see: salon staff list") from None
    if not row.active:
        raise NotPermitted(f"staff member {row.code} is deactivated")
    verified = needs_pin(permission) or pin is not None
    if verified:
        _check_pin(uow, row, pin, location, permission)
    actor = Actor(id=row.id, code=row.code, name=row.name, role=row.role, verified=verified)
    authorize(actor, permission)
    return actor


def job_runner(uow: UnitOfWork, *, who: str, pin: str | None, location: LocationView | None) -> Actor:
    """A cron job run by hand with `--as`: `who` is proved like any actor (an unknown or deactivated
    member, or a wrong PIN where one is given, is refused: exit 3, the job never starts), and the job
    acts as `system` run by them. A job over the whole chain has no `location`: the member's own (else
    the first) gives the PIN lockout's rules."""
    actor = identify(uow, who=who, pin=pin, location=location or _home(uow.session, who))
    return system_run_by(actor.code)


def _home(session: Session, who: str) -> LocationView:
    """The member's own location, else the first (an unknown `who` is then refused by `identify`)."""
    text = (who or "").strip().lower()
    row = None
    if text and text != SYSTEM.code:
        home_id = session.exec(select(Staff.location_id).where(
            Staff.id == int(text) if text.isdigit() else Staff.code == text)).first()
        row = session.get(Location, home_id) if home_id is not None else None
    row = row or session.exec(select(Location).order_by(col(Location.id))).first()
    if row is None:
        raise NotFound("salon is not initialised here", hint="run: salon init ... (or salon demo)")
    return LocationView.of(row)


def _check_pin(
    uow: UnitOfWork, row: Staff, pin: str | None, location: LocationView, permission: Permission
) -> None:
    session = uow.session
    now = clock.real_now()  # the machine's instant: a clock override (SALON_NOW) never lifts or dodges a lock
    actor = Actor(id=row.id, code=row.code, name=row.name, role=row.role)
    if row.locked_until is not None and row.locked_until > now:
        audit.record(session, actor=actor, action="staff.pin_refused_locked", entity="staff",
                     entity_id=row.id, after={"permission": permission.value}, location_id=location.id)
        uow.commit()
        until = row.locked_until.astimezone(location.tz).strftime("%H:%M")
        raise NotPermitted(f"{row.code} is locked after too many wrong PINs, until {until}",
                           hint="a manager can lift it: salon staff unlock CODE")
    if not pin:
        raise NotPermitted(f"a PIN is needed for this ({permission.value})", hint="pass --pin or SALON_PIN")
    if verify_pin(pin, row.pin_hash):
        if row.failed_pins or row.locked_until is not None:
            row.failed_pins, row.locked_until = 0, None
            session.add(row)
            uow.commit()
        return
    policy = _policy(session, location)
    row.failed_pins += 1
    locked = row.failed_pins >= policy.pin_max_failures
    if locked:
        row.locked_until = now + timedelta(minutes=policy.pin_lock_minutes)
        row.failed_pins = 0
    session.add(row)
    audit.record(session, actor=actor, action="staff.pin_failed", entity="staff", entity_id=row.id,
                 after={"permission": permission.value, "locked": locked}, location_id=location.id)
    uow.commit()
    if locked:
        raise NotPermitted(f"wrong PIN for {row.code}; locked for {policy.pin_lock_minutes} minutes")
    raise NotPermitted(f"wrong PIN for {row.code}")


def list_staff(session: Session, *, include_inactive: bool = False) -> list[StaffView]:
    query = select(Staff).order_by(Staff.code)
    if not include_inactive:
        query = query.where(col(Staff.active))
    return [StaffView.of(r) for r in session.exec(query)]


def add(
    session: Session,
    *,
    actor: Actor,
    location: LocationView | None,
    name: str,
    code: str,
    role: str,
    pin: str,
    commission_bp: int = 0,
) -> StaffView:
    role_ = _role(role)
    code = check_code(code, what="staff code")
    if code in RESERVED_CODES:
        raise InvalidInput(f"staff code {code!r} is reserved")
    check_pin_format(pin)
    if not name.strip():
        raise InvalidInput("staff name is empty")
    if not 0 <= commission_bp <= 10000:
        raise InvalidInput("commission must be between 0% and 100%")
    if not actor.is_system:
        authorize(actor, Permission.staff_manage)
        if not may_grant(actor.role, role_):
            raise NotPermitted(f"{actor.code} ({actor.role}) may not make an {role_.value}"
                               if role_ is Role.owner else f"{actor.code} may not make a {role_.value}")
    if session.exec(select(Staff).where(Staff.code == code)).first():
        raise Conflict(f"staff code {code!r} is taken")
    row = Staff(
        code=code, name=name.strip(), role=role_.value, pin_hash=hash_pin(pin),
        location_id=location.id if location else None, commission_bp=commission_bp,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="staff.add", entity="staff", entity_id=row.id,
                 after=audit.snapshot(row), location_id=location.id if location else None)
    return StaffView.of(row)


def _managed(session: Session, actor: Actor, who: str) -> Staff:
    """The member a manager acts on; nobody manages someone above their own rank."""
    authorize(actor, Permission.staff_manage)
    row = find(session, who, lock=True)
    if not actor.is_system and not may_grant(actor.role, row.role):
        raise NotPermitted(f"{actor.code} ({actor.role}) may not change {row.code} ({row.role})")
    return row


def set_pin(session: Session, *, actor: Actor, who: str, new_pin: str) -> StaffView:
    """Staff change their own PIN (already proven with the old one); managers reset others'."""
    check_pin_format(new_pin)
    target = find(session, who, lock=True)
    if target.id != actor.id:
        target = _managed(session, actor, who)
    target.pin_hash = hash_pin(new_pin)
    target.failed_pins, target.locked_until = 0, None
    session.add(target)
    audit.record(session, actor=actor, action="staff.set_pin", entity="staff", entity_id=target.id)
    return StaffView.of(target)


def update(
    session: Session,
    *,
    actor: Actor,
    who: str,
    name: str | None = None,
    role: str | None = None,
    commission_bp: int | None = None,
) -> StaffView:
    row = _managed(session, actor, who)
    before = audit.snapshot(row)
    if name is not None:
        if not name.strip():
            raise InvalidInput("staff name is empty")
        row.name = name.strip()
    if role is not None:
        role_ = _role(role)
        if not actor.is_system and not may_grant(actor.role, role_):
            raise NotPermitted(f"{actor.code} ({actor.role}) may not make a {role_.value}")
        if row.role == Role.owner and role_ is not Role.owner:
            _keep_an_owner(session, row)
        row.role = role_.value
    if commission_bp is not None:
        if not 0 <= commission_bp <= 10000:
            raise InvalidInput("commission must be between 0% and 100%")
        row.commission_bp = commission_bp
    session.add(row)
    audit.record(session, actor=actor, action="staff.set", entity="staff", entity_id=row.id,
                 before=before, after=audit.snapshot(row))
    return StaffView.of(row)


def _keep_an_owner(session: Session, leaving: Staff) -> None:
    others = session.exec(
        select(Staff).where(Staff.role == Role.owner.value, col(Staff.active), Staff.id != leaving.id)
    ).first()
    if others is None:
        raise RuleViolation(f"{leaving.code} is the last active owner", hint="make another owner first")


def deactivate(session: Session, *, actor: Actor, who: str) -> StaffView:
    row = _managed(session, actor, who)
    if not row.active:
        raise RuleViolation(f"{row.code} is already deactivated")
    if row.id == actor.id:
        raise RuleViolation("you cannot deactivate yourself")
    if row.role == Role.owner:
        _keep_an_owner(session, row)
    before = audit.snapshot(row)
    row.active = False
    session.add(row)
    audit.record(session, actor=actor, action="staff.deactivate", entity="staff", entity_id=row.id,
                 before=before, after=audit.snapshot(row))
    return StaffView.of(row)


def unlock(session: Session, *, actor: Actor, who: str) -> StaffView:
    row = _managed(session, actor, who)
    before = audit.snapshot(row, only=("failed_pins", "locked_until"))
    row.failed_pins, row.locked_until = 0, None
    session.add(row)
    audit.record(session, actor=actor, action="staff.unlock", entity="staff", entity_id=row.id,
                 before=before, after=audit.snapshot(row, only=("failed_pins", "locked_until")))
    return StaffView.of(row)
