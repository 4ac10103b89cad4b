"""`salon loyalty referral-code | refer | referrals` and `expire-points` on referrals, as the desk and cron
meet them (tests/shop.py's salon: Saturday 2026-11-21 11:00 in Mexico City; Ximena is client 1, Pedro 2;
staff PINs 2222)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli_helpers import js, ok
from cli_helpers import salon as cli
from shop import make_shop

SOFIA = ["--as", "sofia"]
FIELDS = ["id", "referrer_id", "referrer", "referred_id", "referred", "code", "status", "expires_on", "sale_id",
          "created_at", "rewarded_at"]


@pytest.fixture
def desk(engine, salon, db_url, clock):
    make_shop(engine)
    return db_url


def _count(desk):
    return len(js(desk, "loyalty", "referrals"))


def test_code_then_refer_by_code_then_list(desk):
    code = ok(desk, *SOFIA, "loyalty", "referral-code", "1").stdout.strip()
    assert len(code) == 8
    assert js(desk, *SOFIA, "loyalty", "referral-code", "1") == {"client_id": 1, "referral_code": code}
    run = ok(desk, *SOFIA, "loyalty", "refer", "--code", code.lower(), "--referred", "2", "-f", "json")
    made = json.loads(run.stdout)
    assert list(made) == FIELDS
    assert {k: made[k] for k in ("id", "referrer_id", "referrer", "referred_id", "referred", "code", "status",
                                 "expires_on", "sale_id", "rewarded_at")} == {
        "id": 1, "referrer_id": 1, "referrer": "Ximena Jiménez", "referred_id": 2, "referred": "Pedro Páramo",
        "code": code, "status": "pending", "expires_on": "2027-02-19", "sale_id": None, "rewarded_at": None}
    assert made["created_at"] == "2026-11-21T11:00:00-06:00"
    assert "first sale is paid by 2027-02-19" in run.stderr
    listed = js(desk, "loyalty", "referrals")
    assert listed == [made]
    lines = ok(desk, "loyalty", "referrals", "-f", "ndjson").stdout.splitlines()
    assert [json.loads(line) for line in lines] == [made]
    rows = list(csv.DictReader(io.StringIO(ok(desk, "loyalty", "referrals", "-f", "csv").stdout)))
    assert list(rows[0]) == FIELDS and rows[0]["status"] == "pending" and rows[0]["code"] == code
    table = ok(desk, "loyalty", "referrals").stdout
    assert "Pedro Páramo" in table and "pending" in table
    assert js(desk, "loyalty", "referrals", "--status", "rewarded") == []
    assert [r["id"] for r in js(desk, "loyalty", "referrals", "--client", "2")] == [1]


def test_refer_by_id_keeps_working_and_the_bonus_reaches_both(desk):
    ok(desk, *SOFIA, "loyalty", "refer", "1", "--referred", "2", "--expires-in-days", "30")
    ok(desk, *SOFIA, "checkout", "1", "--pay", "cash")  # Ximena's corte: she is the referrer, nothing happens
    assert js(desk, "loyalty", "referrals")[0]["status"] == "pending"
    sale = js(desk, *SOFIA, "sale", "open", "--client", "2")
    ok(desk, *SOFIA, "sale", "add", str(sale["id"]), "--service", "corte", "--staff", "ana")
    ok(desk, *SOFIA, "sale", "pay", str(sale["id"]), "--method", "cash", "--amount", "350")
    [row] = js(desk, "loyalty", "referrals", "--status", "rewarded")
    assert (row["sale_id"], row["rewarded_at"]) == (sale["id"], "2026-11-21T11:00:00-06:00")
    for client in ("1", "2"):
        history = js(desk, "loyalty", "history", client)
        assert [h["points"] for h in history if h["kind"] == "referral"] == [100]


def test_expired_referrals_list_and_cron_marks_them(desk, clock):
    ok(desk, *SOFIA, "loyalty", "refer", "1", "--referred", "2", "--expires-in-days", "1")
    clock.advance(days=2)
    assert [r["status"] for r in js(desk, "loyalty", "referrals", "--status", "expired")] == ["expired"]
    dry = js(desk, "expire-points", "--dry-run")
    assert (dry["referrals"], dry["referral_ids"]) == (1, [1])
    real = js(desk, "expire-points")
    assert (real["referrals"], real["referral_ids"]) == (1, [1])
    assert js(desk, "expire-points")["referrals"] == 0
    jobs = js(desk, "jobs", "--job", "expire-points")
    assert sorted(j["counts"]["referrals"] for j in jobs) == [0, 1]


def test_hostile(desk):
    ok(desk, *SOFIA, "loyalty", "referral-code", "1")
    unknown = cli(desk, *SOFIA, "loyalty", "refer", "--code", "ZZZZ2222", "--referred", "2")
    assert (unknown.code, unknown.stderr.splitlines()[0]) == (1, "error: no client has referral code ZZZZ2222")
    assert unknown.stderr.splitlines()[1].startswith("hint: ")
    malformed = cli(desk, *SOFIA, "loyalty", "refer", "--code", "1O1O", "--referred", "2")
    assert (malformed.code, malformed.stderr.splitlines()[0]) == (2, "error: '1O1O' is not a referral code")
    neither = cli(desk, *SOFIA, "loyalty", "refer", "--referred", "2")
    assert neither.code == 2 and "one of the two" in neither.stderr
    missing = cli(desk, *SOFIA, "loyalty", "refer", "99", "--referred", "2")
    assert (missing.code, missing.stderr.splitlines()[0]) == (1, "error: no client 99")
    assert cli(desk, *SOFIA, "loyalty", "refer", "abc", "--referred", "2").code == 2
    assert cli(desk, *SOFIA, "loyalty", "referral-code", "99").code == 1
    selfish = cli(desk, *SOFIA, "loyalty", "refer", "2", "--referred", "2")
    assert (selfish.code, selfish.stderr.splitlines()[0]) == (2, "error: a client cannot refer themselves")
    assert cli(desk, *SOFIA, "loyalty", "refer", "1", "--referred", "2", "--expires-in-days", "0").code == 2
    # nobody acting, or a wrong PIN: not permitted (exit 3)
    assert cli(desk, "loyalty", "refer", "1", "--referred", "2").code == 3
    assert cli(desk, "loyalty", "referral-code", "2").code == 3
    assert cli(desk, "--as", "sofia", "--pin", "9999", "loyalty", "refer", "1", "--referred", "2").code == 3
    bad_status = cli(desk, "loyalty", "referrals", "--status", "paid")
    assert bad_status.code == 2 and bad_status.stderr.startswith("error: --status 'paid' is not one of")
    assert cli(desk, "loyalty", "referrals", "--client", "99").code == 1
    assert _count(desk) == 0  # nothing was recorded by any of it
    twice = [cli(desk, *SOFIA, "loyalty", "refer", "1", "--referred", "2") for _ in range(2)]
    assert [t.code for t in twice] == [0, 1]
    assert twice[1].stderr.splitlines()[0] == "error: client 2 was referred by client 1 already"


def test_help_has_examples():
    for command in ("referral-code", "refer", "referrals"):
        run = cli(None, "loyalty", command, "--help")
        assert run.code == 0 and "Example: salon" in run.stdout
