"""`salon export loyalty` and `salon export audit`, on SQLite and PostgreSQL (`db_url`): this location's
rows and the chain's (a point expiry, written with no location), never another location's; the
business-day window; the filters; the same rows in CSV, NDJSON and JSON; bad input is exit 2."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from cli_helpers import salon as cli
from salon_cli.services.transfer.ledger_export import AUDIT_COLUMNS, LOYALTY_COLUMNS
from shop import make_shop

DESK = ["--as", "sofia", "--pin", "2222"]
MARCO = ["--as", "marco", "--pin", "2222"]
OWNER = ["--as", "lucia", "--pin", "1234"]


def _ok(run):
    assert run.code == 0, run.stderr
    return run


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _a_month_of_loyalty(db_url, engine, clock):
    """Ximena's corte paid today (welcome + earn at centro), an adjustment at norte the next day, then,
    seven months on, the chain's expiry of what is left."""
    shop = make_shop(engine)
    _ok(cli(db_url, *DESK, "checkout", str(shop.appt), "--pay", "cash"))
    _ok(cli(db_url, *OWNER, "location", "add", "--code", "norte", "--name", "Salón Norte",
              "--timezone", "America/Mexico_City", "--currency", "MXN"))
    clock.advance(days=1)
    _ok(cli(db_url, "--location", "norte", *OWNER, "loyalty", "adjust", str(shop.ximena), "--points", "25",
              "--reason", "apology for the wait"))
    clock.advance(days=210)
    _ok(cli(db_url, "--location", "centro", "expire-points"))
    return shop


def test_export_loyalty_is_this_locations_and_the_chains_entries(db_url, engine, salon, clock):
    shop = _a_month_of_loyalty(db_url, engine, clock)
    here = ["--location", "centro"]
    run = _ok(cli(db_url, *here, "export", "loyalty"))
    assert run.stdout.splitlines()[0] == ",".join(LOYALTY_COLUMNS)
    rows = _csv(run.stdout)
    assert [(r["kind"], r["location"]) for r in rows] == [("welcome", "centro"), ("earn", "centro"), ("expire", "")]
    welcome, earn, expire = rows
    assert earn["client_id"] == str(shop.ximena) and earn["client"] == "Ximena Jiménez"
    assert earn["ref"] == f"sale {earn['sale_id']}" and earn["staff"] == "sofia"
    assert earn["created_at"] == "2026-11-21T11:00:00-06:00"  # the location's offset
    assert expire["staff"] == "" and int(expire["points"]) < 0
    assert run.stderr.strip() == "exported 3 loyalty entries"

    norte = _csv(_ok(cli(db_url, "--location", "norte", "export", "loyalty")).stdout)
    assert [(r["kind"], r["location"], r["reason"]) for r in norte] == [
        ("adjust", "norte", "apology for the wait"), ("expire", "", expire["reason"])]
    # the whole ledger of the card is the two exports less the chain's rows counted twice: it sums to the card
    card = json.loads(_ok(cli(db_url, *here, "loyalty", "card", str(shop.ximena), "-f", "json")).stdout)
    assert sum(int(r["points"]) for r in rows + norte[:1]) == card["points"] == 0

    only = _csv(_ok(cli(db_url, *here, "export", "loyalty", "--kind", "expire")).stdout)
    assert [r["id"] for r in only] == [expire["id"]]
    first_day = _ok(cli(db_url, *here, "export", "loyalty", "--to", "2026-11-21", "-f", "ndjson"))
    assert [json.loads(line)["kind"] for line in first_day.stdout.splitlines()] == ["welcome", "earn"]
    assert _ok(cli(db_url, *here, "export", "loyalty", "--from", "2026-11-22", "--to", "2026-11-30")).stdout \
        .splitlines() == [",".join(LOYALTY_COLUMNS)]
    as_json = json.loads(_ok(cli(db_url, *here, "export", "loyalty", "-f", "json")).stdout)
    assert [r["id"] for r in as_json] == [int(r["id"]) for r in rows]
    assert as_json[1]["points"] == int(earn["points"]) and as_json[2]["location"] is None


def test_export_audit_is_oldest_first_with_before_and_after(db_url, engine, salon, clock, tmp_path):
    _a_month_of_loyalty(db_url, engine, clock)
    here = ["--location", "centro"]
    run = _ok(cli(db_url, *here, "export", "audit"))
    assert run.stdout.splitlines()[0] == ",".join(AUDIT_COLUMNS)
    rows = _csv(run.stdout)
    ids = [int(r["id"]) for r in rows]
    assert ids == sorted(ids) and len(rows) > 10
    assert {r["location"] for r in rows} <= {"centro", ""}  # never norte's
    norte = _csv(_ok(cli(db_url, "--location", "norte", "export", "audit")).stdout)
    assert {r["location"] for r in norte} <= {"norte", ""}
    assert "loyalty.adjust" in {r["action"] for r in norte} and "loyalty.adjust" not in {r["action"] for r in rows}
    expired = [r for r in rows if r["action"] == "loyalty.expire"]
    assert len(expired) == 1 and expired[0]["actor"] == "system" and expired[0]["location"] == ""
    after = json.loads(expired[0]["after"])  # JSON text in the CSV cell
    assert after["points"] == 0 and after["expired"] > 0
    assert "pin_hash" not in run.stdout and "2222" not in run.stdout

    sales = [json.loads(line) for line in
             _ok(cli(db_url, *here, "export", "audit", "--entity", "sale", "-f", "ndjson")).stdout.splitlines()]
    assert sales and {r["entity"] for r in sales} == {"sale"} and isinstance(sales[-1]["after"], dict)
    last_day = (clock.now() - timedelta(hours=6)).date().isoformat()
    today = _csv(_ok(cli(db_url, *here, "export", "audit", "--from", last_day)).stdout)
    assert [r["action"] for r in today] == ["loyalty.expire"]

    out = tmp_path / "auditoria.ndjson"
    done = _ok(cli(db_url, *here, "export", "audit", "-f", "ndjson", "--output", str(out)))
    assert done.stdout == "" and done.stderr.strip() == f"exported {len(rows)} audit rows to {out}"
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ids


def test_bad_input_is_exit_2_and_writes_nothing(db_url, engine, salon, clock, tmp_path):
    make_shop(engine)
    out = tmp_path / "x.csv"
    for args, said in (
        (["loyalty", "--kind", "gift"], "error: unknown --kind 'gift'"),
        (["loyalty", "--from", "2026-11-22", "--to", "2026-11-01"], "error: --from 2026-11-22 is after --to 2026-11-01"),
        (["audit", "--from", "ayer"], "error: "),
        (["audit", "--format", "xml"], ""),
    ):
        run = cli(db_url, "export", *args, "--output", str(out))
        assert run.code == 2, (args, run.stderr)
        assert said in run.stderr and "Traceback" not in run.stderr
        assert not out.exists() and not (tmp_path / "x.csv.part").exists()
