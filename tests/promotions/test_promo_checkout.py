"""Issue 30: a promotion at checkout. Its discount is a discount line taxed like what it takes off, so the
sale's tax, the stylist's revenue and commission (report staff) and the loyalty earn follow it to the cent;
a points promotion multiplies the earn; automatic offers apply by themselves and name themselves on the
sale; refusals are exact (exit 1, nothing changed); a void gives the use back; two desks racing for the last
use give one success. Both databases.

The salon is `tests/shop.py`'s with IVA 16 % on top: now is Saturday 2026-11-21 11:00 in Mexico City;
appointment 1 is Ximena's corte (350.00) with ana at 12:00.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlmodel import select

from cli_helpers import OWNER, SOFIA, js, ok
from cli_helpers import salon as cli
from salon_cli.core.errors import RuleViolation
from salon_cli.core.sale_math import round_half_up_div
from salon_cli.db.models import LoyaltyEntry, Promotion, PromotionUse, SaleLine
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.promotions import apply as promotions
from salon_cli.services.till import sales
from shop import book, make_shop

IVA_BP = 1600


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine, taxes=["IVA:16%"])


@pytest.fixture
def desk(shop, db_url):
    ok(db_url, *OWNER, "staff", "set", "ana", "--commission", "40%")
    return db_url


def tax(cents: int) -> int:
    return round_half_up_div(cents * IVA_BP, 10000)


def _earned(engine, sale_id: int) -> int:
    with UnitOfWork(engine, write=False) as uow:
        return uow.session.exec(select(LoyaltyEntry.points).where(LoyaltyEntry.sale_id == sale_id,
                                                                  LoyaltyEntry.kind == "earn")).one()


def test_an_amount_off_the_service_moves_tax_commission_and_points_to_the_cent(desk, engine):
    ok(desk, *OWNER, "promo", "add", "CORTE33", "--kind", "amount", "--value", "33.33", "--service", "corte")
    sale = js(desk, *SOFIA, "checkout", "1", "--promo", "corte33", "--product", "shampoo", "--pay", "cash")
    off = 3333
    corte_tax, shampoo_tax = tax(35000) - tax(off), tax(18000)
    assert (sale["subtotal_cents"], sale["discount_cents"], sale["tax_cents"], sale["total_cents"]) == (
        53000, off, corte_tax + shampoo_tax, 53000 - off + corte_tax + shampoo_tax)
    line = [ln for ln in sale["lines"] if ln["kind"] == "discount"]
    assert len(line) == 1 and line[0]["description"].startswith("Promo CORTE33")
    assert sum(ln["total_cents"] for ln in sale["lines"]) == sale["total_cents"]
    staff = {r["code"]: r for r in js(desk, *OWNER, "report", "staff", "--date", "2026-11-21")}
    assert staff["ana"]["revenue_cents"] == 35000 - off
    assert staff["ana"]["commission_cents"] == round_half_up_div((35000 - off) * 4000, 10000)
    assert _earned(engine, sale["id"]) == sale["total_cents"] // 100  # 1 point per peso, bronze
    promo = js(desk, "promo", "show", "CORTE33")
    assert promo["uses"] == 1
    with UnitOfWork(engine, write=False) as uow:
        use = uow.session.exec(select(PromotionUse)).one()
        assert (use.sale_id, use.client_id, use.discount_cents, use.status) == (sale["id"], 1, off, "applied")
        assert uow.session.exec(select(SaleLine.promotion_id).where(SaleLine.kind == "discount")).one() == promo["id"]


def test_a_percent_of_the_whole_ticket_is_shared_by_its_lines(desk):
    ok(desk, *OWNER, "promo", "add", "TEN", "--kind", "percent", "--value", "12.5")
    sale = js(desk, *SOFIA, "checkout", "1", "--promo", "TEN", "--product", "shampoo", "--pay", "cash")
    off_corte, off_shampoo = 4375, 2250  # 12.5 % of 350.00 and of 180.00
    assert sale["discount_cents"] == off_corte + off_shampoo
    assert sale["tax_cents"] == tax(35000) - tax(off_corte) + tax(18000) - tax(off_shampoo)
    assert sorted(ln["total_cents"] for ln in sale["lines"] if ln["kind"] == "discount") == sorted(
        [-(off_corte + tax(off_corte)), -(off_shampoo + tax(off_shampoo))])


def test_a_points_promotion_doubles_the_earn_and_takes_nothing_off(desk, engine):
    ok(desk, *OWNER, "promo", "add", "DOUBLE", "--kind", "points_multiplier", "--value", "2")
    sale = js(desk, *SOFIA, "checkout", "1", "--promo", "DOUBLE", "--pay", "cash")
    assert (sale["discount_cents"], sale["total_cents"]) == (0, 35000 + tax(35000))
    assert _earned(engine, sale["id"]) == (35000 + tax(35000)) // 100 * 2


def test_an_automatic_offer_applies_by_itself_and_names_itself(desk, engine, shop):
    ok(desk, *OWNER, "service", "add", "Balayage", "--code", "balayage", "--duration", "60", "--price", "1234.56",
       "--category", "Colour")
    ok(desk, *OWNER, "promo", "add", "--automatic", "--name", "20% off colour on Saturdays", "--kind", "percent",
       "--value", "20", "--category", "colour", "--days", "sat")
    ok(desk, *OWNER, "promo", "add", "--automatic", "--name", "Tuesday treat", "--kind", "percent", "--value", "50",
       "--days", "tue")
    appt = book(engine, shop, services=("balayage",))
    sale = js(desk, *SOFIA, "checkout", str(appt), "--pay", "cash")
    off = round_half_up_div(123456 * 2000, 10000)
    assert [(ln["description"], ln["total_cents"]) for ln in sale["lines"] if ln["kind"] == "discount"] == [
        ("Promo: 20% off colour on Saturdays", -(off + tax(off)))]
    corte = js(desk, *SOFIA, "checkout", "1", "--pay", "cash")  # no colour on it: nothing applies
    assert [ln["kind"] for ln in corte["lines"]] == ["service"]


def _unchanged(desk) -> None:
    assert js(desk, "appt", "show", "1")["status"] == "booked"
    assert js(desk, "sale", "list") == []


@pytest.mark.parametrize("args,message", [
    (["--kind", "percent", "--value", "10", "--days", "tue", "--hours", "10:00-14:00"],
     "error: HAPPY10 is for Tuesdays 10:00-14:00"),
    (["--kind", "percent", "--value", "10", "--min-spend", "500"],
     "error: HAPPY10 needs a spend of 500.00 MXN (this ticket: 350.00 MXN)"),
    (["--kind", "percent", "--value", "10", "--to", "2026-11-20"], "error: HAPPY10 ended on 2026-11-20"),
    (["--kind", "percent", "--value", "10", "--tag", "vip"], "error: HAPPY10 is for clients tagged vip"),
    (["--kind", "percent", "--value", "10", "--tier", "gold"], "error: HAPPY10 is for gold members"),
    (["--kind", "free_service", "--service", "tinte"], "error: HAPPY10 applies to its service: none on this ticket"),
    (["--kind", "percent", "--value", "10", "--client", "2"], "error: HAPPY10 is for another client"),
])
def test_refused_at_checkout_with_the_exact_reason(desk, args, message):
    ok(desk, *OWNER, "promo", "add", "HAPPY10", *args)
    run = cli(desk, *SOFIA, "checkout", "1", "--promo", "HAPPY10", "--pay", "cash")
    assert (run.code, run.stderr.splitlines()[0]) == (1, message)
    _unchanged(desk)
    assert js(desk, "promo", "show", "HAPPY10")["uses"] == 0
    unknown = cli(desk, *SOFIA, "checkout", "1", "--promo", "NOPE", "--pay", "cash")
    assert (unknown.code, unknown.stderr.splitlines()[0]) == (1, "error: no promotion NOPE")


def test_the_last_use_per_client_and_a_first_visit(desk, engine, shop):
    ok(desk, *OWNER, "promo", "add", "ONCE", "--kind", "amount", "--value", "10", "--per-client", "1")
    ok(desk, *OWNER, "promo", "add", "WELCOME", "--kind", "amount", "--value", "10", "--new-clients")
    ok(desk, *SOFIA, "checkout", "1", "--promo", "ONCE", "--pay", "cash")
    again = book(engine, shop)
    run = cli(desk, *SOFIA, "checkout", str(again), "--promo", "ONCE", "--pay", "cash")
    assert (run.code, run.stderr.splitlines()[0]) == (1, "error: ONCE: used 1 of 1 times by this client")
    run = cli(desk, *SOFIA, "checkout", str(again), "--promo", "WELCOME", "--pay", "cash")
    assert (run.code, run.stderr.splitlines()[0]) == (1, "error: WELCOME is for a client's first visit")
    pedro = book(engine, shop, client=shop.pedro, at="2026-11-21 16:00")
    assert js(desk, *SOFIA, "checkout", str(pedro), "--promo", "WELCOME", "--pay", "cash")["discount_cents"] == 1000


def test_a_void_gives_the_use_back(desk, engine, shop):
    ok(desk, *OWNER, "promo", "add", "LAST", "--kind", "amount", "--value", "10", "--limit", "1")
    with UnitOfWork(engine) as uow:
        sale = sales.create(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
        promotions.apply_code(uow.session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, code="last")
        uow.commit()
    assert js(desk, "promo", "show", "LAST")["uses"] == 1
    ok(desk, *OWNER, "sale", "void", str(sale.id), "--reason", "wrong client")
    assert js(desk, "promo", "show", "LAST")["uses"] == 0
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.exec(select(PromotionUse.status)).one() == "voided"
    assert js(desk, *SOFIA, "checkout", str(book(engine, shop)), "--promo", "LAST", "--pay", "cash")["discount_cents"] == 1000


def test_two_desks_racing_for_the_last_use(desk, engine, shop):
    ok(desk, *OWNER, "promo", "add", "LAST", "--kind", "amount", "--value", "10", "--limit", "1")
    appts = [shop.appt, book(engine, shop, client=shop.pedro, at="2026-11-21 16:00", staff_code="beto")]
    with UnitOfWork(engine) as uow:
        sale_ids = [sales.create(uow.session, actor=shop.sofia, location=shop.loc, appointment_id=a).id for a in appts]
        uow.commit()
    barrier, outcomes = threading.Barrier(2), []

    def desk_run(sale_id: int) -> None:
        barrier.wait(timeout=30)
        try:
            with UnitOfWork(engine) as uow:
                promotions.apply_code(uow.session, actor=shop.sofia, location=shop.loc, sale_id=sale_id, code="LAST")
                time.sleep(0.3)  # hold the lock while the other desk tries
                uow.commit()
            outcomes.append("ok")
        except RuleViolation as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=desk_run, args=(s,)) for s in sale_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["LAST has been used 1 of 1 times", "ok"]
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.exec(select(Promotion.uses)).one() == 1
        assert len(uow.session.exec(select(PromotionUse)).all()) == 1
