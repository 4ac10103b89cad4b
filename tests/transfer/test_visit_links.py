"""An imported receipt joined to the imported visit it paid for (`transfer.visit_links.link_visits`), on
SQLite and PostgreSQL, with the files imported in either order: each client's visits and total spent
(`client show`, `client list`) equal the sums of the files, each sale counted once.

Clients PERA01, LUNA02 and SOL03; stylists ana and beto. The clock is Saturday 2026-11-21 11:00 in
Mexico City; no tax.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest

from cli_helpers import INIT, OWNER, js, ok

DESK = ["--as", "sofia"]
BOOKINGS = """\
external_id,client,service,staff,date,time,status
A-1,PERA01,corte,ana,2026-11-10,10:00,completed
A-2,PERA01,tinte,beto,2026-11-10,11:00,completed
A-3,PERA01,corte,ana,2026-11-17,16:00,completed
A-4,LUNA02,tinte,beto,2026-11-12,12:00,completed
A-5,LUNA02,corte,ana,2026-11-13,12:00,no_show
A-6,PERA01,corte,ana,2026-11-18,10:00,completed
A-7,LUNA02,corte,ana,2026-11-18,11:00,completed
A-8,SOL03,corte,beto,2026-11-16,10:00,cancelled
"""
# R-1 is ana's and paid at 11:05, closest to beto's 11:00 visit: it is A-1's (ana's), R-2 beto's A-2.
# R-4 is a second purchase the day of A-3. R-5 was rung up by ana for beto's A-4 (the only visit that day).
# one receipt of two clients, one sale each (R-7, R-7/2), each its client's visit. have no visit.
RECEIPTS = """\
receipt,date,time,client,staff,description,quantity,amount,method,tip
R-1,2026-11-10,11:05,PERA01,ana,corte,1,350.00,cash,40.00
R-2,2026-11-10,12:30,PERA01,beto,tinte,1,800.00,card,
R-2,2026-11-10,12:30,PERA01,beto,shampoo,2,360.00,card,
R-3,2026-11-17,16:50,PERA01,ana,corte,1,330.50,cash,
R-4,2026-11-17,17:30,PERA01,beto,shampoo,1,180.00,cash,
R-5,2026-11-12,13:30,LUNA02,ana,tinte,1,750.00,card,
R-6,2026-11-15,09:00,SOL03,beto,shampoo,1,180.00,cash,
R-7,2026-11-18,11:45,PERA01,ana,corte,1,350.00,cash,
R-7,2026-11-18,11:45,LUNA02,ana,corte,1,299.99,cash,
R-9,2026-11-16,10:20,SOL03,beto,shampoo,1,90.00,cash,
"""
LINKED = {"R-1": "A-1", "R-2": "A-2", "R-3": "A-3", "R-5": "A-4", "R-7": "A-6", "R-7/2": "A-7"}


@pytest.fixture
def shop(db_url, clock):
    ok(db_url, *INIT)
    for args in (["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
                 ["staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444"],
                 ["staff", "add", "Beto Ruiz", "--code", "beto", "--role", "stylist", "--pin", "5555"],
                 ["service", "add", "Corte dama", "--code", "corte", "--duration", "45", "--price", "350"],
                 ["service", "add", "Tinte", "--code", "tinte", "--duration", "90", "--price", "800"],
                 ["product", "add", "Shampoo", "--code", "shampoo", "--price", "180", "--stock", "5"]):
        ok(db_url, *OWNER, *args)
    for first, code in (("Perla", "PERA01"), ("Luna", "LUNA02"), ("Sol", "SOL03")):
        ok(db_url, *DESK, "client", "add", "--first", first, "--last", "Prueba", "--external-code", code)
    return db_url


def _expected() -> dict[str, tuple[int, int]]:
    """external code -> (visits, total spent): completed bookings, and every receipt's amounts (tips aside)."""
    visits: dict[str, int] = defaultdict(int)
    spent: dict[str, int] = defaultdict(int)
    for row in csv.DictReader(io.StringIO(BOOKINGS)):
        visits[row["client"]] += row["status"] == "completed"
    for row in csv.DictReader(io.StringIO(RECEIPTS)):
        spent[row["client"]] += int(Decimal(row["amount"]) * 100)
    return {code: (visits[code], spent[code]) for code in ("PERA01", "LUNA02", "SOL03")}


def _link(url, **ids):
    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon import locations
    from salon_cli.services.transfer.visit_links import link_visits

    with UnitOfWork(make_engine(url)) as uow:
        loc = locations.resolve(uow.session, None)
        linked = link_visits(uow.session, loc.id, **{k: v(uow.session) for k, v in ids.items()})
        uow.commit()
    return linked


def _ids(model):
    import sqlalchemy as sa

    return lambda session: list(session.execute(sa.select(model.id).where(model.external_id.is_not(None))).scalars())


def _links(url) -> dict[str, str | None]:
    import sqlalchemy as sa

    from salon_cli.db.engine import make_engine
    from salon_cli.db.models import Appointment, Sale

    with make_engine(url).connect() as conn:
        return dict(conn.execute(sa.select(Sale.external_id, Appointment.external_id)
                                 .outerjoin(Appointment, Appointment.id == Sale.appointment_id)).all())


@pytest.mark.parametrize("order", ["bookings first", "receipts first"])
def test_each_receipt_counts_once_whatever_the_order(shop, tmp_path, order, monkeypatch):
    from salon_cli.db.models import Appointment, Sale
    from salon_cli.services.transfer import visit_links

    if order == "receipts first":  # the clients' receipts read in one go, as for a file of thousands of clients
        monkeypatch.setattr(visit_links, "_FEW", 1)

    (tmp_path / "bookings.csv").write_text(BOOKINGS)
    (tmp_path / "receipts.csv").write_text(RECEIPTS)
    files = [("appointments", "bookings.csv"), ("sales", "receipts.csv")]
    for what, name in files if order == "bookings first" else files[::-1]:
        ok(shop, *DESK, "import", what, str(tmp_path / name))
    clients = {c["external_code"]: c for c in js(shop, "client", "list")}
    waiting = sum(_links(shop)[r] is None for r in LINKED)  # 0 once the imports link at their end themselves
    if waiting == len(LINKED):  # unlinked, each visit and its receipt are both counted: A-1's price and R-1, ...
        assert clients["PERA01"]["total_spent_cents"] == 35000 + 80000 + 35000 + 35000 + 237050

    # the call each import makes at its end: the sales it wrote, or the appointments it wrote
    assert _link(shop, **({"sale_ids": _ids(Sale)} if order == "bookings first" else
                          {"appointment_ids": _ids(Appointment)})) == waiting
    assert _links(shop) == {r: LINKED.get(r) for r in ("R-1", "R-2", "R-3", "R-4", "R-5", "R-6", "R-7", "R-7/2", "R-9")}
    expected = _expected()
    assert expected == {"PERA01": (4, 237050), "LUNA02": (2, 104999), "SOL03": (0, 27000)}
    listed = {c["external_code"]: (c["visits"], c["total_spent_cents"]) for c in js(shop, "client", "list")}
    assert listed == expected
    for code, (visits, spent) in expected.items():
        card = js(shop, "client", "show", str(clients[code]["id"]))
        assert (card["visits"], card["total_spent_cents"]) == (visits, spent)

    assert _link(shop) == 0  # the whole location, again: nothing left to link, nothing linked twice
    audit = js(shop, *OWNER, "audit", "--entity", "sale")
    assert sorted(e["entity_id"] for e in audit if e["action"] == "sale.link_visit") == sorted(  # one row a link
        s["id"] for s in js(shop, "export", "sales") if s["external_id"] in LINKED)
