"""Issue 30: `loyalty rewards set|retire`, availability windows and stock, and `rewards list` in words and in
typed fields. On SQLite and PostgreSQL.

The salon is `tests/shop.py`'s (MXN, America/Mexico_City; corte 350.00): Ximena (1) and Pedro (2) get
5,000 points each; sofia is the receptionist (PIN 2222), the owner lucia has PIN 1234. It is
2026-11-21 11:00 local.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from cli_helpers import OWNER, SOFIA, js, ok
from cli_helpers import salon as cli
from salon_cli.db.models import AuditLog, Reward
from salon_cli.db.uow import UnitOfWork
from shop import make_shop

MX = ZoneInfo("America/Mexico_City")


@pytest.fixture
def desk(engine, salon, db_url):
    make_shop(engine)
    for client in ("1", "2"):
        ok(db_url, *OWNER, "loyalty", "adjust", client, "--points", "5000", "--reason", "paper card")
    return db_url


def _add(db, *args):
    return js(db, *OWNER, "loyalty", "rewards", "add", *args)


def _redeem(db, client, reward):
    return cli(db, *SOFIA, "loyalty", "redeem", str(client), str(reward))


def _catalog(engine):
    with UnitOfWork(engine, write=False) as uow:
        rows = uow.session.exec(select(Reward).order_by(col(Reward.id))).all()
        audits = len(uow.session.exec(select(AuditLog).where(col(AuditLog.entity) == "reward")).all())
        return [(r.name, r.points_cost, r.value, r.available_from, r.available_to, r.stock, r.active) for r in rows], audits


def test_list_shows_money_in_major_units_and_typed_fields_in_json(desk):
    _add(desk, "50 off", "--points", "500", "--kind", "discount_amount", "--value", "50")
    _add(desk, "10% off", "--points", "300", "--kind", "discount_pct", "--value", "10%", "--stock", "5")
    _add(desk, "A free corte", "--points", "900", "--kind", "free_service", "--service", "corte",
         "--from", "2026-12-01", "--to", "2026-12-24")
    _add(desk, "Half price", "--points", "700", "--kind", "discount_pct", "--value", "12.5")
    table = ok(desk, "loyalty", "rewards", "list")
    assert table.stdout.splitlines() == [
        "id  name          kind             worth      points  available_from  available_to  stock     active  retired_at",
        " 2  10% off       discount_pct     10%           300                                5         true",
        " 1  50 off        discount_amount  50.00 MXN     500                                no limit  true",
        " 4  Half price    discount_pct     12.5%         700                                no limit  true",
        " 3  A free corte  free_service     Corte         900  2026-12-01      2026-12-24    no limit  true",
    ]
    rows = {r["name"]: r for r in js(desk, "loyalty", "rewards", "list")}
    assert {k: rows["50 off"][k] for k in ("kind", "value_cents", "value_bp", "percent", "service_id", "service",
                                           "stock", "active", "retired_at")} == {
        "kind": "discount_amount", "value_cents": 5000, "value_bp": None, "percent": None, "service_id": None,
        "service": None, "stock": None, "active": True, "retired_at": None}
    assert (rows["10% off"]["value_bp"], rows["10% off"]["percent"], rows["10% off"]["value_cents"],
            rows["10% off"]["stock"]) == (1000, "10%", None, 5)
    assert (rows["Half price"]["value_bp"], rows["Half price"]["percent"]) == (1250, "12.5%")
    corte = rows["A free corte"]
    assert (corte["service_id"], corte["service"], corte["value_cents"], corte["available_from"],
            corte["available_to"]) == (1, "Corte", None, "2026-12-01", "2026-12-24")
    csv = ok(desk, "loyalty", "rewards", "list", "-f", "csv").stdout.splitlines()
    assert csv[0].split(",")[:5] == ["id", "name", "kind", "value", "value_cents"]


def test_set_changes_a_reward_audited_and_retire_takes_it_out(desk, engine):
    reward = _add(desk, "50 off", "--points", "500", "--kind", "discount_amount", "--value", "50")
    changed = js(desk, *OWNER, "loyalty", "rewards", "set", str(reward["id"]), "--name", "75 off", "--value", "75",
                 "--points", "600", "--from", "2026-11-01", "--to", "2026-11-30", "--stock", "3")
    assert (changed["name"], changed["value_cents"], changed["points"], changed["available_from"],
            changed["available_to"], changed["stock"]) == ("75 off", 7500, 600, "2026-11-01", "2026-11-30", 3)
    code = _redeem(desk, 1, reward["id"]).stdout.strip()  # issued before it retires
    cleared = js(desk, *OWNER, "loyalty", "rewards", "set", str(reward["id"]), "--no-window", "--no-stock-limit")
    assert (cleared["available_from"], cleared["available_to"], cleared["stock"]) == (None, None, None)
    retired = ok(desk, *OWNER, "loyalty", "rewards", "retire", str(reward["id"]), "-f", "json")
    assert retired.stderr.strip() == f"reward {reward['id']} (75 off) retired; codes already issued stay valid"
    assert js(desk, "loyalty", "rewards", "list") == []
    [row] = js(desk, "loyalty", "rewards", "list", "--all")
    assert (row["active"], row["retired_at"]) == (False, "2026-11-21T11:00:00-06:00")
    refused = _redeem(desk, 2, reward["id"])
    assert (refused.code, refused.stderr.splitlines()[0]) == (
        1, "error: 75 off was retired on 2026-11-21: it can no longer be redeemed")
    again = cli(desk, *OWNER, "loyalty", "rewards", "retire", str(reward["id"]))
    assert (again.code, again.stderr.splitlines()[0]) == (
        1, f"error: reward {reward['id']} (75 off) is already retired on 2026-11-21")
    frozen = cli(desk, *OWNER, "loyalty", "rewards", "set", str(reward["id"]), "--points", "1")
    assert (frozen.code, frozen.stderr.splitlines()[0]) == (
        1, f"error: reward {reward['id']} (75 off) is retired: it cannot be changed")
    # the code issued before still pays at checkout
    sale = js(desk, *SOFIA, "checkout", "1", "--redeem", code, "--pay", "cash")
    assert [(p["method"], p["amount_cents"]) for p in sale["payments"]] == [("points", 7500), ("cash", 27500)]
    with UnitOfWork(engine, write=False) as uow:
        actions = [a.action for a in uow.session.exec(select(AuditLog).where(col(AuditLog.entity) == "reward")
                                                      .order_by(col(AuditLog.id)))]
    assert actions == ["reward.add", "reward.set", "reward.set", "reward.retire"]


def test_bad_input_exits_2_and_a_receptionist_exits_3_changing_nothing(desk, engine):
    reward = _add(desk, "50 off", "--points", "500", "--kind", "discount_amount", "--value", "50")
    before = _catalog(engine)
    bad = {
        ("add", "X", "--points", "1", "--kind", "discount_amount", "--value", "5", "--from", "2026-13-01"):
            "error: --from '2026-13-01' is not a date",
        ("add", "X", "--points", "1", "--kind", "discount_amount", "--value", "5", "--from", "2026-12-24",
         "--to", "2026-12-01"): "error: --to 2026-12-01 is before --from 2026-12-24",
        ("add", "X", "--points", "1", "--kind", "discount_amount", "--value", "5", "--stock", "-1"):
            "error: --stock must be between 0 and 1,000,000",
        ("set", str(reward["id"]), "--stock", "2", "--no-stock-limit"): "error: give --stock N or --no-stock-limit, not both",
        ("set", str(reward["id"]), "--from", "2026-12-01", "--no-window"): "error: give --from/--to or --no-window, not both",
        ("set", str(reward["id"]), "--to", "2026-10-01", "--from", "2026-11-01"):
            "error: --to 2026-10-01 is before --from 2026-11-01",
        ("set", str(reward["id"]), "--value", "12.345"): "error: --value '12.345' has more decimals than MXN allows",
    }
    for args, line in bad.items():
        run = cli(desk, *OWNER, "loyalty", "rewards", *args)
        assert run.code == 2, (args, run.stderr)
        assert run.stderr.splitlines()[0].startswith(line), (args, run.stderr)
    for args in (("add", "X", "--points", "1", "--kind", "discount_amount", "--value", "5"),
                 ("set", str(reward["id"]), "--stock", "1"), ("retire", str(reward["id"]))):
        run = cli(desk, *SOFIA, "loyalty", "rewards", *args)
        assert run.code == 3, (args, run.stderr)
    missing = cli(desk, *OWNER, "loyalty", "rewards", "retire", "99")
    assert (missing.code, missing.stderr.splitlines()[0]) == (1, "error: no reward 99")
    assert _catalog(engine) == before


def test_a_window_holds_on_the_location_s_local_days_both_included(desk, clock):
    reward = _add(desk, "Navidad", "--points", "100", "--kind", "discount_pct", "--value", "10%",
                  "--from", "2026-12-01", "--to", "2026-12-24")
    message = "error: Navidad can be redeemed from 2026-12-01 to 2026-12-24; today is {}"
    # 23:59 on the eve (already December 1st in UTC) is still too early
    clock.set(datetime(2026, 11, 30, 23, 59, tzinfo=MX))
    early = _redeem(desk, 1, reward["id"])
    assert (early.code, early.stderr.splitlines()[0]) == (1, message.format("2026-11-30"))
    clock.set(datetime(2026, 12, 1, 0, 0, tzinfo=MX))  # the first day, from midnight
    assert _redeem(desk, 1, reward["id"]).code == 0
    clock.set(datetime(2026, 12, 24, 23, 59, tzinfo=MX))  # the last day, to its last minute
    assert _redeem(desk, 1, reward["id"]).code == 0
    clock.set(datetime(2026, 12, 25, 0, 0, tzinfo=MX))  # the day after
    late = _redeem(desk, 1, reward["id"])
    assert (late.code, late.stderr.splitlines()[0]) == (1, message.format("2026-12-25"))
    assert len(js(desk, "loyalty", "card", "1")["codes"]) == 2
    # open-ended windows say so
    ok(desk, *OWNER, "loyalty", "rewards", "set", str(reward["id"]), "--no-window")
    ok(desk, *OWNER, "loyalty", "rewards", "set", str(reward["id"]), "--to", "2026-12-24")
    assert _redeem(desk, 1, reward["id"]).stderr.splitlines()[0] == (
        "error: Navidad could be redeemed until 2026-12-24; today is 2026-12-25")


def test_stock_runs_out_and_a_voided_code_gives_it_back(desk, engine):
    reward = _add(desk, "Kit", "--points", "200", "--kind", "discount_amount", "--value", "40", "--stock", "2")
    first = _redeem(desk, 1, reward["id"]).stdout.strip()
    ok(desk, *SOFIA, "loyalty", "redeem", "2", str(reward["id"]))
    out = _redeem(desk, 1, reward["id"])
    assert out.stderr.splitlines() == ["error: Kit is out of stock",
                                       f"hint: a manager adds more: salon loyalty rewards set {reward['id']} --stock N"]
    assert out.code == 1
    card = js(desk, "loyalty", "card", "1")
    assert (card["points"], len(card["codes"])) == (4850, 1)  # 5000 + 50 welcome - 200
    assert js(desk, "loyalty", "rewards", "list")[0]["stock"] == 0
    ok(desk, *SOFIA, "loyalty", "void", first)
    assert js(desk, "loyalty", "rewards", "list")[0]["stock"] == 1
    assert _redeem(desk, 1, reward["id"]).code == 0
    assert js(desk, "loyalty", "rewards", "list")[0]["stock"] == 0
    # a used code is not voided, so its stock stays taken; --stock puts more on the shelf
    ok(desk, *OWNER, "loyalty", "rewards", "set", str(reward["id"]), "--stock", "1")
    assert _redeem(desk, 2, reward["id"]).code == 0


def test_the_stamp_card_s_reward_cannot_be_retired_while_the_card_gives_it(desk):
    prize = _add(desk, "A free corte", "--points", "0", "--kind", "free_service", "--service", "corte", "--stock", "0",
                 "--from", "2027-01-01")
    ok(desk, *OWNER, "loyalty", "program", "set", "--type", "hybrid", "--stamps-target", "1",
       "--cooldown-minutes", "0", "--max-daily-stamps", "0", "--stamps-reward", str(prize["id"]))
    refused = cli(desk, *OWNER, "loyalty", "rewards", "retire", str(prize["id"]))
    assert refused.stderr.splitlines() == [
        f"error: reward {prize['id']} (A free corte) is what a full stamp card gives",
        "hint: choose another first: salon loyalty program set --stamps-reward REWARD_ID"]
    assert refused.code == 1
    # a full card gives its reward whatever its window or stock (earned, not bought); no stock is taken
    stamped = js(desk, *SOFIA, "loyalty", "stamp", "2")
    assert stamped["reward"] == "A free corte" and stamped["reward_code"]
    ok(desk, *SOFIA, "loyalty", "void", stamped["reward_code"])
    assert js(desk, "loyalty", "rewards", "list")[0]["stock"] == 0
    bought = _redeem(desk, 2, prize["id"])
    assert (bought.code, bought.stderr.splitlines()[0]) == (
        1, "error: A free corte is a full stamp card's reward: points do not buy it")
    # once the card gives another, the old one retires; its codes stay good
    code = js(desk, *SOFIA, "loyalty", "stamp", "2")["reward_code"]
    other = _add(desk, "A free tinte", "--points", "0", "--kind", "free_service", "--service", "tinte")
    ok(desk, *OWNER, "loyalty", "program", "set", "--stamps-reward", str(other["id"]))
    ok(desk, *OWNER, "loyalty", "rewards", "retire", str(prize["id"]))
    assert js(desk, *SOFIA, "loyalty", "stamp", "2")["reward"] == "A free tinte"
    assert code in [c["code"] for c in js(desk, "loyalty", "card", "2")["codes"]]
    # and a retired reward cannot become the stamp card's again
    back = cli(desk, *OWNER, "loyalty", "program", "set", "--stamps-reward", str(prize["id"]))
    assert (back.code, back.stderr.splitlines()[0]) == (1, f"error: no active reward {prize['id']}")
