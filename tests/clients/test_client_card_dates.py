"""The client card (`salon client show`, the dashboard's card) says when the client last failed to come
and when their next points expire and how many, however far away; on SQLite and PostgreSQL (`db_url`).

The salon is `tests/shop.py`'s (America/Mexico_City; the clock at 2026-11-21 11:00 there): Ximena with
today's 12:00 corte with ana; Pedro with nothing.
"""

from __future__ import annotations

import pytest

from cli_helpers import MARCO, OWNER, js, ok, salon as cli
from shop import make_shop

SOFIA = ["--as", "sofia"]


@pytest.fixture
def desk(engine, salon, db_url):
    shop = make_shop(engine)
    return db_url, shop


def test_nothing_to_say_is_null(desk):
    url, shop = desk
    card = js(url, "client", "show", str(shop.pedro))
    assert (card["last_no_show_on"], card["next_expiry_on"], card["next_expiry_points"]) == (None, None, None)


def test_the_last_no_show_day(desk, clock):
    url, shop = desk
    clock.advance(minutes=90)
    ok(url, *MARCO, "appt", "no-show", str(shop.appt))
    card = js(url, "client", "show", str(shop.ximena))
    assert (card["no_show_count"], card["last_no_show_on"]) == (1, "2026-11-21")
    # a later one is the last; a reinstated one no longer counts
    later = js(url, *SOFIA, "appt", "book", "--client", str(shop.ximena), "--service", "corte", "--staff", "ana",
               "--at", "2026-12-01 17:00")
    later_id = (later[0] if isinstance(later, list) else later)["id"]
    clock.set(clock.now().replace(year=2026, month=12, day=2, hour=3))  # 21:00 on the 1st there: still the 1st
    ok(url, *MARCO, "appt", "no-show", str(later_id))
    assert js(url, "client", "show", str(shop.ximena))["last_no_show_on"] == "2026-12-01"
    ok(url, *MARCO, "appt", "reinstate", str(later_id), "--reason", "she came, we were wrong")
    assert js(url, "client", "show", str(shop.ximena))["last_no_show_on"] == "2026-11-21"
    table = ok(url, "client", "show", str(shop.ximena)).stdout
    assert "last_no_show_on" in table and "2026-11-21" in table


def test_the_next_expiry_months_away_and_how_many_points(desk, clock):
    url, shop = desk
    first = js(url, *OWNER, "loyalty", "earn", str(shop.ximena), "--amount", "350")
    clock.advance(days=10)
    js(url, *OWNER, "loyalty", "earn", str(shop.ximena), "--amount", "200")
    loyalty = js(url, "loyalty", "card", str(shop.ximena))
    assert loyalty["expiring"] == []  # months away: the loyalty card's warning says nothing yet
    card = js(url, "client", "show", str(shop.ximena))
    # the program's default: points expire 6 months after they were earned (the welcome bonus with the first)
    assert card["next_expiry_on"] == "2027-05-21"
    assert card["next_expiry_points"] == first["points"] < loyalty["points"]
    table = ok(url, "client", "show", str(shop.ximena)).stdout
    assert "next_expiry_on" in table and "2027-05-21" in table


def test_an_idle_card_expires_whole_before_its_lots(desk, clock):
    url, shop = desk
    js(url, *OWNER, "loyalty", "earn", str(shop.ximena), "--amount", "350")
    ok(url, *OWNER, "loyalty", "program", "set", "--expiry-inactivity-days", "90")
    card = js(url, "client", "show", str(shop.ximena))
    points = js(url, "loyalty", "card", str(shop.ximena))["points"]
    assert (card["next_expiry_on"], card["next_expiry_points"]) == ("2027-02-19", points)


def test_the_dashboards_card_says_both(desk, clock, engine):
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.tui.screens.clients.client_card_data import load_card, profile_text

    url, shop = desk
    clock.advance(minutes=90)
    ok(url, *MARCO, "appt", "no-show", str(shop.appt))
    earned = js(url, *OWNER, "loyalty", "earn", str(shop.ximena), "--amount", "350")
    with UnitOfWork(engine, write=False) as uow:
        text = profile_text(load_card(uow.session, shop.loc, shop.ximena, None)).plain
    assert "No-shows  1 · last Nov 21, 2026" in text
    assert f"Expiry    {earned['points']:,} pts on May 21, 2027" in text
    with UnitOfWork(engine, write=False) as uow:
        text = profile_text(load_card(uow.session, shop.loc, shop.pedro, None)).plain
    assert "Expiry" not in text and "No-shows  0" in text
    assert cli(url, "client", "show", "999").code == 1
