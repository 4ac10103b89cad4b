"""Hostile deliveries to the Stripe webhook endpoint (hypothesis), on SQLite and PostgreSQL (`db_url`).

Raw HTTP over a socket, so that nothing is tidied on the way: wrong methods, paths and HTTP
versions; missing, wrong or doubled Content-Type; missing, negative, lying or huge Content-Length;
chunked bodies; missing, forged, expired, future, malformed and doubled `Stripe-Signature` headers;
random bytes, malformed JSON, JSON that is not an event, and events signed for real with the
webhook secret whose type is unknown or whose fields are missing or of the wrong kind.

For every request: the server answers (a 2xx or a 4xx; 501/505 only for a method or HTTP version
the standard library does not speak; never a 500: nothing here is a failure of ours), it logs no
traceback, it keeps serving, and unless the delivery is genuine (signed with the secret, fresh,
a JSON object with an id and a type) every row of the database is as it was (no stripe_event row,
no payment moved, no audit row).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from salon_cli.db.models import StripeEvent
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import catalog, locations
from salon_cli.services.salon.actors import Actor
from test_stripe_webhooks import pending_sale, serving

SECRET = "whsec_fuzz_secret"
OWNER = Actor(id=1, code="lucia", name="Lucía", role="owner", verified=True)
MAX_BODY = 16 * 1024
PATH = "/stripe/webhook"
INTENT = "pi_fuzz"
HANDLED = ["payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded", "charge.refund.updated",
           "refund.created", "refund.updated", "checkout.session.completed"]


# --- the salon: one sale waiting for Stripe ----------------------------------------------------------


def _pending_sale(engine) -> int:
    """The Color service (500.00) and one open sale of it, paid by a pending Stripe payment (INTENT)."""
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        catalog.add_service(uow.session, actor=OWNER, location=loc, name="Color", duration_min=60,
                            price_cents=50000, code="color")
        uow.commit()
    return pending_sale(engine, loc, INTENT)[1]


def _dump(engine) -> dict[str, list[tuple]]:
    """Every row of every table."""
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        return {t.name: sorted(tuple(map(repr, row)) for row in conn.execute(sa.select(t)))
                for t in SQLModel.metadata.tables.values()}


@pytest.fixture
def endpoint(engine, salon, clock):
    _pending_sale(engine)
    with serving(engine, secret=SECRET, max_body=MAX_BODY, timeout=0.5) as srv:
        yield srv


# --- requests ---------------------------------------------------------------------------------------


def signature(body: bytes, *, secret: str = SECRET, at: int | None = None) -> str:
    """The header Stripe sends: t=TIMESTAMP,v1=HMAC-SHA256(secret, "TIMESTAMP." + body)."""
    at = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def exchange(srv, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=10) as sock:
        try:
            sock.sendall(request)
        except OSError:  # the server answered (413, ...) and hung up before reading it all
            pass
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
        return b"".join(chunks)


def status_of(answer: bytes) -> int:
    head = answer.split(b"\r\n", 1)[0].split()
    assert len(head) >= 2 and head[0].startswith(b"HTTP/") and head[1].isdigit(), answer[:200]
    return int(head[1])


# --- what to send -----------------------------------------------------------------------------------

ids = st.one_of(st.sampled_from(["evt_fuzz_1", "evt_fuzz_2", "evt_fuzz_3", " ", "", "x" * 65]),
                st.text(max_size=20), st.integers(), st.none(), st.lists(st.integers(), max_size=2))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from([INTENT, "pi_other", "ch_fuzz", "re_1", "1", "-5", "succeeded",
                                                          "paid", "payment", "failed", "canceled"]))
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["id", "data", "object", "metadata", "amount", "status", "salon_payment_id", "charge", "x"]),
    inner, max_size=4), max_leaves=10)
metadata = st.one_of(junk, st.fixed_dictionaries({}, optional={
    "salon_payment_id": st.one_of(st.just("1"), st.just("99999999999999999999999"), junk),
    "salon_sale_id": st.one_of(st.just("1"), junk), "salon_location": st.one_of(st.just("centro"), junk),
    "salon_refund_id": st.one_of(st.just("1"), st.just("٣"), junk), "reason": junk}))
stripe_objects = st.fixed_dictionaries({}, optional={
    "id": st.one_of(st.sampled_from([INTENT, "pi_other", "ch_fuzz", "re_fuzz", "cs_fuzz"]), junk),
    "object": st.sampled_from(["payment_intent", "charge", "refund", "checkout.session"]),
    "amount": junk, "amount_refunded": st.one_of(st.integers(-10**20, 10**20), junk), "status": junk,
    "paid": junk, "metadata": metadata, "latest_charge": junk, "payment_intent": junk, "charge": junk,
    "refunds": st.one_of(junk, st.fixed_dictionaries({"data": st.one_of(junk, st.lists(junk, max_size=2))})),
    "last_payment_error": junk, "mode": junk, "payment_status": junk, "failure_reason": junk, "reason": junk,
})
good_ids = st.sampled_from(["evt_fuzz_1", "evt_fuzz_2", "evt_fuzz_3"]).flatmap(
    lambda i: st.sampled_from([i, f"{i}_{time.time_ns()}"]))  # duplicates, and new ones
# Mostly what Stripe sends (an id, a handled type, data.object), with junk where a field may be junk:
# an event must pass the cheap checks to reach the code that reads its fields.
events = st.one_of(
    st.fixed_dictionaries({"id": good_ids, "type": st.sampled_from(HANDLED),
                           "data": st.fixed_dictionaries({"object": st.one_of(stripe_objects, stripe_objects, junk)})},
                          optional={"object": st.just("event"), "created": st.one_of(st.integers(-2**70, 2**70), junk)}),
    st.fixed_dictionaries({"id": good_ids, "type": st.sampled_from(HANDLED), "data": junk}),
    st.fixed_dictionaries({}, optional={
        "id": ids, "object": st.just("event"),
        "type": st.one_of(st.sampled_from(HANDLED), st.sampled_from(["invoice.paid", "", "x" * 65]), junk),
        "created": st.one_of(st.integers(-2**70, 2**70), junk),
        "data": st.one_of(st.fixed_dictionaries({"object": st.one_of(stripe_objects, junk)}), junk),
    }),
)
bodies = st.one_of(
    events.map(lambda e: json.dumps(e).encode()),
    events.map(lambda e: json.dumps(e).encode()[:-1]),  # cut short: not JSON
    junk.map(lambda v: json.dumps(v).encode()),  # JSON, not an event
    st.sampled_from([b"", b"{", b"null", b"[]", b"{}", b"\xef\xbb\xbf{}", b'{"id":"evt_fuzz_1","type":"x"}' * 2,
                     b'{"id": NaN, "type": Infinity}', b"\x00" * 16, "{\"id\": \"é\"}".encode("latin-1"),
                     b'{"a":' * 5000 + b'1' + b'}' * 5000]),  # deep nesting
    st.binary(max_size=200),
    st.integers(MAX_BODY - 2, MAX_BODY + 2).map(lambda n: b"{" + b" " * (n - 2) + b"}"),
)


@st.composite
def deliveries(draw) -> tuple[bytes, bool, bool]:
    """(the raw request, whether it is a genuine delivery: only those may write, whether its method or
    HTTP version is one the standard library refuses itself: 501 or 505)."""
    body = draw(bodies)
    method = draw(st.sampled_from(["POST"] * 8 + ["GET", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "TRACE",
                                                   "FOO", "post"]))
    path = draw(st.sampled_from([PATH] * 6 + [PATH + "?x=1", PATH + "/", "/STRIPE/webhook", "//stripe/webhook",
                                              "/", "*", "/other", "http://x" + PATH, PATH + "#f", "/" + "a" * 5000]))
    version = draw(st.sampled_from(["HTTP/1.1"] * 6 + ["HTTP/1.0", "HTTP/2.0", "HTTP/x", "HTTP/1.1.1"]))
    headers: list[tuple[str, str]] = [("Host", "127.0.0.1")]
    content_type = draw(st.sampled_from(["application/json"] * 6 + [
        None, "application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x", "application/json, text/plain", "", "application/jsonx", "é"]))
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    length = draw(st.sampled_from(["exact"] * 8 + ["none", "short", "long", "negative", "huge", "junk", "twice",
                                                   "chunked"]))
    chunked = False
    if length == "exact":
        headers.append(("Content-Length", str(len(body))))
    elif length == "short":  # says less than it sends: the server reads only what it says
        headers.append(("Content-Length", str(max(len(body) - 1, 0))))
    elif length == "long":  # says more than it sends: the server waits (socket timeout), then gives up
        headers.append(("Content-Length", str(len(body) + 5)))
    elif length == "negative":
        headers.append(("Content-Length", "-1"))
    elif length == "huge":
        headers.append(("Content-Length", "9" * 30))
    elif length == "junk":
        headers.append(("Content-Length", draw(st.sampled_from(["", "abc", "1e3", "0x10", "１２", " 12 ", "+5"]))))
    elif length == "twice":
        headers += [("Content-Length", str(len(body))), ("Content-Length", "0")]
    elif length == "chunked":
        headers.append(("Transfer-Encoding", "chunked"))
        chunked = True
    now = int(time.time())
    sig = draw(st.sampled_from(["good"] * 8 + ["none", "wrong secret", "expired", "future", "no v1", "no t",
                                               "junk", "twice", "good and forged", "non-ascii", "empty", "huge"]))
    sent = body if not (length == "short" and body) else body[:-1]
    genuine_sig = {"good": signature(sent), "good and forged": signature(sent) + ",v1=" + "0" * 64}
    forged = {
        "wrong secret": signature(sent, secret="whsec_wrong"), "expired": signature(sent, at=now - 3600),
        "future": signature(sent, at=now + 3600), "no v1": f"t={now}", "no t": signature(sent).split(",", 1)[1],
        "junk": draw(st.text(alphabet=st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=40)),
        "twice": None, "non-ascii": f"t={now},v1=é" + "0" * 63, "empty": "", "huge": "t=1,v1=" + "a" * 70_000,
    }
    if sig in genuine_sig:
        headers.append(("Stripe-Signature", genuine_sig[sig]))
    elif sig == "twice":
        headers += [("Stripe-Signature", signature(sent)), ("Stripe-Signature", signature(sent, secret="whsec_x"))]
    elif sig != "none":
        headers.append(("Stripe-Signature", forged[sig]))
    head = f"{method} {path} {version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    payload = (f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n") if chunked else body
    # the standard library collapses leading slashes itself (`//stripe/webhook` is the endpoint's path)
    genuine = (method == "POST" and path in (PATH, PATH + "?x=1", PATH + "#f", "/" + PATH) and version in ("HTTP/1.1", "HTTP/1.0")
               and content_type in ("application/json", "application/json; charset=utf-8", "APPLICATION/JSON")
               and length in ("exact", "short") and sig in genuine_sig and len(body) <= MAX_BODY)
    odd = method in ("TRACE", "FOO", "post") or version not in ("HTTP/1.1", "HTTP/1.0")
    return head.encode("latin-1", errors="replace") + payload, genuine, odd


def _check(srv, engine, request: bytes, genuine: bool, capfd, odd: bool = False) -> int:
    before = _dump(engine)
    seen = len(srv.lines)
    answer = exchange(srv, request)
    code = status_of(answer)
    assert code != 500 and (200 <= code < 300 or 400 <= code < 500 or code in (501, 505)), (code, answer[:300])
    assert code not in (501, 505) or odd, (code, answer[:300])
    if not genuine or code != 200:
        assert _dump(engine) == before, (code, answer[:300])
    assert not genuine or code in (200, 400), (code, answer[:300])
    # it keeps serving: the next request is answered at once
    assert status_of(exchange(srv, f"GET {PATH} HTTP/1.1\r\nHost: x\r\n\r\n".encode())) == 405
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err, err
    logged = srv.lines[seen:]
    assert not any("internal error" in line or " 500 " in line for line in logged), logged
    return code


# Function-scoped fixtures are deliberate: one server and salon per test; each example checks what
# its own request changed (and the events stored by earlier genuine examples make later duplicates).
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])


def test_hostile_requests_are_refused_and_change_nothing(endpoint, engine, capfd):
    @FUZZ
    @given(deliveries())
    def fuzz(case):
        request, genuine, odd = case
        _check(endpoint, engine, request, genuine, capfd, odd)

    fuzz()


def test_genuine_events_of_any_shape_never_fail_with_500(endpoint, engine, capfd):
    """Signed for real with the secret: whatever their fields hold, a 200 (applied or ignored) or a 400."""
    @FUZZ
    @given(st.one_of(events.map(lambda e: json.dumps(e).encode()), junk.map(lambda v: json.dumps(v).encode())))
    def fuzz(body):
        assume(len(body) <= MAX_BODY)
        request = (f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\nStripe-Signature: {signature(body)}\r\n\r\n").encode() + body
        _check(endpoint, engine, request, True, capfd)

    fuzz()
    with UnitOfWork(engine, write=False) as uow:  # whatever came, the stored events are well formed
        for row in uow.session.exec(select(StripeEvent)):
            assert row.status in ("applied", "ignored") and isinstance(row.payload, dict), (row.id, row.status, row.error)


# -- the cases the fuzzing found, kept as plain examples -------------------------------------------------


GENUINE_BUT_MALFORMED = [
    {"data": "x"}, {"data": {"object": "x"}}, {"data": {"object": {"id": ["pi"]}}},
    {"data": {"object": {"id": {"id": 5}}}}, {"data": {"object": {"id": "pi_other", "metadata": "x"}}},
    {"data": {"object": {"id": "pi_other", "metadata": {"salon_payment_id": "9" * 30}}}},
    {"data": {"object": {"id": "re_x", "metadata": {"salon_refund_id": "9" * 30}}}},
    {"data": {"object": {"id": INTENT, "amount_refunded": "abc", "paid": True}}},
    {"data": {"object": {"id": INTENT, "refunds": {"data": "abc"}}}},
    {"data": {"object": {"id": INTENT, "last_payment_error": {"message": {"a": 1}}}}},
    {"data": {"object": {"id": "p" * 200}}},
    {"created": 2**70, "data": {"object": {}}}, {"created": -1, "data": {"object": {}}},
]


def test_nan_and_infinity_are_not_json(endpoint, engine, capfd):
    """Found by the fuzzing: Python's json reads them; PostgreSQL's jsonb refused to store the event (500)."""
    for body in (b'{"id": "evt_inf", "type": "payment_intent.succeeded", "data": Infinity}',
                 b'{"id": "evt_nan", "type": "invoice.paid", "created": NaN}'):
        request = (f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\nStripe-Signature: {signature(body)}\r\n\r\n").encode() + body
        assert _check(endpoint, engine, request, True, capfd) == 400


def test_a_signed_event_with_fields_of_the_wrong_kind_is_ignored_not_failed(endpoint, engine, capfd):
    """Found by the fuzzing: each of these was a 500 (an AttributeError, an overflow, a type error of
    the database) and an event stored as failed for ever, or, for `created`, a 500 with nothing stored."""
    for type_ in HANDLED:
        for shape in GENUINE_BUT_MALFORMED:
            body = json.dumps({"id": f"evt_m_{time.time_ns()}", "type": type_, **shape}).encode()
            request = (f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       f"Content-Length: {len(body)}\r\nStripe-Signature: {signature(body)}\r\n\r\n").encode() + body
            assert _check(endpoint, engine, request, True, capfd) == 200, (type_, shape)
    with UnitOfWork(engine, write=False) as uow:
        assert {r.status for r in uow.session.exec(select(StripeEvent))} <= {"applied", "ignored"}


@pytest.mark.parametrize("request_line", [b"POST /stripe/webhook HTTP/2.0", b"POST /stripe/webhook HTTP/x",
                                          b"FOO /stripe/webhook HTTP/1.1", b"GARBAGE"])
def test_what_the_standard_library_refuses_is_answered_with_a_status_line_and_json(endpoint, engine, capfd,
                                                                                    request_line):
    """Found by the fuzzing: a request line with HTTP/2.0 or an unreadable version was answered with a bare
    HTML page and no status line (the library answered as to an HTTP/0.9 client)."""
    answer = exchange(endpoint, request_line + b"\r\nContent-Length: 2\r\n\r\n{}")
    assert status_of(answer) in (400, 501, 505)
    assert b"Content-Type: application/json" in answer and b"<html" not in answer


def test_a_signature_header_with_other_than_ascii_is_a_400(endpoint, engine, capfd):
    """Found by the fuzzing: `v1=é...` reached the library's constant-time compare, which raises on
    non-ASCII text: a 500 instead of a refused signature."""
    body = b'{"id": "evt_na", "type": "payment_intent.succeeded", "data": {"object": {}}}'
    for header in (f"t={int(time.time())},v1=" + "\u00e9" * 64, "t=\u00e9,v1=abc"):
        request = (f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\nStripe-Signature: {header}\r\n\r\n").encode("latin-1") + body
        assert _check(endpoint, engine, request, False, capfd) == 400


@pytest.mark.parametrize("framing", [
    ["Content-Length: {n}", "Content-Length: 0"], ["Content-Length: {n}", "Content-Length: {n}"],
    ["Content-Length: {n}", "Transfer-Encoding: chunked"], ["Transfer-Encoding: identity", "Content-Length: {n}"],
])
def test_a_body_framed_twice_is_a_400_and_changes_nothing(endpoint, engine, capfd, framing):
    """Found by the fuzzing: with two Content-Length headers the first was believed (and with a
    Transfer-Encoding too), so a genuine event framed two ways was applied. A proxy in front may read
    the other framing: such a request is refused before its body is read."""
    body = json.dumps({"id": "evt_framed_twice", "type": "payment_intent.succeeded",
                       "data": {"object": {"id": INTENT, "object": "payment_intent", "status": "succeeded"}}}).encode()
    headers = "".join(f"{line.format(n=len(body))}\r\n" for line in framing)
    request = (f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{headers}"
               f"Stripe-Signature: {signature(body)}\r\n\r\n").encode() + body
    assert _check(endpoint, engine, request, False, capfd) == 400
