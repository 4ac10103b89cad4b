"""A client's saved Stripe card (customer + payment method), used to charge no-show and late-cancel fees
off-session (`stripe_payments.charge_penalty`).

Only the ids are stored, never card numbers: the card itself lives at Stripe. Setting one is desk
work (the client saved it through Stripe, the desk records which); removing one needs a manager
(`Permission.client_merge`, the manager's permission over a client's record), with the PIN. Both
are audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session

from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission
from salon_cli.db.models import Client
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.authz import authorize
from salon_cli.services.clients.profiles import live
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.clients.profiles import get

REMOVE_PERMISSION = Permission.client_merge
_ID = re.compile(r"^[A-Za-z0-9_]+$")
_FIELDS = ("stripe_customer_id", "stripe_payment_method_id")


@dataclass(frozen=True)
class ClientCardView:
    client_id: int
    client: str
    stripe_customer_id: str | None
    stripe_payment_method_id: str | None
    saved: bool


def check_stripe_id(value: str, prefix: str, what: str, *, limit: int = 64) -> str:
    """A Stripe object id such as cus_... or pm_...: the prefix, then letters, digits and '_' (exit 2)."""
    text = (value or "").strip()
    if not text.startswith(prefix) or len(text) == len(prefix) or not _ID.match(text):
        raise InvalidInput(f"{what} {value!r} is not a Stripe id like {prefix}...",
                           hint=f"copy it from the Stripe dashboard ({prefix}...)")
    if len(text) > limit:
        raise InvalidInput(f"{what} {value!r} is longer than {limit} characters")
    return text


def _view(row: Client) -> ClientCardView:
    return ClientCardView(
        client_id=row.id or 0, client=f"{row.first_name} {row.last_name}".strip(),
        stripe_customer_id=row.stripe_customer_id, stripe_payment_method_id=row.stripe_payment_method_id,
        saved=bool(row.stripe_customer_id and row.stripe_payment_method_id),
    )


def set_card(session: Session, *, actor: Actor, location: LocationView, client_id: int, customer_id: str,
             payment_method_id: str) -> ClientCardView:
    """Record the client's Stripe customer and saved payment method (replacing any earlier one)."""
    authorize(actor, Permission.desk)
    customer = check_stripe_id(customer_id, "cus_", "--customer")
    method = check_stripe_id(payment_method_id, "pm_", "--payment-method")
    row = live(session, client_id)
    before = audit.snapshot(row, only=_FIELDS)
    row.stripe_customer_id, row.stripe_payment_method_id = customer, method
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="client.card_set", entity="client", entity_id=row.id,
                 location_id=location.id, before=before, after=audit.snapshot(row, only=_FIELDS))
    return _view(row)


def remove_card(session: Session, *, actor: Actor, location: LocationView, client_id: int) -> ClientCardView:
    """Forget the client's saved card (a manager): penalties can then only be paid by link or at the desk."""
    authorize(actor, REMOVE_PERMISSION)
    row = live(session, client_id)
    before = audit.snapshot(row, only=_FIELDS)
    row.stripe_customer_id, row.stripe_payment_method_id = None, None
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="client.card_remove", entity="client", entity_id=row.id,
                 location_id=location.id, before=before, after=audit.snapshot(row, only=_FIELDS))
    return _view(row)


def show(session: Session, *, client_id: int) -> ClientCardView:
    return _view(get(session, client_id))
