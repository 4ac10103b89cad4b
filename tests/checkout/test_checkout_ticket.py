"""Issue 28: the dashboard's checkout that knows the client, its services on SQLite and PostgreSQL.

Looking changes nothing (a draft priced as the sale will be, no check-in, no sale row); the first change
opens the sale, the first money checks the visit in; a sale left with no money is discarded (audited);
what the client brings is read with what each thing pays on this ticket; a desk sale with no appointment
sells a gift card, a membership (its first fee on this ticket) and a product in one payment.

The salon is `tests/shop.py`'s with IVA 16 % included in prices: now is Saturday 2026-11-21 11:00 in
Mexico City; appointment 1 is Ximena's corte (350.00) with ana at 12:00.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from salon_cli.core.errors import RuleViolation
from salon_cli.db.models import Appointment, AuditLog, GiftCard, Payment, Penalty, Product, Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments
from salon_cli.services.book import status as appt_status
from salon_cli.services.checkout import desk_sale, ticket
from salon_cli.services.checkout.ticket import Desk
from salon_cli.services.loyalty import cards, program, rewards
from salon_cli.services.memberships import subscriptions
from salon_cli.services.till import deposits, discard, membership_fees, penalty_fees, sales, tenders, tickets
from shop import OWNER, make_shop


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine, taxes=["IVA:16%:inclusive"])


def _do(engine, fn):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session)
        uow.commit()
    return result


def _read(engine, fn):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session)


def _status(engine, appointment_id):
    return _read(engine, lambda s: s.get(Appointment, appointment_id).status)


def _sales(engine):
    return _read(engine, lambda s: s.exec(select(sa.func.count()).select_from(Sale)).one())


FIGURES = ("subtotal_cents", "discount_kind", "discount_value", "discount_cents", "tax_cents", "total_cents",
           "balance_cents")
LINE = ("kind", "description", "quantity", "gross_cents", "discount_cents", "net_cents", "tax_cents", "total_cents",
        "taxes", "staff", "service_id")


def test_looking_changes_nothing_the_draft_is_the_sale_and_the_first_money_checks_in(engine, shop):
    # a Gold member (10 % off), its fee paid: the draft carries the discount as the sale will
    _do(engine, lambda s: membership_fees.subscribe(s, actor=shop.sofia, location=shop.loc, client_id=shop.ximena,
                                                    plan_code="gold", pay_method="cash"))
    desk = Desk(appointment_id=shop.appt)
    audits = _read(engine, lambda s: s.exec(select(sa.func.count()).select_from(AuditLog)).one())
    before_sales = _sales(engine)
    seen = _read(engine, lambda s: ticket.load(s, shop.loc, desk))
    assert seen.sale is None and seen.draft is not None and seen.draft.status == "draft"
    assert seen.client == "Ximena Jiménez" and seen.offers.membership.plan == "gold"
    draft = seen.draft
    # corte 350.00 - 10 % = 315.00, IVA inside: 271.55 + 43.45
    assert (draft.subtotal_cents, draft.discount_cents, draft.tax_cents, draft.total_cents) == (35000, 3500, 4345, 31500)
    assert _sales(engine) == before_sales and _status(engine, shop.appt) == "booked"
    assert _read(engine, lambda s: s.exec(select(sa.func.count()).select_from(AuditLog)).one()) == audits

    # the first change opens the sale: the same figures as the draft, to the cent; nobody checked in
    _, opened = _do(engine, lambda s: ticket.change(s, shop.loc, shop.sofia, desk, lambda sale_id: None))
    sale = opened.sale
    assert sale is not None and sale.status == "open" and opened.draft is None
    assert [getattr(sale, f) for f in FIGURES] == [getattr(draft, f) for f in FIGURES]
    assert [[getattr(line, f) for f in LINE] for line in sale.lines] == [[getattr(line, f) for f in LINE]
                                                                      for line in draft.lines]
    assert _status(engine, shop.appt) == "booked"
    again = _do(engine, lambda s: ticket.ensure_sale(s, shop.loc, shop.sofia, desk))
    assert again == sale.id  # the appointment's live sale, not a second one

    # the first money checks the booked visit in, in the same transaction; paying all completes it
    _do(engine, lambda s: ticket.pay(s, shop.loc, shop.sofia, sale_id=sale.id, method="card", amount_cents=15000))
    assert _status(engine, shop.appt) == "checked_in"
    _do(engine, lambda s: ticket.pay(s, shop.loc, shop.sofia, sale_id=sale.id, method="cash", tendered_cents=20000))
    after = _read(engine, lambda s: ticket.load(s, shop.loc, desk)).sale
    assert (after.status, after.paid_cents, after.balance_cents) == ("paid", 31500, 0)
    assert [(p.method, p.amount_cents, p.change_cents) for p in after.payments] == [("card", 15000, 0),
                                                                                   ("cash", 16500, 3500)]
    assert _status(engine, shop.appt) == "completed"
    assert not _do(engine, lambda s: discard.discard_if_empty(s, shop.sofia, shop.loc, sale.id))  # money: kept


def test_an_empty_sale_is_discarded_audited_and_a_sale_with_money_or_a_membership_is_kept(engine, shop):
    stock = _read(engine, lambda s: s.exec(select(Product.stock).where(Product.code == "shampoo")).one())
    desk = Desk(client_id=shop.pedro)

    def fill(s, sale_id):
        sales.add_product(s, actor=shop.sofia, location=shop.loc, sale_id=sale_id, product="shampoo", quantity=2)
        return desk_sale.sell_gift_card(s, actor=shop.sofia, location=shop.loc, sale_id=sale_id, amount_cents=30000,
                                        code="gc 2345 6789")

    sold, opened = _do(engine, lambda s: ticket.change(s, shop.loc, shop.sofia, desk, lambda sid: fill(s, sid)))
    assert [line.gift_card for line in sold.lines if line.kind == "gift_card"] == ["GC-2345-6789"]
    sale_id = opened.sale.id
    assert _read(engine, lambda s: s.exec(select(Product.stock).where(Product.code == "shampoo")).one()) == stock - 2
    assert _do(engine, lambda s: discard.discard_if_empty(s, shop.sofia, shop.loc, sale_id))
    assert _read(engine, lambda s: s.get(Sale, sale_id)) is None
    assert _read(engine, lambda s: s.exec(select(GiftCard).where(GiftCard.code == "GC-2345-6789")).first()) is None
    assert _read(engine, lambda s: s.exec(select(Product.stock).where(Product.code == "shampoo")).one()) == stock
    row = _read(engine, lambda s: s.exec(select(AuditLog).where(AuditLog.action == "sale.discard")).one())
    assert (row.entity_id, row.actor, row.before["total_cents"]) == (sale_id, "sofia", 36000 + 30000)
    assert [line["kind"] for line in row.after["lines"]] == ["product", "gift_card"]

    # a declined card is a record: kept; so is a membership's fee (the membership owes it)
    _, declined = _do(engine, lambda s: ticket.change(s, shop.loc, shop.sofia, desk, lambda sid: sales.add_product(
        s, actor=shop.sofia, location=shop.loc, sale_id=sid, product="shampoo")))

    def failed_payment(s):
        s.add(Payment(sale_id=declined.sale.id, location_id=shop.loc.id, method="stripe", status="failed",
                      amount_cents=18000, business_date=declined.sale.business_date,
                      created_at=declined.sale.created_at, failure_reason="declined"))
        s.flush()
        return discard.discard_if_empty(s, shop.sofia, shop.loc, declined.sale.id)

    assert not _do(engine, failed_payment)
    _, member = _do(engine, lambda s: ticket.change(s, shop.loc, shop.sofia, desk, lambda sid: desk_sale.subscribe(
        s, actor=shop.sofia, location=shop.loc, sale_id=sid, plan_code="gold")))
    assert not _do(engine, lambda s: discard.discard_if_empty(s, shop.sofia, shop.loc, member.sale.id))
    assert _read(engine, lambda s: discard.keeps(s, member.sale.id)) == "it carries a membership's fee"
    assert _read(engine, lambda s: s.get(Sale, member.sale.id)).status == "open"


def test_what_the_client_brings_and_what_each_pays_on_this_ticket(engine, shop):
    def setup(s):
        program.update(s, actor=OWNER, location=shop.loc, type="hybrid", stamps_target=8)
        cards.adjust(s, actor=shop.marco, location=shop.loc, client_id=shop.ximena, points=1000, reason="old card")
        corte = rewards.add_reward(s, actor=OWNER, location=shop.loc, name="Corte gratis", kind="free_service",
                                   points=300, service="corte")
        tinte = rewards.add_reward(s, actor=OWNER, location=shop.loc, name="Tinte gratis", kind="free_service",
                                   points=300, service="tinte")
        rewards.add_reward(s, actor=OWNER, location=shop.loc, name="50 off", kind="discount_amount", points=200,
                           value=5000)
        rewards.add_reward(s, actor=OWNER, location=shop.loc, name="Too dear", kind="discount_amount", points=900,
                           value=90000)
        corte_code = rewards.redeem(s, actor=shop.sofia, location=shop.loc, client_id=shop.ximena,
                                    reward_id=corte.id).code
        tinte_code = rewards.redeem(s, actor=shop.sofia, location=shop.loc, client_id=shop.ximena,
                                    reward_id=tinte.id).code
        membership_fees.subscribe(s, actor=shop.sofia, location=shop.loc, client_id=shop.ximena, plan_code="gold",
                                  pay_method="card")
        card_sale = tickets.create(s, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
        sales.add_gift_card(s, actor=shop.sofia, location=shop.loc, sale_id=card_sale.id, amount_cents=50000)
        tenders.pay(s, actor=shop.sofia, location=shop.loc, sale_id=card_sale.id, method="cash")
        early = appointments.book_appointment(s, actor=OWNER, location=shop.loc, client_id=shop.ximena,
                                              services=["tinte"], staff="beto", at="2026-11-21 10:50").appointments[0]
        appt_status.no_show(s, actor=shop.sofia, location=shop.loc, appointment_id=early.id)
        deposits.take(s, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt, method="cash",
                      amount_cents=10000)
        return corte_code, tinte_code, early.id

    corte_code, tinte_code, early = _do(engine, setup)
    desk = Desk(appointment_id=shop.appt)
    seen = _read(engine, lambda s: ticket.load(s, shop.loc, desk))
    offers = seen.offers
    # the deposit opened the sale: it is a payment on it already
    assert seen.sale is not None and [(p.method, p.purpose, p.amount_cents) for p in seen.sale.payments] == [
        ("cash", "deposit", 10000)]
    assert offers.deposit_cents == 10000 and seen.sale.balance_cents == 31500 - 10000
    m = offers.membership
    assert (m.plan, m.plan_name, m.status, m.discount_bp, m.credits_remaining) == ("gold", "Gold", "active", 1000, 1)
    assert [(c.code, c.reward, c.pays_cents, c.why_not) for c in offers.codes] == [
        (corte_code, "Corte gratis", 21500, None), (tinte_code, "Tinte gratis", 0, "is for Tinte: this ticket has none")]
    assert offers.points == 450  # 1000 adjusted + 50 welcome - 600 spent
    assert [(r.reward, r.points, r.pays_cents, r.why_not) for r in offers.rewards] == [
        ("50 off", 200, 5000, None), ("Corte gratis", 300, 21500, None),
        ("Tinte gratis", 300, 0, "is for Tinte: this ticket has none")]
    (card,) = offers.gift_cards
    assert card.balance_cents == 50000
    (penalty,) = offers.penalties
    assert (penalty.kind, penalty.amount_cents, penalty.status) == ("no_show", 40000, "pending")  # 50 % of 800.00
    assert (offers.stamp.stamps, offers.stamp.target, offers.stamp.next) == (0, 8, 1)

    # a reward that pays nothing here leaves the points where they were
    tinte_reward = next(r.reward_id for r in offers.rewards if r.reward == "Tinte gratis")
    with pytest.raises(RuleViolation, match="is for Tinte"):
        _do(engine, lambda s: ticket.redeem_and_apply(s, shop.loc, shop.sofia, sale_id=seen.sale.id,
                                                      reward_id=tinte_reward))
    assert _read(engine, lambda s: cards.card(s, shop.ximena)).points == 450

    # applied: the penalty's fee on this ticket, the code (it pays what the offer said), the rest by gift card
    sale_id = seen.sale.id
    _do(engine, lambda s: penalty_fees.add_fee(s, actor=shop.sofia, location=shop.loc, sale_id=sale_id,
                                               penalty_id=penalty.id))
    code_paid = _do(engine, lambda s: ticket.pay(s, shop.loc, shop.sofia, sale_id=sale_id, method="points",
                                                 code=corte_code))
    assert code_paid.amount_cents == 31500  # the whole corte line now: the fee raised what is due
    after = _read(engine, lambda s: ticket.load(s, shop.loc, desk))
    assert after.offers.penalties == [] and [c.code for c in after.offers.codes] == [tinte_code]
    due = after.sale.balance_cents
    assert due == 31500 + 40000 - 10000 - 31500
    _do(engine, lambda s: ticket.pay(s, shop.loc, shop.sofia, sale_id=sale_id, method="gift_card", gift_card=card.code))
    done = _read(engine, lambda s: ticket.load(s, shop.loc, desk))
    assert (done.sale.status, done.sale.paid_cents) == ("paid", 71500)
    assert done.offers.gift_cards[0].balance_cents == 50000 - due
    assert _read(engine, lambda s: s.get(Penalty, penalty.id).status) == "paid"
    assert _status(engine, shop.appt) == "completed" and _status(engine, early) == "no_show"


def test_a_desk_sale_sells_a_gift_card_a_membership_and_a_product_in_one_payment(engine, shop):
    nobody = Desk()
    empty = _read(engine, lambda s: ticket.load(s, shop.loc, nobody))
    assert empty.sale is None and empty.draft.lines == [] and empty.draft.total_cents == 0 and empty.offers is None
    with pytest.raises(RuleViolation, match="a membership is a client's"):
        _do(engine, lambda s: ticket.change(s, shop.loc, shop.sofia, nobody, lambda sid: desk_sale.subscribe(
            s, actor=shop.sofia, location=shop.loc, sale_id=sid, plan_code="black")))
    assert _sales(engine) == 0  # refused: not even the sale was left

    desk = Desk(client_id=shop.pedro)

    def sell(s, sid):
        desk_sale.sell_gift_card(s, actor=shop.sofia, location=shop.loc, sale_id=sid, amount_cents=50000)
        sales.add_product(s, actor=shop.sofia, location=shop.loc, sale_id=sid, product="shampoo", staff="beto")
        return desk_sale.subscribe(s, actor=shop.sofia, location=shop.loc, sale_id=sid, plan_code="black")

    member, sold = _do(engine, lambda s: ticket.change(s, shop.loc, shop.sofia, desk, lambda sid: sell(s, sid)))
    sale = sold.sale
    assert member.fee_sale_id == sale.id and member.status == "active" and member.credits_remaining == 2
    assert [(line.kind, line.total_cents, line.tax_cents, line.staff) for line in sale.lines] == [
        ("gift_card", 50000, 0, None), ("product", 18000, 2483, "beto"), ("membership", 90000, 12414, None)]
    assert sale.total_cents == 158000 and sale.appointment_id is None and sale.client_id == shop.pedro
    assert sold.offers.membership.plan == "black"
    with pytest.raises(RuleViolation, match="already has membership"):
        _do(engine, lambda s: desk_sale.subscribe(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id,
                                                  plan_code="gold"))
    _do(engine, lambda s: ticket.pay(s, shop.loc, shop.sofia, sale_id=sale.id, method="card", amount_cents=100000))
    _do(engine, lambda s: ticket.pay(s, shop.loc, shop.sofia, sale_id=sale.id, method="cash", tendered_cents=60000))
    paid = _read(engine, lambda s: ticket.load(s, shop.loc, Desk(sale_id=sale.id)))
    assert (paid.sale.status, paid.sale.paid_cents, paid.sale.tax_cents) == ("paid", 158000, 2483 + 12414)
    assert [(p.method, p.amount_cents, p.change_cents) for p in paid.sale.payments] == [
        ("card", 100000, 0), ("cash", 58000, 2000)]
    code = paid.sale.lines[0].gift_card
    card = _read(engine, lambda s: s.exec(select(GiftCard).where(GiftCard.code == code)).one())
    assert (card.status, card.balance_cents, card.client_id) == ("active", 50000, shop.pedro)
    assert _read(engine, lambda s: subscriptions.show(s, shop.pedro)).fee_status == "paid"
    assert [c.balance_cents for c in paid.offers.gift_cards] == [50000]
    with pytest.raises(RuleViolation, match="exists already"):
        _do(engine, lambda s: ticket.change(s, shop.loc, shop.sofia, desk, lambda sid: desk_sale.sell_gift_card(
            s, actor=shop.sofia, location=shop.loc, sale_id=sid, amount_cents=100, code=code)))
    assert _read(engine, lambda s: s.exec(select(sa.func.count()).select_from(Sale).where(
        col(Sale.client_id) == shop.pedro)).one()) == 1
