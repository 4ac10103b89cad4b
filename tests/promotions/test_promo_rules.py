"""Issue 30: every promotion rule at its boundary, with the exact sentence the desk reads (pure: no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest

from salon_cli.services.promotions.rules import LineInfo, PromoRules, SaleContext, days_text, refusal

TUESDAY = date(2026, 12, 1)
HAPPY = PromoRules(id=1, code="HAPPY10", name="HAPPY10", kind="percent")
LINES = (LineInfo("service", 35000, service_id=1, category="Cut"), LineInfo("product", 18000))


def ctx(**kw) -> SaleContext:
    base = dict(currency="MXN", local_date=TUESDAY, local_time=time(11, 0), location_id=1, subtotal_cents=53000,
                lines=LINES, client_id=7)
    return SaleContext(**{**base, **kw})


def test_the_window_is_start_included_end_excluded():
    p = replace(HAPPY, days=(1,), start_minute=600, end_minute=840)
    assert refusal(p, ctx(local_time=time(10, 0))) is None
    assert refusal(p, ctx(local_time=time(13, 59))) is None
    assert refusal(p, ctx(local_time=time(14, 0))) == "HAPPY10 is for Tuesdays 10:00-14:00"
    assert refusal(p, ctx(local_time=time(9, 59))) == "HAPPY10 is for Tuesdays 10:00-14:00"
    assert refusal(p, ctx(local_date=date(2026, 12, 2))) == "HAPPY10 is for Tuesdays 10:00-14:00"
    assert refusal(replace(p, start_minute=None, end_minute=None), ctx(local_date=date(2026, 12, 2))) \
        == "HAPPY10 is for Tuesdays"
    assert refusal(replace(p, days=()), ctx(local_time=time(14, 0))) == "HAPPY10 is for 10:00-14:00"
    assert days_text([4, 0, 2]) == "Mondays, Wednesdays and Fridays"


def test_first_and_last_day_are_both_included():
    p = replace(HAPPY, starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30))
    assert refusal(p, ctx(local_date=date(2026, 11, 1))) is None
    assert refusal(p, ctx(local_date=date(2026, 11, 30))) is None
    assert refusal(p, ctx(local_date=date(2026, 12, 1))) == "HAPPY10 ended on 2026-11-30"
    assert refusal(p, ctx(local_date=date(2026, 10, 31))) == "HAPPY10 starts on 2026-11-01"


def test_the_last_allowed_use_per_client_and_in_all():
    p = replace(HAPPY, per_client=3, use_limit=100)
    assert refusal(p, ctx(client_uses=2)) is None
    assert refusal(p, ctx(client_uses=3)) == "HAPPY10: used 3 of 3 times by this client"
    assert refusal(replace(p, uses=99), ctx()) is None
    assert refusal(replace(p, uses=100), ctx()) == "HAPPY10 has been used 100 of 100 times"


def test_minimum_spend_to_the_cent():
    p = replace(HAPPY, min_spend_cents=50000)
    assert refusal(p, ctx(subtotal_cents=50000)) is None
    assert refusal(p, ctx(subtotal_cents=49999)) == "HAPPY10 needs a spend of 500.00 MXN (this ticket: 499.99 MXN)"


def test_who_the_client_must_be():
    assert refusal(replace(HAPPY, tier="gold"), ctx(client_tiers=frozenset({"bronze", "silver"}))) \
        == "HAPPY10 is for gold members"
    assert refusal(replace(HAPPY, tier="gold"), ctx(client_tiers=frozenset({"bronze", "silver", "gold"}))) is None
    assert refusal(replace(HAPPY, tag="VIP"), ctx(client_tags=frozenset({"regular"}))) == "HAPPY10 is for clients tagged vip"
    assert refusal(replace(HAPPY, tag="vip"), ctx(client_tags=frozenset({"vip"}))) is None
    assert refusal(replace(HAPPY, new_clients=True), ctx(first_visit=False)) == "HAPPY10 is for a client's first visit"
    assert refusal(replace(HAPPY, new_clients=True), ctx(first_visit=True)) is None
    assert refusal(replace(HAPPY, client_id=8), ctx()) == "HAPPY10 is for another client"
    assert refusal(replace(HAPPY, client_id=7), ctx()) is None
    assert refusal(replace(HAPPY, tag="vip"), ctx(client_id=None)) == "HAPPY10 needs a client on the sale"


def test_what_the_ticket_must_hold():
    assert refusal(replace(HAPPY, category="Colour"), ctx()) == "HAPPY10 applies to Colour services: none on this ticket"
    assert refusal(replace(HAPPY, category="cut"), ctx()) is None
    assert refusal(replace(HAPPY, service_id=2), ctx()) == "HAPPY10 applies to its service: none on this ticket"
    assert refusal(replace(HAPPY, service_id=1), ctx()) is None


def test_stacking_and_state():
    other = PromoRules(id=2, code="WELCOME", name="WELCOME", kind="amount", stackable=True)
    assert refusal(HAPPY, ctx(other_promotions=(other,))) == "HAPPY10 does not go with WELCOME, already on this sale"
    assert refusal(replace(HAPPY, stackable=True), ctx(other_promotions=(other,))) is None
    assert refusal(HAPPY, ctx(other_promotions=(HAPPY,))) == "HAPPY10 is on this sale already"
    assert refusal(replace(HAPPY, active=False), ctx()) == "HAPPY10 has ended"
    assert refusal(replace(HAPPY, location_id=2), ctx()) == "HAPPY10 is not offered at this location"


@pytest.mark.parametrize("minute,ok", [(599, False), (600, True), (839, True), (840, False)])
def test_every_minute_at_the_edges(minute, ok):
    p = replace(HAPPY, start_minute=600, end_minute=840)
    assert (refusal(p, ctx(local_time=time(minute // 60, minute % 60))) is None) is ok
