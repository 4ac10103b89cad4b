"""`salon stripe ingest | events | retry | serve | sync` as users and cron meet them (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest
import typer
from stripe_standin import fast_retries, signed
from test_stripe_webhooks import PRICE, SECRET, deliver, event, intent, payment, pending_sale, rows
from typer.testing import CliRunner

from salon_cli.cli import app as app_module
from salon_cli.cli.stripe import stripe_app
from salon_cli.services.salon import catalog, locations
from salon_cli.services.stripe import apply as stripe_apply
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon.actors import Actor

OWNER = Actor(id=1, code="lucia", name="Lucía", role="owner", verified=True)


def _root() -> typer.Typer:
    assert any(group.typer_instance is stripe_app for group in app_module.app.registered_groups)
    return app_module.app


def run_salon(db_url, *args, input=None):
    result = CliRunner().invoke(_root(), ["--db", db_url, *args], input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def desk(db_url, engine, salon, clock, monkeypatch):
    monkeypatch.setenv("SALON_STRIPE_WEBHOOK_SECRET", SECRET)
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        catalog.add_service(uow.session, actor=OWNER, location=loc, name="Color", duration_min=60,
                            price_cents=PRICE, code="color")
        uow.commit()
    return loc


def saved(evt: dict, secret: str = SECRET, timestamp: int | None = None) -> str:
    payload, header = signed(evt, secret, timestamp=timestamp)
    return json.dumps({"payload": payload.decode("utf-8"), "signature": header}) + "\n"


def test_ingest_applies_and_reports_duplicates(db_url, engine, desk, tmp_path):
    _, pay1 = pending_sale(engine, desk, "pi_c1")
    _, pay2 = pending_sale(engine, desk, "pi_c2")
    first = event("payment_intent.succeeded", intent("pi_c1"), id_="evt_cli_1")
    second = event("payment_intent.succeeded", intent("pi_c2"), id_="evt_cli_2")
    deliver(engine, first)  # the webhook got this one already
    file = tmp_path / "deliveries.ndjson"
    file.write_text(saved(first) + "\n" + saved(second))
    code, out, err = run_salon(db_url, "stripe", "ingest", str(file), "-f", "json")
    assert code == 0, err
    assert json.loads(out) == [
        {"id": "evt_cli_1", "type": "payment_intent.succeeded", "status": "applied", "duplicate": True,
         "note": None},
        {"id": "evt_cli_2", "type": "payment_intent.succeeded", "status": "applied", "duplicate": False,
         "note": f"payment {pay2} succeeded"},
    ]
    assert err == "2 events: 1 applied, 1 duplicate, 0 failed\n"
    assert payment(engine, pay1).status == payment(engine, pay2).status == "succeeded"
    assert rows(engine)["evt_cli_2"].source == "ingest"
    code, out, _ = run_salon(db_url, "stripe", "ingest", "-", "-f", "ndjson", input=saved(second))
    assert code == 0 and json.loads(out)["duplicate"] is True


def test_ingest_one_bad_line_stores_nothing(db_url, engine, desk, tmp_path):
    pending_sale(engine, desk, "pi_c3")
    good = event("payment_intent.succeeded", intent("pi_c3"))
    bad = event("payment_intent.succeeded", intent("pi_c3"))
    file = tmp_path / "mixed.ndjson"
    file.write_text(saved(good) + saved(bad, "whsec_other"))
    code, out, err = run_salon(db_url, "stripe", "ingest", str(file))
    assert (code, out) == (2, "")
    assert err.startswith("error: 1 of 2 deliveries failed verification, nothing was stored: line 2: bad signature")
    assert rows(engine) == {}
    code, out, err = run_salon(db_url, "stripe", "ingest", "-", input='{"not": "a delivery"}\n')
    assert (code, out) == (2, "") and "line 1 is not a saved delivery" in err


def test_ingest_an_old_delivery_needs_a_tolerance(db_url, engine, desk, tmp_path):
    evt = event("invoice.paid", {"id": "in_9"})
    file = tmp_path / "old.ndjson"
    file.write_text(saved(evt, timestamp=int(time.time()) - 7200))
    code, out, err = run_salon(db_url, "stripe", "ingest", str(file))
    assert (code, out) == (2, "") and "--tolerance" in err
    code, out, err = run_salon(db_url, "stripe", "ingest", str(file), "--tolerance", "86400", "-f", "csv")
    assert code == 0, err
    assert out.splitlines() == ["id,type,status,duplicate,note",
                                f"{evt['id']},invoice.paid,ignored,false,invoice.paid is not a type salon applies"]


def test_ingest_a_raw_body_with_its_header(db_url, engine, desk, tmp_path):
    _, pay = pending_sale(engine, desk, "pi_c4")
    payload, header = signed(event("payment_intent.succeeded", intent("pi_c4"), id_="evt_raw"), SECRET)
    body = tmp_path / "evt.json"
    body.write_bytes(payload + b"\n")  # saved by an editor: a final newline Stripe did not sign
    code, out, err = run_salon(db_url, "stripe", "ingest", str(body), "--signature", header, "-f", "json")
    assert code == 0, err
    assert json.loads(out)[0]["id"] == "evt_raw" and payment(engine, pay).status == "succeeded"
    code, out, err = run_salon(db_url, "stripe", "ingest", str(body), "--signature", header.replace("v1=", "v1=0"))
    assert (code, out) == (2, "") and err.startswith("error: 1 of 1 delivery failed verification")


def test_ingest_without_the_secret(db_url, engine, desk, tmp_path, monkeypatch):
    monkeypatch.delenv("SALON_STRIPE_WEBHOOK_SECRET")
    file = tmp_path / "one.ndjson"
    file.write_text(saved(event("invoice.paid", {"id": "in_1"})))
    code, out, err = run_salon(db_url, "stripe", "ingest", str(file))
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == "error: no webhook signing secret: SALON_STRIPE_WEBHOOK_SECRET is not set"
    assert err.splitlines()[1].startswith("hint: set SALON_STRIPE_WEBHOOK_SECRET")


def test_events_list_and_retry(db_url, engine, desk, clock, monkeypatch):
    _, pay = pending_sale(engine, desk, "pi_c5")
    deliver(engine, event("invoice.paid", {"id": "in_1"}, id_="evt_a", created=1_700_000_000))
    clock.advance(minutes=1)
    monkeypatch.setattr(stripe_apply, "apply", lambda s, e: (_ for _ in ()).throw(RuntimeError("gremlin")))
    failing = event("payment_intent.succeeded", intent("pi_c5"), id_="evt_b", created=1_700_000_060)
    with pytest.raises(Exception):
        deliver(engine, failing)
    monkeypatch.undo()
    monkeypatch.setenv("SALON_STRIPE_WEBHOOK_SECRET", SECRET)

    code, out, err = run_salon(db_url, "stripe", "events", "-f", "json")
    assert code == 0, err
    listed = json.loads(out)
    assert [(e["id"], e["status"], e["error"], e["attempts"]) for e in listed] == [
        ("evt_b", "failed", "RuntimeError: gremlin", 1),
        ("evt_a", "ignored", "invoice.paid is not a type salon applies", 1)]
    assert {"id", "type", "status", "received_at", "error", "source", "created_at", "applied_at"} <= set(listed[0])
    assert listed[0]["received_at"] == "2026-11-21T11:01:00-06:00"  # the location's offset
    assert listed[0]["created_at"] == "2023-11-14T16:14:20-06:00"
    code, out, _ = run_salon(db_url, "stripe", "events", "--status", "failed", "-f", "ndjson")
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["evt_b"]
    assert run_salon(db_url, "stripe", "events", "--status", "done")[0] == 2

    code, out, err = run_salon(db_url, "stripe", "retry", "evt_b", "-f", "json")
    assert code == 0, err
    assert json.loads(out) == {"id": "evt_b", "type": "payment_intent.succeeded", "status": "applied",
                               "duplicate": False, "note": f"payment {pay} succeeded"}
    assert payment(engine, pay).status == "succeeded"
    code, out, err = run_salon(db_url, "stripe", "retry", "evt_b")
    assert (code, out) == (1, "") and err.startswith("error: Stripe event evt_b is already applied")
    code, out, err = run_salon(db_url, "stripe", "retry", "evt_nope")
    assert (code, out) == (1, "") and err.startswith("error: no Stripe event 'evt_nope'")


def test_serve_needs_the_secret(db_url, desk, monkeypatch):
    monkeypatch.delenv("SALON_STRIPE_WEBHOOK_SECRET")
    code, out, err = run_salon(db_url, "stripe", "serve", "--port", "0")
    assert (code, out) == (2, "")
    assert err.startswith("error: no webhook signing secret") and "hint: set SALON_STRIPE_WEBHOOK_SECRET" in err


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_sync_exit_codes(db_url, engine, desk, monkeypatch, clock):
    from stripe_standin import StripeStandIn

    code, out, err = run_salon(db_url, "stripe", "sync")
    assert (code, out) == (1, "") and "SALON_STRIPE_API_KEY" in err  # not set up: fix the crontab

    fast_retries(monkeypatch)
    monkeypatch.setenv("SALON_STRIPE_API_KEY", "sk_test_standin")
    monkeypatch.setenv("SALON_STRIPE_API_BASE", f"http://127.0.0.1:{_closed_port()}")
    code, out, err = run_salon(db_url, "stripe", "sync")
    assert (code, out) == (5, "")
    assert err.startswith("error: Stripe could not be reached")

    _, pay = pending_sale(engine, desk, "pi_c6")
    with StripeStandIn() as standin:
        standin.clock = lambda: int(clock.now().timestamp())
        standin.emit("payment_intent.succeeded", intent("pi_c6"))
        monkeypatch.setenv("SALON_STRIPE_API_BASE", standin.url)
        code, out, err = run_salon(db_url, "stripe", "sync", "--dry-run", "-f", "json")
        assert code == 0, err
        assert (json.loads(out)["dry_run"], len(json.loads(out)["event_ids"])) == (True, 1)
        assert payment(engine, pay).status == "pending"
        code, out, err = run_salon(db_url, "stripe", "sync", "-f", "json")
        assert code == 0, err
        report = json.loads(out)
        assert (report["fetched"], report["applied"], report["failed"]) == (1, 1, 0)
        assert err == "fetched 1: 1 applied, 0 ignored, 0 duplicate, 0 failed\n"
        assert payment(engine, pay).status == "succeeded"

        from salon_cli.services.salon import jobs
        from salon_cli.services.stripe import events as stripe_events

        with jobs.single_instance(engine, stripe_events.JOB, None):
            code, out, err = run_salon(db_url, "stripe", "sync")
        assert (code, out) == (4, "") and err.startswith("error: stripe-sync is already running")


def test_help_imports_nothing_heavy():
    probe = ("import sys\nfrom salon_cli.cli.stripe import stripe_app\n"
             "for args in (['--help'], ['ingest', '--help'], ['sync', '--help']):\n"
             "    try:\n        stripe_app(args, prog_name='salon stripe')\n    except SystemExit:\n        pass\n"
             "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'stripe', 'psycopg'})\n"
             "sys.stderr.write('LOADED=%s' % heavy)\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "LOADED=[]" in proc.stderr, proc.stderr
    assert proc.stdout.count("Example:") == 2  # ingest and sync (the group lists commands)


def test_serve_on_a_port_in_use(db_url, desk):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run_salon(db_url, "stripe", "serve", "--port", str(port))
    assert (code, out) == (1, "")
    assert err.startswith(f"error: cannot listen on 127.0.0.1:{port}")
