"""The menu: services (with duration and price) and retail products, per location."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.codes import check_code, slug
from salon_cli.core.errors import Conflict, InvalidInput, NotFound
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Product, Service
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.salon.locations import LocationView

Item = TypeVar("Item", Service, Product)


@dataclass(frozen=True)
class ServiceView:
    id: int
    code: str
    name: str
    category: str | None
    duration_min: int
    price_cents: int
    active: bool

    @classmethod
    def of(cls, row: Service) -> ServiceView:
        return cls(id=row.id or 0, code=row.code, name=row.name, category=row.category,
                   duration_min=row.duration_min, price_cents=row.price_cents, active=row.active)


@dataclass(frozen=True)
class ProductView:
    id: int
    code: str
    name: str
    category: str | None
    price_cents: int
    stock: int
    active: bool

    @classmethod
    def of(cls, row: Product) -> ProductView:
        return cls(id=row.id or 0, code=row.code, name=row.name, category=row.category,
                   price_cents=row.price_cents, stock=row.stock, active=row.active)


def _check(name: str | None, price_cents: int | None, duration_min: int | None = None) -> None:
    if name is not None and not name.strip():
        raise InvalidInput("name is empty")
    if price_cents is not None and price_cents < 0:
        raise InvalidInput("price must not be negative")
    if duration_min is not None and not 5 <= duration_min <= 24 * 60:
        raise InvalidInput("duration must be between 5 and 1440 minutes")


def _free_code(session: Session, model: type[Item], location: LocationView, code: str | None, name: str) -> str:
    if code:
        code = check_code(code, what="code")
        if session.exec(select(model).where(model.location_id == location.id, model.code == code)).first():
            raise Conflict(f"code {code!r} is taken at {location.code}")
        return code
    base = slug(name)
    candidate, n = base, 2
    while session.exec(select(model).where(model.location_id == location.id, model.code == candidate)).first():
        candidate, n = f"{base[:28]}-{n}", n + 1
    return candidate


def find(session: Session, model: type[Item], location: LocationView, ref: str | int, *, lock: bool = False) -> Item:
    """A service or product at this location by id, code, exact name (case-insensitive) or the code
    another system gave it (`SH UR 300`, as imported)."""
    text = str(ref).strip()
    query = select(model).where(model.location_id == location.id)
    if text.isdigit():
        query = query.where(model.id == int(text))
    else:
        low = text.lower()
        query = query.where((model.code == low) | (col(model.name).ilike(text)) | (model.external_code == text))
    if lock:
        query = query.with_for_update()
    rows = session.exec(query).all()
    if not rows:
        what = "service" if model is Service else "product"
        raise NotFound(f"no {what} {text!r} at {location.code}", hint=f"see: salon {what} list")
    return rows[0]


def add_service(
    session: Session, *, actor: Actor, location: LocationView, name: str, duration_min: int,
    price_cents: int, category: str | None = None, code: str | None = None, external_code: str | None = None,
) -> ServiceView:
    authorize(actor, Permission.service_manage)
    _check(name, price_cents, duration_min)
    row = Service(
        location_id=location.id, code=_free_code(session, Service, location, code, name),
        name=name.strip(), category=(category or None), duration_min=duration_min,
        price_cents=price_cents, external_code=external_code or None, created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="service.add", entity="service", entity_id=row.id,
                 after=audit.snapshot(row), location_id=location.id)
    return ServiceView.of(row)


def list_services(session: Session, *, location: LocationView, include_inactive: bool = False,
                  category: str | None = None) -> list[ServiceView]:
    query = select(Service).where(Service.location_id == location.id)
    if not include_inactive:
        query = query.where(col(Service.active))
    if category:
        query = query.where(col(Service.category).ilike(category))
    query = query.order_by(col(Service.category), Service.name)
    return [ServiceView.of(r) for r in session.exec(query)]


def update_service(
    session: Session, *, actor: Actor, location: LocationView, ref: str, name: str | None = None,
    duration_min: int | None = None, price_cents: int | None = None, category: str | None = None,
    active: bool | None = None,
) -> ServiceView:
    authorize(actor, Permission.service_manage)
    _check(name, price_cents, duration_min)
    row = find(session, Service, location, ref, lock=True)
    _apply(session, actor, location, row, "service", name=name, duration_min=duration_min,
           price_cents=price_cents, category=category, active=active)
    return ServiceView.of(row)


def _apply(session: Session, actor: Actor, location: LocationView, row: Item, entity: str, *,
           category: str | None, **changes: object) -> None:
    """Set what was given (None = unchanged; an empty category clears it) and audit the change."""
    before = audit.snapshot(row)
    for field, value in changes.items():
        if value is not None:
            setattr(row, field, value.strip() if isinstance(value, str) else value)
    if category is not None:
        row.category = category or None
    session.add(row)
    audit.record(session, actor=actor, action=f"{entity}.set", entity=entity, entity_id=row.id,
                 before=before, after=audit.snapshot(row), location_id=location.id)


def add_product(
    session: Session, *, actor: Actor, location: LocationView, name: str, price_cents: int,
    stock: int = 0, category: str | None = None, code: str | None = None, external_code: str | None = None,
) -> ProductView:
    authorize(actor, Permission.service_manage)
    _check(name, price_cents)
    if stock < 0:
        raise InvalidInput("stock must not be negative")
    row = Product(
        location_id=location.id, code=_free_code(session, Product, location, code, name),
        name=name.strip(), category=category or None, price_cents=price_cents, stock=stock,
        external_code=external_code or None, created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="product.add", entity="product", entity_id=row.id,
                 after=audit.snapshot(row), location_id=location.id)
    return ProductView.of(row)


def list_products(session: Session, *, location: LocationView, include_inactive: bool = False) -> list[ProductView]:
    query = select(Product).where(Product.location_id == location.id)
    if not include_inactive:
        query = query.where(col(Product.active))
    return [ProductView.of(r) for r in session.exec(query.order_by(col(Product.category), Product.name))]


def update_product(
    session: Session, *, actor: Actor, location: LocationView, ref: str, name: str | None = None,
    price_cents: int | None = None, stock: int | None = None, category: str | None = None,
    active: bool | None = None,
) -> ProductView:
    authorize(actor, Permission.service_manage)
    _check(name, price_cents)
    if stock is not None and stock < 0:
        raise InvalidInput("stock must not be negative")
    row = find(session, Product, location, ref, lock=True)
    _apply(session, actor, location, row, "product", name=name, price_cents=price_cents, stock=stock,
           category=category, active=active)
    return ProductView.of(row)
