"""The first offer of a freed slot is a priority-booking benefit (`benefits.waitlist_offers`), on SQLite and
PostgreSQL: a client with priority (an active Gold membership: `priority_booking`) is offered the slot
before those who joined the waitlist earlier; a paused membership gives no priority; clients of the same
priority are offered it in the order they joined.

`tests/shop.py`'s salon, now Saturday 2026-11-21 11:00 in Mexico City: Ximena's corte with ana at 12:00
is cancelled by the salon, and three clients wait for a corte today.
"""

from __future__ import annotations

import pytest

from salon_cli.db.uow import UnitOfWork
from salon_cli.services.benefits import waitlist_offers
from salon_cli.services.book import status, waitlist
from salon_cli.services.clients import profiles
from salon_cli.services.memberships import subscriptions as memberships
from salon_cli.services.till import membership_fees
from shop import OWNER, make_shop


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine)


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


def _waiting(engine, shop, clock, names):
    """Each client (made here) joins the waitlist for a corte today, one minute after the one before."""
    ids = {}
    for first, last in names:
        cid = _do(engine, lambda s: profiles.add(s, actor=OWNER, location=shop.loc, first_name=first,
                                                  last_name=last).id)
        clock.advance(minutes=1)
        _do(engine, waitlist.add, actor=shop.sofia, location=shop.loc, client_id=cid, service="corte",
            from_date="2026-11-21", to_date="2026-11-28")
        ids[first] = cid
    return ids


def _gold(engine, shop, client_id):
    _do(engine, membership_fees.subscribe, actor=shop.sofia, location=shop.loc, client_id=client_id,
        plan_code="gold", pay_method="cash")


def _offers(engine, shop):
    with UnitOfWork(engine, write=False) as uow:
        return [(o.position, o.client, o.priority) for o in waitlist_offers.offers(uow.session, shop.loc, shop.appt)[1]]


def _cancel(engine, shop):
    _do(engine, status.cancel, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt, by_salon=True)


def test_a_gold_member_who_joined_last_is_offered_first(engine, shop, clock):
    ids = _waiting(engine, shop, clock, [("Ana", "Mora"), ("Bruno", "Díaz"), ("Regina", "Castillo")])
    _gold(engine, shop, ids["Regina"])
    _cancel(engine, shop)
    assert _offers(engine, shop) == [(1, "Regina Castillo", True), (2, "Ana Mora", False), (3, "Bruno Díaz", False)]


def test_a_paused_member_is_not_priority(engine, shop, clock):
    ids = _waiting(engine, shop, clock, [("Ana", "Mora"), ("Regina", "Castillo")])
    _gold(engine, shop, ids["Regina"])
    _do(engine, memberships.pause, actor=shop.sofia, location=shop.loc, client_id=ids["Regina"], reason="viaje")
    _cancel(engine, shop)
    assert _offers(engine, shop) == [(1, "Ana Mora", False), (2, "Regina Castillo", False)]
    _do(engine, memberships.resume, actor=shop.sofia, location=shop.loc, client_id=ids["Regina"])
    assert _offers(engine, shop) == [(1, "Regina Castillo", True), (2, "Ana Mora", False)]


def test_clients_of_the_same_priority_are_offered_it_in_the_order_they_joined(engine, shop, clock):
    ids = _waiting(engine, shop, clock, [("Ana", "Mora"), ("Bruno", "Díaz"), ("Carla", "Vega"), ("Dora", "Luna")])
    _gold(engine, shop, ids["Dora"])
    _gold(engine, shop, ids["Bruno"])
    _cancel(engine, shop)
    assert _offers(engine, shop) == [(1, "Bruno Díaz", True), (2, "Dora Luna", True), (3, "Ana Mora", False),
                                     (4, "Carla Vega", False)]


def test_the_same_instant_is_ordered_by_the_entry_id(engine, shop, clock):
    """Two clients who joined in the same instant (one clock tick): the first entry written is offered first."""
    names = [("Ana", "Mora"), ("Bruno", "Díaz")]
    for first, last in names:
        cid = _do(engine, lambda s: profiles.add(s, actor=OWNER, location=shop.loc, first_name=first,
                                                  last_name=last).id)
        _do(engine, waitlist.add, actor=shop.sofia, location=shop.loc, client_id=cid, service="corte")
    _cancel(engine, shop)
    assert _offers(engine, shop) == [(1, "Ana Mora", False), (2, "Bruno Díaz", False)]
