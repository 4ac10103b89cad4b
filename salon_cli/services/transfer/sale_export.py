"""`salon export sales` and `salon export payments`: a location's money as records, streamed.

Both read in keyset pages by id (`WHERE id > last ORDER BY id LIMIT batch`): memory stays flat
however many sales there are, no page costs more than a few queries, and a sale written while the
export runs cannot shift a page. The window is the business day (`--from`/`--to`, inclusive): a
sale's `business_date` (the day it was paid; opened, for one still open), a payment's own.

A sale record has `COLUMNS`; `methods` lists the methods of its succeeded payments (joined by ';'
in CSV) and `tenders` those payments themselves, in the order they were made, as
`method:amount_cents:tip_cents` (`card:10000:3000;cash:5000:0`): what a split payment was, so that
the file imports back with it. With `detail` (JSON and NDJSON) it also has `lines`, `payments` and `refunds` as
`salon sale show` gives them. A payment record has `PAYMENT_COLUMNS`; its `refunded_cents` is the
sum of its succeeded refunds. A sales file written here imports back with `salon import sales`.
One row a sale line instead (`--lines`): `sale_line_export`, which pages the same way (`keyset`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.core.errors import InvalidInput
from salon_cli.db.models import PAYMENT_METHODS, Client, GiftCard, Payment, Refund, Sale
from salon_cli.services.till import sale_views
from salon_cli.services.salon.locations import LocationView

COLUMNS = ["id", "location", "business_date", "status", "client_id", "client", "client_phone", "client_email",
           "appointment_id", "subtotal_cents", "discount_cents", "tax_cents", "tip_cents", "total_cents",
           "paid_cents", "refunded_cents", "methods", "tenders", "external_id", "created_at", "paid_at"]
DETAIL = ["lines", "payments", "refunds"]
PAYMENT_COLUMNS = ["id", "sale_id", "business_date", "method", "status", "purpose", "amount_cents", "tip_cents",
                   "tendered_cents", "change_cents", "refunded_cents", "gift_card", "reference",
                   "stripe_payment_intent_id", "created_at", "succeeded_at"]
_CHUNK = 500

_SALE_QUERY = (
    col(Sale.id), col(Sale.business_date), col(Sale.status), col(Sale.client_id),
    col(Client.first_name).label("client_first"), col(Client.last_name).label("client_last"),
    col(Client.phone).label("client_phone"), col(Client.email).label("client_email"), col(Sale.appointment_id),
    col(Sale.subtotal_cents), col(Sale.discount_cents), col(Sale.tax_cents), col(Sale.tip_cents),
    col(Sale.total_cents), col(Sale.paid_cents), col(Sale.refunded_cents), col(Sale.external_id),
    col(Sale.created_at), col(Sale.paid_at),
)
_PAYMENT_QUERY = (
    col(Payment.id), col(Payment.sale_id), col(Payment.business_date), col(Payment.method), col(Payment.status),
    col(Payment.purpose), col(Payment.amount_cents), col(Payment.tip_cents), col(Payment.tendered_cents),
    col(Payment.change_cents), col(GiftCard.code).label("gift_card"), col(Payment.reference),
    col(Payment.stripe_payment_intent_id), col(Payment.created_at), col(Payment.succeeded_at),
)


def check_window(first: date | None, last: date | None) -> None:
    if first and last and first > last:
        raise InvalidInput(f"--from {first.isoformat()} is after --to {last.isoformat()}")


def sales(session: Session, *, location: LocationView, first: date | None = None, last: date | None = None,
          status: str | None = None, detail: bool = False, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Sales of `location` on business days `first`..`last` (either end open), by id: one dict each
    with `COLUMNS` (and `DETAIL` when `detail`), from a generator over keyset pages. Bad options are
    refused here, before the first record."""
    check_window(first, last)
    status = sale_views.check_status(status)
    query = (sa.select(*_SALE_QUERY).outerjoin(Client, col(Client.id) == Sale.client_id)
             .where(Sale.location_id == location.id))
    if first is not None:
        query = query.where(col(Sale.business_date) >= first)
    if last is not None:
        query = query.where(col(Sale.business_date) <= last)
    if status:
        query = query.where(Sale.status == status)

    def page(rows: Sequence[Any]) -> Iterator[dict[str, Any]]:
        ids = [row.id for row in rows]
        methods, tenders = methods_and_tenders(session, ids)
        views = {v.id: v for v in sale_views.views(session, ids, location)} if detail else {}
        for row in rows:
            record = dict(row._mapping)
            name = f"{row.client_first or ''} {row.client_last or ''}".strip()
            record.update(location=location.code, client=name if row.client_id is not None else None,
                          methods=methods.get(row.id, []), tenders=tenders.get(row.id, []))
            out = {column: record[column] for column in COLUMNS}
            if detail:
                view = views[row.id]
                out.update(lines=[asdict(x) for x in view.lines], payments=[asdict(x) for x in view.payments],
                           refunds=[asdict(x) for x in view.refunds])
            yield out

    return keyset(session, query, col(Sale.id), batch, page)


def payments(session: Session, *, location: LocationView, first: date | None = None, last: date | None = None,
             method: str | None = None, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Payments of `location` (every status) on business days `first`..`last`, by id: one dict each
    with `PAYMENT_COLUMNS`."""
    check_window(first, last)
    if method is not None and method.strip().lower() not in PAYMENT_METHODS:
        raise InvalidInput(f"method {method!r} is not one of {', '.join(PAYMENT_METHODS)}")
    query = (sa.select(*_PAYMENT_QUERY).outerjoin(GiftCard, col(GiftCard.id) == Payment.gift_card_id)
             .where(Payment.location_id == location.id))
    if first is not None:
        query = query.where(col(Payment.business_date) >= first)
    if last is not None:
        query = query.where(col(Payment.business_date) <= last)
    if method:
        query = query.where(Payment.method == method.strip().lower())

    def page(rows: Sequence[Any]) -> Iterator[dict[str, Any]]:
        refunded = _refunded(session, [row.id for row in rows])
        for row in rows:
            record = dict(row._mapping)
            record["refunded_cents"] = refunded.get(row.id, 0)
            yield {column: record[column] for column in PAYMENT_COLUMNS}

    return keyset(session, query, col(Payment.id), batch, page)


def keyset(session: Session, query: Any, key: Any, batch: int,
            page: Callable[[Sequence[Any]], Iterator[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        rows = session.execute(query.where(key > after).order_by(key).limit(batch)).all()
        if not rows:
            return
        yield from page(rows)
        if len(rows) < batch:
            return
        after = rows[-1].id


def methods_and_tenders(session: Session,
                        ids: Sequence[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Each sale's methods of succeeded payments, in the order they were first used, and those
    payments as `method:amount_cents:tip_cents`, in the order they were made."""
    methods: dict[int, list[str]] = {}
    tenders: dict[int, list[str]] = {}
    for at in range(0, len(ids), _CHUNK):
        query = (sa.select(col(Payment.sale_id), col(Payment.method), col(Payment.amount_cents), col(Payment.tip_cents))
                 .where(col(Payment.sale_id).in_(list(ids[at:at + _CHUNK])), col(Payment.status) == "succeeded")
                 .order_by(col(Payment.sale_id), col(Payment.id)))
        for sale_id, method, amount, tip in session.execute(query):
            used = methods.setdefault(sale_id, [])
            if method not in used:
                used.append(method)
            tenders.setdefault(sale_id, []).append(f"{method}:{amount}:{tip}")
    return methods, tenders


def _refunded(session: Session, ids: Sequence[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for at in range(0, len(ids), _CHUNK):
        query = (sa.select(col(Refund.payment_id), sa.func.sum(Refund.amount_cents))
                 .where(col(Refund.payment_id).in_(list(ids[at:at + _CHUNK])), col(Refund.status) == "succeeded")
                 .group_by(col(Refund.payment_id)))
        found.update((pid, int(total)) for pid, total in session.execute(query))
    return found
