"""`salon import sales` of a real receipts export, unedited (issue 29), on SQLite and PostgreSQL (`db_url`):
negative lines by another staff member (a "misc -50" discount and a returned product on one receipt),
a later receipt that only gives money back (without and with `refund_of`), a receipt two clients paid
together, tax columns with 3 and 4 decimals (before-tax amounts decided from the data), a return with
no earlier sale (refused, naming the source's values) and a desk user importing a return (exit 3).

Every figure is computed in the test from the file's own cells with Decimal: per sale and tax, the
exact sum of its lines rounded once, half up; revenue per day (sales on their day, returns on theirs)
and per staff member, tax per day and sales per day, compared to the cent with `salon report revenue`.

The salon: IVA 16 % included in prices; stylists ana and beto, manager marco, receptionist sofia; the
service "Corte dama" and the product "Aceite" whose code in the old system was `OIL9.5ML`; clients
PERA01 and her daughter HIJA02, known by those codes. The clock is Saturday 2026-11-21 11:00 (Mexico City).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from cli_helpers import salon as run

MARCO = ["--as", "marco", "--pin", "2222"]
DESK = ["--as", "sofia", "--pin", "2222"]
CENT = Decimal("0.01")

RECEIPTS = (
    "receipt,date,time,client,staff,description,quantity,amount,method,tip,tax:IVA,refund_of\n"
    # a cut and two oils; beto takes 50 off ("misc") and takes one oil back, on the same receipt
    "R-1001,2026-11-16,10:00,PERA01,ana,Corte dama,1,406.00,tarjeta,50.00,56.0000,\n"
    "R-1001,2026-11-16,10:00,PERA01,ana,OIL9.5ML,2,100.00,tarjeta,,13.7931,\n"
    "R-1001,2026-11-16,10:00,PERA01,beto,misc,1,-50.00,tarjeta,,-6.8966,\n"
    "R-1001,2026-11-16,10:00,PERA01,beto,OIL9.5ML,-1,-50.00,tarjeta,,-6.8966,\n"
    # mother and daughter pay together: the row without a client is the mother's
    "R-1003,2026-11-17,16:00,PERA01,ana,Corte dama,1,406.00,efectivo,,56.00,\n"
    "R-1003,2026-11-17,16:00,HIJA02,beto,Corte dama,1,406.00,visa,20.00,56.00,\n"
    "R-1003,2026-11-17,16:00,,ana,OIL9.5ML,1,50.00,efectivo,,6.8966,\n"
    # returns: an oil (from her newest sale holding it), half the daughter's cut (the receipt named)
    "R-1002,2026-11-18,12:00,PERA01,beto,OIL9.5ML,-1,-50.00,efectivo,,-6.8966,\n"
    "R-1004,2026-11-19,11:00,HIJA02,ana,Corte dama,1,-203.00,visa,,-28.00,R-1003\n"
)


def _ok(done):
    assert done.code == 0, done.stderr
    return done


def _json(url, *args):
    """`salon ... -f json` as the manager, parsed."""
    return json.loads(_ok(run(url, *MARCO, *args, "-f", "json")).stdout)


@pytest.fixture
def shop(salon, engine, db_url):
    """The salon of the module's docstring."""
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.clients import profiles
    from salon_cli.services.salon import catalog, locations, policy, staff
    from salon_cli.services.salon.actors import Actor

    owner = Actor(id=1, code="lucia", name="Lucía", role="owner", verified=True)
    with UnitOfWork(engine) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        for code, role in (("ana", "stylist"), ("beto", "stylist"), ("marco", "manager"), ("sofia", "receptionist")):
            staff.add(s, actor=owner, location=loc, name=code.title(), code=code, role=role, pin="2222")
        catalog.add_service(s, actor=owner, location=loc, name="Corte dama", duration_min=45, price_cents=40600,
                            code="corte")
        catalog.add_product(s, actor=owner, location=loc, name="Aceite", price_cents=5000, code="oil-9-5ml",
                            external_code="OIL9.5ML", stock=3)
        for code in ("PERA01", "HIJA02"):
            profiles.add(s, actor=owner, location=loc, first_name=code.title(), last_name="Pérez", external_code=code)
        policy.update(s, actor=owner, location=loc, taxes=["IVA:16%:inclusive"])
        uow.commit()
    return db_url


def _import(engine, text, who="marco", **options):
    """`salon import sales` through its service, as the command runs it (`amount_before_tax` None:
    decided from the data)."""
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.salon import locations
    from salon_cli.services.salon import staff as staff_service
    from salon_cli.services.salon.actors import Actor
    from salon_cli.services.transfer import sale_import

    rows = sale_import.read(io.BytesIO(text.encode()))
    with UnitOfWork(engine) as uow:
        m = staff_service.find(uow.session, who)
        outcome = sale_import.import_sales(
            uow.session, actor=Actor(id=m.id, code=m.code, name=m.name, role=m.role, verified=True),
            location=locations.resolve(uow.session, None), rows=rows, source="receipts.csv", **options)
        uow.commit()
    return outcome


def _rows(engine, query):
    import sqlalchemy as sa

    with engine.connect() as conn:
        return conn.execute(sa.text(query)).all()


def _counts(engine):
    return tuple(_rows(engine, f"SELECT count(*) FROM {t}")[0][0] for t in ("sale", "sale_line", "payment", "refund"))


def _cents(value: Decimal) -> int:
    return int((value / CENT).to_integral_value(rounding=ROUND_HALF_UP))


def _from_the_file(text):
    """The file's own sums: per sale (receipt and client; a row without a client is the first client's)
    its amount and its tax rounded once; then per day and per staff member."""
    rows = list(csv.DictReader(io.StringIO(text)))
    first_client = {}
    for row in rows:
        if row["client"]:
            first_client.setdefault(row["receipt"], row["client"])
    sales: dict[tuple, dict] = {}
    for row in rows:
        sale = sales.setdefault((row["receipt"], row["client"] or first_client.get(row["receipt"], "")),
                                {"day": row["date"], "amount": Decimal(0), "tax": Decimal(0)})
        sale["amount"] += Decimal(row["amount"])
        sale["tax"] += Decimal(row["tax:IVA"] or 0)
    day: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for sale in sales.values():
        tax = _cents(sale["tax"])
        day[sale["day"]]["tax"] += tax
        day[sale["day"]]["revenue"] += _cents(sale["amount"]) - tax
        day[sale["day"]]["sales"] += sale["amount"] >= 0
    staff: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        staff[row["staff"]] += Decimal(row["amount"]) - Decimal(row["tax:IVA"] or 0)
    return day, {who: _cents(v) for who, v in staff.items()}


def test_negative_lines_returns_and_two_clients_report_the_files_own_sums(shop, engine):
    outcome = _import(engine, RECEIPTS)
    assert (outcome.summary.created, outcome.summary.unchanged) == (5, 0)  # 4 sales, 2 returns
    assert (outcome.settings["date_format"], outcome.settings["amount_before_tax"]) == ("%Y-%m-%d", None)  # decided
    sales = {s["external_id"]: s for s in _json(shop, "export", "sales")}
    assert sorted(sales) == ["R-1001", "R-1003", "R-1003/2"]
    r1001 = sales["R-1001"]
    assert [(x["kind"], x["description"], x["quantity"], x["unit_price_cents"], x["gross_cents"],
             x["discount_cents"], x["net_cents"], x["tax_cents"], x["total_cents"], x["staff"],
             x["product_id"] is not None) for x in r1001["lines"]] == [
        ("service", "Corte dama", 1, 40600, 40600, 0, 35000, 5600, 40600, "ana", False),
        ("product", "OIL9.5ML", 2, 5000, 10000, 0, 8621, 1379, 10000, "ana", True),
        ("discount", "misc", 1, 5000, -5000, 5000, -4311, -689, -5000, "beto", False),
        ("return", "OIL9.5ML", 1, 5000, -5000, 5000, -4310, -690, -5000, "beto", True)]
    assert [r1001[k] for k in ("subtotal_cents", "discount_cents", "tax_cents", "total_cents", "tip_cents",
                               "paid_cents", "refunded_cents", "status")] == [
        50600, 10000, 5600, 40600, 5000, 40600, 0, "paid"]
    assert [(p["method"], p["amount_cents"], p["tip_cents"]) for p in r1001["payments"]] == [("card", 40600, 5000)]
    # two clients, two sales; the oil without a client is the mother's
    clients = {c["external_code"]: c["id"] for c in _json(shop, "export", "clients")}
    mother, daughter = sales["R-1003"], sales["R-1003/2"]
    assert (mother["client_id"], [x["description"] for x in mother["lines"]], mother["tax_cents"],
            [(p["method"], p["amount_cents"], p["tip_cents"]) for p in mother["payments"]]) == (
        clients["PERA01"], ["Corte dama", "OIL9.5ML"], 6290, [("cash", 45600, 0)])
    assert (daughter["client_id"], daughter["tax_cents"], daughter["status"], daughter["refunded_cents"],
            [(p["method"], p["amount_cents"], p["tip_cents"]) for p in daughter["payments"]]) == (
        clients["HIJA02"], 5600, "partially_refunded", 20300, [("card", 40600, 2000)])
    # each return is a refund of the earlier sale, by who gave it back, dated its day
    staff = {code: sid for sid, code in _rows(engine, "SELECT id, code FROM staff")}
    refunds = _rows(engine, "SELECT s.external_id, r.amount_cents, r.method, r.business_date, r.staff_id, r.reason "
                            "FROM refund r JOIN sale s ON s.id = r.sale_id ORDER BY r.id")
    assert [(ext, amount, method, str(day), sid, reason) for ext, amount, method, day, sid, reason in refunds] == [
        ("R-1003", 5000, "cash", "2026-11-18", staff["beto"], "imported return R-1002"),
        ("R-1003/2", 20300, "card", "2026-11-19", staff["ana"], "imported return R-1004")]
    assert (mother["refunded_cents"], mother["status"]) == (5000, "partially_refunded")
    sources = dict(_rows(engine, "SELECT external_id, source FROM sale"))
    source = sources["R-1001"] if isinstance(sources["R-1001"], dict) else json.loads(sources["R-1001"])
    assert source == {"receipt": "R-1001", "clients": ["PERA01"], "amount": "406.00", "tax": {"IVA": "55.9999"}}
    both = sources["R-1003/2"] if isinstance(sources["R-1003/2"], dict) else json.loads(sources["R-1003/2"])
    assert both == {"receipt": "R-1003", "clients": ["PERA01", "HIJA02"], "amount": "406.00", "tax": {"IVA": "56.00"}}

    # its receipt shows the negative lines as lines, by their staff; the subtotal is theirs with the rest
    printed = [" ".join(line.split()) for line in _ok(run(shop, *MARCO, "sale", "receipt", str(r1001["id"]))).stdout
               .splitlines()]
    assert printed[printed.index("misc -$50.00"):printed.index("TOTAL $406.00") + 1] == [
        "misc -$50.00", "Beto", "OIL9.5ML -$50.00", "Beto", "-" * 42, "Subtotal $406.00", "IVA 16% (incl.) $56.00",
        "TOTAL $406.00"]
    # the reports: the file's sums, to the cent
    day, by_staff = _from_the_file(RECEIPTS)
    report = _json(shop, "report", "revenue", "--from", "2026-11-16", "--to", "2026-11-20", "--by", "day")
    assert [(r["period"], r["sales_count"], r["revenue_cents"], r["tax_cents"]) for r in report] == [
        (d, day[d]["sales"], day[d]["revenue"], day[d]["tax"]) for d in sorted(day)]
    report = _json(shop, "report", "revenue", "--from", "2026-11-16", "--to", "2026-11-20", "--by", "staff")
    assert {r["period"]: (r["revenue_cents"], r["tips_cents"]) for r in report} == {
        "ana": (by_staff["ana"], 5000), "beto": (by_staff["beto"], 2000)}
    by_service = _json(shop, "report", "revenue", "--from", "2026-11-16", "--to", "2026-11-16", "--by", "service")
    assert {r["period"]: r["revenue_cents"] for r in by_service} == {
        "Corte dama": 35000, "(products)": 8621 - 4310, "(discounts)": -4311}

    # the same file again creates nothing
    before = _counts(engine)
    assert json.loads(_ok(run(shop, *MARCO, "import", "sales", "-", "-f", "json", input=RECEIPTS)).stdout)["created"] == 0
    assert _counts(engine) == before

    # a later refund of the whole R-1001 at the desk gives back each line as it was, the discount too
    _ok(run(shop, *MARCO, "sale", "refund", str(r1001["id"]), "--reason", "todo"))
    today = "2026-11-21"
    assert [(r["revenue_cents"], r["tax_cents"]) for r in
            _json(shop, "report", "revenue", "--date", today, "--by", "day")] == [(-35000, -5600)]
    assert {r["period"]: r["revenue_cents"] for r in _json(shop, "report", "revenue", "--date", today, "--by",
                                                             "staff")} == {"ana": -35000 - 8621, "beto": 4311 + 4310}
    assert {r["period"]: r["revenue_cents"] for r in _json(shop, "report", "revenue", "--date", today, "--by",
                                                             "service")} == {
        "Corte dama": -35000, "(products)": -8621 + 4310, "(discounts)": 4311}

    # our own export of lines, refunds as receipts of their own, imported here: all of it is here already
    before = _counts(engine)
    lines = _ok(run(shop, *MARCO, "export", "sales", "--lines", "--from", "2026-11-16", "--to", "2026-11-20")).stdout
    assert sum(1 for row in csv.DictReader(io.StringIO(lines)) if row["refund_of"]) == 2 + 1  # over R-1003's lines
    done = json.loads(_ok(run(shop, *MARCO, "import", "sales", "-", "-f", "json", input=lines)).stdout)
    assert (done["created"], done["unchanged"], _counts(engine)) == (0, 5, before)


BEFORE_TAX = (  # amounts before tax; IVA with 3 decimals, a local tax the policy does not have
    "receipt,date,client,staff,description,amount,tax:IVA,tax:ISH\n"
    "T-1,2026-11-16,PERA01,ana,Corte dama,120.35,19.256,3.611\n"
    "T-1,2026-11-16,PERA01,ana,OIL9.5ML,45.67,7.307,1.370\n"
    "T-2,2026-11-17,HIJA02,beto,Corte dama,80.00,12.800,2.400\n"
)


def test_tax_with_three_decimals_and_amounts_before_tax_decided_from_the_data(shop, engine):
    text = BEFORE_TAX
    _import(engine, text)  # the amounts are before tax: each IVA is 16 % of its amount
    rows = list(csv.DictReader(io.StringIO(text)))
    sales = {s["external_id"]: s for s in _json(shop, "export", "sales")}
    day: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # sales, revenue, tax
    for receipt in ("T-1", "T-2"):
        mine = [r for r in rows if r["receipt"] == receipt]
        taxes = [_cents(sum(Decimal(r[name]) for r in mine)) for name in ("tax:IVA", "tax:ISH")]
        amount = sum(_cents(Decimal(r["amount"])) for r in mine)
        for n, figure in enumerate((1, amount, sum(taxes))):
            day[mine[0]["date"]][n] += figure
        sale = sales[receipt]
        assert (sale["subtotal_cents"], sale["tax_cents"], sale["total_cents"]) == (amount, sum(taxes), amount + sum(taxes))
        assert [sum(t["amount_cents"] for x in sale["lines"] for t in x["taxes"] if t["name"] == name)
                for name in ("IVA", "ISH")] == taxes
    # the lines' IVA: 19.256 and 7.307 make 26.563, rounded once (26.56), split by largest remainder
    assert [[(t["name"], t["rate_bp"], t["inclusive"], t["amount_cents"]) for t in x["taxes"]]
            for x in sales["T-1"]["lines"]] == [[("IVA", 1600, False, 1925), ("ISH", 300, False, 361)],
                                                [("IVA", 1600, False, 731), ("ISH", 300, False, 137)]]
    sources = {ext: s if isinstance(s, dict) else json.loads(s) for ext, s in _rows(engine, "SELECT external_id, source FROM sale")}
    assert sources["T-1"]["tax"] == {"IVA": "26.563", "ISH": "4.981"}
    report = _json(shop, "report", "revenue", "--from", "2026-11-16", "--to", "2026-11-17", "--by", "day")
    assert [(r["period"], r["sales_count"], r["revenue_cents"], r["tax_cents"]) for r in report] == [
        (d, *day[d]) for d in sorted(day)]
    # a file that fits neither reading is refused, naming the options that settle it
    from salon_cli.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="--amount-before-tax or --amount-includes-tax"):
        _import(engine, text.replace("T-2,2026-11-17,HIJA02,beto,Corte dama,80.00,12.800", "T-3,2026-11-17,HIJA02,"
                                     "beto,Corte dama,80.00,19.000"))


def test_a_return_with_no_earlier_sale_is_refused_and_a_desk_user_may_not_import_one(shop, engine, tmp_path):
    from salon_cli.io.tabular import ImportRefused

    lone = "receipt,date,client,staff,description,amount,tax:IVA\nR-2001,2026-11-10,PERA01,beto,OIL9.5ML,-50.00,-6.8966\n"
    with pytest.raises(ImportRefused) as refused:
        _import(engine, lone)
    assert str(refused.value.faults[0]) == (
        "row 2 column amount: receipt R-2001 gives back 50.00 of OIL9.5ML and client PERA01 has no earlier sale to "
        "refund it from: import the earlier receipts first, or give refund_of")
    assert _counts(engine) == (0, 0, 0, 0)
    path = tmp_path / "receipts.csv"
    path.write_text(RECEIPTS)
    done = run(shop, *DESK, "import", "sales", str(path))
    assert done.code == 3 and "receipt R-1002 (row 9) gives back 50.00 (and 1 more): refunds need a manager's PIN" \
        in done.stderr, done.stderr
    assert _counts(engine) == (0, 0, 0, 0)
    # without the returns, the desk imports the sales
    path.write_text("".join(line + "\n" for line in RECEIPTS.splitlines() if "R-1002" not in line and "R-1004" not in line))
    _ok(run(shop, *DESK, "import", "sales", str(path)))
    assert _counts(engine)[0] == 3


LINES = (  # the columns `salon export sales --lines` adds: a line's discount and kind, the sale's tenders
    "receipt,date,time,client,staff,description,kind,quantity,amount,discount,tenders,tax:IVA\n"
    "K-1,2026-11-12,18:30:00,NUEVA9,ana,Corte dama,service,1,365.40,40.60,card:30000:2000;cash:16540:0,50.40\n"
    "K-1,2026-11-12,18:30:00,NUEVA9,ana,Cuota de reserva,fee,1,100.00,0.00,card:30000:2000;cash:16540:0,13.79\n"
)


def test_the_columns_of_an_export_of_lines_discount_kind_and_tenders(shop, engine):
    from salon_cli.io.tabular import ImportRefused

    with pytest.raises(ImportRefused) as refused:  # the tenders must add up to the sale
        _import(engine, LINES.replace("cash:16540", "cash:16000"), create_missing=True)
    assert "row 2 column tenders: the tenders of receipt K-1 add up to 460.00, not its total 465.40" in str(
        refused.value)
    outcome = _import(engine, LINES, create_missing=True)  # a client known only by a code is created from it
    assert [(c.kind, c.code) for c in outcome.created] == [("client", "NUEVA9")]
    [sale] = _json(shop, "export", "sales")
    rows = list(csv.DictReader(io.StringIO(LINES)))
    amounts = [_cents(Decimal(r["amount"])) for r in rows]
    discounts = [_cents(Decimal(r["discount"])) for r in rows]
    taxes = [_cents(Decimal(r["tax:IVA"])) for r in rows]
    assert [(x["kind"], x["gross_cents"], x["discount_cents"], x["net_cents"], x["tax_cents"], x["total_cents"],
             x["service_id"] is not None) for x in sale["lines"]] == [
        (r["kind"], a + d, d, a - t, t, a, r["kind"] == "service") for r, a, d, t in zip(rows, amounts, discounts, taxes)]
    assert [sale[k] for k in ("subtotal_cents", "discount_cents", "tax_cents", "total_cents", "tip_cents")] == [
        sum(amounts) + sum(discounts), sum(discounts), sum(taxes), sum(amounts), 2000]
    assert [(p["method"], p["amount_cents"], p["tip_cents"]) for p in sale["payments"]] == [
        ("card", 30000, 2000), ("cash", 16540, 0)]
    assert sale["client_id"] == {c["external_code"]: c["id"] for c in _json(shop, "export", "clients")}["NUEVA9"]
