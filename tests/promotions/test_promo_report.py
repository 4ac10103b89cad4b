"""Issue 30: `salon report promotions`: uses, discount given, revenue of the sales that used it (net, before
tax and tips), new clients brought; a voided sale's use and open sales do not count. Both databases."""

from __future__ import annotations

from cli_helpers import OWNER, SOFIA, js, ok
from cli_helpers import salon as cli
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.promotions import apply as promotions
from salon_cli.services.till import sales
from shop import book, make_shop


def test_report_promotions(engine, salon, db_url):
    shop = make_shop(engine, taxes=["IVA:16%"])
    desk = db_url
    ok(desk, *OWNER, "promo", "add", "TEN", "--kind", "amount", "--value", "10", "--stackable")
    ok(desk, *OWNER, "promo", "add", "IDLE", "--kind", "percent", "--value", "5")
    # Ximena: first paid sale with TEN (a new client); Pedro had a paid sale before his TEN sale (not new)
    ok(desk, *SOFIA, "checkout", "1", "--promo", "TEN", "--pay", "cash")
    p1 = book(engine, shop, client=shop.pedro, at="2026-11-21 13:00", staff_code="beto")
    ok(desk, *SOFIA, "checkout", str(p1), "--pay", "cash")
    p2 = book(engine, shop, client=shop.pedro, at="2026-11-21 16:00", services=("tinte",), staff_code="beto")
    ok(desk, *SOFIA, "checkout", str(p2), "--promo", "TEN", "--pay", "cash", "--tip", "20")
    x2 = book(engine, shop, at="2026-11-21 18:00")
    with UnitOfWork(engine) as uow:  # an open sale with TEN, then voided: its use does not count
        sale = sales.create(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=x2)
        promotions.apply_code(uow.session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, code="TEN")
        uow.commit()
    ok(desk, *OWNER, "sale", "void", str(sale.id), "--reason", "client left")
    ok(desk, *OWNER, "sale", "refund", "3", "--amount", "100", "--reason", "colour redone")  # Pedro's TEN sale
    found = {r["code"]: r for r in js(desk, *OWNER, "report", "promotions", "--from", "2026-11-21",
                                       "--to", "2026-11-21")}
    assert found["TEN"] == {"id": 1, "code": "TEN", "name": "TEN", "kind": "amount", "active": True, "uses": 2,
                            "discount_cents": 2000, "revenue_cents": 35000 - 1000 + 80000 - 1000, "refunded_cents": 10000,
                            "new_clients": 1}
    assert (found["IDLE"]["uses"], found["IDLE"]["revenue_cents"], found["IDLE"]["refunded_cents"]) == (0, 0, 0)
    assert js(desk, *OWNER, "report", "promotions", "--from", "2026-11-22", "--to", "2026-11-23")[0]["uses"] == 0
    assert cli(desk, *OWNER, "report", "promotions", "--from", "2026-11-23", "--to", "2026-11-22").code == 2
    assert "Example: salon" in cli(None, "report", "promotions", "--help").stdout
