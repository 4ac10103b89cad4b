"""`salon export sales --lines` (`salon export sale-lines`): one row a sale line, shaped for `salon import
sales`, on SQLite and PostgreSQL (`db_url`); exported and imported into an empty salon (`fresh_url`), it
gives the same sales and the same revenue by day and by staff member.

The salon: IVA 16 % included in the prices and ISH 3 % on top (two taxes, one of each kind); stylists ana
and beto, manager marco, receptionist sofia. The clock is Saturday 2026-11-21 11:00 in Mexico City.
Saturday: sale A (Ana López, by her phone) of a cut by ana, a colour by beto and a shampoo sold by
sofia, 10 % off at the desk, paid 600.00 by card with a 80.00 tip and the rest in cash; sale B (Carla
Ruiz, by her code OLD-7) of a colour by ana with 100.00 off, by card; sale C voided; sale D left open.
Sunday: 200.00 of sale A given back by the manager, and sale E (Beto Gómez, by his e-mail) of a cut by
beto, in cash.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli_helpers import INIT, OWNER, salon

MARCO = ["--as", "marco", "--pin", "2222"]
FIXED = ["receipt", "date", "time", "client", "staff", "description", "kind", "quantity", "amount", "discount",
         "method", "tenders", "tip", "refund_of", "sale_id", "line", "net_cents"]
HEADER = FIXED + ["tax:ISH", "tax:IVA"]  # one column a tax, by name
SAT, SUN = "2026-11-21", "2026-11-22"


def _ok(run):
    assert run.code == 0, run.stderr
    return run


def _json(run):
    return json.loads(_ok(run).stdout)


def _team_and_menu(engine, *, clients=True):
    """The team, menu, taxes and (`clients`) four clients, ids 1-4, through the services (a PIN checked
    on every command line would cost seconds here)."""
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.clients import profiles
    from salon_cli.services.salon import catalog, locations, policy, staff
    from salon_cli.services.salon.actors import Actor

    owner = Actor(id=1, code="lucia", name="Lucía", role="owner", verified=True)
    with UnitOfWork(engine) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        for name, code, role in (("Marco Ruiz", "marco", "manager"), ("Sofía Muñoz", "sofia", "receptionist"),
                                 ("Ana Díaz", "ana", "stylist"), ("Beto Ruiz", "beto", "stylist")):
            staff.add(s, actor=owner, location=loc, name=name, code=code, role=role, pin="2222")
        catalog.add_service(s, actor=owner, location=loc, name="Corte dama", duration_min=45, price_cents=35000,
                            code="corte")
        catalog.add_service(s, actor=owner, location=loc, name="Tinte", duration_min=90, price_cents=80000,
                            code="tinte")
        catalog.add_product(s, actor=owner, location=loc, name="Shampoo", price_cents=18000, code="shampoo", stock=5)
        policy.update(s, actor=owner, location=loc, taxes=["IVA:16%:inclusive", "ISH:3%"])
        for first, last, contact in (("Ana", "López", {"phone": "5512345678"}),
                                     ("Beto", "Gómez", {"email": "beto@example.com"}),
                                     ("Carla", "Ruiz", {"external_code": "OLD-7"}), ("Dora", "Sin Contacto", {}))[
                                        :4 if clients else 0]:
            profiles.add(s, actor=owner, location=loc, first_name=first, last_name=last, **contact)
        uow.commit()


def _do(engine, fn, who="sofia"):
    """Run a service as `who` in one committed transaction: fn(session, actor, location)."""
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon import locations
    from salon_cli.services.salon import staff as staff_service
    from salon_cli.services.salon.actors import Actor

    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        m = staff_service.find(uow.session, who)
        result = fn(uow.session, Actor(id=m.id, code=m.code, name=m.name, role=m.role, verified=True), loc)
        uow.commit()
    return result


def _weekend(engine, clock):
    """The sales of the module's docstring, through the till's services: their ids, A to E."""
    from salon_cli.services.till import sales, tenders, tickets

    def a(s, actor, loc):
        sale = tickets.create(s, actor=actor, location=loc, client_id=1)
        sales.add_service(s, actor=actor, location=loc, sale_id=sale.id, service="corte", staff="ana")
        sales.add_service(s, actor=actor, location=loc, sale_id=sale.id, service="tinte", staff="beto")
        sales.add_product(s, actor=actor, location=loc, sale_id=sale.id, product="shampoo")
        sales.set_discount(s, actor=actor, location=loc, sale_id=sale.id, discount="10%")
        tenders.pay(s, actor=actor, location=loc, sale_id=sale.id, method="card", amount_cents=60000, tip_cents=8000)
        tenders.pay(s, actor=actor, location=loc, sale_id=sale.id, method="cash")
        return sale.id

    def b(s, actor, loc):
        sale = tickets.create(s, actor=actor, location=loc, client_id=3)
        sales.add_service(s, actor=actor, location=loc, sale_id=sale.id, service="tinte", staff="ana")
        sales.set_discount(s, actor=actor, location=loc, sale_id=sale.id, discount="100")
        tenders.pay(s, actor=actor, location=loc, sale_id=sale.id, method="card")
        return sale.id

    def opened(s, actor, loc, client_id=None, staff="beto"):
        sale = tickets.create(s, actor=actor, location=loc, client_id=client_id)
        sales.add_service(s, actor=actor, location=loc, sale_id=sale.id, service="corte", staff=staff)
        return sale.id

    ids = [_do(engine, a)]
    clock.advance(minutes=30)
    ids.append(_do(engine, b))
    ids.append(_do(engine, opened))
    _do(engine, lambda s, actor, loc: sales.void(s, actor=actor, location=loc, sale_id=ids[2], reason="equivocada"),
        who="marco")
    ids.append(_do(engine, lambda s, actor, loc: opened(s, actor, loc, client_id=2, staff="ana")))
    clock.advance(days=1)
    _do(engine, lambda s, actor, loc: tenders.refund(s, actor=actor, location=loc, sale_id=ids[0], amount_cents=20000,
                                                   reason="el tinte no quedó"), who="marco")

    def e(s, actor, loc):
        sale_id = opened(s, actor, loc, client_id=2)
        tenders.pay(s, actor=actor, location=loc, sale_id=sale_id, method="cash")
        return sale_id

    ids.append(_do(engine, e))
    return ids


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def weekend(engine, clock, request):
    """The salon of the module's docstring: its sales' ids, A to E."""
    request.getfixturevalue("salon")  # initialised: location centro, owner lucia (PIN 1234)
    _team_and_menu(engine)
    return _weekend(engine, clock)


def _expected(ids):
    """The file by hand. A: 1330.00 less 10 % (35.00, 80.00, 18.00 by gross); each line's IVA is inside
    what is left (315.00 x 16/116 = 43.45), ISH 3 % on the rest (271.55 x 3 % = 8.15). The refund of
    200.00 is split over A's lines by their totals (52.63, 120.30, 27.07: largest remainder), each share
    into its pre-tax part (52.63 x 271.55/323.15 = 44.23) and its taxes, split by the line's (IVA 7.07,
    ISH 1.33). The refund's rows name no staff member: the desk's refund does not say who gave it back."""
    a, b, _, _, e = ids
    sale_a = f"centro:{a},{SAT},11:00:00,+525512345678"
    tenders = "card:60000:8000;cash:62796:0"
    return [
        ",".join(HEADER),
        f"{sale_a},ana,Corte dama,service,1,323.15,35.00,,{tenders},,,{a},1,27155,8.15,43.45",
        f"{sale_a},beto,Tinte,service,1,738.62,80.00,,{tenders},,,{a},2,62069,18.62,99.31",
        f"{sale_a},sofia,Shampoo,product,1,166.19,18.00,,{tenders},,,{a},3,13966,4.19,22.34",
        f"centro:{b},{SAT},11:30:00,OLD-7,ana,Tinte,service,1,718.10,100.00,card,card:71810:0,,,{b},1,"
        "60345,18.10,96.55",
        f"centro:{e},{SUN},11:30:00,beto@example.com,beto,Corte dama,service,1,359.05,0.00,cash,cash:35905:0,,,{e},1,"
        "30172,9.05,48.28",
        f"centro:{a}-R1,{SUN},11:30:00,+525512345678,,Corte dama,return,1,-52.63,0.00,cash,,,centro:{a},{a},1,"
        "-4423,-1.33,-7.07",
        f"centro:{a}-R1,{SUN},11:30:00,+525512345678,,Tinte,return,1,-120.30,0.00,cash,,,centro:{a},{a},2,"
        "-10109,-3.03,-16.18",
        f"centro:{a}-R1,{SUN},11:30:00,+525512345678,,Shampoo,return,1,-27.07,0.00,cash,,,centro:{a},{a},3,"
        "-2275,-0.68,-3.64",
    ]


def _cents(text):
    """A two-decimal cell in cents, for the test's sums (checked against the services' ints)."""
    whole, _, frac = text.lstrip("-").partition(".")
    return (-1 if text.startswith("-") else 1) * (int(whole) * 100 + int(frac or 0))


def test_sale_lines_are_exact_add_up_to_the_sales_and_stream(db_url, engine, weekend):
    ids = weekend
    run = _ok(salon(db_url, "export", "sale-lines"))
    assert run.stdout.splitlines() == _expected(ids)
    assert run.stderr.strip() == "exported 8 sale lines"
    assert _ok(salon(db_url, "export", "sales", "--lines")).stdout == run.stdout  # the same export
    # every sale's rows add up to the sale, to the cent; the void (C) and the open sale (D) took no money
    rows, sales = _rows(run.stdout), {s["id"]: s for s in _json(salon(db_url, "export", "sales", "-f", "json"))}
    assert [s["status"] for s in sales.values()] == ["partially_refunded", "paid", "void", "open", "paid"]
    for sale_id in (ids[0], ids[1], ids[4]):
        mine = [r for r in rows if r["sale_id"] == str(sale_id) and not r["refund_of"]]
        sale = sales[sale_id]
        assert sum(_cents(r["amount"]) for r in mine) == sale["total_cents"]
        assert sum(_cents(r["discount"]) for r in mine) == sale["discount_cents"]
        assert sum(_cents(r["tax:IVA"]) + _cents(r["tax:ISH"]) for r in mine) == sale["tax_cents"]
        assert {r["tenders"] for r in mine} == {";".join(sale["tenders"])}
    # the refund's rows give back 200.00, and report revenue loses their pre-tax parts on Sunday
    back = [r for r in rows if r["refund_of"]]
    assert sum(_cents(r["amount"]) for r in back) == -20000 == -sales[ids[0]]["refunded_cents"]
    revenue = {r["period"]: r["revenue_cents"] for r in _revenue(db_url, "day")}
    assert revenue == {SAT: 27155 + 62069 + 13966 + 60345, SUN: 30172 + sum(int(r["net_cents"]) for r in back)}
    assert revenue[SUN] == 30172 - 16807
    # JSON and NDJSON: the same records, their fields in the same order
    doc = _json(salon(db_url, "export", "sale-lines", "-f", "json"))
    assert [list(r) for r in doc] == [HEADER] * 8
    assert [{k: str(v) for k, v in r.items()} for r in doc] == rows
    ndjson = _ok(salon(db_url, "export", "sales", "--lines", "-f", "ndjson")).stdout.splitlines()
    assert [json.loads(line) for line in ndjson] == doc
    # the window: sales by their business day, refunds by theirs
    sunday = _rows(_ok(salon(db_url, "export", "sale-lines", "--from", SUN)).stdout)
    assert [(r["receipt"], r["line"]) for r in sunday] == [(f"centro:{ids[4]}", "1")] + [
        (f"centro:{ids[0]}-R1", str(n)) for n in (1, 2, 3)]
    saturday = _ok(salon(db_url, "export", "sale-lines", "--to", SAT))
    assert saturday.stdout.splitlines() == _expected(ids)[:5] and "exported 4 sale lines" in saturday.stderr
    assert _ok(salon(db_url, "export", "sale-lines", "--from", "2026-12-01")).stdout == ",".join(FIXED) + "\n"
    # streamed: a generator over keyset pages, the same rows one sale or refund a page
    from salon_cli.services.transfer import sale_line_export

    def take(rows):
        assert iter(rows) is rows  # a generator, not a list
        return [list(r.values()) for r in rows]

    one = _do(engine, lambda s, a, loc: take(sale_line_export.sale_lines(s, location=loc, batch=1)))
    assert one == [list(r.values()) for r in doc]
    # a refund that says who gave the money back (an imported return) names them on its rows; a client
    # with neither code, phone nor e-mail is named by our id
    from sqlalchemy import update

    from salon_cli.db.models import Refund, Sale

    def change(s, actor, loc):
        s.execute(update(Refund).values(staff_id=actor.id))
        s.execute(update(Sale).where(Sale.id == ids[4]).values(client_id=4))

    _do(engine, change, who="marco")
    sunday = _rows(_ok(salon(db_url, "export", "sale-lines", "--from", SUN)).stdout)
    assert [(r["client"], r["staff"]) for r in sunday] == [("4", "beto")] + [("+525512345678", "marco")] * 3


def test_the_options_and_the_output_file(db_url, weekend, tmp_path):
    out = tmp_path / "lineas.csv"
    run = _ok(salon(db_url, "export", "sale-lines", "--output", str(out)))
    assert run.stdout == "" and run.stderr.strip() == f"exported 8 sale lines to {out}"
    assert out.read_text(encoding="utf-8").splitlines() == _expected(weekend)
    # a previous file of this export is replaced, in any format and whatever taxes it had
    out.write_text(",".join(FIXED + ["tax:IVA"]) + "\n", encoding="utf-8")
    for fmt in ("json", "ndjson", "csv"):
        _ok(salon(db_url, "export", "sales", "--lines", "-f", fmt, "--output", str(out)))
    # a stranger's file is kept
    letter = tmp_path / "carta.csv"
    letter.write_text("receipt,date,amount\nR-1,2026-11-01,10.00\n", encoding="utf-8")
    refused = salon(db_url, "export", "sale-lines", "--output", str(letter))
    assert refused.code == 2 and "--force" in refused.stderr and "sale lines export" in refused.stderr
    assert letter.read_text(encoding="utf-8") == "receipt,date,amount\nR-1,2026-11-01,10.00\n"
    for bad in (["sales", "--lines", "--status", "paid"], ["sale-lines", "--from", SUN, "--to", SAT],
                ["sale-lines", "--from", "mañana"], ["sale-lines", "-f", "table"]):
        run = salon(db_url, "export", *bad)
        assert run.code == 2 and "Traceback" not in run.stderr, (bad, run.stderr)
    assert "no --status" in salon(db_url, "export", "sales", "--lines", "--status", "paid").stderr


# ----------------------------------------------------------------------------- the round trip

def _sales(url):
    """A salon's sales that took money, by receipt: figures, lines, payments and refunds."""
    out = {}
    for s in _json(salon(url, "export", "sales", "-f", "json")):
        if s["status"] in ("open", "void"):
            continue
        out[s["external_id"] or f"{s['location']}:{s['id']}"] = {
            "figures": [s[k] for k in ("business_date", "status", "client", "subtotal_cents", "discount_cents",
                                       "tax_cents", "tip_cents", "total_cents", "paid_cents", "refunded_cents")],
            "lines": [(x["kind"], x["description"], x["staff"], x["discount_cents"], x["net_cents"], x["tax_cents"],
                       x["total_cents"], sorted((t["name"], t["amount_cents"]) for t in x["taxes"]))
                      for x in s["lines"]],
            "payments": sorted((p["method"], p["amount_cents"], p["tip_cents"]) for p in s["payments"]),
            "refunds": [(r["method"], r["amount_cents"], r["business_date"]) for r in s["refunds"]]}
    return out


def _revenue(url, by):
    return _json(salon(url, *OWNER, "report", "revenue", "--from", SAT, "--to", SUN, "--by", by, "-f", "json"))


def test_exported_lines_imported_into_an_empty_salon_give_the_same_sales_and_revenue(db_url, weekend, fresh_url,
                                                                                      tmp_path):
    """Needs the sales import's `discount`, `kind`, `tenders` and `refund_of` columns in a file of lines,
    and its returns (issue 29): the refund's receipt gives 200.00 back on sale A, on Sunday, as one refund
    that names no staff member (as the desk's did), so revenue by staff follows A's lines as before."""
    from salon_cli.db.engine import make_engine

    ids = weekend
    _ok(salon(fresh_url, *INIT))
    fresh = make_engine(fresh_url)
    _team_and_menu(fresh, clients=False)
    fresh.dispose()
    clients = tmp_path / "clientes.csv"
    _ok(salon(db_url, "export", "clients", "--output", str(clients)))
    _ok(salon(fresh_url, *OWNER, "import", "clients", str(clients)))
    lines = tmp_path / "lineas.csv"
    _ok(salon(db_url, "export", "sales", "--lines", "--output", str(lines)))

    summary = _json(salon(fresh_url, *MARCO, "import", "sales", str(lines), "-f", "json"))
    assert (summary["rows_read"], summary["rows_used"], summary["refused"]) == (8, 8, 0), summary
    source, moved = _sales(db_url), _sales(fresh_url)
    assert sorted(moved) == sorted(source) == sorted(f"centro:{i}" for i in (ids[0], ids[1], ids[4]))
    for receipt, sale in source.items():
        assert moved[receipt] == sale, receipt
    assert source[f"centro:{ids[0]}"]["refunds"] == [("cash", 20000, SUN)]  # what was compared
    for by in ("day", "staff"):
        assert _revenue(fresh_url, by) == _revenue(db_url, by), by
    assert {r["period"]: r["revenue_cents"] for r in _revenue(db_url, "staff")} == {
        "beto": 62069 - 10109 + 30172, "ana": 27155 - 4423 + 60345, "sofia": 13966 - 2275}
    # the same file again creates nothing, and gives nothing back twice
    again = _json(salon(fresh_url, *MARCO, "import", "sales", str(lines), "-f", "json"))
    assert (again["created"], again["refused"]) == (0, 0), again
    assert _sales(fresh_url) == moved
    # exported again from the new salon: the same rows, but for our own ids
    exported = _rows(_ok(salon(fresh_url, "export", "sale-lines")).stdout)
    assert [{k: v for k, v in r.items() if k != "sale_id"} for r in exported] == \
           [{k: v for k, v in r.items() if k != "sale_id"} for r in _rows(lines.read_text(encoding="utf-8"))]
