"""Issue 26, item 1: a reward pays for something definite, never for anything on the ticket.

The salon is `tests/shop.py`'s: corte 350.00, tinte 800.00; Ximena (1) has appointment 1 (corte, 12:00).
Added here: Balayage 2,800.00 and Blow-dry 200.00 and Flequillo 100.00 (the last two in category "cuts",
with corte). sofia is the receptionist; the owner lucia has PIN 1234.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cli_helpers import OWNER, SOFIA, js, ok
from cli_helpers import salon as cli
from salon_cli.db import migrate
from salon_cli.db.engine import make_engine
from shop import make_shop





@pytest.fixture
def desk(engine, salon, db_url):
    make_shop(engine)
    ok(db_url, *OWNER, "service", "add", "Balayage", "--duration", "180", "--price", "2800", "--code", "balayage")
    ok(db_url, *OWNER, "service", "add", "Blow-dry", "--duration", "30", "--price", "200", "--code", "blowdry",
       "--category", "cuts")
    ok(db_url, *OWNER, "service", "add", "Flequillo", "--duration", "15", "--price", "100", "--code", "fleq",
       "--category", "cuts")
    ok(db_url, *OWNER, "service", "set", "corte", "--category", "cuts")
    ok(db_url, *OWNER, "loyalty", "adjust", "1", "--points", "5000", "--reason", "paper card")
    return db_url


def _book(db, *services: str, hour: str = "15:00") -> str:
    args = [a for s in services for a in ("--service", s)]
    return str(js(db, *OWNER, "appt", "book", "--client", "1", *args, "--staff", "beto",
                  "--at", f"2026-11-21 {hour}")["id"])


def _code(db, reward_id: int) -> str:
    return ok(db, *SOFIA, "loyalty", "redeem", "1", str(reward_id)).stdout.strip()


def test_a_free_service_reward_names_its_service_or_a_category(desk):
    vague = cli(desk, *OWNER, "loyalty", "rewards", "add", "Anything free", "--points", "100", "--kind", "free_service")
    assert vague.code == 2
    assert vague.stderr.splitlines()[0] == "error: a free_service reward names its service or a category (one of them)"
    both = cli(desk, *OWNER, "loyalty", "rewards", "add", "X", "--points", "100", "--kind", "free_service",
               "--service", "corte", "--category", "cuts")
    assert both.code == 2
    nowhere = cli(desk, *OWNER, "loyalty", "rewards", "add", "X", "--points", "100", "--kind", "free_service",
                  "--category", "nails")
    assert nowhere.code == 2 and "no service is in category 'nails'" in nowhere.stderr
    assert js(desk, "loyalty", "rewards", "list", "--all") == []


def test_a_free_blow_dry_does_not_pay_a_balayage(desk):
    reward = js(desk, *OWNER, "loyalty", "rewards", "add", "A free blow-dry", "--points", "300",
                "--kind", "free_service", "--service", "blowdry")
    assert (reward["service_id"], reward["category"]) == (4, None)
    code = _code(desk, reward["id"])
    appt = _book(desk, "balayage")
    refused = cli(desk, *SOFIA, "checkout", appt, "--redeem", code, "--pay", "cash")
    assert refused.code == 1
    assert refused.stderr.splitlines()[0] == f"error: code {code} (A free blow-dry) is for Blow-dry: sale 1 has none"
    assert js(desk, "appt", "show", appt)["status"] == "booked"
    assert [c["code"] for c in js(desk, "loyalty", "card", "1")["codes"]] == [code]
    # with a blow-dry on the ticket it pays the blow-dry's price, no more
    both = _book(desk, "balayage", "blowdry", hour="18:30")
    sale = js(desk, *SOFIA, "checkout", both, "--redeem", code, "--pay", "cash")
    assert [(p["method"], p["amount_cents"]) for p in sale["payments"]] == [("points", 20000), ("cash", 280000)]


def test_a_category_reward_pays_the_cheapest_line_of_it(desk):
    reward = js(desk, *OWNER, "loyalty", "rewards", "add", "A free cut", "--points", "300",
                "--kind", "free_service", "--category", "CUTS")
    assert reward["category"] == "cuts"
    code = _code(desk, reward["id"])
    appt = _book(desk, "corte", "fleq", "tinte")
    sale = js(desk, *SOFIA, "checkout", appt, "--redeem", code, "--pay", "cash")
    assert [(p["method"], p["amount_cents"]) for p in sale["payments"]] == [("points", 10000), ("cash", 115000)]


def test_the_stamp_card_reward_is_a_catalog_reward(desk):
    text = cli(desk, *OWNER, "loyalty", "program", "set", "--type", "hybrid", "--stamps-reward", "A free blow-dry")
    assert text.code == 2 and "is not a reward id" in text.stderr
    ok(desk, *OWNER, "loyalty", "program", "set", "--type", "hybrid", "--stamps-target", "1", "--cooldown-minutes", "0")
    none_yet = cli(desk, *SOFIA, "loyalty", "stamp", "1")
    assert none_yet.code == 1 and none_yet.stderr.startswith("error: the stamp card has no reward yet")
    reward = js(desk, *OWNER, "loyalty", "rewards", "add", "A free blow-dry", "--points", "0",
                "--kind", "free_service", "--service", "blowdry")
    program = js(desk, *OWNER, "loyalty", "program", "set", "--stamps-reward", str(reward["id"]))
    assert (program["stamps_reward_id"], program["stamps_reward"]) == (reward["id"], "A free blow-dry")
    not_for_points = cli(desk, *SOFIA, "loyalty", "redeem", "1", str(reward["id"]))
    assert not_for_points.code == 1 and "points do not buy it" in not_for_points.stderr
    stamp = js(desk, *SOFIA, "loyalty", "stamp", "1")
    assert stamp["reward"] == "A free blow-dry"
    refused = cli(desk, *SOFIA, "checkout", "1", "--redeem", stamp["reward_code"], "--pay", "cash")
    assert refused.code == 1 and "is for Blow-dry: sale 1 has none" in refused.stderr


@pytest.mark.parametrize("text, bound", [("A free blow-dry", True), ("A free service of your choice", False)])
def test_free_text_stamp_rewards_migrate_to_a_catalog_reward(desk, db_url, text, bound):
    """A database of before 0014: the program's reward was text and its codes named no service."""
    ok(desk, *OWNER, "loyalty", "program", "set", "--type", "hybrid", "--stamps-target", "1", "--cooldown-minutes", "0")
    reward = js(desk, *OWNER, "loyalty", "rewards", "add", text, "--points", "0",
                "--kind", "free_service", "--service", "corte")
    ok(desk, *OWNER, "loyalty", "program", "set", "--stamps-reward", str(reward["id"]))
    code = js(desk, *SOFIA, "loyalty", "stamp", "1")["reward_code"]
    engine = make_engine(db_url)
    try:
        from alembic import command

        with migrate.writer(engine).connect() as conn, migrate.sqlite_foreign_keys_off(conn), conn.begin():
            command.downgrade(migrate.alembic_config(conn), "0013_clock_override")
        with engine.begin() as conn:  # as 0013 had them: the text, and a code with no reward or service
            conn.execute(sa.text("UPDATE redemption SET reward_id = NULL, service_id = NULL"))
            conn.execute(sa.text("DELETE FROM reward"))
            assert conn.execute(sa.text("SELECT stamps_reward FROM loyalty_program")).scalar() == text
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    program = js(desk, "loyalty", "program", "show")
    assert program["stamps_reward"] == text
    rewards = js(desk, "loyalty", "rewards", "list", "--all")
    assert [(r["id"], r["name"], r["kind"], r["points"]) for r in rewards] == [
        (program["stamps_reward_id"], text, "free_service", 0)]
    assert rewards[0]["service_id"] == (4 if bound else None)
    appt = _book(desk, "balayage")
    refused = cli(desk, *SOFIA, "checkout", appt, "--redeem", code, "--pay", "cash")
    assert refused.code == 1
    if bound:
        assert "is for Blow-dry: sale 1 has none" in refused.stderr
        return
    assert "names no service, so it pays nothing" in refused.stderr
    assert f"salon loyalty rewards set {rewards[0]['id']} --service S" in refused.stderr
    ok(desk, *OWNER, "loyalty", "rewards", "set", str(rewards[0]["id"]), "--service", "corte")
    sale = js(desk, *SOFIA, "checkout", "1", "--redeem", code, "--pay", "cash")
    assert [(p["method"], p["amount_cents"]) for p in sale["payments"]] == [("points", 35000)]
