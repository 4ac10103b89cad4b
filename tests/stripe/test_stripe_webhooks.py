"""Stripe events in: verify, store first, apply once -- through the service, the real HTTP endpoint
and `sync` against the stand-in (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlmodel import col, func, select
from stripe_standin import signed

from salon_cli.core.errors import Busy, InvalidInput, NotFound, OutsideServiceFailed, RuleViolation
from salon_cli.db.models import AuditLog, JobRun, Payment, Refund, Sale, StripeEvent
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import catalog, jobs, locations
from salon_cli.services.till import sales, tickets
from salon_cli.services.stripe import apply as stripe_apply, events as stripe_events
from salon_cli.services.salon.actors import Actor
from salon_cli.web.stripe_webhook import make_server

SECRET = "whsec_test_secret"
OWNER = Actor(id=1, code="lucia", name="Lucía", role="owner", verified=True)
PRICE = 50000


# --- a salon with sales waiting for Stripe ----------------------------------------------------------


@pytest.fixture
def shop(engine, salon, clock):
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        catalog.add_service(uow.session, actor=OWNER, location=loc, name="Color", duration_min=60,
                            price_cents=PRICE, code="color")
        uow.commit()
    return loc


def pending_sale(engine, loc, intent_id: str) -> tuple[int, int]:
    """An open sale of one service and its pending Stripe payment for the whole total: (sale, payment)."""
    with UnitOfWork(engine) as uow:
        s = uow.session
        sale = tickets.create(s, actor=OWNER, location=loc)
        sales.add_service(s, actor=OWNER, location=loc, sale_id=sale.id, service="color")
        s.refresh(sale)
        payment = Payment(sale_id=sale.id, location_id=loc.id, method="stripe", status="pending",
                          amount_cents=sale.total_cents, business_date=sale.business_date,
                          stripe_payment_intent_id=intent_id, created_at=sale.created_at)
        s.add(payment)
        uow.commit()
        return sale.id, payment.id


_counter = iter(range(1, 10**9))


def event(type_: str, obj: dict, *, id_: str | None = None, created: int = 1_700_000_000) -> dict:
    return {"id": id_ or f"evt_test_{next(_counter):06d}", "object": "event", "api_version": "2024-06-20",
            "created": created, "data": {"object": obj}, "livemode": False, "pending_webhooks": 1, "type": type_}


def intent(pi: str, *, amount: int = PRICE, charge: str | None = None) -> dict:
    return {"id": pi, "object": "payment_intent", "amount": amount, "amount_received": amount, "currency": "mxn",
            "status": "succeeded", "latest_charge": charge or f"ch_{pi[3:]}", "metadata": {}}


def refunded_charge(pi: str, *, refund_id: str, amount: int, refunded: int) -> dict:
    refund = {"id": refund_id, "object": "refund", "amount": refunded, "charge": f"ch_{pi[3:]}",
              "payment_intent": pi, "currency": "mxn", "status": "succeeded", "metadata": {}}
    return {"id": f"ch_{pi[3:]}", "object": "charge", "amount": amount, "amount_captured": amount,
            "amount_refunded": refunded, "captured": True, "paid": True, "status": "succeeded", "refunded": False,
            "payment_intent": pi, "currency": "mxn", "metadata": {},
            "refunds": {"object": "list", "data": [refund], "has_more": False}}


def deliver(engine, evt: dict, **kw):
    payload, header = signed(evt, SECRET, timestamp=kw.pop("timestamp", None))
    return stripe_events.receive(engine, payload, header, secret=SECRET, **kw)


def rows(engine) -> dict[str, StripeEvent]:
    with UnitOfWork(engine, write=False) as uow:
        return {r.id: r for r in uow.session.exec(select(StripeEvent)).all()}


def payment(engine, payment_id):
    with UnitOfWork(engine, write=False) as uow:
        return uow.session.get(Payment, payment_id)


def sale(engine, sale_id):
    with UnitOfWork(engine, write=False) as uow:
        return uow.session.get(Sale, sale_id)


def audits(engine, action: str) -> int:
    with UnitOfWork(engine, write=False) as uow:
        return uow.session.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == action)).one()


# --- the service ------------------------------------------------------------------------------------


def test_the_same_event_twice_applies_once(engine, shop):
    sale_id, pay_id = pending_sale(engine, shop, "pi_1")
    evt = event("payment_intent.succeeded", intent("pi_1"))
    first = deliver(engine, evt)
    second = deliver(engine, evt)
    assert (first.event_id, first.status, first.duplicate) == (evt["id"], "applied", False)
    assert (second.status, second.duplicate) == ("applied", True)
    stored = rows(engine)
    assert list(stored) == [evt["id"]]
    row = stored[evt["id"]]
    assert (row.status, row.source, row.attempts, row.error, row.created) == ("applied", "webhook", 1, None,
                                                                              evt["created"])
    assert row.payload == evt and row.applied_at is not None
    assert payment(engine, pay_id).status == "succeeded"
    assert (sale(engine, sale_id).status, sale(engine, sale_id).paid_cents) == ("paid", PRICE)
    assert audits(engine, "payment.succeeded") == 1
    assert audits(engine, "stripe_event.applied") == 1
    assert audits(engine, "stripe_event.received") == 1


def test_out_of_order_refund_before_success(engine, shop):
    sale_id, pay_id = pending_sale(engine, shop, "pi_2")
    refund = event("charge.refunded", refunded_charge("pi_2", refund_id="re_1", amount=PRICE, refunded=20000))
    success = event("payment_intent.succeeded", intent("pi_2"))
    assert deliver(engine, refund).status == "applied"
    assert deliver(engine, success).status == "applied"
    # the refund's own events, later and twice: still one refund
    refund_obj = refund["data"]["object"]["refunds"]["data"][0]
    deliver(engine, event("refund.created", refund_obj))
    deliver(engine, event("charge.refund.updated", refund_obj))
    assert payment(engine, pay_id).status == "succeeded"
    with UnitOfWork(engine, write=False) as uow:
        refunds = uow.session.exec(select(Refund)).all()
    assert [(r.stripe_refund_id, r.amount_cents, r.status) for r in refunds] == [("re_1", 20000, "succeeded")]
    got = sale(engine, sale_id)
    assert (got.paid_cents, got.refunded_cents, got.status) == (PRICE, 20000, "partially_refunded")
    assert {r.status for r in rows(engine).values()} == {"applied"}


def test_a_bad_or_missing_signature_stores_nothing(engine, shop):
    evt = event("payment_intent.succeeded", intent("pi_3"))
    payload, header = signed(evt, "whsec_someone_else")
    with pytest.raises(InvalidInput) as info:
        stripe_events.receive(engine, payload, header, secret=SECRET)
    assert info.value.exit_code == 2
    with pytest.raises(InvalidInput):
        stripe_events.receive(engine, payload, None, secret=SECRET)
    good_payload, good_header = signed(evt, SECRET)
    with pytest.raises(InvalidInput):  # a body changed after signing
        stripe_events.receive(engine, good_payload.replace(b"pi_3", b"pi_4"), good_header, secret=SECRET)
    assert rows(engine) == {}


def test_a_stale_signature_is_refused(engine, shop):
    evt = event("payment_intent.succeeded", intent("pi_5"))
    with pytest.raises(InvalidInput) as info:
        deliver(engine, evt, timestamp=int(time.time()) - 600)
    assert "old" in info.value.message
    assert rows(engine) == {}
    # a saved delivery replayed on purpose, with a tolerance that covers its age
    assert deliver(engine, evt, timestamp=int(time.time()) - 600, tolerance=3600).status == "ignored"


def test_an_unknown_type_is_stored_as_ignored(engine, shop):
    got = deliver(engine, event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert (got.status, got.duplicate) == ("ignored", False) and got.note
    row = rows(engine)[got.event_id]
    assert (row.status, row.error) == ("ignored", got.note)
    assert deliver(engine, event("payment_intent.succeeded", intent("pi_unknown"))).status == "ignored"


def test_a_failing_apply_is_recorded_and_retried(engine, shop, monkeypatch):
    sale_id, pay_id = pending_sale(engine, shop, "pi_6")
    real = stripe_apply.apply

    def half_then_boom(session, evt):
        real(session, evt)  # its effects must be rolled back with it
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(stripe_apply, "apply", half_then_boom)
    evt = event("payment_intent.succeeded", intent("pi_6"))
    with pytest.raises(stripe_events.EventFailed) as info:
        deliver(engine, evt)
    assert info.value.event_id == evt["id"] and info.value.error == "RuntimeError: boom"
    row = rows(engine)[evt["id"]]
    assert (row.status, row.attempts, row.error, row.applied_at) == ("failed", 1, "RuntimeError: boom", None)
    assert payment(engine, pay_id).status == "pending"
    assert audits(engine, "stripe_event.failed") == 1 and audits(engine, "payment.succeeded") == 0
    with pytest.raises(stripe_events.EventFailed):  # a redelivery re-attempts it
        deliver(engine, evt)
    assert rows(engine)[evt["id"]].attempts == 2

    monkeypatch.setattr(stripe_apply, "apply", real)
    again = stripe_events.retry(engine, evt["id"])
    assert (again.status, again.duplicate) == ("applied", False)
    row = rows(engine)[evt["id"]]
    assert (row.status, row.attempts, row.error) == ("applied", 3, None)
    assert payment(engine, pay_id).status == "succeeded" and sale(engine, sale_id).status == "paid"
    with pytest.raises(RuleViolation, match="already applied"):
        stripe_events.retry(engine, evt["id"])
    with pytest.raises(NotFound):
        stripe_events.retry(engine, "evt_nope")
    assert deliver(engine, evt).duplicate is True


def test_a_long_error_is_cut_to_one_short_line(engine, shop, monkeypatch):
    monkeypatch.setattr(stripe_apply, "apply", lambda s, e: (_ for _ in ()).throw(ValueError("x" * 2000)))
    evt = event("payment_intent.succeeded", intent("pi_7"))
    with pytest.raises(stripe_events.EventFailed):
        deliver(engine, evt)
    error = rows(engine)[evt["id"]].error
    assert len(error) == 500 and "\n" not in error and error.startswith("ValueError: xxx")


def test_list_events_newest_first(engine, shop, clock):
    ids = []
    for n in range(3):
        ids.append(deliver(engine, event("customer.created", {"id": f"cus_{n}"}, created=1_700_000_000 + n)).event_id)
        clock.advance(minutes=1)
    with UnitOfWork(engine, write=False) as uow:
        views = stripe_events.list_events(uow.session, status=None, limit=None)
        assert [v.id for v in views] == ids[::-1]
        assert stripe_events.list_events(uow.session, status="applied", limit=None) == []
        assert len(stripe_events.list_events(uow.session, status="ignored", limit=2)) == 2
        assert views[0].created_at.timestamp() == 1_700_000_002
        with pytest.raises(InvalidInput):
            stripe_events.list_events(uow.session, status="done", limit=None)


# --- the HTTP endpoint ------------------------------------------------------------------------------


@contextmanager
def serving(engine, *, secret: str = SECRET, max_body: int = 64 * 1024, timeout: float = 1.0):
    """`salon stripe serve`'s server on a free loopback port, in a thread; what it logs in `.lines`."""
    lines: list[str] = []
    srv = make_server(engine, port=0, secret=secret, log=lines.append, max_body=max_body, timeout=timeout)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    srv.lines = lines
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture
def server(engine, shop):
    with serving(engine) as srv:
        yield srv


def post(srv, body: bytes, headers: dict[str, str] | None = None, *, method: str = "POST", path: str | None = None):
    url = f"http://127.0.0.1:{srv.server_address[1]}{path or srv.path}"
    request = urllib.request.Request(url, data=body if method == "POST" else None, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read() or b"null"), dict(answer.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null"), dict(exc.headers)


def post_event(srv, evt: dict):
    payload, header = signed(evt, SECRET)
    return post(srv, payload, {"Stripe-Signature": header})


def raw(srv, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def test_http_success_duplicate_and_ignored(server, engine, shop):
    _, pay_id = pending_sale(engine, shop, "pi_h1")
    evt = event("payment_intent.succeeded", intent("pi_h1"))
    assert post_event(server, evt)[:2] == (200, {"received": True, "id": evt["id"], "duplicate": False,
                                                 "status": "applied"})
    assert post_event(server, evt)[:2] == (200, {"received": True, "id": evt["id"], "duplicate": True,
                                                 "status": "applied"})
    other = event("invoice.paid", {"id": "in_1"})
    assert post_event(server, other)[:2] == (200, {"received": True, "id": other["id"], "duplicate": False,
                                                   "status": "ignored"})
    assert payment(engine, pay_id).status == "succeeded"
    deadline = time.monotonic() + 10  # a line is written just after its answer is sent
    while len(server.lines) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(server.lines) == 3 and all(" 200 " in line for line in server.lines)
    assert not any(SECRET in line or "t=" in line or "pi_h1" in line for line in server.lines)


def test_http_bad_signature_is_400_and_stores_nothing(server, engine):
    payload, header = signed(event("payment_intent.succeeded", intent("pi_h2")), "whsec_wrong")
    status, body, _ = post(server, payload, {"Stripe-Signature": header})
    assert status == 400 and body == {"error": "bad signature"}
    assert post(server, payload)[:2] == (400, {"error": "no Stripe-Signature header"})
    assert rows(engine) == {}


def test_http_refuses_what_is_not_a_delivery(server, engine):
    assert post(server, b"{}", method="GET")[0] == 405
    assert post(server, b"{}", method="GET")[2]["Allow"] == "POST"
    assert post(server, b"{}", path="/other")[0] == 404
    assert post(server, b"{}", {"Content-Type": "text/plain"})[0] == 415
    assert post(server, b"x" * (64 * 1024 + 1))[0] == 413
    # a huge Content-Length is refused without waiting for the body (waiting would end in a 408)
    answer = raw(server, b"POST /stripe/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 999999999\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 413")
    assert raw(server, b"POST /stripe/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n").startswith(b"HTTP/1.0 411")
    assert rows(engine) == {}


def test_http_a_slow_client_is_cut_off(server):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as sock:
        sock.sendall(b"POST /stripe/webhook HTTP/1.1\r\n")  # and then nothing
        assert sock.recv(1024) == b""  # the server hung up
    assert time.monotonic() - started < 5


def test_http_a_failing_apply_is_500_then_retried(server, engine, shop, monkeypatch):
    _, pay_id = pending_sale(engine, shop, "pi_h3")
    real = stripe_apply.apply
    monkeypatch.setattr(stripe_apply, "apply", lambda s, e: (_ for _ in ()).throw(RuntimeError("db gremlin")))
    evt = event("payment_intent.succeeded", intent("pi_h3"))
    status, body, _ = post_event(server, evt)
    assert status == 500 and body["id"] == evt["id"]
    row = rows(engine)[evt["id"]]
    assert (row.status, row.error) == ("failed", "RuntimeError: db gremlin")
    monkeypatch.setattr(stripe_apply, "apply", real)
    assert post_event(server, evt)[:2] == (200, {"received": True, "id": evt["id"], "duplicate": False,
                                                 "status": "applied"})
    assert payment(engine, pay_id).status == "succeeded"


def test_http_fifty_events_at_once(server, engine, shop):
    pays = [pending_sale(engine, shop, f"pi_many_{n}") for n in range(50)]
    events = [event("payment_intent.succeeded", intent(f"pi_many_{n}")) for n in range(50)]
    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda e: post_event(server, e), events))
    assert [a[0] for a in answers] == [200] * 50
    assert all(a[1]["duplicate"] is False and a[1]["status"] == "applied" for a in answers)
    stored = rows(engine)
    assert len(stored) == 50 and {r.status for r in stored.values()} == {"applied"}
    assert {r.attempts for r in stored.values()} == {1}
    with UnitOfWork(engine, write=False) as uow:
        statuses = uow.session.exec(select(Payment.status).where(col(Payment.id).in_([p for _, p in pays]))).all()
        paid = uow.session.exec(select(func.count()).select_from(Sale).where(Sale.status == "paid")).one()
    assert set(statuses) == {"succeeded"} and paid == 50
    assert audits(engine, "payment.succeeded") == 50


def test_http_the_same_event_ten_times_at_once(server, engine, shop):
    sale_id, pay_id = pending_sale(engine, shop, "pi_same")
    evt = event("payment_intent.succeeded", intent("pi_same"))
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: post_event(server, evt), range(10)))
    assert [a[0] for a in answers] == [200] * 10
    assert sorted(a[1]["duplicate"] for a in answers) == [False] + [True] * 9
    stored = rows(engine)
    assert list(stored) == [evt["id"]] and stored[evt["id"]].attempts == 1
    assert payment(engine, pay_id).status == "succeeded" and sale(engine, sale_id).paid_cents == PRICE
    assert audits(engine, "payment.succeeded") == 1 and audits(engine, "stripe_event.applied") == 1


def test_binding_every_address_warns(engine):
    lines: list[str] = []
    srv = make_server(engine, host="0.0.0.0", port=0, secret=SECRET, log=lines.append)
    srv.server_close()
    assert lines and lines[0].startswith("warning:")
    quiet: list[str] = []
    make_server(engine, port=0, secret=SECRET, log=quiet.append).server_close()
    assert quiet == []
    with pytest.raises(InvalidInput):
        make_server(engine, port=0, secret="", log=quiet.append)


# --- sync: catching up without a webhook ------------------------------------------------------------


def test_sync_applies_each_event_once_across_runs(engine, shop, clock, stripe_standin):
    stripe_standin.clock = lambda: int(clock.now().timestamp())
    gateway = stripe_standin.gateway()
    pays = {pi: pending_sale(engine, shop, pi)[1] for pi in ("pi_s1", "pi_s2", "pi_s3")}
    stripe_standin.emit("payment_intent.succeeded", intent("pi_s1"))
    stripe_standin.emit("payment_intent.succeeded", intent("pi_s2"))
    stripe_standin.emit("customer.created", {"id": "cus_1"})  # not a type sync asks for

    preview = stripe_events.sync(engine, gateway, dry_run=True)
    assert (preview.dry_run, preview.fetched, len(preview.event_ids)) == (True, 2, 2)
    assert rows(engine) == {} and payment(engine, pays["pi_s1"]).status == "pending"

    first = stripe_events.sync(engine, gateway)
    assert (first.fetched, first.applied, first.duplicates, first.failed) == (2, 2, 0, 0)
    assert first.since == clock.now() - timedelta(days=3)
    clock.advance(minutes=1)
    stripe_standin.emit("payment_intent.succeeded", intent("pi_s3"))
    second = stripe_events.sync(engine, gateway)
    assert (second.fetched, second.applied, second.duplicates) == (3, 1, 2)  # gte the newest stored: overlap
    assert {payment(engine, p).status for p in pays.values()} == {"succeeded"}
    stored = rows(engine)
    assert len(stored) == 3 and {(r.source, r.status, r.attempts) for r in stored.values()} == {("sync", "applied", 1)}
    assert audits(engine, "payment.succeeded") == 3
    with UnitOfWork(engine, write=False) as uow:
        runs = jobs.list_runs(uow.session, job=stripe_events.JOB)
    assert [(r.status, r.counts["applied"]) for r in runs] == [("ok", 1), ("ok", 2)]


def test_sync_fetches_an_older_event_missed_while_a_newer_one_came_by_webhook(engine, shop, clock, stripe_standin):
    stripe_standin.clock = lambda: int(clock.now().timestamp())
    late, early = pending_sale(engine, shop, "pi_late")[1], pending_sale(engine, shop, "pi_early")[1]
    missed = stripe_standin.emit("payment_intent.succeeded", intent("pi_early"))  # never delivered
    clock.advance(minutes=2)
    newer = stripe_standin.emit("payment_intent.succeeded", intent("pi_late"))
    deliver(engine, newer)  # the webhook brought only the newer one
    report = stripe_events.sync(engine, stripe_standin.gateway())
    assert missed["id"] in report.event_ids and report.duplicates == 1
    assert payment(engine, early).status == "succeeded" and payment(engine, late).status == "succeeded"


def test_sync_is_single_instance(engine, shop, stripe_standin):
    with jobs.single_instance(engine, stripe_events.JOB, None):
        with pytest.raises(Busy) as info:
            stripe_events.sync(engine, stripe_standin.gateway())
    assert info.value.exit_code == 4
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.exec(select(func.count()).select_from(JobRun)).one() == 0


def test_sync_when_stripe_is_down(engine, shop, stripe_standin):
    stripe_standin.fail_next(10, 500)
    with pytest.raises(OutsideServiceFailed) as info:
        stripe_events.sync(engine, stripe_standin.gateway(max_network_retries=0))
    assert info.value.exit_code == 5
    with UnitOfWork(engine, write=False) as uow:
        assert [r.status for r in jobs.list_runs(uow.session, job=stripe_events.JOB)] == ["failed"]
    assert rows(engine) == {}


def test_sync_counts_a_failure_and_goes_on(engine, shop, clock, stripe_standin, monkeypatch):
    stripe_standin.clock = lambda: int(clock.now().timestamp())
    good = pending_sale(engine, shop, "pi_ok")[1]
    pending_sale(engine, shop, "pi_bad")
    bad = stripe_standin.emit("payment_intent.succeeded", intent("pi_bad"))
    stripe_standin.emit("payment_intent.succeeded", intent("pi_ok"))
    real = stripe_apply.apply

    def picky(session, evt):
        if evt["id"] == bad["id"]:
            raise RuntimeError("not today")
        return real(session, evt)

    monkeypatch.setattr(stripe_apply, "apply", picky)
    report = stripe_events.sync(engine, stripe_standin.gateway())
    assert (report.applied, report.failed, report.failed_ids) == (1, 1, [bad["id"]])
    assert payment(engine, good).status == "succeeded"
    assert rows(engine)[bad["id"]].status == "failed"


def test_charge_refunded_as_stripe_sends_it_records_the_refund(engine, shop):
    sale_id, _ = pending_sale(engine, shop, "pi_r1")
    deliver(engine, event("payment_intent.succeeded", intent("pi_r1")))
    charge = refunded_charge("pi_r1", refund_id="re_r1", amount=PRICE, refunded=20000)
    del charge["refunds"]  # not expanded: what a webhook carries
    deliver(engine, event("charge.refunded", charge))
    assert sale(engine, sale_id).refunded_cents == 20000
