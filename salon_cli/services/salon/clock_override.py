"""The owner's switch for a clock override: whether commands that change data honour `SALON_NOW`.

`SALON_NOW` stays for tests, demos and backfills. Anywhere else it would let whoever sets it lift a PIN
lock, date changes at will or fill a stamp card in seconds, so a database honours it for writes only
where its owner said so (`salon init --allow-clock-override`, `salon policy set --allow-clock-override`;
the demo salon has it on). The switch is the database's: it is kept on every location's policy row,
allowed only when all of them allow it; turning it turns every row, and a new location takes the
chain's. Only the owner turns it, with a PIN; every change is audited. What the switch guards is
`cli/context.py` (a database that does not allow it refuses every write while `SALON_NOW` is set);
the PIN lockout and the audit log's `at` keep the machine's instant either way (`clock.real_now`).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotPermitted
from salon_cli.core.permissions import Role
from salon_cli.db.models import Policy
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor

SWITCH = "--allow-clock-override"


def allowed(session: Session) -> bool:
    """Whether this database honours `SALON_NOW` in commands that change data."""
    values = session.exec(select(Policy.allow_clock_override)).all()
    return bool(values) and all(values)


def refusal(hint: str | None = None) -> InvalidInput:
    """What a command that changes data says when `SALON_NOW` is set where it is not allowed (exit 2)."""
    return InvalidInput("SALON_NOW is set but this database does not allow a clock override",
                        hint=hint or f"unset SALON_NOW, or the owner allows it: salon --as OWNER --pin PIN policy set {SWITCH}")


def set_allowed(session: Session, *, actor: Actor, allow: bool) -> bool:
    """Turn the switch on every location's policy (the owner, with a PIN; `system` at `init`)."""
    if not actor.is_system and not (actor.role == Role.owner and actor.verified):
        raise NotPermitted(f"{actor.code} ({actor.role}) may not turn the clock override {'on' if allow else 'off'}",
                           hint="only the owner may, with a PIN: --as OWNER --pin PIN")
    for row in session.exec(select(Policy).order_by(col(Policy.id)).with_for_update()).all():
        if row.allow_clock_override == allow:
            continue
        row.allow_clock_override, row.updated_at = allow, clock.now()
        session.add(row)
        audit.record(session, actor=actor, action="policy.clock_override", entity="policy", entity_id=row.id,
                     before={"allow_clock_override": not allow}, after={"allow_clock_override": allow},
                     location_id=row.location_id)
    return allow
