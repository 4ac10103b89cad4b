"""Promotions on the dashboard's ticket (`services.checkout.ticket` and `checkout.promos`), on SQLite and
PostgreSQL: a code typed at the desk gives the figures `salon checkout --promo` gives for the same visit;
a refused code says the service's exact reason and changes nothing (no sale opened, no use counted); the
automatic offers show ahead on the draft and the open sale, written nowhere, and go on at the first money
with the figures shown to the cent; the client's own codes are listed with why one cannot apply.

The salon is `tests/shop.py`'s with IVA 16 % on top: now is Saturday 2026-11-21 11:00 in Mexico City;
appointment 1 is Ximena's corte (350.00, category Cuts) with ana at 12:00.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cli_helpers import OWNER, SOFIA, js, ok
from salon_cli.core.errors import RuleViolation
from salon_cli.core.sale_math import allocate, round_half_up_div
from salon_cli.db.models import Appointment, AuditLog, Promotion, PromotionUse, Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.checkout import promos, ticket
from salon_cli.services.checkout.ticket import Desk
from salon_cli.services.till import membership_fees, sales
from salon_cli.tui.words import describe
from shop import book, make_shop

FIGURES = ("subtotal_cents", "discount_cents", "tax_cents", "total_cents")


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine, taxes=["IVA:16%"])


@pytest.fixture
def desk(shop, db_url):
    ok(db_url, *OWNER, "service", "set", "corte", "--category", "Cuts")
    return db_url


def tax(cents: int) -> int:
    return round_half_up_div(cents * 1600, 10000)


def _do(engine, fn):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session)
        uow.commit()
    return result


def _read(engine, fn):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session)


def _load(engine, shop, desk_):
    return _read(engine, lambda s: ticket.load(s, shop.loc, desk_))


def _code(engine, shop, desk_, code):
    """What the `o` key does: the code on the ticket, its sale opened first if need be."""
    return _do(engine, lambda s: ticket.change(s, shop.loc, shop.sofia, desk_, lambda sale_id: promos.apply_code(
        s, shop.loc, shop.sofia, sale_id=sale_id, code=code)))


def _pay(engine, shop, desk_, amount):
    return _do(engine, lambda s: ticket.change(s, shop.loc, shop.sofia, desk_, lambda sale_id: ticket.pay(
        s, shop.loc, shop.sofia, sale_id=sale_id, method="cash", amount_cents=amount)))


def _counts(engine):
    return _read(engine, lambda s: (
        s.exec(select(sa.func.count()).select_from(Sale)).one(),
        s.exec(select(sa.func.count()).select_from(PromotionUse)).one(),
        sorted((p.code or p.name, p.uses) for p in s.exec(select(Promotion))),
        s.exec(select(sa.func.count()).select_from(AuditLog)).one()))


def test_a_code_at_the_desk_gives_the_figures_of_salon_checkout_promo(desk, engine, shop):
    # a Gold member (10 % off), a code on cuts, an automatic offer on the whole ticket; both stackable
    _do(engine, lambda s: membership_fees.subscribe(s, actor=shop.sofia, location=shop.loc, client_id=shop.ximena,
                                                    plan_code="gold", pay_method="cash"))
    ok(desk, *OWNER, "promo", "add", "HOY15", "--kind", "percent", "--value", "15", "--category", "cuts",
       "--stackable")
    ok(desk, *OWNER, "promo", "add", "--automatic", "--name", "Saturday treat", "--kind", "amount",
       "--value", "33.33", "--days", "sat", "--stackable")
    twin = book(engine, shop)  # the same visit again: Ximena's corte with ana, for `salon checkout`
    cli = js(desk, *SOFIA, "checkout", str(twin), "--promo", "hoy15", "--product", "shampoo", "--pay", "cash")

    at = Desk(appointment_id=shop.appt)
    _do(engine, lambda s: ticket.change(s, shop.loc, shop.sofia, at, lambda sale_id: sales.add_product(
        s, actor=shop.sofia, location=shop.loc, sale_id=sale_id, product="shampoo", quantity=1)))
    use, coded = _code(engine, shop, at, "hoy15")
    shown = coded.shown
    assert use.discount_cents == 4725  # 15 % of the corte after the member's 10 % (315.00)
    # the automatic offer shows ahead, written nowhere: the sale has the code's line only
    assert [ln.description for ln in coded.sale.lines if ln.kind == "discount"] == ["Promo HOY15: 15% off cuts"]
    assert [ln.description for ln in shown.lines if ln.kind == "discount"] == [
        "Promo HOY15: 15% off cuts", "Promo: Saturday treat", "Promo: Saturday treat"]
    member, treat = 3500 + 1800, allocate(3333, [31500, 16200])
    assert (shown.subtotal_cents, shown.discount_cents) == (53000, member + 4725 + 3333)
    assert shown.tax_cents == tax(31500) + tax(16200) - tax(4725) - tax(treat[0]) - tax(treat[1])
    assert shown.total_cents == 53000 - member - 4725 - 3333 + shown.tax_cents

    _, paid = _pay(engine, shop, at, shown.balance_cents)
    sale = paid.sale
    assert sale.status == "paid" and paid.ahead is None
    assert [getattr(sale, f) for f in FIGURES] == [getattr(shown, f) for f in FIGURES] == [cli[f] for f in FIGURES]
    assert [(ln.description, ln.total_cents) for ln in sale.lines if ln.kind == "discount"] == [
        (ln["description"], ln["total_cents"]) for ln in cli["lines"] if ln["kind"] == "discount"]
    assert _read(engine, lambda s: s.get(Appointment, shop.appt).status) == "completed"
    assert js(desk, "promo", "show", "HOY15")["uses"] == 2


@pytest.mark.parametrize("setup,code,message", [
    (["HAPPY10", "--kind", "percent", "--value", "10", "--days", "tue", "--hours", "10:00-14:00"], "happy10",
     "HAPPY10 is for Tuesdays 10:00-14:00"),
    (["HAPPY10", "--kind", "percent", "--value", "10", "--hours", "14:00-18:00"], "HAPPY10",
     "HAPPY10 is for 14:00-18:00"),
    (["HAPPY10", "--kind", "percent", "--value", "10"], "NOPE", "no promotion NOPE"),
    (["HAPPY10", "--kind", "amount", "--value", "10", "--limit", "1"], "HAPPY10", "HAPPY10 has been used 1 of 1 times"),
])
def test_a_refused_code_says_why_and_changes_nothing(desk, engine, shop, setup, code, message):
    ok(desk, *OWNER, "promo", "add", *setup)
    if "--limit" in setup:  # its one use went on Pedro's visit
        pedro = book(engine, shop, client=shop.pedro, at="2026-11-21 16:00", staff_code="beto")
        ok(desk, *SOFIA, "checkout", str(pedro), "--promo", "HAPPY10", "--pay", "cash")
    at = Desk(appointment_id=shop.appt)
    before = _counts(engine)
    with pytest.raises(RuleViolation) as refused:  # on the draft: the sale it would open is not kept either
        _code(engine, shop, at, code)
    assert describe(refused.value) == message
    assert _counts(engine) == before and _read(engine, lambda s: s.get(Appointment, shop.appt).status) == "booked"

    _, opened = _do(engine, lambda s: ticket.change(s, shop.loc, shop.sofia, at, lambda sale_id: None))
    before = _counts(engine)
    with pytest.raises(RuleViolation) as again:  # on the open sale: its figures stay
        _code(engine, shop, Desk(appointment_id=shop.appt, sale_id=opened.sale.id), code)
    assert describe(again.value) == message
    after = _load(engine, shop, at).sale
    assert [getattr(after, f) for f in FIGURES] == [getattr(opened.sale, f) for f in FIGURES] == [
        35000, 0, tax(35000), 35000 + tax(35000)]
    assert _counts(engine) == before


def test_an_automatic_offer_shows_ahead_and_goes_on_at_the_first_money(desk, engine, shop):
    ok(desk, *OWNER, "promo", "add", "--automatic", "--name", "Cuts on Saturdays", "--kind", "percent",
       "--value", "20", "--category", "cuts", "--days", "sat")
    ok(desk, *OWNER, "promo", "add", "--automatic", "--name", "Tuesday treat", "--kind", "percent", "--value", "50",
       "--days", "tue")
    at = Desk(appointment_id=shop.appt)
    before = _counts(engine)
    draft = _load(engine, shop, at).draft
    off = 7000  # 20 % of 350.00
    assert [(ln.kind, ln.description, ln.gross_cents, ln.total_cents, ln.staff) for ln in draft.lines] == [
        ("service", "Corte", 35000, 35000 + tax(35000), "ana"),
        ("discount", "Promo: Cuts on Saturdays", -off, -(off + tax(off)), "ana")]
    assert (draft.discount_cents, draft.total_cents, draft.balance_cents) == (
        off, 28000 + tax(35000) - tax(off), 28000 + tax(35000) - tax(off))
    assert _counts(engine) == before  # looking writes nothing

    # a partial payment puts it on first; the second payment does not put it twice
    _, half = _pay(engine, shop, at, 10000)
    sale = half.sale
    assert half.ahead is None and [ln.description for ln in sale.lines] == ["Corte", "Promo: Cuts on Saturdays"]
    assert [getattr(sale, f) for f in FIGURES] == [getattr(draft, f) for f in FIGURES]
    _, paid = _pay(engine, shop, Desk(appointment_id=shop.appt, sale_id=sale.id), sale.balance_cents)
    assert (paid.sale.status, paid.sale.total_cents, paid.sale.paid_cents) == ("paid", draft.total_cents,
                                                                              draft.total_cents)
    assert _read(engine, lambda s: [(u.discount_cents, u.status) for u in s.exec(select(PromotionUse))]) == [
        (off, "applied")]
    rows = _read(engine, lambda s: s.exec(select(AuditLog.action).where(AuditLog.action == "sale.promotion")).all())
    assert rows == ["sale.promotion"]


def test_the_clients_own_codes_are_listed_with_why_one_cannot_apply(desk, engine, shop):
    ok(desk, *OWNER, "promo", "add", "XIME20", "--kind", "percent", "--value", "20", "--client", str(shop.ximena))
    ok(desk, *OWNER, "promo", "add", "XIMETUE", "--kind", "amount", "--value", "50", "--client", str(shop.ximena),
       "--days", "tue")
    ok(desk, *OWNER, "promo", "add", "XIMEOLD", "--kind", "amount", "--value", "50", "--client", str(shop.ximena),
       "--to", "2026-11-20")
    ok(desk, *OWNER, "promo", "add", "PEDRO10", "--kind", "amount", "--value", "10", "--client", str(shop.pedro))
    ok(desk, *OWNER, "promo", "add", "ALL10", "--kind", "amount", "--value", "10")
    at = Desk(appointment_id=shop.appt)
    offers = _load(engine, shop, at).offers
    assert [(p.code, p.text, p.why_not) for p in offers.promos] == [
        ("XIME20", "20% off", None), ("XIMETUE", "50.00 off on Tuesdays", "XIMETUE is for Tuesdays")]
    _, done = _code(engine, shop, at, "XIME20")
    assert done.sale.discount_cents == 7000
    assert [(p.code, p.why_not) for p in done.offers.promos] == [
        ("XIME20", "XIME20 is on this sale already"), ("XIMETUE", "XIMETUE is for Tuesdays")]


def test_a_ticket_left_with_a_code_and_no_money_is_discarded_and_gives_the_use_back(desk, engine, shop):
    ok(desk, *OWNER, "promo", "add", "LAST", "--kind", "amount", "--value", "10", "--limit", "1")
    at = Desk(appointment_id=shop.appt)
    _, coded = _code(engine, shop, at, "LAST")
    assert js(desk, "promo", "show", "LAST")["uses"] == 1
    assert _do(engine, lambda s: ticket.discard_if_empty(s, shop.loc, shop.sofia, coded.sale.id))
    assert _read(engine, lambda s: s.get(Sale, coded.sale.id)) is None
    assert js(desk, "promo", "show", "LAST")["uses"] == 0
    assert _read(engine, lambda s: s.exec(select(PromotionUse)).all()) == []
    given = _read(engine, lambda s: s.exec(select(AuditLog).where(AuditLog.action == "promotion.give_back")).one())
    assert (given.actor, given.before, given.after["uses"]) == ("sofia", {"uses": 1}, 0)
    # the use is there again for the next ticket
    _, again = _code(engine, shop, at, "LAST")
    assert again.sale.discount_cents == 1000


def test_a_ticket_with_a_code_and_money_taken_is_kept_with_its_use(desk, engine, shop):
    ok(desk, *OWNER, "promo", "add", "LAST", "--kind", "amount", "--value", "10", "--limit", "1")
    at = Desk(appointment_id=shop.appt)
    _, coded = _code(engine, shop, at, "LAST")
    _pay(engine, shop, Desk(appointment_id=shop.appt, sale_id=coded.sale.id), 5000)
    with pytest.raises(RuleViolation) as kept:
        _do(engine, lambda s: ticket.discard_if_empty(s, shop.loc, shop.sofia, coded.sale.id))
    assert describe(kept.value) == "it has payments"
    assert js(desk, "promo", "show", "LAST")["uses"] == 1
    assert _read(engine, lambda s: [u.status for u in s.exec(select(PromotionUse))]) == ["applied"]
