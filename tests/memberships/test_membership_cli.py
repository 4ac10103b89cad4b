"""`salon membership ...` and `salon renew-memberships` as the desk, managers, cron and scripts meet them.

Every salon here is `tests/shop.py`'s: now is Saturday 2026-11-21 11:00 in Mexico City (MXN); clients
Ximena (1) and Pedro (2); manager marco and receptionist sofia (PIN 2222); the owner lucia (PIN 1234);
plans Gold, Black and VIP as seeded.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from cli_helpers import salon as cli
from salon_cli.services.salon import jobs
from shop import make_shop

SOFIA = ["--as", "sofia", "--pin", "2222"]
MARCO = ["--as", "marco", "--pin", "2222"]
PLAN_FIELDS = {"id", "code", "name", "tier", "monthly_price_cents", "monthly_credits", "discount_bp", "benefits",
               "active"}
MEMBERSHIP_FIELDS = {"id", "client_id", "plan", "plan_name", "tier", "status", "credits_remaining",
                     "monthly_credits", "discount_bp", "benefits", "current_period_start", "current_period_end",
                     "period_number", "fee_sale_id", "fee_status", "fee_cents", "location", "anchor_date",
                     "cancels_at_period_end", "cancel_reason", "paused_at", "ended_at", "end_reason", "created_at"}
RENEW_FIELDS = {"as_of", "dry_run", "renewed", "expired", "ended", "charged_cents", "membership_ids", "fee_sale_ids",
                "voided_sale_ids", "open_fee_sale_ids", "skipped", "job_run_id"}


@pytest.fixture
def desk(engine, salon, db_url):
    make_shop(engine)
    return db_url


def ok(db, *args):
    run = cli(db, *args)
    assert run.code == 0, (args, run.stderr)
    return run


def js(db, *args):
    return json.loads(ok(db, *args, "-f", "json").stdout)


def refused(db, code, *args):
    run = cli(db, *args)
    assert run.code == code, (args, run.code, run.stdout, run.stderr)
    assert run.stdout == "" and run.stderr.startswith("error: ")
    return run


# ----------------------------------------------------------------------------- plans

def test_plans_in_every_format(desk):
    rows = js(desk, "membership", "plans")
    assert [set(r) for r in rows] == [PLAN_FIELDS] * 3
    assert rows[0] == {"id": 1, "code": "gold", "name": "Gold", "tier": "gold", "monthly_price_cents": 50000,
                       "monthly_credits": 1, "discount_bp": 1000, "benefits": ["priority_booking", "photo_gallery"],
                       "active": True}
    assert [json.loads(line)["code"] for line in ok(desk, "membership", "plans", "-f", "ndjson").stdout.splitlines()] == [
        "gold", "black", "vip"]
    csv = ok(desk, "membership", "plans", "-f", "csv").stdout.splitlines()
    assert csv[0] == "code,name,tier,monthly_price_cents,monthly_credits,discount_bp,benefits,active"
    assert csv[3] == "vip,VIP,vip,150000,4,2000,priority_booking;birthday_gift;photo_gallery,true"
    table = ok(desk, "membership", "plans").stdout.splitlines()
    assert table[0].split() == ["code", "name", "tier", "monthly_price", "monthly_credits", "discount_pct", "benefits",
                                "active"]
    assert table[1].split() == ["gold", "Gold", "gold", "500.00", "1", "10%", "priority_booking;photo_gallery", "true"]


def test_a_manager_adds_and_sets_a_plan(desk):
    plan = js(desk, *MARCO, "membership", "plan", "add", "platinum", "--name", "Platinum", "--tier", "vip",
              "--price", "2000", "--credits", "6", "--discount", "25%", "--benefit", "photo_gallery",
              "--benefit", "priority_booking")
    assert plan == {"id": 4, "code": "platinum", "name": "Platinum", "tier": "vip", "monthly_price_cents": 200000,
                    "monthly_credits": 6, "discount_bp": 2500, "benefits": ["photo_gallery", "priority_booking"],
                    "active": True}
    plan = js(desk, *MARCO, "membership", "plan", "set", "platinum", "--price", "2100.50", "--discount", "22.5",
              "--no-benefits", "--inactive")
    assert (plan["monthly_price_cents"], plan["discount_bp"], plan["benefits"], plan["active"], plan["monthly_credits"]) == (
        210050, 2250, [], False, 6)
    plan = js(desk, *MARCO, "membership", "plan", "set", "platinum", "--benefit", "birthday_gift", "--active")
    assert (plan["benefits"], plan["active"]) == (["birthday_gift"], True)
    assert [r["code"] for r in js(desk, "membership", "plans", "--active-only")] == ["gold", "black", "vip", "platinum"]


@pytest.mark.parametrize("args, code, text", [
    (["--tier", "platinum"], 2, "tier 'platinum' is not one of gold, black, vip"),
    (["--benefit", "spa"], 2, "benefit 'spa' is not one of photo_gallery, priority_booking, birthday_gift"),
    (["--discount", "abc"], 2, "--discount 'abc' is not a percentage"),
    (["--discount", "120%"], 2, "between 0% and 100%"),
    (["--price", "10.001"], 2, "more decimals than MXN allows"),
    (["--credits", "-1"], 2, "credits must be between"),
])
def test_plan_add_bad_input_is_exit_2(desk, args, code, text):
    base = {"--name": "Plus", "--tier": "gold", "--price": "100"}
    for flag in args[::2]:
        base.pop(flag, None)
    flat = [x for kv in base.items() for x in kv]
    run = refused(desk, code, *MARCO, "membership", "plan", "add", "plus", *flat, *args)
    assert text in run.stderr
    assert len(js(desk, "membership", "plans")) == 3


def test_plan_refusals_and_permissions(desk):
    run = refused(desk, 1, *MARCO, "membership", "plan", "add", "gold", "--name", "Oro", "--tier", "gold", "--price", "1")
    assert "plan 'gold' exists already" in run.stderr
    assert "no membership plan 'nope'" in refused(desk, 1, *MARCO, "membership", "plan", "set", "nope", "--price",
                                                  "1").stderr
    run = refused(desk, 3, *SOFIA, "membership", "plan", "set", "gold", "--price", "1")
    assert "sofia (receptionist) may not program manage" in run.stderr
    refused(desk, 3, "--as", "marco", "--pin", "0000", "membership", "plan", "set", "gold", "--price", "1")
    refused(desk, 2, *MARCO, "membership", "plan", "set", "gold", "--benefit", "spa")
    refused(desk, 2, *MARCO, "membership", "plan", "set", "gold", "--benefit", "birthday_gift", "--no-benefits")
    assert "nothing to change" in refused(desk, 2, *MARCO, "membership", "plan", "set", "gold").stderr
    assert js(desk, "membership", "plans")[0]["monthly_price_cents"] == 50000


# ----------------------------------------------------------------------------- memberships

def test_subscribe_show_and_a_second_one_refused(desk):
    run = cli(desk, *SOFIA, "membership", "subscribe", "1", "gold", "-f", "json")
    assert run.code == 0, run.stderr
    view = json.loads(run.stdout)
    assert set(view) == MEMBERSHIP_FIELDS
    assert {k: view[k] for k in ("id", "client_id", "plan", "plan_name", "tier", "status", "credits_remaining",
                                 "monthly_credits", "discount_bp", "benefits", "current_period_start",
                                 "current_period_end", "period_number", "fee_sale_id", "fee_status", "fee_cents",
                                 "location", "cancels_at_period_end")} == {
        "id": 1, "client_id": 1, "plan": "gold", "plan_name": "Gold", "tier": "gold", "status": "active",
        "credits_remaining": 1, "monthly_credits": 1, "discount_bp": 1000,
        "benefits": ["priority_booking", "photo_gallery"], "current_period_start": "2026-11-21", "current_period_end": "2026-12-21", "period_number": 1,
        "fee_sale_id": 1, "fee_status": "open", "fee_cents": 50000, "location": "centro",
        "cancels_at_period_end": False}
    assert view["created_at"] == "2026-11-21T11:00:00-06:00"
    assert run.stderr == ("client 1 is a Gold member until 2026-12-21 (1 credit); fee sale 1 is open for "
                          "500.00 MXN: salon sale pay 1 --method cash\n")
    assert js(desk, "membership", "show", "1") == view
    sale = js(desk, "sale", "show", "1")
    assert [(ln["kind"], ln["description"]) for ln in sale["lines"]] == [
        ("membership", "Gold membership 2026-11-21 to 2026-12-21")]
    run = refused(desk, 1, *SOFIA, "membership", "subscribe", "1", "vip")
    assert run.stderr.splitlines()[0] == "error: client 1 already has membership 1 (Gold, active)"


def test_subscribe_with_pay_and_bad_input(desk):
    view = js(desk, *SOFIA, "membership", "subscribe", "2", "vip", "--pay", "card")
    assert (view["fee_status"], view["fee_cents"], view["credits_remaining"]) == ("paid", 150000, 4)
    assert js(desk, "sale", "show", str(view["fee_sale_id"]))["payments"][0]["method"] == "card"
    assert "cash, card, transfer" in refused(desk, 2, *SOFIA, "membership", "subscribe", "1", "gold", "--pay",
                                             "bitcoin").stderr
    refused(desk, 2, *SOFIA, "membership", "subscribe", "uno", "gold")
    assert "no membership plan 'diamond'" in refused(desk, 1, *SOFIA, "membership", "subscribe", "1", "diamond").stderr
    assert "no client 99" in refused(desk, 1, *SOFIA, "membership", "subscribe", "99", "gold").stderr
    assert "client 1 has no membership" in refused(desk, 1, "membership", "show", "1").stderr
    refused(desk, 3, "--as", "sofia", "--pin", "0000", "membership", "subscribe", "1", "gold")


def test_pause_resume_cancel(desk, clock):
    ok(desk, *SOFIA, "membership", "subscribe", "1", "gold", "--pay", "cash")
    run = ok(desk, *SOFIA, "membership", "pause", "1", "--reason", "de viaje", "-f", "json")
    assert json.loads(run.stdout)["status"] == "paused" and run.stderr == "membership 1 paused\n"
    assert "paused already" in refused(desk, 1, *SOFIA, "membership", "pause", "1").stderr
    clock.advance(days=3)
    run = ok(desk, *SOFIA, "membership", "resume", "1", "-f", "json")
    assert json.loads(run.stdout)["current_period_end"] == "2026-12-24"
    assert run.stderr == "membership 1 is active; this period ends on 2026-12-24\n"
    refused(desk, 2, *SOFIA, "membership", "cancel", "1")  # --reason is required
    run = ok(desk, *SOFIA, "membership", "cancel", "1", "--reason", "se muda", "-f", "json")
    view = json.loads(run.stdout)
    assert (view["status"], view["cancels_at_period_end"], view["cancel_reason"]) == ("active", True, "se muda")
    assert run.stderr == "membership 1 ends on 2026-12-24 (cancelled at its period end)\n"
    assert "already ends on 2026-12-24" in refused(desk, 1, *SOFIA, "membership", "cancel", "1", "--reason", "x").stderr
    view = js(desk, *SOFIA, "membership", "cancel", "1", "--reason", "se muda", "--now")
    assert (view["status"], view["end_reason"]) == ("cancelled", "cancelled")
    assert "no active or paused membership" in refused(desk, 1, *SOFIA, "membership", "resume", "1").stderr


def test_cancel_now_with_an_open_fee_says_so(desk):
    ok(desk, *SOFIA, "membership", "subscribe", "1", "gold")
    run = ok(desk, *SOFIA, "membership", "cancel", "1", "--reason", "cambió de idea", "--now")
    assert run.stderr.splitlines() == [
        "membership 1 cancelled",
        "note: fee sale 1 is open for 500.00 MXN: salon sale pay 1 --method cash, or a manager voids it: "
        "salon sale void 1 --reason ..."]
    assert ["status", "cancelled"] in [line.split() for line in run.stdout.splitlines()]


# ----------------------------------------------------------------------------- cron

def test_renew_memberships_dry_run_then_run_then_nothing(desk, clock):
    ok(desk, *SOFIA, "membership", "subscribe", "1", "gold", "--pay", "cash")
    ok(desk, *SOFIA, "membership", "subscribe", "2", "black")
    clock.set(datetime(2026, 12, 21, 9, 0, tzinfo=timezone(timedelta(hours=-6))))
    run = ok(desk, "renew-memberships", "--dry-run", "-f", "json")
    dry = json.loads(run.stdout)
    assert set(dry) == RENEW_FIELDS
    assert {k: dry[k] for k in ("as_of", "dry_run", "renewed", "expired", "ended", "charged_cents", "membership_ids",
                                "voided_sale_ids", "job_run_id")} == {
        "as_of": "2026-12-21T09:00:00-06:00", "dry_run": True, "renewed": 1, "expired": 1, "ended": 0,
        "charged_cents": 50000, "membership_ids": [1, 2], "voided_sale_ids": [2], "job_run_id": None}
    assert run.stderr == "would renew 1 period, expired 1, ended 0; dry run: nothing changed\n"
    assert js(desk, "membership", "show", "1")["period_number"] == 1
    done = js(desk, "renew-memberships")
    assert {k: done[k] for k in ("dry_run", "renewed", "expired", "ended", "charged_cents", "membership_ids",
                                 "fee_sale_ids", "voided_sale_ids")} == {
        "dry_run": False, "renewed": 1, "expired": 1, "ended": 0, "charged_cents": 50000, "membership_ids": [1, 2],
        "fee_sale_ids": [3], "voided_sale_ids": [2]}
    assert js(desk, "membership", "show", "1")["period_number"] == 2
    assert js(desk, "membership", "show", "2")["status"] == "expired"
    again = js(desk, "renew-memberships")
    assert (again["renewed"], again["expired"], again["membership_ids"]) == (0, 0, [])
    runs = js(desk, "jobs", "--job", "renew-memberships")
    assert [(r["status"], r["counts"]["renewed"]) for r in runs] == [("ok", 0), ("ok", 1)]


def test_renew_memberships_as_of_and_bad_input(desk, clock):
    ok(desk, *SOFIA, "membership", "subscribe", "1", "gold", "--pay", "cash")
    # --as-of replays the past only: a month ahead is refused (issue 26), and renews nothing
    ahead = refused(desk, 2, "renew-memberships", "--as-of", "2026-12-21T06:00:00Z")
    assert ahead.stderr.startswith("error: --as-of 2026-12-21T06:00:00Z is in the future")
    clock.set(datetime(2026, 12, 21, 8, tzinfo=timezone.utc))  # a month on, 02:00 in Mexico City
    early = js(desk, "renew-memberships", "--as-of", "2026-12-20T23:59:00-06:00")
    assert early["renewed"] == 0
    due = js(desk, "renew-memberships", "--as-of", "2026-12-21T06:00:00Z")  # midnight in Mexico City
    assert (due["renewed"], due["as_of"]) == (1, "2026-12-21T00:00:00-06:00")
    assert "no UTC offset" in refused(desk, 2, "renew-memberships", "--as-of", "2026-12-21 10:00").stderr
    table = ok(desk, "renew-memberships").stdout.splitlines()
    assert table[0].split() == ["as_of", "2026-12-21", "02:00"] and table[2].split() == ["renewed", "0"]


def test_renew_memberships_is_busy_while_another_run_holds_the_lock(desk, engine):
    with jobs.single_instance(engine, "renew-memberships", None):
        run = refused(desk, 4, "renew-memberships")
    assert run.stderr.startswith("error: renew-memberships is already running")
    assert js(desk, "renew-memberships")["renewed"] == 0
