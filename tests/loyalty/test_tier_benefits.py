"""A loyalty tier's benefits: a discount on the client's sales (`--tier-discount`) and priority booking
(`--tier-priority`), set by a manager on the program and applied at checkout by `till.tickets.client_discount`
(the larger of the membership's and the tier's, never both).

tests/shop.py's salon with IVA 16% on top: now Saturday 2026-11-21 11:00 in Mexico City; Ximena is client 1
(appointment 1: her corte, 350.00 with ana), Pedro client 2; PINs 2222, the owner lucia 1234. The default tiers:
bronze 0, silver 1000 (x1.25), gold 2500 (x1.5), platinum 5000 (x2)."""

from __future__ import annotations

import json

import pytest

from cli_helpers import MARCO, OWNER, SOFIA
from cli_helpers import salon as cli
from shop import make_shop

from salon_cli.db.uow import UnitOfWork
from salon_cli.services.benefits import priority
from salon_cli.services.salon import locations
from salon_cli.services.till import tickets


def ok(db, *args):
    run = cli(db, *args)
    assert run.code == 0, (args, run.stderr)
    return run


def js(db, *args):
    return json.loads(ok(db, *args, "-f", "json").stdout)


@pytest.fixture
def desk(engine, salon, db_url):
    make_shop(engine, taxes=["IVA:16%"])
    return db_url


def _tiers(db) -> dict[str, tuple[int, bool]]:
    return {t["name"]: (t["discount_bp"], t["priority"]) for t in js(db, "loyalty", "program", "show")["tiers"]}


def _gold(db, client: int = 1) -> None:
    """The client on gold: 2500 lifetime points (an adjustment counts as earned)."""
    ok(db, *SOFIA, "loyalty", "enroll", str(client))
    ok(db, *MARCO, "loyalty", "adjust", str(client), "--points", str(2500 - 50), "--reason", "moved from paper cards")
    assert js(db, "loyalty", "card", str(client))["tier"] == "gold"


# ----------------------------------------------------------------------------- the settings

def test_tier_discount_and_priority_are_set_shown_and_kept_by_name(desk):
    assert _tiers(desk) == {"bronze": (0, False), "silver": (0, False), "gold": (0, False), "platinum": (0, False)}
    view = js(desk, *OWNER, "loyalty", "program", "set", "--tier-discount", "gold=5%,platinum=10%",
              "--tier-priority", "gold,platinum")
    assert view["tiers"][2] == {"name": "gold", "min_points": 2500, "multiplier_bp": 15000, "discount_bp": 500,
                                "priority": True}
    assert _tiers(desk) == {"bronze": (0, False), "silver": (0, False), "gold": (500, True), "platinum": (1000, True)}
    table = ok(desk, "loyalty", "program", "show").stdout
    assert ("bronze from 0 x1; silver from 1000 x1.25; gold from 2500 x1.5, 5% off, priority booking; "
            "platinum from 5000 x2, 10% off, priority booking") in table
    # a later --tiers keeps each tier's discount and priority by name; a new tier has none
    ok(desk, *OWNER, "loyalty", "program", "set", "--tiers", "bronze:0,gold:3000:1.75,diamond:9000:3")
    assert _tiers(desk) == {"bronze": (0, False), "gold": (500, True), "diamond": (0, False)}
    # the option sets every tier: those not named get none; `none` clears them all
    ok(desk, *OWNER, "loyalty", "program", "set", "--tier-discount", "diamond=12%", "--tier-priority", "diamond")
    assert _tiers(desk) == {"bronze": (0, False), "gold": (0, False), "diamond": (1200, True)}
    ok(desk, *OWNER, "loyalty", "program", "set", "--tier-discount", "none", "--tier-priority", "NONE")
    assert _tiers(desk) == {"bronze": (0, False), "gold": (0, False), "diamond": (0, False)}
    # set with new tiers in the same command: the names are the new ones
    ok(desk, *OWNER, "loyalty", "program", "set", "--tiers", "bronze:0,vip:100", "--tier-discount", "vip=3%")
    assert _tiers(desk) == {"bronze": (0, False), "vip": (300, False)}


BAD_TIER_SETTINGS = [
    ("--tier-discount", "diamond=5%", "error: --tier-discount 'diamond=5%': there is no tier 'diamond' "
                                      "(tiers: bronze, silver, gold, platinum)"),
    ("--tier-discount", "gold=150%", "error: --tier-discount 'gold=150%': a tier's discount is a whole percent "
                                     "from 0% to 50%"),
    ("--tier-discount", "gold=51%", "error: --tier-discount 'gold=51%': a tier's discount is a whole percent "
                                    "from 0% to 50%"),
    ("--tier-discount", "gold=0.5%", "error: --tier-discount 'gold=0.5%': a tier's discount is a whole percent "
                                     "from 0% to 50%"),
    ("--tier-discount", "gold=-5%", "error: --tier-discount 'gold=-5%': a tier's discount is a whole percent "
                                    "from 0% to 50%"),
    ("--tier-discount", "gold=lots", "error: --tier-discount 'gold=lots': a tier's discount is a whole percent "
                                     "from 0% to 50%"),
    ("--tier-discount", "gold5%", "error: --tier-discount 'gold5%' is not TIER=PCT%"),
    ("--tier-discount", "gold=5%,gold=6%", "error: --tier-discount names gold twice"),
    ("--tier-priority", "gold,diamond", "error: --tier-priority 'diamond': there is no tier 'diamond' "
                                        "(tiers: bronze, silver, gold, platinum)"),
    ("--tier-priority", "", "error: --tier-priority needs tier names or none"),
]


def test_bad_tier_settings_exit_2_naming_the_value_and_change_nothing(desk):
    ok(desk, *OWNER, "loyalty", "program", "set", "--tier-discount", "silver=2%")
    before = js(desk, "loyalty", "program", "show")
    for option, value, error in BAD_TIER_SETTINGS:  # one salon for every case: none changes anything
        run = cli(desk, *OWNER, "loyalty", "program", "set", option, value, "--welcome-bonus", "75")
        assert (run.code, run.stderr.splitlines()[0]) == (2, error), value
        assert js(desk, "loyalty", "program", "show") == before


def test_tier_settings_need_a_manager(desk):
    run = cli(desk, *SOFIA, "loyalty", "program", "set", "--tier-discount", "gold=5%")
    assert run.code == 3
    assert _tiers(desk)["gold"] == (0, False)


# ----------------------------------------------------------------------------- the discount at checkout

def test_a_gold_tier_client_gets_the_tier_discount_at_checkout(desk):
    ok(desk, *OWNER, "loyalty", "program", "set", "--tier-discount", "gold=5%,platinum=10%")
    _gold(desk)
    before = js(desk, "loyalty", "card", "1")["points"]
    sale = js(desk, *SOFIA, "checkout", "1", "--pay", "cash")
    # 350.00 less 5% = 332.50; IVA 16% of it 53.20; 385.70 in all
    assert (sale["subtotal_cents"], sale["discount_cents"], sale["tax_cents"], sale["total_cents"],
            sale["paid_cents"], sale["status"]) == (35000, 1750, 5320, 38570, 38570, "paid")
    assert (sale["discount_kind"], sale["discount_value"]) == ("pct", 500)
    line = sale["lines"][0]
    assert (line["discount_cents"], line["net_cents"], line["tax_cents"]) == (1750, 33250, 5320)
    # points on what was paid, the discount taken off: floor(385.70) = 385, x1.5 for gold = 577
    card = js(desk, "loyalty", "card", "1")
    assert card["points"] - before == 577
    assert [h["points"] for h in js(desk, "loyalty", "history", "1") if h["kind"] == "earn"] == [577]


def _discount(engine, client_id):
    with UnitOfWork(engine, write=False) as uow:
        return tickets.client_discount(uow.session, client_id)


def test_the_larger_of_membership_and_tier_never_both(desk, engine):
    ok(desk, *OWNER, "loyalty", "program", "set", "--tier-discount", "gold=5%,platinum=15%")
    _gold(desk)
    assert _discount(engine, 1) == (500, "Gold tier")
    ok(desk, *SOFIA, "membership", "subscribe", "1", "gold", "--pay", "cash")  # the Gold plan: 10% off
    assert _discount(engine, 1) == (1000, "Gold membership")
    sale = js(desk, *SOFIA, "checkout", "1", "--pay", "cash")
    assert (sale["subtotal_cents"], sale["discount_cents"], sale["tax_cents"], sale["total_cents"]) == (
        35000, 3500, 5040, 36540)
    # a tier above the plan's discount wins (platinum 15% against Gold's 10%), alone
    ok(desk, *MARCO, "loyalty", "adjust", "1", "--points", "2500", "--reason", "to platinum")
    assert _discount(engine, 1) == (1500, "Platinum tier")
    # a tie goes to the membership
    ok(desk, *OWNER, "loyalty", "program", "set", "--tier-discount", "gold=5%,platinum=10%")
    assert _discount(engine, 1) == (1000, "Gold membership")
    # a paused membership gives none: the tier's then
    ok(desk, *SOFIA, "membership", "pause", "1", "--reason", "de viaje")
    assert _discount(engine, 1) == (1000, "Platinum tier")


def test_a_tier_without_a_discount_gives_none_nor_does_an_inactive_program(desk, engine):
    ok(desk, *OWNER, "loyalty", "program", "set", "--tier-discount", "platinum=10%")
    _gold(desk)
    assert _discount(engine, 1) is None
    sale = js(desk, *SOFIA, "checkout", "1", "--pay", "cash")
    assert (sale["subtotal_cents"], sale["discount_cents"], sale["tax_cents"], sale["total_cents"]) == (
        35000, 0, 5600, 40600)
    ok(desk, *OWNER, "loyalty", "program", "set", "--tier-discount", "gold=5%", "--tier-priority", "gold")
    assert _discount(engine, 1) == (500, "Gold tier")
    ok(desk, *OWNER, "loyalty", "program", "set", "--inactive")
    assert _discount(engine, 1) is None
    assert _discount(engine, 2) is None  # no card at all
    with UnitOfWork(engine, write=False) as uow:
        assert not priority.has_priority(uow.session, 1)


def test_an_explicit_discount_still_replaces_the_tiers(desk):
    ok(desk, *OWNER, "loyalty", "program", "set", "--tier-discount", "gold=5%")
    _gold(desk)
    sale = js(desk, *SOFIA, "checkout", "1", "--discount", "50", "--pay", "cash")
    assert (sale["discount_kind"], sale["discount_value"], sale["discount_cents"], sale["tax_cents"],
            sale["total_cents"]) == ("amount", 5000, 5000, 4800, 34800)


def test_a_sale_opened_for_a_gold_client_starts_with_the_tier_discount(desk):
    ok(desk, *OWNER, "loyalty", "program", "set", "--tier-discount", "gold=5%")
    _gold(desk, client=2)
    sale = js(desk, *SOFIA, "sale", "open", "--client", "2")
    assert (sale["discount_kind"], sale["discount_value"]) == ("pct", 500)
    added = js(desk, *SOFIA, "sale", "add", str(sale["id"]), "--product", "shampoo")
    assert (added["subtotal_cents"], added["discount_cents"], added["tax_cents"], added["total_cents"]) == (
        18000, 900, 2736, 19836)


def test_priority_comes_from_the_tier_or_an_active_membership(desk, engine):
    _gold(desk)
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        assert (priority.has_priority(uow.session, 1), priority.horizon_days(uow.session, loc, 1)) == (False, 180)
    ok(desk, *OWNER, "loyalty", "program", "set", "--tier-priority", "gold")
    with UnitOfWork(engine, write=False) as uow:
        assert (priority.has_priority(uow.session, 1), priority.horizon_days(uow.session, loc, 1)) == (True, 365)
        assert (priority.has_priority(uow.session, 2), priority.horizon_days(uow.session, loc, 2)) == (False, 180)
        assert priority.horizon_days(uow.session, loc, None) == 180
