"""`salon export sales|payments` and `salon import sales`, on SQLite and PostgreSQL (`db_url`).

Exports stream a location's sales (with their lines, payments and refunds in JSON) and payments by
business day; the import reads other systems' receipts (rows sharing a receipt are one sale, tax
columns, US dates and 12-hour times, a BOM) and our own exports, all or nothing, naming the row and
column at fault, and creates nothing twice.
Team: owner lucia, manager marco, receptionist sofia, stylists ana (Ana Díaz) and beto (Beto Ruiz).
The policy has IVA 16 % included in the prices. The clock is Saturday 2026-11-21 11:00 in Mexico City.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date

import pytest

from cli_helpers import INIT, OWNER, salon

MARCO = ["--as", "marco", "--pin", "2222"]
DESK = ["--as", "sofia"]
COLUMNS = ["id", "location", "business_date", "status", "client_id", "client", "client_phone", "client_email",
           "appointment_id", "subtotal_cents", "discount_cents", "tax_cents", "tip_cents", "total_cents",
           "paid_cents", "refunded_cents", "methods", "tenders", "external_id", "created_at", "paid_at"]
PAYMENT_COLUMNS = ["id", "sale_id", "business_date", "method", "status", "purpose", "amount_cents", "tip_cents",
                   "tendered_cents", "change_cents", "refunded_cents", "gift_card", "reference",
                   "stripe_payment_intent_id", "created_at", "succeeded_at"]
MONEY = ["business_date", "status", "client_id", "subtotal_cents", "discount_cents", "tax_cents", "tip_cents",
         "total_cents", "paid_cents", "refunded_cents", "created_at", "paid_at"]


def _ok(run):
    assert run.code == 0, run.stderr
    return run


def _init(url):
    """The salon, its team, menu (IVA included) and four clients (ids 1-4 on every database)."""
    _ok(salon(url, *INIT))
    for args in (["staff", "add", "Marco Ruiz", "--code", "marco", "--role", "manager", "--pin", "2222"],
                 ["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
                 ["staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444"],
                 ["staff", "add", "Beto Ruiz", "--code", "beto", "--role", "stylist", "--pin", "5555"],
                 ["service", "add", "Corte dama", "--code", "corte", "--duration", "45", "--price", "350"],
                 ["service", "add", "Tinte", "--code", "tinte", "--duration", "90", "--price", "800"],
                 ["product", "add", "Shampoo", "--code", "shampoo", "--price", "180", "--stock", "5"],
                 ["policy", "set", "--tax", "IVA:16%:inclusive"]):
        _ok(salon(url, *OWNER, *args))
    for args in (["--first", "Ana", "--last", "López", "--phone", "5512345678"],
                 ["--first", "Beto", "--last", "Gómez", "--email", "beto@example.com"],
                 ["--first", "Carla", "--last", "Ruiz", "--external-code", "OLD-7"],
                 ["--first", "Dora", "--last", "Sin Contacto"]):
        _ok(salon(url, *DESK, "client", "add", *args))
    return url


@pytest.fixture
def desk(db_url, clock):
    return _init(db_url)


def _do(url, fn, who="sofia"):
    """Run a service as `who` in one committed transaction: fn(session, actor, location)."""
    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon import locations
    from salon_cli.services.salon import staff as staff_service
    from salon_cli.services.salon.actors import Actor

    with UnitOfWork(make_engine(url)) as uow:
        loc = locations.resolve(uow.session, None)
        m = staff_service.find(uow.session, who)
        result = fn(uow.session, Actor(id=m.id, code=m.code, name=m.name, role=m.role, verified=True), loc)
        uow.commit()
    return result


def _day(url, clock):
    """Saturday's till, through the services: a cut and a shampoo paid in cash with a tip and change,
    partly refunded by the manager; a walk-in's colour with 10 % off, split card + cash with a tip on
    the card; an open sale. Sunday: a colour paid by card."""
    from salon_cli.services.till import sales, tenders, tickets

    def first(s, a, loc):
        sale = tickets.create(s, actor=a, location=loc, client_id=1)
        sales.add_service(s, actor=a, location=loc, sale_id=sale.id, service="corte", staff="ana")
        sales.add_product(s, actor=a, location=loc, sale_id=sale.id, product="shampoo")
        tenders.pay(s, actor=a, location=loc, sale_id=sale.id, method="cash", tip_cents=5000, tendered_cents=60000)
        return sale.id

    def second(s, a, loc):
        sale = tickets.create(s, actor=a, location=loc)
        sales.add_service(s, actor=a, location=loc, sale_id=sale.id, service="tinte", staff="beto")
        sales.set_discount(s, actor=a, location=loc, sale_id=sale.id, discount="10%")
        tenders.pay(s, actor=a, location=loc, sale_id=sale.id, method="card", amount_cents=40000, tip_cents=10000)
        tenders.pay(s, actor=a, location=loc, sale_id=sale.id, method="cash")
        return sale.id

    def third(s, a, loc):
        sale = tickets.create(s, actor=a, location=loc, client_id=2)
        sales.add_service(s, actor=a, location=loc, sale_id=sale.id, service="corte", staff="ana")
        return sale.id

    ids = [_do(url, first)]
    clock.advance(minutes=30)
    ids.append(_do(url, second))
    _do(url, lambda s, a, loc: tenders.refund(s, actor=a, location=loc, sale_id=ids[0], amount_cents=10000,
                                               reason="no le gustó el shampoo"), who="marco")
    ids.append(_do(url, third))
    clock.advance(days=1)

    def sunday(s, a, loc):
        sale = tickets.create(s, actor=a, location=loc, client_id=3)
        sales.add_service(s, actor=a, location=loc, sale_id=sale.id, service="tinte", staff="ana")
        tenders.pay(s, actor=a, location=loc, sale_id=sale.id, method="card")
        return sale.id

    ids.append(_do(url, sunday))
    return ids


def _export(url, what, *args):
    return _ok(salon(url, "export", what, *args))


def _records(url, what="sales", *args):
    return json.loads(_export(url, what, "-f", "json", *args).stdout)


def _import(url, path, *args, who=DESK, input=None):
    return salon(url, *who, "import", "sales", str(path), *args, "-f", "json", input=input)


def _imported(url, path, *args, **kw):
    return json.loads(_ok(_import(url, path, *args, **kw)).stdout)


def _sql(url, query):
    import sqlalchemy as sa

    from salon_cli.db.engine import make_engine

    with make_engine(url).connect() as conn:
        return conn.execute(sa.text(query)).all()


def _counts(url):
    """(sales, lines, payments, refunds, audit rows, staff) straight from the database."""
    return tuple(_sql(url, f"SELECT count(*) FROM {t}")[0][0]
                 for t in ("sale", "sale_line", "payment", "refund", "audit_log", "staff"))


# ----------------------------------------------------------------------------- export

def test_export_sales_csv_is_exact(desk, clock):
    ids = _day(desk, clock)
    run = _export(desk, "sales")  # CSV by default
    assert run.stderr.strip() == "exported 4 sales"
    assert run.stdout.splitlines() == [
        ",".join(COLUMNS),
        f"{ids[0]},centro,2026-11-21,partially_refunded,1,Ana López,+525512345678,,,53000,0,7311,5000,53000,53000,"
        "10000,cash,cash:53000:5000,,2026-11-21T11:00:00-06:00,2026-11-21T11:00:00-06:00",
        f"{ids[1]},centro,2026-11-21,paid,,,,,,80000,8000,9931,10000,72000,72000,0,card;cash,card:40000:10000;cash:32000:0,,"
        "2026-11-21T11:30:00-06:00,2026-11-21T11:30:00-06:00",
        f"{ids[2]},centro,2026-11-21,open,2,Beto Gómez,,beto@example.com,,35000,0,4828,0,35000,0,0,,,,"
        "2026-11-21T11:30:00-06:00,",
        f"{ids[3]},centro,2026-11-22,paid,3,Carla Ruiz,,,,80000,0,11034,0,80000,80000,0,card,card:80000:0,,"
        "2026-11-22T11:30:00-06:00,2026-11-22T11:30:00-06:00",
    ]


def test_export_sales_json_carries_lines_payments_and_refunds(desk, clock):
    ids = _day(desk, clock)
    doc = _records(desk)
    assert [json.loads(line) for line in _export(desk, "sales", "-f", "ndjson").stdout.splitlines()] == doc
    assert [list(r) for r in doc] == [COLUMNS + ["lines", "payments", "refunds"]] * 4
    first = doc[0]
    assert (first["id"], first["methods"], first["client_id"], first["external_id"]) == (ids[0], ["cash"], 1, None)
    assert [r["tenders"] for r in doc] == [["cash:53000:5000"], ["card:40000:10000", "cash:32000:0"], [],
                                           ["card:80000:0"]]
    assert [{k: line[k] for k in ("position", "kind", "description", "quantity", "unit_price_cents", "gross_cents",
                                  "discount_cents", "net_cents", "tax_cents", "total_cents", "taxes", "staff")}
            for line in first["lines"]] == [
        {"position": 0, "kind": "service", "description": "Corte dama", "quantity": 1, "unit_price_cents": 35000,
         "gross_cents": 35000, "discount_cents": 0, "net_cents": 30172, "tax_cents": 4828, "total_cents": 35000,
         "taxes": [{"name": "IVA", "rate_bp": 1600, "inclusive": True, "amount_cents": 4828}], "staff": "ana"},
        {"position": 1, "kind": "product", "description": "Shampoo", "quantity": 1, "unit_price_cents": 18000,
         "gross_cents": 18000, "discount_cents": 0, "net_cents": 15517, "tax_cents": 2483, "total_cents": 18000,
         "taxes": [{"name": "IVA", "rate_bp": 1600, "inclusive": True, "amount_cents": 2483}], "staff": "sofia"}]
    [cash] = first["payments"]
    assert {k: cash[k] for k in ("method", "status", "amount_cents", "tip_cents", "tendered_cents", "change_cents",
                                 "refunded_cents", "business_date", "created_at")} == {
        "method": "cash", "status": "succeeded", "amount_cents": 53000, "tip_cents": 5000, "tendered_cents": 60000,
        "change_cents": 2000, "refunded_cents": 10000, "business_date": "2026-11-21",
        "created_at": "2026-11-21T11:00:00-06:00"}
    [refund] = first["refunds"]
    assert {k: refund[k] for k in ("payment_id", "method", "status", "amount_cents", "reason", "business_date")} == {
        "payment_id": cash["id"], "method": "cash", "status": "succeeded", "amount_cents": 10000,
        "reason": "no le gustó el shampoo", "business_date": "2026-11-21"}
    second = doc[1]
    assert [(p["method"], p["amount_cents"], p["tip_cents"]) for p in second["payments"]] == [
        ("card", 40000, 10000), ("cash", 32000, 0)]
    assert [(x["gross_cents"], x["discount_cents"], x["net_cents"], x["tax_cents"], x["total_cents"])
            for x in second["lines"]] == [(80000, 8000, 62069, 9931, 72000)]
    assert doc[2]["payments"] == [] and doc[2]["paid_at"] is None


def test_export_payments_csv_json_and_filters(desk, clock, tmp_path):
    ids = _day(desk, clock)
    run = _export(desk, "payments")
    assert run.stderr.strip() == "exported 4 payments"
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert run.stdout.splitlines()[0] == ",".join(PAYMENT_COLUMNS)
    assert [(int(r["sale_id"]), r["business_date"], r["method"], r["status"], r["purpose"], r["amount_cents"],
             r["tip_cents"], r["tendered_cents"], r["change_cents"], r["refunded_cents"], r["succeeded_at"])
            for r in rows] == [
        (ids[0], "2026-11-21", "cash", "succeeded", "sale", "53000", "5000", "60000", "2000", "10000",
         "2026-11-21T11:00:00-06:00"),
        (ids[1], "2026-11-21", "card", "succeeded", "sale", "40000", "10000", "", "0", "0", "2026-11-21T11:30:00-06:00"),
        (ids[1], "2026-11-21", "cash", "succeeded", "sale", "32000", "0", "", "0", "0", "2026-11-21T11:30:00-06:00"),
        (ids[3], "2026-11-22", "card", "succeeded", "sale", "80000", "0", "", "0", "0", "2026-11-22T11:30:00-06:00")]
    doc = _records(desk, "payments")
    assert [list(r) for r in doc] == [PAYMENT_COLUMNS] * 4
    assert [r["id"] for r in doc] == sorted(r["id"] for r in doc) and doc[0]["tendered_cents"] == 60000
    assert [r["sale_id"] for r in _records(desk, "payments", "--method", "cash")] == [ids[0], ids[1]]
    assert [r["sale_id"] for r in _records(desk, "payments", "--from", "2026-11-22")] == [ids[3]]
    assert [r["sale_id"] for r in _records(desk, "payments", "--to", "2026-11-21")] == [ids[0], ids[1], ids[1]]
    # sales by business day, by status, to a file
    assert [r["id"] for r in _records(desk, "sales", "--from", "2026-11-22", "--to", "2026-11-22")] == [ids[3]]
    assert [r["id"] for r in _records(desk, "sales", "--to", "2026-11-21")] == ids[:3]
    assert [r["id"] for r in _records(desk, "sales", "--status", "open")] == [ids[2]]
    assert _records(desk, "sales", "--from", "2026-11-23") == []
    out = tmp_path / "ventas.ndjson"
    run = _export(desk, "sales", "-f", "ndjson", "--output", str(out), "--from", "2026-11-22")
    assert run.stdout == "" and run.stderr.strip() == f"exported 1 sale to {out}"
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [ids[3]]
    assert not (tmp_path / "ventas.ndjson.part").exists()
    empty = _export(desk, "payments", "--from", "2030-01-01")
    assert empty.stdout.splitlines() == [",".join(PAYMENT_COLUMNS)] and "exported 0 payments" in empty.stderr
    for bad in (["sales", "--from", "2026-11-22", "--to", "2026-11-21"], ["sales", "--from", "mañana"],
                ["sales", "--status", "perdida"], ["sales", "-f", "table"], ["payments", "--method", "bitcoin"],
                ["payments", "--from", "2026-11-22", "--to", "2026-11-21"]):
        assert salon(desk, "export", *bad).code == 2, bad


def test_exports_stream_in_keyset_pages(desk, clock):
    from salon_cli.services.transfer import sale_export

    ids = _day(desk, clock)

    def take(rows):
        assert iter(rows) is rows  # a generator, not a list
        return [r["id"] for r in rows]

    got = _do(desk, lambda s, a, loc: take(sale_export.sales(s, location=loc, batch=1, detail=True)))
    assert got == ids
    pays = _do(desk, lambda s, a, loc: take(sale_export.payments(s, location=loc, batch=3)))
    assert len(pays) == 4 and pays == sorted(pays)


# ----------------------------------------------------------------------------- import

RECEIPTS = (
    "\ufeffTicket,Date,Time,Customer,Stylist,Item,Qty,Total,Paid by,tax:IVA,Hospedaje,Tip\n"
    "R-100,11/02/2026,10:30 AM,OLD-7,ana,Corte dama,1,406.00,Efectivo,56.00,,50\n"
    "R-101,11/03/2026,04:15 PM,,Beto Ruiz,Masaje relajante,1,1046.00,visa,116.00,30.00,100.00\n"
    "R-100,11/02/2026,10:30 AM,OLD-7,ana,shampoo,2,417.60,Tarjeta,57.60,,\n"
    "R-102,11/04/2026,12:05 PM,beto@example.com,,TINTE,1,800,,,,\n"
)
MAP = ["--map", "Ticket=receipt", "--map", "Customer=client", "--map", "Stylist=staff", "--map", "Item=description",
       "--map", "Qty=quantity", "--map", "Total=amount", "--map", "Paid by=method", "--map", "Hospedaje=tax:ISH",
       "--date-format", "%m/%d/%Y", "--time-format", "%I:%M %p", "--amount-includes-tax"]


def _write(tmp_path, text, name="tickets.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_import_receipts_with_two_taxes_us_dates_and_a_bom(desk, tmp_path):
    path = _write(tmp_path, RECEIPTS)
    run = _ok(_import(desk, path, *MAP))
    assert json.loads(run.stdout) == {"rows_read": 4, "rows_used": 4, "created": 3, "unchanged": 0,
                                      "dry_run": False, "refused": 0}
    assert "imported tickets.csv: read 4 rows, used 4: 3 new sales, 0 already here (left as they are)" in run.stderr
    got = {r["external_id"]: r for r in _records(desk)}
    assert {k: [r[c] for c in MONEY] for k, r in got.items()} == {
        "R-100": ["2026-11-02", "paid", 3, 82360, 0, 11360, 5000, 82360, 82360, 0,
                  "2026-11-02T10:30:00-06:00", "2026-11-02T10:30:00-06:00"],
        "R-101": ["2026-11-03", "paid", None, 101600, 0, 14600, 10000, 104600, 104600, 0,
                  "2026-11-03T16:15:00-06:00", "2026-11-03T16:15:00-06:00"],
        "R-102": ["2026-11-04", "paid", 2, 80000, 0, 0, 0, 80000, 80000, 0,
                  "2026-11-04T12:05:00-06:00", "2026-11-04T12:05:00-06:00"]}
    lines = {k: [(x["kind"], x["description"], x["quantity"], x["unit_price_cents"], x["gross_cents"], x["net_cents"],
                  x["tax_cents"], x["total_cents"], x["staff"], x["service_id"] is not None, x["product_id"] is not None,
                  [(t["name"], t["rate_bp"], t["inclusive"], t["amount_cents"]) for t in x["taxes"]])
                 for x in r["lines"]] for k, r in got.items()}
    assert lines == {
        "R-100": [("service", "Corte dama", 1, 40600, 40600, 35000, 5600, 40600, "ana", True, False,
                   [("IVA", 1600, True, 5600)]),
                  ("product", "shampoo", 2, 20880, 41760, 36000, 5760, 41760, "ana", False, True,
                   [("IVA", 1600, True, 5760)])],
        # ISH is not in the policy: added on top of the amount's subtotal, at the rate the data implies
        # (30.00 on 1046.00 - 116.00 - 30.00 = 900.00 before tax: 3.33 %)
        "R-101": [("service", "Masaje relajante", 1, 101600, 101600, 90000, 14600, 104600, "beto", False, False,
                   [("IVA", 1600, True, 11600), ("ISH", 333, False, 3000)])],
        "R-102": [("service", "TINTE", 1, 80000, 80000, 80000, 0, 80000, None, True, False, [])]}
    assert {k: [(p["method"], p["amount_cents"], p["tip_cents"], p["business_date"]) for p in r["payments"]]
            for k, r in got.items()} == {
        "R-100": [("cash", 40600, 5000, "2026-11-02"), ("card", 41760, 0, "2026-11-02")],
        "R-101": [("card", 104600, 10000, "2026-11-03")],
        "R-102": [("unknown", 80000, 0, "2026-11-04")]}
    # the stock of what was sold long ago is left as it is
    assert json.loads(salon(desk, "product", "list", "-f", "json").stdout)[0]["stock"] == 5
    log = json.loads(salon(desk, "audit", "--entity", "sale", "-f", "json").stdout)
    assert sorted(e["entity_id"] for e in log if e["action"] == "sale.import") == sorted(r["id"] for r in got.values())
    assert [e["after"] for e in log if e["action"] == "sale.import_file"] == [
        {"rows": 4, "created": 3, "unchanged": 0, "source": "tickets.csv", "total_cents": 266960,
         "created_missing": []}]
    assert {e["actor"] for e in log} == {"sofia"}
    # the same file again creates nothing
    before = _counts(desk)
    assert _imported(desk, path, *MAP) == {"rows_read": 4, "rows_used": 4, "created": 0, "unchanged": 3,
                                           "dry_run": False, "refused": 0}
    assert _counts(desk)[:4] == before[:4]


def test_a_missing_client_code_refuses_the_file_and_stores_nothing(desk, tmp_path):
    path = _write(tmp_path, RECEIPTS.replace("R-102,11/04/2026,12:05 PM,beto@example.com", "R-102,11/04/2026,12:05 PM,OLD-99"))
    before = _counts(desk)
    for extra in ([], ["--dry-run"]):
        run = _import(desk, path, *MAP, *extra)
        assert run.code == 2
        if extra:  # the dry run's plan: a line per receipt (at its first row), a line per refused row
            assert [(p["row"], p["action"], p["reason"]) for p in json.loads(run.stdout)] == [
                (2, "create", None), (3, "create", None),
                (5, "refuse", "client: 'OLD-99' is no client here (by id, phone, e-mail or external code)")]
        else:
            assert run.stdout == ""
        assert run.stderr.startswith("error: import refused, nothing written: row 5 column client: 'OLD-99' is no "
                                     "client here (by id, phone, e-mail or external code)"), run.stderr
        assert _counts(desk) == before


BAD = (
    "receipt,date,time,client,staff,description,quantity,amount,method,tip,tax:IVA\n"
    "B-1,2026-11-02,10:00,1,ana,Corte dama,1,350,bitcoin,,\n"
    "B-2,2026-11-31,10:00,1,ana,Corte dama,1,350,cash,,\n"
    "B-3,2026-11-02,25:00,1,nadie,Corte dama,0,350,cash,,\n"
    "B-4,2026-11-02,10:00,1,ana,Corte dama,1,-350,cash,,\n"
    "B-5,2026-11-02,10:00,1,ana,,1,350.005,cash,,\n"
    "B-6,2026-11-02,10:00,1,ana,Corte dama,1,100,cash,,100.01\n"
    "B-7,2026-11-02,10:00,1,ana,Corte dama,1,100,cash,,\n"
    "B-7,2026-11-03,10:00,2,ana,Corte dama,1,100,cash,,\n"
    "B-8,2026-11-02,10:00,1,ana,Corte dama,1,100,cash,,\n"
    "B-8,2026-11-02,10:00,1,ana,Tinte,1,0,card,20,\n"
    ",2026-11-02,10:00,1,ana,Corte dama,1,100,cash,,\n"
)


def test_a_bad_file_changes_nothing_and_names_every_row_and_column(desk, tmp_path):
    path = _write(tmp_path, BAD)
    before = _counts(desk)
    run = _import(desk, path, "--amount-includes-tax")
    assert run.code == 2 and run.stdout == "" and _counts(desk) == before
    for named in ("row 2 column method: method 'bitcoin' is not one of cash, card",
                  "row 3 column date: date '2026-11-31' does not match the date format %Y-%m-%d",
                  "row 4 column time: time '25:00' does not match the time format %H:%M",
                  "row 4 column quantity: quantity 0 must be between 1 and 10000",
                  "row 5 column amount: receipt B-4 gives back 350.00 of Corte dama and client 1 has no earlier "
                  "sale to refund it from",
                  "row 6 column description: description is empty",
                  "row 6 column amount: amount '350.005' has more decimals than MXN allows",
                  "row 7 column amount: the taxes (100.01) are more than the amount (100.00)",
                  "row 9 column date: receipt B-7 is dated 2026-11-02 on row 8",
                  "row 11 column tip: a tip paid by card on a receipt with nothing paid by card",
                  "row 12 column receipt: receipt is empty"):
        assert named in run.stderr, (named, run.stderr)
    # those 11 faults and no other: B-7's second client is a sale of its own (B-7/2), not a fault
    assert "(and 8 more) (read 11 rows, 11 refused)" in run.stderr and "B-7 is client" not in run.stderr
    run = _import(desk, "-", input="receipt,date,description,amount,staff\nX,2026-11-02,Corte,100,nadie\n")
    assert run.code == 2 and "row 2 column staff: no staff member 'nadie' at centro (--create-missing adds it)" in run.stderr
    assert _counts(desk) == before


def test_missing_columns_unknown_columns_and_bad_options(desk, tmp_path):
    run = _import(desk, "-", input="receipt,date,amount\nA,2026-11-02,100\n")
    assert run.code == 2 and "row 1 column description: required column is missing" in run.stderr
    run = _import(desk, "-", input="receipt,date,description,amount,colour,tax\nA,2026-11-02,x,100,red,1\n")
    assert run.code == 2 and "row 1 column colour: unknown column" in run.stderr and "row 1 column tax: unknown" in run.stderr
    run = _import(desk, "-", input="receipt,date,description,amount,status\nA,2026-11-02,x,100,paid\n")
    assert run.code == 2 and "row 1 column status: only files from `salon export sales`" in run.stderr
    good = _write(tmp_path, "receipt,date,description,amount\nA,2026-11-02,x,100\n", name="good.csv")
    assert _import(desk, good, "--date-format", "DD/MM").code == 2
    assert _import(desk, good, "--map", "nada").code == 2
    assert _import(desk, good, "--encoding", "klingon").code == 2
    assert _import(desk, tmp_path / "nope.csv").code == 2
    assert _import(desk, good, who=["--as", "nadie"]).code == 3
    assert _counts(desk)[0] == 0
    # a tax column named through --map, and amounts before tax
    text = "Ticket,Fecha,Concepto,Importe,GST\nG-1,2026-11-02,Corte dama,100,5\n"
    assert _imported(desk, "-", "--map", "Ticket=receipt", "--map", "Fecha=date", "--map", "Concepto=description",
                     "--map", "Importe=amount", "--map", "GST=tax:GST", "--amount-before-tax", input=text)["created"] == 1
    [sale] = _records(desk)
    assert [sale[k] for k in ("subtotal_cents", "tax_cents", "total_cents", "paid_cents", "created_at")] == [
        10000, 500, 10500, 10500, "2026-11-02T00:00:00-06:00"]
    # GST is not in the policy: the rate the data implies (5.00 on 100.00 before tax)
    assert sale["lines"][0]["taxes"] == [{"name": "GST", "rate_bp": 500, "inclusive": False, "amount_cents": 500}]


def test_dry_run_counts_and_writes_nothing(desk, tmp_path):
    path = _write(tmp_path, RECEIPTS)
    _imported(desk, path, *MAP)
    more = _write(tmp_path, RECEIPTS + "R-103,11/05/2026,09:00 AM,1,ana,Tinte,1,800,cash,,,\n", name="more.csv")
    before = _counts(desk)
    run = _ok(_import(desk, more, *MAP, "--dry-run"))
    assert [(p["row"], p["action"]) for p in json.loads(run.stdout)] == [
        (2, "match"), (3, "match"), (5, "match"), (6, "create")]
    assert "dry run, nothing written: read 5 rows, would use 5: 1 new sale, 3 already here" in run.stderr
    assert _counts(desk) == before


def test_a_closed_business_day_is_refused(desk, clock, tmp_path):
    from salon_cli.db.models import DayClose

    path = _write(tmp_path, RECEIPTS)
    _do(desk, lambda s, a, loc: s.add(DayClose(location_id=loc.id, business_date=date(2026, 11, 3),
                                               closed_at=clock.now())), who="marco")
    before = _counts(desk)
    run = _import(desk, path, *MAP)
    assert run.code == 2 and _counts(desk) == before
    assert "row 3 column date: business day 2026-11-03 at centro is closed" in run.stderr


def test_create_missing_staff_needs_a_manager(desk, tmp_path):
    text = "receipt,date,staff,description,amount\nM-1,2026-11-02,Pedro Páramo,Corte dama,350\n"
    path = _write(tmp_path, text)
    assert _import(desk, path, "--create-missing").code == 3
    run = _ok(_import(desk, path, "--create-missing", who=MARCO))
    assert json.loads(run.stdout)["created"] == 1 and "created staff member Pedro Páramo (pedro-paramo, stylist) with PIN" in run.stderr
    assert _records(desk)[0]["lines"][0]["staff"] == "pedro-paramo"


def test_round_trip_export_then_import_into_a_fresh_salon(desk, fresh_url, clock, tmp_path):
    _day(desk, clock)
    out = tmp_path / "ventas.csv"
    _export(desk, "sales", "--output", str(out))
    _init(fresh_url)
    # the file records a refund: money given back is a manager's, with a PIN, by any path (issue 26, 9)
    for who in (DESK, ["--as", "marco"]):
        refused = _import(fresh_url, out, who=who)
        assert refused.code == 3, refused.stderr
        assert refused.stderr.splitlines() == [
            f"error: receipt centro:{_records(desk)[0]['id']} (row 2) records a refund of 100.00: refunds need a "
            "manager's PIN", "hint: import it as a manager: --as MANAGER --pin PIN"]
    assert _counts(fresh_url)[:4] == (0, 0, 0, 0)
    assert _import(fresh_url, out, "--dry-run", who=DESK).code == 3
    assert _imported(fresh_url, out, who=MARCO) == {"rows_read": 4, "rows_used": 4, "created": 4, "unchanged": 0,
                                                    "dry_run": False, "refused": 0}
    before, after = _records(desk), _records(fresh_url)
    assert [[r[k] for k in MONEY] for r in after] == [[r[k] for k in MONEY] for r in before]
    assert [r["external_id"] for r in after] == [f"centro:{r['id']}" for r in before]
    # the payments as they were made (the split one too, each tip where it was), the refund against
    # it, lines that add up
    assert [[(p["method"], p["amount_cents"], p["tip_cents"], p["refunded_cents"]) for p in r["payments"]]
            for r in after] == [[(p["method"], p["amount_cents"], p["tip_cents"], p["refunded_cents"])
                                 for p in r["payments"]] for r in before] == [
        [("cash", 53000, 5000, 10000)], [("card", 40000, 10000, 0), ("cash", 32000, 0, 0)], [], [("card", 80000, 0, 0)]]
    for r in after:
        assert sum(x["tax_cents"] for x in r["lines"]) == r["tax_cents"]
        assert sum(x["total_cents"] for x in r["lines"]) == r["total_cents"]
    # the same export again is already here, in both salons
    assert _imported(fresh_url, out)["unchanged"] == 4
    assert _imported(desk, out) == {"rows_read": 4, "rows_used": 4, "created": 0, "unchanged": 4,
                                    "dry_run": False, "refused": 0}
    # and an export of the fresh salon imports back into it as it is
    again = tmp_path / "otra.csv"
    _export(fresh_url, "sales", "--output", str(again))
    assert _imported(fresh_url, again)["unchanged"] == 4


def test_exported_figures_that_do_not_add_up_are_refused(desk):
    header = ",".join(COLUMNS)
    row = "9,elsewhere,2026-11-02,paid,,,,,,10000,0,1600,0,11600,11600,0,cash,cash:11600:0,,2026-11-02T10:00:00-06:00,"
    assert _imported(desk, "-", input=f"{header}\n{row}\n")["created"] == 1
    [sale] = _records(desk)
    assert (sale["external_id"], sale["tax_cents"], sale["lines"][0]["taxes"]) == (
        "elsewhere:9", 1600, [{"name": "tax", "rate_bp": 0, "inclusive": False, "amount_cents": 1600}])
    for bad, column in ((row.replace(",11600,11600,", ",12600,11600,"), "total_cents"),
                        (row.replace(",paid,", ",refunded,"), "status"),
                        (row.replace(",11600,0,cash", ",11600,20000,cash"), "refunded_cents"),
                        (row.replace("10000,0,1600", "10000,20000,1600"), "discount_cents"),
                        (row.replace("cash:11600:0", "cash:6000:0;card:5000:0"), "tenders"),
                        (row.replace("cash:11600:0", "cash:11600:300"), "tenders"),
                        (row.replace("cash:11600:0", "cash:11600:zero"), "tenders"),
                        (row.replace("cash:11600:0", "bitcoin:11600:0"), "tenders")):
        run = _import(desk, "-", input=f"{header}\n{bad.replace('9,', '10,', 1)}\n")
        assert run.code == 2 and f"row 2 column {column}:" in run.stderr, (column, run.stderr)


def test_demo_sales_export_and_reimport_round_trip(db_url, fresh_url, clock, tmp_path):
    """The demo's month of sales, exported and imported into an empty salon: the same money."""
    _ok(salon(db_url, "demo", "--clients", "20", "--days", "4"))
    out = tmp_path / "demo.csv"
    _export(db_url, "sales", "--output", str(out))
    _ok(salon(fresh_url, *INIT))
    # the demo's clients are not in the fresh salon: keep the sales, leave out who bought
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    for r in rows:
        r.update(client_id="", client_phone="", client_email="", client="")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    summary = _imported(fresh_url, "-", who=OWNER, input=buffer.getvalue())
    assert summary["created"] == len(rows) > 0
    figures = [k for k in MONEY if k != "client_id"]
    assert [[r[k] for k in figures] for r in _records(fresh_url)] == [[r[k] for k in figures] for r in _records(db_url)]
    # the visits are history; only today's memberships sold (each a sale of its fee, no appointment) are today's
    today = [r for r in rows if date.fromisoformat(r["business_date"]) >= date(2026, 11, 21)]
    assert all(r["business_date"] == "2026-11-21" and not r["appointment_id"] for r in today)
    assert len(today) < len(rows)


@pytest.mark.parametrize("args", [["import", "sales", "--help"], ["export", "sales", "--help"],
                                  ["export", "payments", "--help"]])
def test_help_loads_no_database_library(args):
    probe = ("import sys\nfrom salon_cli.cli.app import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'psycopg'}), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=60)
    assert "Example:" in proc.stdout
    assert proc.stderr.strip().splitlines()[-1] == "[]"
