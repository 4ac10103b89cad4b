"""How long `close-day` (the Z-report and the close) takes on a location with three years of history,
and whether it stays flat as the history grows (issue 7).

Run: .venv/bin/python benchmarks/close_day.py [--dialect sqlite|postgres|both] [--sales 50000,500000]
     [--day-sales 100] [--clients N] [--runs 5] [--server URL]

The location: one salon made by `salon init`'s service (America/Mexico_City, MXN), with a manager, a
receptionist and six stylists, twenty services and eight products (added through the services, audited).
Then, inserted through the models' tables (SQLAlchemy Core `insert(Model.__table__)`, batches of
10,000 rows, so the column types, NOT NULLs, CHECKs and foreign keys all apply), `--sales` sales over
the 1,095 business days ending yesterday (2026-11-21; "now" is 2026-11-22 08:30 in Mexico City):

  - every sale `paid` (3 % `partially_refunded`, with their refund row and the loyalty void), 1-3 lines
    (services with their stylist, some products; one in ten sales with 10 % off; no taxes: net = gross -
    discount = total), 1-2 succeeded payments (cash / card / Stripe, tips on a third of the card and
    Stripe ones, cash with tendered and change), the loyalty `earn` entry of the client (85 % of sales
    have one), and for a sale with services its completed appointment and items;
  - 5 % extra appointments that were no-shows, each with its penalty: 40 % waived, 30 % paid at the
    desk 1-10 days later (a sale with the `fee` line, counted in that day's sales), the rest pending;
  - per day: the opening float, now and then cash put in or taken out, 1-4 expenses (3 % voided);
  - a `day_close` (closed, revision 1; one day in a hundred reopened and closed again as revision 2)
    for every day except the last three, which stay open.

The last three days (the one timed is yesterday) each have `--day-sales` sales, the same at every
size, so that only the history grows between sizes (`--day-sales 0`: the history's own average,
sales / 1,095, instead). The rest are spread evenly over the days before. The load drops the
secondary indexes of the big tables first and builds them again after (and on PostgreSQL the foreign
keys, validated when they come back, then VACUUM ANALYZE), as detect_no_shows.py does; SQLite gets no
ANALYZE (the app never runs it). Loyalty accounts' cached points are set from their entries; loyalty
lots and the history's own audit rows are not built (the close does not read them).

Timed, on yesterday: `day_close.preview(...)` (the read-only Z-report; one warm-up, then the median of
`--runs`) and `day_close.close(...)` in a `UnitOfWork` with its commit (median of `--runs` closes,
the day reopened with `day_close.reopen(...)` between them). The report's figures are compared with
the generator's own for that day (sales, totals, tips, refunds, expenses, drawer, expected cash,
no-shows, penalties, points) and any difference is printed. Every statement they send is captured,
timed, and run again under `EXPLAIN QUERY PLAN` (SQLite) / `EXPLAIN` (PostgreSQL): a plan that scans a
whole big table, or reads a big table by the location alone (no date in the index condition), is
printed; the statements whose time grows more than 3x from the smallest size to the largest are
printed too. Each (dialect, size) runs in a child process, so the peak memory printed (VmHWM,
generation included) is its own. The figures are the point: nothing is asserted except the load.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))
from detect_no_shows import PG_SERVER, database, sql  # noqa: E402

ZONE = ZoneInfo("America/Mexico_City")
UTC = timezone.utc
NOW = datetime(2026, 11, 22, 8, 30, tzinfo=ZONE).astimezone(UTC)  # the morning after
DAY = date(2026, 11, 21)  # yesterday: the day closed by the benchmark
HISTORY_DAYS = 3 * 365
OPEN_DAYS = 3  # the last days, not closed yet
BATCH = 10_000
FLOAT_CENTS = 1_000_00
GROWTH = 3.0  # "flat": less than this from the smallest size to the largest

# (code, name, minutes, price in cents)
SERVICES = (
    ("corte-dama", "Corte de dama", 60, 450_00), ("corte-caballero", "Corte de caballero", 30, 280_00),
    ("corte-nino", "Corte de niño", 30, 200_00), ("fade", "Fade / degradado", 45, 320_00),
    ("barba", "Arreglo de barba", 30, 180_00), ("tinte-raiz", "Tinte de raíz", 90, 850_00),
    ("tinte-completo", "Tinte completo", 120, 1_200_00), ("mechas", "Mechas / balayage", 180, 2_400_00),
    ("matiz", "Matiz", 45, 500_00), ("alaciado", "Alaciado permanente", 180, 2_800_00),
    ("peinado", "Peinado de evento", 60, 650_00), ("lavado", "Lavado y secado", 30, 220_00),
    ("tratamiento", "Tratamiento de keratina", 120, 1_800_00), ("manicure", "Manicure clásico", 40, 300_00),
    ("pedicure", "Pedicure spa", 60, 450_00), ("gelish", "Uñas gelish", 60, 400_00),
    ("acrilico", "Uñas de acrílico", 90, 650_00), ("facial", "Facial hidratante", 60, 850_00),
    ("cejas", "Diseño de cejas", 20, 150_00), ("pestanas", "Lifting de pestañas", 60, 600_00),
)
PRODUCTS = (
    ("shampoo", "Shampoo profesional", 380_00), ("acondicionador", "Acondicionador", 350_00),
    ("mascarilla", "Mascarilla capilar", 420_00), ("aceite", "Aceite de argán", 490_00),
    ("cera", "Cera para peinar", 220_00), ("spray", "Spray fijador", 260_00),
    ("esmalte", "Esmalte de uñas", 120_00), ("crema", "Crema de manos", 160_00),
)
STAFF = (("marco", "Marco Ríos", "manager"), ("rosa", "Rosa Méndez", "receptionist"),
         ("ana", "Ana Jiménez", "stylist"), ("diego", "Diego Muñoz", "stylist"),
         ("valeria", "Valeria Torres", "stylist"), ("emma", "Emma Collins", "stylist"),
         ("sofia", "Sofía Navarro", "stylist"), ("luis", "Luis Ortega", "stylist"))
FIRST = ("María", "Guadalupe", "Ximena", "Sofía", "José", "Luis", "Carlos", "Emily", "James", "Andrea")
LAST = ("Hernández", "García", "Martínez", "López", "González", "Pérez", "Smith", "Johnson", "Ruiz", "Flores")
EXPENSES = (("supplies", "Tintes y oxidantes"), ("supplies", "Guantes y toallas desechables"),
            ("cleaning", "Productos de limpieza"), ("food", "Café y agua para clientes"),
            ("maintenance", "Plomero"), ("utilities", "Garrafones de agua"), ("laundry", "Lavandería de toallas"))

# the tables the history fills, in foreign-key order (parents first): a flush writes them in this order
ORDER = ("client", "loyalty_account", "appointment", "appointment_item", "penalty", "sale", "sale_line", "payment",
         "refund", "loyalty_entry", "expense", "cash_movement", "day_close")
BIG = ("appointment", "appointment_item", "penalty", "sale", "sale_line", "payment", "refund", "loyalty_entry")


# ----------------------------------------------------------------------------- the history

class History:
    """Rows for the tables in ORDER, buffered and written in batches (parents before children)."""

    def __init__(self, conn: Any, tables: dict[str, Any], *, batch: int, seed: int) -> None:
        self.conn = conn
        self.tables = tables
        self.batch = batch
        self.rng = random.Random(seed)
        self.buffers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.next_id: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.pending = 0

    def add(self, table: str, row: dict[str, Any]) -> int:
        self.next_id[table] += 1
        row["id"] = self.next_id[table]
        self.buffers[table].append(row)
        self.pending += 1
        return row["id"]

    def maybe_flush(self) -> None:
        if self.pending >= self.batch:
            self.flush()

    def flush(self) -> None:
        import sqlalchemy as sa

        for name in ORDER:
            rows = self.buffers.pop(name, None)
            if rows:
                self.conn.execute(sa.insert(self.tables[name]), rows)
                self.counts[name] += len(rows)
        self.pending = 0


def day_plan(sales: int, day_sales: int) -> list[tuple[date, int]]:
    """(day, number of sales), oldest first, ending on DAY: the last OPEN_DAYS get `day_sales` each."""
    days = [DAY - timedelta(days=k) for k in range(HISTORY_DAYS - 1, -1, -1)]
    if day_sales <= 0:
        return [(d, sales * (i + 1) // len(days) - sales * i // len(days)) for i, d in enumerate(days)]
    rest, history = sales - OPEN_DAYS * day_sales, days[:-OPEN_DAYS]
    if rest < len(history):
        raise SystemExit(f"--sales {sales:,} is too few for --day-sales {day_sales} on the last {OPEN_DAYS} days")
    plan = [(d, rest * (i + 1) // len(history) - rest * i // len(history)) for i, d in enumerate(history)]
    return plan + [(d, day_sales) for d in days[-OPEN_DAYS:]]


def generate_day(h: History, ctx: dict[str, Any], day: date, sales: int, *, closed: bool) -> dict[str, int]:
    """One business day's rows; returns the day's own figures (what its Z-report should find)."""
    rng = h.rng
    loc, owner, desk = ctx["location_id"], ctx["owner_id"], ctx["desk_id"]
    midnight = datetime.combine(day, dtime(0), ZONE).astimezone(UTC)

    def at(minutes: float) -> datetime:
        return midnight + timedelta(minutes=minutes)

    fig = Counter(sales=sales)
    h.add("cash_movement", dict(location_id=loc, business_date=day, kind="float", amount_cents=FLOAT_CENTS,
                                reason="fondo de caja", created_at=at(8 * 60 + 50), created_by_id=desk))
    fig["float"] = FLOAT_CENTS
    # penalties of earlier no-shows paid at the desk today (a sale with the fee line), within the day's sales
    fees = ctx["fees"].pop(day, [])
    if len(fees) > sales:
        ctx["fees"][day + timedelta(days=1)].extend(fees[sales:])
        fees = fees[:sales]
    for penalty_id, client, amount, method, minute in fees:
        paid_at = at(minute)
        sale_id = h.add("sale", dict(
            location_id=loc, client_id=client, appointment_id=None, status="paid", business_date=day,
            discount_kind=None, discount_value=0, taxes=[], subtotal_cents=amount, discount_cents=0, tax_cents=0,
            total_cents=amount, tip_cents=0, paid_cents=amount, refunded_cents=0, external_id=None, note=None,
            created_at=paid_at - timedelta(minutes=2), created_by_id=desk, paid_at=paid_at, voided_at=None,
            voided_by_id=None, void_reason=None, updated_at=paid_at))
        h.add("sale_line", dict(
            sale_id=sale_id, position=0, kind="fee", description=f"No-show fee (penalty {penalty_id})", quantity=1,
            unit_price_cents=amount, gross_cents=amount, discount_cents=0, net_cents=amount, tax_cents=0,
            total_cents=amount, taxes=[], service_id=None, product_id=None, staff_id=None, penalty_id=penalty_id,
            gift_card_id=None))
        h.add("payment", dict(
            sale_id=sale_id, location_id=loc, method=method, status="succeeded", purpose="penalty",
            amount_cents=amount, tip_cents=0, tendered_cents=None, change_cents=0, business_date=day,
            gift_card_id=None, redemption_id=None, membership_id=None, stripe_payment_intent_id=None,
            stripe_charge_id=None, stripe_checkout_session_id=None, payment_url=None, reader_id=None, reference=None,
            failure_reason=None, created_at=paid_at - timedelta(minutes=1), created_by_id=desk, succeeded_at=paid_at,
            updated_at=paid_at))
        fig[f"paid_{method}"] += amount
        fig["payments"] += 1
        fig["total"] += amount
        fig["gross"] += amount
        fig["penalties"] += amount
    sales -= len(fees)
    for i in range(sales):
        start = 9 * 60 + i * 600 // sales + rng.randrange(max(1, 600 // sales))
        client = rng.randint(1, ctx["clients"]) if rng.random() < 0.85 else None
        stylist = rng.choice(ctx["stylists"])
        with_services = rng.random() < 0.9
        lines: list[tuple[str, tuple[int, int, int], int]] = []  # kind, (id, minutes, cents), quantity
        for j in range(rng.choices((1, 2, 3), (50, 35, 15))[0]):
            if with_services and (j == 0 or rng.random() < 0.6):
                lines.append(("service", rng.choice(ctx["services"]), 1))
            else:
                product = rng.choice(ctx["products"])
                lines.append(("product", (product[0], 0, product[1]), rng.choice((1, 1, 1, 2))))
        minutes = sum(m for kind, (_, m, _), _ in lines if kind == "service") or 5
        start = min(start, 20 * 60 + 30 - minutes)
        begins, ends = at(start), at(start + minutes)
        created, paid_at = ends, ends + timedelta(minutes=2)
        appointment_id = None
        service_lines = [(sid, m, cents) for kind, (sid, m, cents), _ in lines if kind == "service"]
        if service_lines:
            appointment_id = h.add("appointment", dict(
                location_id=loc, client_id=client, staff_id=stylist, service_id=service_lines[0][0],
                starts_at=begins, ends_at=ends, status="completed", price_cents=sum(c for _, _, c in service_lines),
                deposit_cents=0, walk_in=client is None, checked_in_at=begins - timedelta(minutes=5),
                started_at=begins, completed_at=ends, cancelled_at=None, cancel_reason=None,
                cancelled_by_salon=False, no_show_at=None, created_at=begins - timedelta(days=3),
                created_by_id=desk, updated_at=ends))
            for position, (sid, m, cents) in enumerate(service_lines):
                h.add("appointment_item", dict(appointment_id=appointment_id, position=position, service_id=sid,
                                               staff_id=stylist, duration_min=m, price_cents=cents))
        discounted = rng.random() < 0.1
        rows, subtotal, discount = [], 0, 0
        for position, (kind, (item_id, _, cents), quantity) in enumerate(lines):
            gross = cents * quantity
            off = gross * 1000 // 10000 if discounted else 0
            subtotal, discount = subtotal + gross, discount + off
            rows.append(dict(position=position, kind=kind, description=f"{kind} {item_id}", quantity=quantity,
                             unit_price_cents=cents, gross_cents=gross, discount_cents=off, net_cents=gross - off,
                             tax_cents=0, total_cents=gross - off, taxes=[],
                             service_id=item_id if kind == "service" else None,
                             product_id=item_id if kind == "product" else None,
                             staff_id=stylist if kind == "service" else None, penalty_id=None, gift_card_id=None))
        total = subtotal - discount
        split = [total] if rng.random() < 0.8 else [total * rng.randint(30, 70) // 100]
        if len(split) == 2 or split[0] != total:
            split.append(total - split[0])
        payments = []
        for amount in split:
            method = rng.choices(("cash", "card", "stripe"), (40, 40, 20))[0]
            tipped = method != "cash" and rng.random() < 0.35
            tip = round(amount * rng.choice((10, 15)) / 100 / 100) * 100 if tipped else 0  # whole pesos
            payments.append((method, amount, tip))
        refund = max(100, payments[0][1] // 2 // 100 * 100) if rng.random() < 0.03 else 0
        refund = min(refund, payments[0][1])
        sale_id = h.add("sale", dict(
            location_id=loc, client_id=client, appointment_id=appointment_id,
            status="partially_refunded" if refund else "paid", business_date=day,
            discount_kind="pct" if discounted else None, discount_value=1000 if discounted else 0, taxes=[],
            subtotal_cents=subtotal, discount_cents=discount, tax_cents=0, total_cents=total,
            tip_cents=sum(t for _, _, t in payments), paid_cents=total, refunded_cents=refund, external_id=None,
            note=None, created_at=created, created_by_id=desk, paid_at=paid_at, voided_at=None, voided_by_id=None,
            void_reason=None, updated_at=paid_at + timedelta(minutes=20) if refund else paid_at))
        for row in rows:
            row["sale_id"] = sale_id
            h.add("sale_line", row)
        payment_ids = []
        for method, amount, tip in payments:
            tendered = math.ceil(amount / 5000) * 5000 if method == "cash" else None
            payment_id = h.add("payment", dict(
                sale_id=sale_id, location_id=loc, method=method, status="succeeded", purpose="sale",
                amount_cents=amount, tip_cents=tip, tendered_cents=tendered,
                change_cents=tendered - amount if tendered else 0, business_date=day, gift_card_id=None,
                redemption_id=None, membership_id=None, stripe_payment_intent_id=None, stripe_charge_id=None,
                stripe_checkout_session_id=None, payment_url=None, reader_id=None, reference=None,
                failure_reason=None, created_at=paid_at - timedelta(minutes=1), created_by_id=desk,
                succeeded_at=paid_at, updated_at=paid_at))
            if method == "stripe":
                h.buffers["payment"][-1].update(stripe_payment_intent_id=f"pi_bench_{payment_id}",
                                                stripe_charge_id=f"ch_bench_{payment_id}")
            payment_ids.append(payment_id)
            fig[f"paid_{method}"] += amount
            fig["tips"] += tip
            fig["payments"] += 1
        fig["total"] += total
        fig["gross"] += subtotal
        fig["discount"] += discount
        earn_id = None
        if client is not None:
            earn_id = h.add("loyalty_entry", dict(
                account_id=client, kind="earn", points=total // 100, stamps=0, key=f"earn:sale:{sale_id}",
                sale_id=sale_id, refund_id=None, redemption_id=None, reverses_id=None, reason=None, staff_id=desk,
                location_id=loc, created_at=paid_at))
            fig["points_earned"] += total // 100
        if refund:
            method = payments[0][0]
            refunded_at = paid_at + timedelta(minutes=20)
            refund_id = h.add("refund", dict(
                sale_id=sale_id, payment_id=payment_ids[0], location_id=loc, method=method, status="succeeded",
                amount_cents=refund, reason="cliente inconforme", business_date=day,
                stripe_refund_id=None, failure_reason=None, created_at=refunded_at, created_by_id=owner,
                succeeded_at=refunded_at, updated_at=refunded_at))
            if method == "stripe":
                h.buffers["refund"][-1]["stripe_refund_id"] = f"re_bench_{refund_id}"
            fig[f"refunded_{method}"] += refund
            fig["refunds"] += 1
            if earn_id is not None:
                h.add("loyalty_entry", dict(
                    account_id=client, kind="void", points=-(refund // 100), stamps=0, key=f"void:refund:{refund_id}",
                    sale_id=sale_id, refund_id=refund_id, redemption_id=None, reverses_id=earn_id, reason="refund",
                    staff_id=owner, location_id=loc, created_at=refunded_at))
        h.maybe_flush()
    # the no-shows (booked, never came): 5 % on top of the day's sales, each with its penalty
    for _ in range(sum(1 for _ in range(sales) if rng.random() < 0.05)):
        service = rng.choice(ctx["services"])
        begins = at(9 * 60 + rng.randrange(600 - service[1]))
        ends = begins + timedelta(minutes=service[1])
        stylist, client = rng.choice(ctx["stylists"]), rng.randint(1, ctx["clients"])
        appointment_id = h.add("appointment", dict(
            location_id=loc, client_id=client, staff_id=stylist, service_id=service[0], starts_at=begins, ends_at=ends,
            status="no_show", price_cents=service[2], deposit_cents=0, walk_in=False, checked_in_at=None,
            started_at=None, completed_at=None, cancelled_at=None, cancel_reason=None, cancelled_by_salon=False,
            no_show_at=begins + timedelta(minutes=15), created_at=begins - timedelta(days=5), created_by_id=desk,
            updated_at=begins + timedelta(minutes=15)))
        h.add("appointment_item", dict(appointment_id=appointment_id, position=0, service_id=service[0],
                                       staff_id=stylist, duration_min=service[1], price_cents=service[2]))
        waived = rng.random() < 0.4
        # half of the others are paid at the desk 1-10 days later (if that day has come), the rest stay pending
        pay_day = day + timedelta(days=rng.randint(1, 10)) if not waived and rng.random() < 0.5 else None
        pay_day = pay_day if pay_day is not None and pay_day <= DAY else None
        pay_minute, pay_method = 9 * 60 + rng.randrange(600), rng.choice(("cash", "card"))
        pay_at = (datetime.combine(pay_day, dtime(0), ZONE).astimezone(UTC) + timedelta(minutes=pay_minute)
                  if pay_day else None)
        amount = service[2] // 2
        penalty_id = h.add("penalty", dict(
            location_id=loc, appointment_id=appointment_id, client_id=client, kind="no_show",
            amount_cents=amount, status="waived" if waived else "paid" if pay_day else "pending",
            reason=f"no-show {day}", created_at=begins + timedelta(minutes=15), created_by_id=None,
            waived_at=begins + timedelta(hours=2) if waived else None, waived_by_id=owner if waived else None,
            waive_reason="cliente frecuente" if waived else None, paid_at=pay_at,
            paid_method=pay_method if pay_day else None, paid_by_id=desk if pay_day else None,
            failure_reason=None, stripe_payment_intent_id=None,
            updated_at=pay_at or begins + timedelta(minutes=15)))
        if pay_day:
            ctx["fees"][pay_day].append((penalty_id, client, amount, pay_method, pay_minute))
        fig["no_shows"] += 1
    # money out, and the drawer
    for _ in range(rng.randint(1, 4)):
        category, description = rng.choice(EXPENSES)
        source = rng.choices(("cash", "card", "bank"), (60, 30, 10))[0]
        amount = rng.randrange(50, 1500) * 100
        when = at(rng.randrange(9 * 60, 20 * 60))
        void = rng.random() < 0.03
        h.add("expense", dict(
            location_id=loc, business_date=day, category=category, description=description, amount_cents=amount,
            paid_from=source, status="void" if void else "recorded", created_at=when, created_by_id=desk,
            voided_at=when + timedelta(minutes=30) if void else None, voided_by_id=owner if void else None,
            void_reason="capturado dos veces" if void else None))
        if not void:
            fig[f"expense_{source}"] += amount
            fig["expenses"] += 1
    for kind, chance, low, high, reason in (("in", 0.10, 200, 800, "cambio del banco"),
                                            ("out", 0.15, 2000, 5000, "depósito al banco")):
        if rng.random() < chance:
            amount = rng.randrange(low, high) * 100
            h.add("cash_movement", dict(location_id=loc, business_date=day, kind=kind, amount_cents=amount,
                                        reason=reason, created_at=at(rng.randrange(12 * 60, 19 * 60)),
                                        created_by_id=owner))
            fig[f"cash_{kind}"] += amount
    fig["expected_cash"] = (fig["float"] + fig["paid_cash"] - fig["refunded_cash"] - fig["expense_cash"]
                            + fig["cash_in"] - fig["cash_out"])
    if closed:
        counted = fig["expected_cash"] + (0 if rng.random() < 0.9 else rng.randrange(-3000, 3000, 100))
        snapshot = {"sales": sales, "total_cents": fig["total"], "tips_cents": fig["tips"],
                    "expected_cash_cents": fig["expected_cash"], "bench": True}
        close = dict(location_id=loc, business_date=day, revision=1, status="closed", snapshot=snapshot,
                     expected_cash_cents=fig["expected_cash"], counted_cash_cents=counted,
                     variance_cents=counted - fig["expected_cash"], note=None, closed_at=at(21 * 60),
                     closed_by_id=owner, reopened_at=None, reopened_by_id=None, reopen_reason=None)
        if rng.random() < 0.01:  # reopened the next morning, corrected, closed again
            h.add("day_close", dict(close, status="reopened", reopened_at=at(34 * 60), reopened_by_id=owner,
                                    reopen_reason="gasto olvidado"))
            close.update(revision=2, closed_at=at(34 * 60 + 30))
        h.add("day_close", close)
    h.maybe_flush()
    return dict(fig)


def build(url: str, *, sales: int, day_sales: int, clients: int, seed: int) -> dict[str, Any]:
    """The location and its history; returns the timings, row counts and the open days' own figures."""
    import sqlalchemy as sa

    from salon_cli.core.text import name_key
    from salon_cli.db import migrate
    from salon_cli.db.engine import make_engine
    from salon_cli.db.models import SQLModel
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon import catalog, staff
    from salon_cli.services.salon.actors import Actor
    from salon_cli.services.salon.setup import initialise

    timings: dict[str, float] = {}
    engine = make_engine(url)
    dialect = engine.dialect.name
    start = time.perf_counter()
    migrate.upgrade(engine)
    init = initialise(engine, location_code="centro", location_name="Salón Centro", timezone="America/Mexico_City",
                      currency="MXN", owner_name="Lucía Hernández", owner_code="lucia", owner_pin="1234")
    owner = Actor(id=init.owner.id, code=init.owner.code, name=init.owner.name, role=init.owner.role, verified=True)
    location = init.location
    with UnitOfWork(engine) as uow:
        s = uow.session
        services = [(v.id, m, cents) for v, m, cents in (
            (catalog.add_service(s, actor=owner, location=location, name=name, duration_min=m, price_cents=cents,
                                 code=code), m, cents) for code, name, m, cents in SERVICES)]
        products = [(catalog.add_product(s, actor=owner, location=location, name=name, price_cents=cents,
                                         stock=100, code=code).id, cents) for code, name, cents in PRODUCTS]
        people = {code: staff.add(s, actor=owner, location=location, name=name, code=code, role=role,
                                  pin="4444").id for code, name, role in STAFF}
        uow.commit()
    timings["setup"] = time.perf_counter() - start
    ctx = dict(location_id=location.id, owner_id=owner.id, desk_id=people["rosa"], clients=clients,
               stylists=[i for code, i in people.items() if code not in ("marco", "rosa")],
               services=services, products=products, fees=defaultdict(list))

    tables = {name: SQLModel.metadata.tables[name] for name in ORDER}
    indexes = [index for name in BIG for index in tables[name].indexes]
    foreign_keys = ([fk for name in BIG for fk in tables[name].foreign_key_constraints]
                    if dialect == "postgresql" else [])
    plan = day_plan(sales, day_sales)
    figures: dict[str, dict[str, int]] = {}
    start = time.perf_counter()
    with engine.begin() as conn:
        if dialect == "sqlite":
            sql(conn, "PRAGMA cache_size = -262144")
        for index in indexes:
            index.drop(conn)
        for fk in foreign_keys:
            conn.execute(sa.schema.DropConstraint(fk))
        h = History(conn, tables, batch=BATCH, seed=seed)
        enrolled = datetime.combine(plan[0][0] - timedelta(days=30), dtime(12), ZONE).astimezone(UTC)
        for n in range(clients):
            first, last = FIRST[n % len(FIRST)], LAST[n // len(FIRST) % len(LAST)]
            client_id = h.add("client", dict(
                first_name=first, last_name=last, name_key=name_key(first, last), phone=f"+52155{n:08d}",
                marketing_consent=False, no_show_count=0, deposit_required=False, home_location_id=location.id,
                created_at=enrolled))
            h.add("loyalty_account", dict(client_id=client_id, points=0, stamps=0, lifetime_points=0, tier="bronze",
                                          enrolled_at=enrolled, enrolled_location_id=location.id,
                                          last_activity_at=enrolled, updated_at=enrolled))
            h.maybe_flush()
        for number, (day, count) in enumerate(plan):
            fig = generate_day(h, ctx, day, count, closed=number < len(plan) - OPEN_DAYS)
            if number >= len(plan) - OPEN_DAYS:
                figures[day.isoformat()] = fig
        h.flush()
        timings["rows"] = time.perf_counter() - start
        mark = time.perf_counter()
        for index in indexes:
            index.create(conn)
        for fk in foreign_keys:
            conn.execute(sa.schema.AddConstraint(fk))
        timings["indexes" + (" + foreign keys" if foreign_keys else "")] = time.perf_counter() - mark
        mark = time.perf_counter()
        # the cards' caches, from their entries (no lots: the close does not read them)
        sql(conn, "UPDATE loyalty_account SET points = t.p, lifetime_points = t.l FROM (SELECT account_id, "
                  "SUM(points) AS p, SUM(CASE WHEN kind = 'earn' THEN points ELSE 0 END) AS l FROM loyalty_entry "
                  "GROUP BY account_id) AS t WHERE t.account_id = loyalty_account.id")
        sql(conn, "UPDATE client SET no_show_count = t.c FROM (SELECT client_id, count(*) AS c FROM appointment "
                  "WHERE status = 'no_show' GROUP BY client_id) AS t WHERE t.client_id = client.id")
        if dialect == "postgresql":  # the rows came with their ids: move the sequences past them
            for name in ORDER:
                sql(conn, f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                          f"GREATEST((SELECT max(id) FROM {name}), 1))")
        timings["caches"] = time.perf_counter() - mark
    if dialect == "postgresql":
        mark = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            sql(conn, "VACUUM ANALYZE")
        timings["vacuum analyze"] = time.perf_counter() - mark
    with engine.connect() as conn:
        counts = {name: conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one() for name in ORDER}
    engine.dispose()
    assert counts["sale"] == sales, (counts["sale"], sales)
    assert all(counts[name] == h.counts[name] for name in ORDER), (counts, h.counts)
    return dict(timings=timings, counts=counts, figures=figures, history_per_day=round(plan[0][1]),
                owner=dict(id=owner.id, code=owner.code, name=owner.name))


# ----------------------------------------------------------------------------- statements, timings, plans

class Tracer:
    """Every statement an engine sends while on, with its parameters and its own time."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.seen: list[tuple[str, Any, float]] = []
        self._start: float = 0.0

    def _before(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        self._start = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        self.seen.append((statement, parameters, time.perf_counter() - self._start))

    def __enter__(self) -> Tracer:
        import sqlalchemy as sa

        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        sa.event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc: object) -> None:
        import sqlalchemy as sa

        sa.event.remove(self.engine, "before_cursor_execute", self._before)
        sa.event.remove(self.engine, "after_cursor_execute", self._after)


def _shape(statement: str) -> str:
    return " ".join(statement.split())


def _is_query(statement: str) -> bool:
    head = statement.lstrip().upper()
    return head.startswith(("SELECT", "WITH")) and " FROM " in f" {head} ".replace("\n", " ")


# index conditions on these alone do not bound a read to the day: it reads the whole history
LOCATION_ONLY = {"location_id", "status", "kind", "method", "paid_from", "purpose", "is not null"}


def explain(engine: Any, seen: list[tuple[str, Any, float]], big: dict[str, int]) -> list[dict[str, Any]]:
    """The plan of each distinct query, and what in it reads a whole big table (or a location's whole history)."""
    out: list[dict[str, Any]] = []
    done: set[str] = set()
    with engine.connect() as conn:
        for statement, parameters, _ in seen:
            if not _is_query(statement) or _shape(statement) in done:
                continue
            done.add(_shape(statement))
            try:
                if engine.dialect.name == "sqlite":
                    lines = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
                else:
                    lines = [row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)]
            except Exception as exc:  # noqa: BLE001 - a plan we cannot get is reported, not fatal
                lines = [f"(EXPLAIN failed: {str(exc).splitlines()[0]})"]
            out.append(dict(statement=_shape(statement), plan=lines,
                            scans=scans(engine.dialect.name, statement, lines, big)))
            conn.rollback()
    return out


def scans(dialect: str, statement: str, lines: list[str], big: dict[str, int]) -> list[str]:
    aliases = {m.group(2).lower(): m.group(1).lower() for m in re.finditer(
        r"\b(?:FROM|JOIN)\s+\"?(\w+)\"?\s+(?:AS\s+)?\"?(\w+)\"?", statement, re.IGNORECASE)}
    found = []
    if dialect == "sqlite":
        for line in lines:
            m = re.match(r"\s*(SCAN|SEARCH) (\w+)(?: AS \w+)?(.*)", line)
            if not m:
                continue
            table = aliases.get(m.group(2).lower(), m.group(2).lower())
            if table not in big:
                continue
            if m.group(1) == "SCAN":
                found.append(f"{line.strip()}  <- whole table ({big[table]:,} rows)")
            else:
                cond = re.search(r"\((.*)\)\s*$", m.group(3))
                columns = {"is not null" if c.strip().endswith("NOT NULL") else
                           c.split("=")[0].split(">")[0].split("<")[0].strip() for c in
                           cond.group(1).split(" AND ")} if cond else set()
                if columns and columns <= LOCATION_ONLY:
                    found.append(f"{line.strip()}  <- not bounded by the day: every such row in the history "
                                 f"(the table holds {big[table]:,})")
    else:
        for number, line in enumerate(lines):
            m = re.search(r"(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|Bitmap Index Scan) "
                          r"(?:using \w+ )?on (\w+)", line)
            if not m:
                continue
            table = m.group(2).lower()
            if table not in big:  # an index name (Bitmap Index Scan) maps back through the next lines' table
                table = next((t for t in big if m.group(2).lower().startswith(f"ix_{t}_")), "")
            if not table:
                continue
            if m.group(1) == "Seq Scan":
                found.append(f"{line.strip()}  <- whole table ({big[table]:,} rows)")
                continue
            cond = next((lines[k].strip() for k in range(number + 1, min(number + 4, len(lines)))
                         if "Index Cond:" in lines[k]), "")
            columns = set(re.findall(r"\(?(\w+) (?:=|>=|<=|>|<) ", cond))
            columns |= {"is not null" for _ in re.findall(r"\w+ IS NOT NULL", cond)}
            if columns and columns <= LOCATION_ONLY:
                found.append(f"{line.strip()} [{cond}]  <- not bounded by the day: every such row in the history "
                             f"(the table holds {big[table]:,})")
    return found


# ----------------------------------------------------------------------------- one (dialect, size)

def run_case(dialect: str, sales: int, args: argparse.Namespace) -> dict[str, Any]:
    from salon_cli.core import clock
    from salon_cli.core.clock import FixedClock
    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon import locations
    from salon_cli.services.salon.actors import SYSTEM, Actor

    clock.set_clock(FixedClock(NOW))
    clients = args.clients or max(2000, sales // 10)
    result: dict[str, Any] = dict(dialect=dialect, sales=sales)
    with database(dialect, args.server) as url:
        where = "SQLite file" if dialect == "sqlite" else f"PostgreSQL {args.server.split('@')[-1]} (throwaway)"
        print(f"[{dialect} {sales:,}] building: {sales:,} sales over {HISTORY_DAYS} days, {clients:,} clients, "
              f"on {where} ...", flush=True)
        built = build(url, sales=sales, day_sales=args.day_sales, clients=clients, seed=args.seed)
        counts, figures = built["counts"], built["figures"][DAY.isoformat()]
        rows = sum(counts.values())
        result.update(rows=rows, counts=counts, build=built["timings"], build_s=sum(built["timings"].values()))
        print(f"[{dialect} {sales:,}] built {rows:,} rows in {result['build_s']:.1f} s ("
              + ", ".join(f"{k} {v:.1f} s" for k, v in built["timings"].items()) + ")")
        print(f"[{dialect} {sales:,}] rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        print(f"[{dialect} {sales:,}] history ~{built['history_per_day']} sales/day; {DAY} (timed): "
              f"{figures['sales']} sales, {figures['payments']} payments, {figures.get('refunds', 0)} refunds, "
              f"{figures.get('expenses', 0)} expenses, {figures.get('no_shows', 0)} no-shows, "
              f"total {figures['total'] / 100:,.2f} MXN, tips "
              f"{figures['tips'] / 100:,.2f}, expected cash {figures['expected_cash'] / 100:,.2f}", flush=True)
        result["day"] = figures
        big = {name: counts[name] for name in BIG if counts[name] > 1000}
        try:
            from salon_cli.services.closing import day_close
        except ImportError as exc:
            print(f"[{dialect} {sales:,}] salon_cli.services.closing.day_close is not importable ({exc}): timing skipped")
            result["skipped"] = str(exc)
            return result
        engine = make_engine(url)
        with UnitOfWork(engine, write=False) as uow:
            location = locations.resolve(uow.session, None)
        actor = Actor(**built["owner"], role="owner", verified=True)
        counted = figures["expected_cash"] - 20_00

        def preview() -> tuple[float, dict[str, Any]]:
            with UnitOfWork(engine, write=False) as uow:
                start = time.perf_counter()
                report = day_close.preview(uow.session, actor=SYSTEM, location=location, day=DAY, counted_cents=counted)
                return time.perf_counter() - start, report

        preview()  # warm-up: connection, caches, imports
        times, traced = [], []
        for _ in range(args.runs):
            with Tracer(engine) as tracer:
                seconds, report = preview()
            times.append(seconds)
            traced.append(tracer.seen)
        result["preview_ms"] = statistics.median(times) * 1000
        result["preview_all_ms"] = [round(t * 1000, 2) for t in times]
        result["preview_statements"] = len(traced[0])
        result["report_keys"] = _summary(report)
        # the generator's own figures of the day against the report's (a check of the generator, and of the report)
        mine = dict(sales_count=figures["sales"], gross_cents=figures["gross"], discount_cents=figures["discount"],
                    total_cents=figures["total"], tip_cents=figures["tips"],
                    refund_cents=sum(v for k, v in figures.items() if k.startswith("refunded_")),
                    expenses_cents=sum(v for k, v in figures.items() if k.startswith("expense_")),
                    cash_expenses_cents=figures.get("expense_cash", 0), penalties_cents=figures.get("penalties", 0),
                    cash_float_cents=figures["float"], cash_in_cents=figures.get("cash_in", 0),
                    cash_out_cents=figures.get("cash_out", 0), expected_cash_cents=figures["expected_cash"],
                    no_shows=figures.get("no_shows", 0), points_issued=figures.get("points_earned", 0))
        result["mismatches"] = {k: (v, report.get(k)) for k, v in mine.items()
                                if isinstance(report, dict) and k in report and report[k] != v}
        closes, reopens, close_seen = [], [], []
        for run in range(args.runs):
            with UnitOfWork(engine) as uow, Tracer(engine) as tracer:
                start = time.perf_counter()
                day_close.close(uow.session, actor=actor, location=location, day=DAY, counted_cents=counted,
                                note="bench")
                uow.commit()
                closes.append(time.perf_counter() - start)
            close_seen.append(tracer.seen)
            if run < args.runs - 1:
                with UnitOfWork(engine) as uow:
                    start = time.perf_counter()
                    day_close.reopen(uow.session, actor=actor, location=location, day=DAY, reason="bench")
                    uow.commit()
                    reopens.append(time.perf_counter() - start)
        result["close_ms"] = statistics.median(closes) * 1000
        result["close_all_ms"] = [round(t * 1000, 2) for t in closes]
        result["reopen_ms"] = statistics.median(reopens) * 1000 if reopens else None
        result["close_statements"] = len(close_seen[0])
        # each statement's median time over the runs (matched by position: the runs send the same ones)
        result["statement_ms"] = _per_statement(traced) | {
            f"close: {k}": v for k, v in _per_statement(close_seen).items()}
        plans = explain(engine, traced[0] + close_seen[0], big)
        result["plans"] = plans
        print(f"[{dialect} {sales:,}] preview median {result['preview_ms']:.1f} ms {result['preview_all_ms']}   "
              f"({result['preview_statements']} statements)")
        print(f"[{dialect} {sales:,}] close   median {result['close_ms']:.1f} ms {result['close_all_ms']}   "
              f"({result['close_statements']} statements)   reopen median "
              f"{result['reopen_ms'] or 0:.1f} ms")
        print(f"[{dialect} {sales:,}] Z-report: {result['report_keys']}")
        print(f"[{dialect} {sales:,}] Z-report against the generated day: "
              + ("the same figures" if not result["mismatches"] else
                 "DIFFERENT (generated, reported): " + ", ".join(f"{k} {v}" for k, v in result["mismatches"].items())))
        engine.dispose()
    return result


def _summary(report: Any) -> str:
    """The report's top-level numbers (to eyeball against the day's own figures)."""
    if not isinstance(report, dict):
        return type(report).__name__
    parts = []
    for key, value in report.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            parts.append(f"{key}={value}")
        elif isinstance(value, dict):
            inner = [f"{k}={v}" for k, v in value.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if inner:
                parts.append(f"{key}{{{', '.join(inner[:8])}}}")
    return "; ".join(parts)[:1500]


def _per_statement(runs: list[list[tuple[str, Any, float]]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for position, (statement, _, _) in enumerate(runs[0]):
        values = [run[position][2] for run in runs if len(run) > position and run[position][0] == statement]
        key = f"#{position + 1} {_shape(statement)}"
        out[key] = statistics.median(values) * 1000
    return out


# ----------------------------------------------------------------------------- the parent

def child(dialect: str, sales: int, args: argparse.Namespace) -> dict[str, Any] | None:
    command = [sys.executable, __file__, "--child", "--dialect", dialect, "--sales", str(sales),
               "--day-sales", str(args.day_sales), "--runs", str(args.runs), "--server", args.server,
               "--seed", str(args.seed)] + (["--clients", str(args.clients)] if args.clients else [])
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    result = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
        else:
            print(line, end="", flush=True)
    if proc.wait() != 0:
        print(f"[{dialect} {sales:,}] FAILED (exit {proc.returncode})")
    return result


def report(results: list[dict[str, Any]]) -> None:
    print()
    print(f"{'dialect':8} {'sales':>9} {'rows':>11} {'build s':>8} {'preview ms':>11} {'close ms':>9} "
          f"{'reopen ms':>10} {'peak MB':>8}")
    for r in results:
        timed = "skipped" not in r
        print(f"{r['dialect']:8} {r['sales']:>9,} {r['rows']:>11,} {r['build_s']:>8.1f} "
              f"{r['preview_ms'] if timed else float('nan'):>11.1f} {r['close_ms'] if timed else float('nan'):>9.1f} "
              f"{(r.get('reopen_ms') or float('nan')):>10.1f} {r['peak_kb'] / 1024:>8.0f}")
    for dialect in dict.fromkeys(r["dialect"] for r in results):
        mine = [r for r in results if r["dialect"] == dialect and "skipped" not in r]
        if len(mine) < 2:
            continue
        small, large = min(mine, key=lambda r: r["sales"]), max(mine, key=lambda r: r["sales"])
        pr, cr = large["preview_ms"] / small["preview_ms"], large["close_ms"] / small["close_ms"]
        verdict = "flat" if max(pr, cr) < GROWTH else "NOT FLAT"
        print(f"{dialect}: {small['sales']:,} -> {large['sales']:,} sales ({large['sales'] / small['sales']:.0f}x "
              f"history): preview x{pr:.2f}, close x{cr:.2f}  -> {verdict} (flat: < {GROWTH:.0f}x)")
        grew = []
        for key, ms in large["statement_ms"].items():
            before = small["statement_ms"].get(key)
            if before is not None and ms - before > 0.5 and ms / max(before, 0.05) > GROWTH:
                grew.append((ms / max(before, 0.05), before, ms, key))
        for ratio, before, ms, key in sorted(grew, reverse=True):
            print(f"    grows x{ratio:.1f} ({before:.2f} -> {ms:.2f} ms): {key[:400]}")
        slowest = sorted(large["statement_ms"].items(), key=lambda item: -item[1])[:5]
        print(f"  slowest statements at {large['sales']:,} sales (median ms; 'close:' = inside close):")
        for key, ms in slowest:
            before = small["statement_ms"].get(key)
            print(f"    {ms:7.2f} ms (at {small['sales']:,}: {before if before is None else f'{before:.2f}'})  "
                  f"{key[:160]}")
    verb = {"sqlite": "EXPLAIN QUERY PLAN", "postgresql": "EXPLAIN"}
    for r in results:
        if "skipped" in r:
            continue
        flagged = [p for p in r["plans"] if p["scans"]]
        name = "postgresql" if r["dialect"] == "postgres" else r["dialect"]
        print(f"\n{verb[name]} at {r['sales']:,} sales on {r['dialect']}: {len(r['plans'])} distinct queries, "
              f"{len(flagged)} reading a whole big table or the location's whole history")
        for p in flagged:
            print(f"  {p['statement'][:1200]}")
            for line in p["scans"]:
                print(f"      {line}")
            print("    plan:")
            for line in p["plan"]:
                print(f"      {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialect", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--sales", default="50000,500000", help="comma-separated sizes (default 50000,500000)")
    parser.add_argument("--day-sales", type=int, default=100,
                        help="sales on each of the last 3 (open) days, the same at every size; 0: sales/1095")
    parser.add_argument("--clients", type=int, default=0, help="clients (default: sales/10, at least 2,000)")
    parser.add_argument("--runs", type=int, default=5, help="timed previews and closes per size (median)")
    parser.add_argument("--server", default=PG_SERVER, help=f"PostgreSQL server ({PG_SERVER})")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sales.split(",") if s.strip()]
    if args.child:
        result = run_case(args.dialect, sizes[0], args)
        result["peak_kb"] = next(int(line.split()[1]) for line in open("/proc/self/status")
                                 if line.startswith("VmHWM:"))
        print("RESULT " + json.dumps(result, default=str), flush=True)
        return
    dialects = ("sqlite", "postgres") if args.dialect == "both" else (args.dialect,)
    results = []
    for dialect in dialects:
        for sales in sizes:
            start = time.perf_counter()
            result = child(dialect, sales, args)
            if result is not None:
                results.append(result)
                print(f"[{dialect} {sales:,}] done in {time.perf_counter() - start:.0f} s "
                      f"(peak memory {result['peak_kb'] / 1024:.0f} MB)\n", flush=True)
    if results:
        report(results)


if __name__ == "__main__":
    main()
