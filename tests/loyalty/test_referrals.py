"""Referrals on SQLite and PostgreSQL: the code per client, refer by id or code, both sides' bonus once
on the first paid sale, expiry (at the sale and by `expire-points`), refunds, and refusals that change
nothing. tests/shop.py's salon: now Saturday 2026-11-21 11:00 in Mexico City (UTC-6); Ximena refers
Pedro; a corte is 350.00 (350 points); the program's referral bonus is 100, its welcome bonus 50."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import select

from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation
from salon_cli.db.models import AuditLog, Client, LoyaltyAccount, LoyaltyEntry, Referral, Sale
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.loyalty import cards as loyalty, expiry, ledger, referrals
from salon_cli.services.till import sales, tenders, tickets
from shop import OWNER, make_shop

ALPHABET = set("23456789ABCDEFGHJKMNPQRSTUVWXYZ")


@pytest.fixture
def shop(engine, salon, clock):
    return make_shop(engine)


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


def _read(engine, fn, *args, **kw):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session, *args, **kw)


def _sale(engine, shop, client_id):
    def work(session):
        sale = tickets.open_sale(session, actor=shop.sofia, location=shop.loc, client_id=client_id)
        sales.add_service(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, service="corte", staff="ana")
        tenders.pay(session, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="cash")
        return sale.id
    return _do(engine, work)


def _refer(engine, shop, **kw):
    kw.setdefault("referred_id", shop.pedro)
    if "code" not in kw:
        kw.setdefault("client_id", shop.ximena)
    return _do(engine, referrals.refer, actor=shop.sofia, location=shop.loc, **kw)


def _bonuses(engine, client_id):
    return [(e.points, e.reason) for e in _read(engine, loyalty.history, client_id) if e.kind == "referral"]


def _row(engine, referred_id):
    return _read(engine, lambda s: s.exec(select(Referral).where(Referral.referred_id == referred_id)).one())


def _balanced(engine, client_id):
    figures = _read(engine, ledger.check, _read(engine, loyalty.account_id_of, client_id))
    assert figures["cached"] == figures["entries"] == figures["lots"] >= 0, figures


def _counts(engine):
    """What a refusal must leave as it was: referrals, cards, entries, audit rows."""
    return _read(engine, lambda s: tuple(s.exec(select(sa.func.count()).select_from(m)).one()
                                         for m in (Referral, LoyaltyAccount, LoyaltyEntry, AuditLog)))


# ----------------------------------------------------------------------------- the code

def test_a_clients_code_is_made_once_and_codes_differ(engine, shop):
    first = _do(engine, referrals.referral_code, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
    assert len(first.referral_code) == 8 and set(first.referral_code) <= ALPHABET
    # she was enrolled on the way (welcome bonus), and asking again gives the same code, writing nothing
    assert _read(engine, loyalty.card, shop.ximena).points == 50
    before = _counts(engine)
    assert _do(engine, referrals.referral_code, actor=shop.sofia, location=shop.loc, client_id=shop.ximena) == first
    assert _counts(engine) == before
    other = _do(engine, referrals.referral_code, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
    assert other.referral_code != first.referral_code
    audit = _read(engine, lambda s: s.exec(select(AuditLog.after).where(AuditLog.action == "loyalty.referral_code")).all())
    assert [a["referral_code"] for a in audit] == [first.referral_code, other.referral_code]


def test_a_code_drawn_twice_is_drawn_again(engine, shop, monkeypatch):
    taken = _do(engine, referrals.referral_code, actor=shop.sofia, location=shop.loc, client_id=shop.ximena).referral_code
    draws = iter([taken, taken, "PEDR2345"])
    monkeypatch.setattr(referrals, "new_code", lambda: next(draws))
    assert _do(engine, referrals.referral_code, actor=shop.sofia, location=shop.loc,
               client_id=shop.pedro).referral_code == "PEDR2345"


def test_the_unique_constraint_holds_codes_apart(engine, shop):
    code = _do(engine, referrals.referral_code, actor=shop.sofia, location=shop.loc, client_id=shop.ximena).referral_code
    loyalty_id = _do(engine, loyalty.enroll, actor=shop.sofia, location=shop.loc, client_id=shop.pedro).client_id
    with pytest.raises(sa.exc.IntegrityError):
        with UnitOfWork(engine) as uow:
            uow.session.execute(sa.update(LoyaltyAccount).where(LoyaltyAccount.client_id == loyalty_id)
                                .values(referral_code=code))
            uow.commit()


# ----------------------------------------------------------------------------- refer

def test_refer_by_code_records_a_pending_referral(engine, shop):
    code = _do(engine, referrals.referral_code, actor=shop.sofia, location=shop.loc, client_id=shop.ximena).referral_code
    typed = f"{code[:4].lower()}-{code[4:]}"  # as the new client reads it out
    view = _refer(engine, shop, code=typed)
    assert (view.referrer_id, view.referrer, view.referred_id, view.referred, view.code, view.status) == (
        shop.ximena, "Ximena Jiménez", shop.pedro, "Pedro Páramo", code, "pending")
    assert (view.expires_on, view.sale_id, view.rewarded_at) == (date(2027, 2, 19), None, None)  # 90 days on
    acct = _read(engine, lambda s: s.exec(select(LoyaltyAccount).where(LoyaltyAccount.client_id == shop.pedro)).one())
    assert acct.referred_by_id == shop.ximena  # kept in step for the code that reads it
    row = _row(engine, shop.pedro)
    assert (row.location_id, row.created_by_id) == (shop.loc.id, shop.sofia.id)
    audit = _read(engine, lambda s: s.exec(select(AuditLog).where(AuditLog.action == "loyalty.refer")).one())
    assert (audit.entity, audit.entity_id, audit.after["code"]) == ("referral", view.id, code)


def test_refer_by_id_with_a_window(engine, shop):
    view = _refer(engine, shop, expires_in_days=7)
    assert (view.code, view.expires_on) == (None, date(2026, 11, 28))


def test_refusals_change_nothing(engine, shop):
    _do(engine, referrals.referral_code, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
    before = _counts(engine)
    with pytest.raises(NotFound, match="no client has referral code 2222AAAA"):
        _refer(engine, shop, code="2222-aaaa")
    with pytest.raises(InvalidInput, match="is not a referral code"):
        _refer(engine, shop, code="O0I1-XXXX")
    with pytest.raises(InvalidInput, match="one of the two"):
        _refer(engine, shop, client_id=shop.ximena, code="2222AAAA")
    with pytest.raises(InvalidInput, match="themselves"):
        _refer(engine, shop, client_id=shop.pedro)
    with pytest.raises(NotFound, match="no client 99"):
        _refer(engine, shop, client_id=99)
    with pytest.raises(NotFound, match="no client 99"):
        _refer(engine, shop, referred_id=99)
    with pytest.raises(InvalidInput, match="--expires-in-days"):
        _refer(engine, shop, expires_in_days=0)
    assert _counts(engine) == before


def test_an_erased_client_neither_refers_nor_is_referred(engine, shop):
    with UnitOfWork(engine) as uow:
        row = uow.session.get(Client, shop.pedro)
        row.erased_at = datetime(2026, 11, 20, tzinfo=timezone.utc)
        uow.session.add(row)
        uow.commit()
    before = _counts(engine)
    with pytest.raises(RuleViolation, match="client 2 was erased"):
        _refer(engine, shop)
    with pytest.raises(RuleViolation, match="client 2 was erased"):
        _refer(engine, shop, client_id=shop.pedro, referred_id=shop.ximena)
    with pytest.raises(RuleViolation, match="client 2 was erased"):
        _do(engine, referrals.referral_code, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
    assert _counts(engine) == before


def test_once_only_for_a_new_client_and_never_both_ways(engine, shop):
    _refer(engine, shop)
    with pytest.raises(RuleViolation, match="client 2 was referred by client 1 already"):
        _refer(engine, shop)
    with pytest.raises(RuleViolation, match="cannot refer each other"):
        _refer(engine, shop, client_id=shop.pedro, referred_id=shop.ximena)
    _sale(engine, shop, shop.ximena)
    with pytest.raises(RuleViolation, match="has paid sale"):
        _refer(engine, shop, client_id=shop.pedro, referred_id=shop.ximena)


# ----------------------------------------------------------------------------- the bonus

def test_both_sides_earn_the_bonus_once(engine, shop):
    _refer(engine, shop)
    first = _sale(engine, shop, shop.pedro)
    _sale(engine, shop, shop.pedro)  # a second paid sale: still once
    with UnitOfWork(engine) as uow:  # the earn run again for the first sale: nothing more
        assert loyalty.earn_for_sale(uow.session, uow.session.get(Sale, first), actor=shop.sofia,
                                     location=shop.loc) is None
        uow.commit()
    assert _bonuses(engine, shop.ximena) == [(100, "referred client 2")]
    assert _bonuses(engine, shop.pedro) == [(100, "referred by client 1")]
    keys = _read(engine, lambda s: s.exec(select(LoyaltyEntry.key, LoyaltyEntry.sale_id)
                                          .where(LoyaltyEntry.kind == "referral").order_by(LoyaltyEntry.id)).all())
    assert keys == [("referral:client:2", first), ("referral:referred:2", first)]
    # Pedro: welcome 50 + 350 + 350 + bonus 100; Ximena: welcome 50 + bonus 100
    assert (_read(engine, loyalty.card, shop.pedro).points, _read(engine, loyalty.card, shop.ximena).points) == (850, 150)
    row = _row(engine, shop.pedro)
    assert (row.status, row.sale_id, row.rewarded_at) == ("rewarded", first, datetime(2026, 11, 21, 17, tzinfo=timezone.utc))
    _balanced(engine, shop.pedro)
    _balanced(engine, shop.ximena)


def test_a_refund_of_the_first_sale_keeps_both_bonuses(engine, shop):
    """The choice: the bonus rewards bringing a client who came and paid; the refund voids the sale's own
    earn as usual, and a manager who sees abuse corrects it with `loyalty adjust`."""
    _refer(engine, shop)
    first = _sale(engine, shop, shop.pedro)
    _do(engine, tenders.refund, actor=OWNER, location=shop.loc, sale_id=first, reason="unhappy")
    assert _bonuses(engine, shop.ximena) == [(100, "referred client 2")]
    assert _bonuses(engine, shop.pedro) == [(100, "referred by client 1")]
    assert _read(engine, loyalty.card, shop.pedro).points == 150  # welcome 50 + 100; the 350 earned is voided
    assert _row(engine, shop.pedro).status == "rewarded"
    _balanced(engine, shop.pedro)


def test_no_bonus_configured_still_settles_the_referral(engine, shop):
    from salon_cli.services.loyalty import program

    _do(engine, program.update, actor=OWNER, location=shop.loc, referral_bonus=0)
    _refer(engine, shop)
    _sale(engine, shop, shop.pedro)
    assert _bonuses(engine, shop.ximena) == _bonuses(engine, shop.pedro) == []
    assert _row(engine, shop.pedro).status == "rewarded"


# ----------------------------------------------------------------------------- expiry

def test_a_sale_on_the_last_day_pays(engine, shop, clock):
    _refer(engine, shop, expires_in_days=1)  # expires_on 2026-11-22
    clock.set(datetime(2026, 11, 23, 5, 59, tzinfo=timezone.utc))  # 23:59 on the 22nd in Mexico City
    _sale(engine, shop, shop.pedro)
    assert _row(engine, shop.pedro).status == "rewarded"
    assert _bonuses(engine, shop.ximena) == [(100, "referred client 2")]


def test_an_expired_referral_pays_nothing_and_lists_as_expired(engine, shop, clock):
    _refer(engine, shop, expires_in_days=1)
    clock.set(datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc))  # 00:00 on the 23rd: a day late
    listed = _read(engine, referrals.list_referrals, shop.loc, status="expired")
    assert [(r.referred_id, r.status) for r in listed] == [(shop.pedro, "expired")]  # before anything marks it
    assert _read(engine, referrals.list_referrals, shop.loc, status="pending") == []
    _sale(engine, shop, shop.pedro)
    assert _bonuses(engine, shop.ximena) == _bonuses(engine, shop.pedro) == []
    row = _row(engine, shop.pedro)
    assert (row.status, row.sale_id, row.rewarded_at) == ("expired", None, None)
    assert [r.status for r in _read(engine, referrals.list_referrals, shop.loc, client_id=shop.ximena)] == ["expired"]
    assert _read(engine, lambda s: s.exec(select(AuditLog.action).where(AuditLog.entity == "referral")
                                          .order_by(AuditLog.id)).all()) == ["loyalty.refer", "loyalty.referral_expired"]


def test_expire_points_marks_overdue_referrals(engine, shop, clock):
    _refer(engine, shop, expires_in_days=1)  # Pedro's: expires_on 2026-11-22
    with UnitOfWork(engine) as uow:  # another referral with a long window stays pending
        from salon_cli.services.clients import profiles

        third = profiles.add(uow.session, actor=OWNER, location=shop.loc, first_name="Ana", last_name="Ruiz").id
        uow.commit()
    _refer(engine, shop, referred_id=third, expires_in_days=30)
    at_midnight = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)  # the 23rd begins in Mexico City
    early = expiry.expire(engine, as_of=datetime(2026, 11, 23, 5, 59, tzinfo=timezone.utc))
    assert (early.referrals, _row(engine, shop.pedro).status) == (0, "pending")
    dry = expiry.expire(engine, as_of=at_midnight, dry_run=True)
    assert (dry.referrals, dry.referral_ids, _row(engine, shop.pedro).status) == (1, [1], "pending")
    real = expiry.expire(engine, as_of=at_midnight)
    assert (real.referrals, real.referral_ids) == (1, [1])
    assert (_row(engine, shop.pedro).status, _row(engine, third).status) == ("expired", "pending")
    again = expiry.expire(engine, as_of=at_midnight)
    assert again.referrals == 0
    audit = _read(engine, lambda s: s.exec(select(AuditLog).where(AuditLog.action == "loyalty.referral_expired")).all())
    assert [(a.entity_id, a.actor, a.after["status"]) for a in audit] == [(1, "system", "expired")]
    # the late sale pays nothing
    clock.set(at_midnight)
    _sale(engine, shop, shop.pedro)
    assert _bonuses(engine, shop.ximena) == []


def test_list_filters(engine, shop):
    _refer(engine, shop)
    _sale(engine, shop, shop.pedro)
    with pytest.raises(InvalidInput, match="--status 'paid'"):
        _read(engine, referrals.list_referrals, shop.loc, status="paid")
    assert [r.status for r in _read(engine, referrals.list_referrals, shop.loc, status="rewarded")] == ["rewarded"]
    assert _read(engine, referrals.list_referrals, shop.loc, status="pending") == []
    assert len(_read(engine, referrals.list_referrals, shop.loc, client_id=shop.pedro)) == 1
    with pytest.raises(NotFound):
        _read(engine, referrals.list_referrals, shop.loc, client_id=99)
