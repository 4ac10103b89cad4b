"""Merging clients carries their referrals (both sides) and their follow-ups to the client kept
(tests/shop.py's salon: Ximena is client 1, Pedro 2; staff PINs 2222)."""

from __future__ import annotations

import pytest

from cli_helpers import MARCO, js, ok
from shop import make_shop

SOFIA = ["--as", "sofia"]


@pytest.fixture
def desk(engine, salon, db_url, clock):
    make_shop(engine)
    return db_url


def _client(desk, first: str) -> int:
    return js(desk, *SOFIA, "client", "add", "--first", first, "--last", "Prueba")["id"]


def test_referrals_and_follow_ups_follow_the_person(desk):
    dup, friend, other = _client(desk, "Ximenita"), _client(desk, "Lupita"), _client(desk, "Rosa")
    ok(desk, *SOFIA, "loyalty", "refer", str(dup), "--referred", str(friend))  # the duplicate brought Lupita
    ok(desk, *SOFIA, "loyalty", "refer", str(other), "--referred", str(dup))   # and was brought by Rosa
    ok(desk, *SOFIA, "client", "follow-up", str(dup), "--on", "2026-11-28", "--note", "Llamar")
    result = js(desk, *MARCO, "client", "merge", "1", str(dup))
    assert result["moved"]["referral"] == 2 and result["moved"]["client_follow_up"] == 1
    rows = {(r["referrer_id"], r["referred_id"]) for r in js(desk, "loyalty", "referrals")}
    assert rows == {(1, friend), (other, 1)}
    assert [f["client_id"] for f in js(desk, "client", "follow-ups", "--all")] == [1]


def test_a_referral_between_the_two_goes_and_the_kept_clients_own_wins(desk):
    dup, rosa, lupe = _client(desk, "Ximenita"), _client(desk, "Rosa"), _client(desk, "Lupita")
    ok(desk, *SOFIA, "loyalty", "refer", "1", "--referred", str(dup))     # Ximena "referred" her own duplicate
    ok(desk, *SOFIA, "loyalty", "refer", str(rosa), "--referred", str(lupe))
    ok(desk, *MARCO, "client", "merge", "1", str(dup))
    assert {(r["referrer_id"], r["referred_id"]) for r in js(desk, "loyalty", "referrals")} == {(rosa, lupe)}
