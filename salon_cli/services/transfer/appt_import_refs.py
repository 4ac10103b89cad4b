"""The services and staff members the rows of an appointments file name, and (`create_missing`) those
made for them.

A service cell is matched whole first, then by its parts (split on '+' and ';') only when the whole
is unknown: `CUT+2` is the service whose code, external code (another system's, as `import services`
kept it) or name is `CUT+2` if there is one, else `CUT` and `2`. A part (or cell) is found by id
(digits; after the code another system's digits became, and its external code), code, external code
or exact name, case and spaces aside. Staff: id, code or exact name (a name two share is a fault).
Unknown ones are faults, or with `create_missing` (a manager) placeholders shared by every row that
names them, created when the file is written: services with the row's length and price (else 60
minutes, 0), staff as stylists with a random 8-digit PIN that they must change.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from salon_cli.core.codes import NUMERIC_PREFIX, check_code, slug
from salon_cli.db.models import Service, Staff
from salon_cli.io.tabular import Fault
from salon_cli.services.salon import catalog
from salon_cli.services.salon import staff as staff_service
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.transfer.appt_import_rows import Ref, Row, fold
from salon_cli.services.transfer.imports import Created

Known = dict[tuple[str, Any], "Ref | None"]


def _known(session: Session, location: LocationView) -> dict[str, Known]:
    """The menu and the team, read once, by every key a file may name them by (None: two of that name)."""
    known: dict[str, Known] = {"service": {}, "staff": {}}
    for s in session.exec(select(Service).where(Service.location_id == location.id).order_by(col(Service.id))):
        ref = Ref(s.id, s.code, s.name, s.active, s.duration_min, s.price_cents)
        keys = [("id", s.id), ("code", s.code), ("name", fold(s.name))]
        keys += [("external", fold(s.external_code))] if s.external_code else []
        for key in keys:
            known["service"].setdefault(key, ref)
    for m in session.exec(select(Staff).order_by(col(Staff.id))):
        ref, by_name = Ref(m.id, m.code, m.name, m.active), ("name", fold(m.name))
        known["staff"].update({("id", m.id): ref, ("code", m.code): ref,
                               by_name: None if by_name in known["staff"] else ref})
    return known


def _keys(kind: str, ref: str) -> list[tuple[str, Any]]:
    if ref.isdigit():  # another system's service code, as `import services` kept it, before our id
        return ([("code", NUMERIC_PREFIX["service"] + ref), ("external", ref)] if kind == "service" else []) \
            + [("id", int(ref))]
    return [("code", ref.lower()), ("external", fold(ref)), ("name", fold(ref))]


def resolve_refs(session: Session, location: LocationView, rows: Sequence[Row], create_missing: bool,
                 missing: dict[tuple[str, str], Ref]) -> list[Fault]:
    """Each row's services and staff member; unknown ones are faults, or (create_missing) placeholders
    in `missing`. A report's row without service or staff keeps none (its booking is found by day)."""
    known = _known(session, location)
    codes = {kind: {k[1] for k in refs if k[0] == "code"} for kind, refs in known.items()}
    faults: list[Fault] = []

    def whole(kind: str, ref: str) -> tuple[tuple[str, Any] | None, Ref | None]:
        key = next((k for k in _keys(kind, ref) if k in known[kind]), None)
        return key, known[kind][key] if key is not None else None

    def find(kind: str, ref: str, row: Row, column: str, cell: str | None = None) -> Ref | None:
        key, found = whole(kind, ref)
        if key is not None and found is None:
            faults.append(Fault(row.number, column, f"{ref!r} is the name of two staff members; give the code"))
        if key is not None:
            return found
        what = "service" if kind == "service" else "staff member"
        if not create_missing or ref.isdigit() or len(ref) > 120:
            inside = f" (in {cell!r}, whose whole is no service either)" if cell else ""
            faults.append(Fault(row.number, column, f"no {what} {ref!r} at {location.code}{inside}"
                                + ("" if ref.isdigit() else " (--create-missing adds it)")))
            return None
        if (kind, fold(ref)) not in missing:
            single = kind == "service" and len(row.service_refs) == 1
            missing[(kind, fold(ref))] = Ref(None, _free(slug(ref), codes[kind]), " ".join(ref.split()),
                                             duration_min=max(5, row.duration or 60) if single else 60,
                                             price_cents=(row.price or 0) if single else 0)
        return missing[(kind, fold(ref))]

    for row in rows:
        combined = whole("service", row.service_cell)[1] if len(row.service_refs) > 1 else None
        if combined is not None:
            row.services = [combined]
        else:
            cell = row.service_cell if len(row.service_refs) > 1 else None
            services = [find("service", ref, row, row.service_column, cell) for ref in row.service_refs]
            row.services = [s for s in services if s is not None] if None not in services else []
        staff = row.values.get("staff", "").strip()
        row.staff = find("staff", staff, row, "staff") if staff else None
    return faults


def _free(base: str, taken: set[str]) -> str:
    """A code like `base` that is not taken (and then is)."""
    base = base if base and not base.isdigit() else f"s-{base}"
    candidate, n = base, 2
    while candidate in taken or candidate in staff_service.RESERVED_CODES:
        candidate, n = f"{base[:28]}-{n}", n + 1
    taken.add(candidate)
    return check_code(candidate)


def _create_missing(session: Session, actor: Actor, location: LocationView,
                    missing: dict[tuple[str, str], Ref]) -> list[Created]:
    made: list[Created] = []
    for (kind, _), ref in missing.items():
        if kind == "service":
            service = catalog.add_service(session, actor=actor, location=location, name=ref.name,
                                          duration_min=ref.duration_min, price_cents=ref.price_cents, code=ref.code)
            ref.id = service.id
            made.append(Created("service", service.code, service.name))
        else:
            pin = f"{secrets.randbelow(10**8):08d}"
            member = staff_service.add(session, actor=actor, location=location, name=ref.name, code=ref.code,
                                       role="stylist", pin=pin)
            ref.id = member.id
            made.append(Created("staff", member.code, member.name, pin))
    return made
