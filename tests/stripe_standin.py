"""A local stand-in for Stripe's HTTP API, for tests that drive the real `stripe` library.

    from stripe_standin import StripeStandIn, signed, stripe_standin  # noqa: F401  (the fixture)

    def test_something(stripe_standin):
        gateway = stripe_standin.gateway()          # a StripeGateway aimed at the stand-in
        ...

`StripeStandIn` runs a `ThreadingHTTPServer` on 127.0.0.1 (random port) in a daemon thread; `.url` is
the API base to hand to the library (`base_addresses={"api": url}`). It speaks Stripe's wire format:
form-encoded bodies (`metadata[k]=v`, `line_items[0][price_data][unit_amount]=...`, `expand[]`/`expand[0]`),
`Idempotency-Key` replay, JSON objects and error bodies shaped like Stripe's. Everything is guarded by
one lock, so tests may hit it from several threads or processes.

The `stripe_standin` fixture also shortens the library's retry back-off (0.5 s, doubling) to a few ms.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

DROP = "drop"

# Test payment methods, named like Stripe's test-mode ones.
DECLINES: dict[str, tuple[str, str | None, str]] = {
    "pm_card_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": ("card_declined", "insufficient_funds",
                                                "Your card has insufficient funds."),
    "pm_card_chargeDeclinedExpiredCard": ("expired_card", "expired_card", "Your card has expired."),
    "pm_card_authenticationRequired": ("authentication_required", "authentication_required",
                                       "Your card was declined. This transaction requires authentication."),
}


@dataclass
class StandInRequest:
    """One request as the stand-in saw it (repeats and injected failures included)."""

    method: str
    path: str
    idempotency_key: str | None
    params: dict[str, Any]
    status: int | None = None  # None: the connection was dropped
    replayed: bool = False      # answered from the idempotency store
    injected: bool = False      # answered by fail_next()
    api_key: str | None = field(default=None, repr=False)


class _Reply:
    def __init__(self, status: int, body: dict | None, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}


class _StripeError(Exception):
    def __init__(self, status: int, type_: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.reply = _Reply(status, {"error": {"type": type_, "message": message,
                                               **{k: v for k, v in extra.items() if v is not None}}})


def _missing(what: str, name: str) -> _StripeError:
    return _StripeError(404, "invalid_request_error", f"No such {what}: '{name}'", code="resource_missing",
                        param="id")


def _bad(message: str, *, code: str | None = None, param: str | None = None) -> _StripeError:
    return _StripeError(400, "invalid_request_error", message, code=code, param=param)


# --- Stripe's form encoding ---------------------------------------------------------------------------

_KEY = re.compile(r"([^\[\]]+)|\[([^\[\]]*)\]")


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        value = {k: _listify(v) for k, v in value.items()}
        if value and all(k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
    return value


def parse_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """`a[b][0][c]=v` pairs as nested dicts and lists (values stay strings, as on the wire)."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = [m.group(1) if m.group(1) is not None else m.group(2) for m in _KEY.finditer(key)]
        if not parts:
            continue
        cur = root
        for i, part in enumerate(parts):
            if part == "":
                part = str(len(cur))
            if i == len(parts) - 1:
                cur[part] = value
            else:
                nxt = cur.get(part)
                if not isinstance(nxt, dict):
                    nxt = cur[part] = {}
                cur = nxt
    return _listify(root)


def _int(params: dict, name: str, *, required: bool = True) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise _bad(f"Missing required param: {name}.", code="parameter_missing", param=name)
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise _bad(f"Invalid integer: {raw}", code="parameter_invalid_integer", param=name) from None


def _bool(value: Any) -> bool:
    return str(value).lower() == "true"


# --- the stand-in -------------------------------------------------------------------------------------


class StripeStandIn:
    """A thread-safe, in-memory Stripe for tests. Use as a context manager (or `start()`/`stop()`)."""

    def __init__(self) -> None:
        import stripe

        self.api_version: str = stripe.api_version
        self.lock = threading.RLock()
        self.clock: Callable[[], int] = lambda: int(time.time())
        self.api_key: str | None = None  # when set, any other key gets 401
        self.requests: list[StandInRequest] = []
        self.payment_intents: dict[str, dict] = {}
        self.charges: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.customers: dict[str, dict] = {}
        self.checkout_sessions: dict[str, dict] = {}
        self.readers: dict[str, dict] = {}
        self.events: list[dict] = []  # oldest first (GET /v1/events serves newest first)
        self.reader_outcome: dict[str, str] = {}  # reader id -> "succeeded" | "declined" | "never"
        self.reader_delay_polls: int = 1
        self.refund_status_next: str | None = None
        self._faults: list[int | str] = []
        self._idempotency: dict[str, tuple[tuple, _Reply]] = {}
        self._pending: dict[str, dict] = {}  # payment intent id -> reader outcome waiting to happen
        self._session_pi_data: dict[str, dict] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --- lifecycle ---

    def start(self) -> StripeStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
                pass

            def _serve(self) -> None:
                standin._serve(self)

            do_GET = do_POST = do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        name="stripe-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StripeStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def gateway(self, *, api_key: str = "sk_test_standin", max_network_retries: int = 2, timeout: float = 5.0):
        """A `StripeGateway` aimed at this stand-in."""
        from salon_cli.services.stripe.gateway import StripeGateway

        return StripeGateway(api_key, self.url, timeout=timeout, max_network_retries=max_network_retries)

    # --- test controls ---

    def fail_next(self, n: int = 1, status: int | str = 500) -> None:
        """The next `n` requests (any kind) fail with HTTP `status` and an api_error body before anything
        happens, or, with status="drop", the connection is closed without an answer."""
        with self.lock:
            self._faults.extend([status] * n)

    def seen(self, idempotency_key: str) -> int:
        """How many requests carried this idempotency key (retries and replays included)."""
        with self.lock:
            return sum(1 for r in self.requests if r.idempotency_key == idempotency_key)

    def emit(self, type_: str, obj: dict, *, previous_attributes: dict | None = None) -> dict:
        """Append an event (as Stripe would send it) and return a copy of it."""
        with self.lock:
            event = {
                "id": self._id("evt"), "object": "event", "api_version": self.api_version,
                "created": self.clock(), "data": {"object": copy.deepcopy(obj)}, "livemode": False,
                "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None}, "type": type_,
            }
            if previous_attributes is not None:
                event["data"]["previous_attributes"] = copy.deepcopy(previous_attributes)
            self.events.append(event)
            return copy.deepcopy(event)

    def complete_session(self, session_id: str) -> dict:
        """The client paid through the link: the session completes and a succeeded PaymentIntent carrying
        the session's payment_intent_data metadata appears. Returns the payment_intent.succeeded event."""
        with self.lock:
            session = self.checkout_sessions[session_id]
            if session["status"] != "open":
                raise ValueError(f"session {session_id} is {session['status']}")
            data = self._session_pi_data.get(session_id, {})
            pi = self._new_intent(amount=session["amount_total"], currency=session["currency"],
                                  metadata=dict(data.get("metadata") or {}), description=data.get("description"),
                                  customer=session.get("customer"), payment_method_types=["card"])
            pi["payment_method"] = self._id("pm")
            event = self._succeed(pi, "card")
            session.update(status="complete", payment_status="paid", payment_intent=pi["id"])
            self.emit("checkout.session.completed", session)
            return event

    def expire_session(self, session_id: str) -> dict:
        with self.lock:
            session = self.checkout_sessions[session_id]
            session.update(status="expired")
            return self.emit("checkout.session.expired", session)

    def finish_reader(self, reader_id: str, outcome: str | None = None) -> dict | None:
        """Make the card-present payment on this reader end now (outcome defaults to reader_outcome).
        Returns the event it emitted, if any."""
        with self.lock:
            reader = self.readers[reader_id]
            pi_id = ((reader.get("action") or {}).get("process_payment_intent") or {}).get("payment_intent")
            pending = self._pending.get(pi_id or "")
            if pending is None:
                return None
            if outcome is not None:
                pending["outcome"] = outcome
            return self._settle_reader(pi_id)

    def settle_refund(self, refund_id: str, status: str = "succeeded", failure_reason: str | None = None) -> dict:
        """A pending refund ends; emits and returns charge.refund.updated."""
        with self.lock:
            refund = self.refunds[refund_id]
            previous = {"status": refund["status"]}
            refund["status"] = status
            if status == "failed":
                refund["failure_reason"] = failure_reason or "declined"
                charge = self.charges.get(refund["charge"])
                if charge is not None:
                    charge["amount_refunded"] -= refund["amount"]
                    charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
            return self.emit("charge.refund.updated", refund, previous_attributes=previous)

    # --- HTTP plumbing ---

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length).decode("utf-8") if length else ""
        parts = urlsplit(handler.path)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if handler.command == "POST":
            pairs += parse_qsl(raw, keep_blank_values=True)
        auth = handler.headers.get("Authorization") or ""
        reply = self.handle(handler.command, parts.path, parse_form(pairs), handler.headers.get("Idempotency-Key"),
                            auth.removeprefix("Bearer ").strip() or None)
        if reply is None:  # dropped: close without a word
            handler.close_connection = True
            return
        body = json.dumps(reply.body).encode("utf-8")
        handler.send_response(reply.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Request-Id", "req_" + uuid.uuid4().hex[:14])
        handler.send_header("Stripe-Version", self.api_version)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def handle(self, method: str, path: str, params: dict[str, Any], idempotency_key: str | None,
               api_key: str | None = None) -> _Reply | None:
        """Answer one request (None = drop the connection). Public so tests may call it directly."""
        with self.lock:
            record = StandInRequest(method, path, idempotency_key, params, api_key=api_key)
            self.requests.append(record)
            if self._faults:
                fault = self._faults.pop(0)
                record.injected = True
                if fault == DROP:
                    return None
                record.status = int(fault)
                return _Reply(int(fault), {"error": {
                    "type": "api_error", "message": f"An unknown error occurred (stand-in fault {fault})."}})
            if self.api_key is not None and api_key != self.api_key:
                record.status = 401
                shown = (api_key or "")[:8] + "****" + (api_key or "")[-4:]
                return _Reply(401, {"error": {"type": "invalid_request_error",
                                              "message": f"Invalid API Key provided: {shown}"}})
            stored_key = (method, path, json.dumps(params, sort_keys=True))
            if method == "POST" and idempotency_key and idempotency_key in self._idempotency:
                first, reply = self._idempotency[idempotency_key]
                record.replayed = True
                if first != stored_key:
                    record.status = 400
                    return _Reply(400, {"error": {
                        "type": "idempotency_error",
                        "message": "Keys for idempotent requests can only be used with the same parameters "
                                   "they were first used with. Try using a key other than "
                                   f"'{idempotency_key}' if you meant to execute a different request."}})
                record.status = reply.status
                return _Reply(reply.status, copy.deepcopy(reply.body), {"Idempotent-Replayed": "true"})
            try:
                reply = self._route(method, path, params)
            except _StripeError as exc:
                reply = exc.reply
            reply = _Reply(reply.status, json.loads(json.dumps(reply.body)), reply.headers)
            record.status = reply.status
            # Like Stripe: a request that ran (success or card error) is saved; one refused up front is not.
            if method == "POST" and idempotency_key and (reply.status < 400 or reply.status == 402):
                self._idempotency[idempotency_key] = (stored_key, _Reply(reply.status, copy.deepcopy(reply.body)))
            return reply

    _ROUTES: list[tuple[str, re.Pattern[str], str]] = [
        ("POST", re.compile(r"/v1/payment_intents"), "_create_intent"),
        ("GET", re.compile(r"/v1/payment_intents/(?P<id>[^/]+)"), "_get_intent"),
        ("POST", re.compile(r"/v1/payment_intents/(?P<id>[^/]+)/cancel"), "_cancel_intent"),
        ("POST", re.compile(r"/v1/terminal/readers/(?P<id>[^/]+)/process_payment_intent"), "_process"),
        ("POST", re.compile(r"/v1/terminal/readers/(?P<id>[^/]+)/cancel_action"), "_cancel_action"),
        ("GET", re.compile(r"/v1/terminal/readers/(?P<id>[^/]+)"), "_get_reader"),
        ("POST", re.compile(r"/v1/checkout/sessions"), "_create_session"),
        ("GET", re.compile(r"/v1/checkout/sessions/(?P<id>[^/]+)"), "_get_session"),
        ("POST", re.compile(r"/v1/customers"), "_create_customer"),
        ("GET", re.compile(r"/v1/customers/(?P<id>[^/]+)"), "_get_customer"),
        ("POST", re.compile(r"/v1/refunds"), "_create_refund"),
        ("GET", re.compile(r"/v1/refunds/(?P<id>[^/]+)"), "_get_refund"),
        ("GET", re.compile(r"/v1/charges/(?P<id>[^/]+)"), "_get_charge"),
        ("GET", re.compile(r"/v1/events"), "_list_events"),
        ("GET", re.compile(r"/v1/events/(?P<id>[^/]+)"), "_get_event"),
    ]

    def _route(self, method: str, path: str, params: dict) -> _Reply:
        for verb, pattern, name in self._ROUTES:
            found = pattern.fullmatch(path)
            if verb == method and found:
                body = getattr(self, name)(params, **found.groupdict())
                return body if isinstance(body, _Reply) else _Reply(200, body)
        raise _StripeError(404, "invalid_request_error",
                           f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
                           "or we can help at https://support.stripe.com/.")

    # --- objects ---

    @staticmethod
    def _id(prefix: str) -> str:
        return f"{prefix}_{uuid.uuid4().hex[:24]}"

    def _new_intent(self, *, amount: int, currency: str, metadata: dict, description: str | None,
                    customer: str | None, payment_method_types: list[str], capture_method: str = "automatic",
                    payment_method: str | None = None) -> dict:
        pi_id = self._id("pi")
        pi = {
            "id": pi_id, "object": "payment_intent", "amount": amount, "amount_capturable": 0,
            "amount_received": 0, "currency": currency.lower(), "status": "requires_payment_method",
            "capture_method": capture_method, "confirmation_method": "automatic",
            "payment_method_types": payment_method_types, "payment_method": payment_method,
            "customer": customer, "description": description, "metadata": dict(metadata),
            "latest_charge": None, "last_payment_error": None, "next_action": None,
            "canceled_at": None, "cancellation_reason": None, "client_secret": f"{pi_id}_secret_standin",
            "created": self.clock(), "livemode": False,
        }
        self.payment_intents[pi_id] = pi
        return pi

    def _new_charge(self, pi: dict, status: str, method_type: str) -> dict:
        charge = {
            "id": self._id("ch"), "object": "charge", "amount": pi["amount"],
            "amount_captured": pi["amount"] if status == "succeeded" else 0, "amount_refunded": 0,
            "captured": status == "succeeded", "currency": pi["currency"], "customer": pi.get("customer"),
            "description": pi.get("description"), "metadata": dict(pi["metadata"]), "paid": status == "succeeded",
            "payment_intent": pi["id"], "payment_method": pi.get("payment_method"),
            "payment_method_details": {"type": method_type}, "refunded": False, "status": status,
            "created": self.clock(), "livemode": False,
        }
        self.charges[charge["id"]] = charge
        pi["latest_charge"] = charge["id"]
        return charge

    def _succeed(self, pi: dict, method_type: str) -> dict:
        self._new_charge(pi, "succeeded", method_type)
        pi.update(status="succeeded", amount_received=pi["amount"], last_payment_error=None, next_action=None)
        return self.emit("payment_intent.succeeded", pi)

    def _decline(self, pi: dict, code: str, decline_code: str | None, message: str, method_type: str,
                 *, status: str = "requires_payment_method", with_charge: bool = True) -> dict:
        error: dict[str, Any] = {"type": "card_error", "code": code, "message": message}
        if decline_code and code != "authentication_required":
            error["decline_code"] = decline_code
        if with_charge:
            charge = self._new_charge(pi, "failed", method_type)
            charge.update(failure_code=code, failure_message=message)
            error["charge"] = charge["id"]
        if pi.get("payment_method"):
            error["payment_method"] = {"id": pi["payment_method"], "object": "payment_method", "type": method_type}
        pi.update(status=status, last_payment_error=error)
        if status == "requires_action":
            pi["next_action"] = {"type": "use_stripe_sdk", "use_stripe_sdk": {}}
        return self.emit("payment_intent.payment_failed", pi)

    # --- payment intents ---

    def _create_intent(self, params: dict) -> _Reply | dict:
        amount = _int(params, "amount")
        currency = params.get("currency")
        if not currency:
            raise _bad("Missing required param: currency.", code="parameter_missing", param="currency")
        if amount is None or amount < 1:
            raise _bad("This value must be greater than or equal to 1.", code="parameter_invalid_integer",
                       param="amount")
        types = params.get("payment_method_types") or ["card"]
        pi = self._new_intent(amount=amount, currency=currency, metadata=params.get("metadata") or {},
                              description=params.get("description"), customer=params.get("customer"),
                              payment_method_types=list(types), capture_method=params.get("capture_method")
                              or "automatic", payment_method=params.get("payment_method"))
        if not _bool(params.get("confirm")):
            if pi["payment_method"]:
                pi["status"] = "requires_confirmation"
            return pi
        if not pi["payment_method"]:
            raise _bad("You cannot confirm this PaymentIntent because it's missing a payment method.",
                       code="payment_intent_unexpected_state")
        decline = DECLINES.get(pi["payment_method"])
        if decline is None:
            self._succeed(pi, "card")
            return pi
        code, decline_code, message = decline
        auth = code == "authentication_required"
        self._decline(pi, code, decline_code, message, "card",
                      status="requires_action" if auth else "requires_payment_method", with_charge=not auth)
        error = dict(pi["last_payment_error"])
        error["payment_intent"] = copy.deepcopy(pi)
        return _Reply(402, {"error": error})

    def _intent(self, pi_id: str) -> dict:
        pi = self.payment_intents.get(pi_id)
        if pi is None:
            raise _missing("payment_intent", pi_id)
        return pi

    def _get_intent(self, params: dict, id: str) -> dict:  # noqa: A002
        pi = self._intent(id)
        pending = self._pending.get(id)
        if pending is not None and pending["outcome"] != "never":
            if pending["polls_left"] > 0:
                pending["polls_left"] -= 1
            else:
                self._settle_reader(id)
        return pi

    def _cancel_intent(self, params: dict, id: str) -> dict:  # noqa: A002
        pi = self._intent(id)
        if pi["status"] in ("succeeded", "canceled"):
            raise _bad(f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}. "
                       "Only a PaymentIntent with one of the following statuses may be canceled: "
                       "requires_payment_method, requires_capture, requires_confirmation, requires_action, "
                       "processing.", code="payment_intent_unexpected_state")
        pending = self._pending.pop(id, None)
        if pending is not None:
            reader = self.readers.get(pending["reader"])
            if reader is not None:
                reader["action"] = None
        pi.update(status="canceled", canceled_at=self.clock(),
                  cancellation_reason=params.get("cancellation_reason"))
        self.emit("payment_intent.canceled", pi)
        return pi

    # --- terminal readers ---

    def _reader(self, reader_id: str) -> dict:
        reader = self.readers.get(reader_id)
        if reader is None:
            reader = self.readers[reader_id] = {
                "id": reader_id, "object": "terminal.reader", "action": None, "device_type": "bbpos_wisepos_e",
                "label": reader_id, "location": None, "serial_number": reader_id.upper(), "status": "online",
                "metadata": {}, "livemode": False,
            }
        return reader

    def _get_reader(self, params: dict, id: str) -> dict:  # noqa: A002
        return self._reader(id)

    def _process(self, params: dict, id: str) -> dict:  # noqa: A002
        reader = self._reader(id)
        pi_id = params.get("payment_intent")
        if not pi_id:
            raise _bad("Missing required param: payment_intent.", code="parameter_missing", param="payment_intent")
        pi = self._intent(pi_id)
        if pi["status"] not in ("requires_payment_method", "requires_confirmation"):
            raise _bad(f"This PaymentIntent's status is {pi['status']}; it cannot be processed.",
                       code="payment_intent_unexpected_state")
        action = reader.get("action")
        if action and action.get("status") == "in_progress":
            other = (action.get("process_payment_intent") or {}).get("payment_intent")
            if other != pi_id:
                raise _bad("Reader is currently busy processing another request.", code="terminal_reader_busy")
        reader["action"] = {"type": "process_payment_intent", "status": "in_progress",
                            "process_payment_intent": {"payment_intent": pi_id},
                            "failure_code": None, "failure_message": None}
        self._pending[pi_id] = {"reader": id, "outcome": self.reader_outcome.get(id, "succeeded"),
                                "polls_left": max(0, int(self.reader_delay_polls))}
        if self._pending[pi_id]["polls_left"] == 0 and self._pending[pi_id]["outcome"] != "never":
            snapshot = copy.deepcopy(reader)  # the reader answers "in progress" even when the card is quick
            self._settle_reader(pi_id)
            return snapshot
        return reader

    def _settle_reader(self, pi_id: str) -> dict | None:
        pending = self._pending.pop(pi_id)
        pi = self.payment_intents[pi_id]
        reader = self.readers.get(pending["reader"])
        action = (reader or {}).get("action") or {}
        pi["payment_method"] = pi.get("payment_method") or self._id("pm")
        if pending["outcome"] == "succeeded":
            action["status"] = "succeeded"
            return self._succeed(pi, "card_present")
        if pending["outcome"] == "declined":
            action.update(status="failed", failure_code="card_declined", failure_message="Your card was declined.")
            return self._decline(pi, "card_declined", None, "Your card was declined.", "card_present")
        self._pending[pi_id] = pending  # "never": stays put
        return None

    def _cancel_action(self, params: dict, id: str) -> dict:  # noqa: A002
        reader = self._reader(id)
        action = reader.get("action") or {}
        pi_id = (action.get("process_payment_intent") or {}).get("payment_intent")
        if pi_id:
            self._pending.pop(pi_id, None)
        reader["action"] = None
        return reader

    # --- checkout sessions ---

    def _create_session(self, params: dict) -> dict:
        if params.get("mode") not in ("payment", "setup", "subscription"):
            raise _bad("Missing required param: mode.", code="parameter_missing", param="mode")
        if params.get("customer") and params.get("customer_email"):
            raise _bad("You may only specify one of these parameters: customer, customer_email.",
                       param="customer_email")
        total, currency = 0, None
        for i, item in enumerate(params.get("line_items") or []):
            price = item.get("price_data") or {}
            unit = _int(price, "unit_amount")
            total += unit * (_int(item, "quantity", required=False) or 1)
            currency = currency or price.get("currency")
            if not (price.get("product_data") or {}).get("name"):
                raise _bad("Missing required param: line_items[%d][price_data][product_data][name]." % i,
                           code="parameter_missing")
        if params.get("mode") == "payment" and not total:
            raise _bad("Missing required param: line_items.", code="parameter_missing", param="line_items")
        cs_id = "cs_test_" + uuid.uuid4().hex[:24]
        session = {
            "id": cs_id, "object": "checkout.session", "url": f"{self.url}/pay/{cs_id}", "status": "open",
            "payment_status": "unpaid", "payment_intent": None, "mode": params["mode"],
            "metadata": dict(params.get("metadata") or {}), "amount_total": total,
            "currency": (currency or "").lower(), "customer": params.get("customer"),
            "customer_email": params.get("customer_email"), "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"), "created": self.clock(),
            "expires_at": self.clock() + 24 * 3600, "livemode": False,
        }
        self.checkout_sessions[cs_id] = session
        self._session_pi_data[cs_id] = copy.deepcopy(params.get("payment_intent_data") or {})
        return session

    def _get_session(self, params: dict, id: str) -> dict:  # noqa: A002
        session = self.checkout_sessions.get(id)
        if session is None:
            raise _missing("checkout.session", id)
        return session

    # --- customers ---

    def _create_customer(self, params: dict) -> dict:
        customer = {
            "id": self._id("cus"), "object": "customer", "name": params.get("name"), "email": params.get("email"),
            "phone": params.get("phone"), "metadata": dict(params.get("metadata") or {}), "created": self.clock(),
            "livemode": False,
        }
        self.customers[customer["id"]] = customer
        return customer

    def _get_customer(self, params: dict, id: str) -> dict:  # noqa: A002
        if id not in self.customers:
            raise _missing("customer", id)
        return self.customers[id]

    # --- refunds ---

    def _create_refund(self, params: dict) -> dict:
        pi_id, charge_id = params.get("payment_intent"), params.get("charge")
        if pi_id:
            pi = self._intent(pi_id)
            charge_id = pi.get("latest_charge")
        elif not charge_id:
            raise _bad("One of the following params should be provided for this request: payment_intent or "
                       "charge.", code="parameter_missing")
        charge = self.charges.get(charge_id or "")
        if charge is None or charge["status"] != "succeeded":
            raise _bad(f"This PaymentIntent ({pi_id}) does not have a successful charge to refund.",
                       code="charge_not_refundable" if charge else "resource_missing")
        remaining = charge["amount_captured"] - charge["amount_refunded"]
        amount = _int(params, "amount", required=False)
        amount = remaining if amount is None else amount
        if remaining <= 0:
            raise _bad(f"Charge {charge_id} has already been refunded.", code="charge_already_refunded")
        if amount < 1:
            raise _bad("This value must be greater than or equal to 1.", code="parameter_invalid_integer",
                       param="amount")
        if amount > remaining:
            raise _bad(f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
                       code="amount_too_large", param="amount")
        status = self.refund_status_next or "succeeded"
        self.refund_status_next = None
        refund = {
            "id": self._id("re"), "object": "refund", "amount": amount, "charge": charge_id,
            "payment_intent": charge["payment_intent"], "currency": charge["currency"], "status": status,
            "reason": params.get("reason"), "metadata": dict(params.get("metadata") or {}),
            "failure_reason": None, "created": self.clock(), "balance_transaction": None,
        }
        self.refunds[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
        self.emit("charge.refunded", charge,
                  previous_attributes={"amount_refunded": charge["amount_refunded"] - amount})
        return refund

    def _get_refund(self, params: dict, id: str) -> dict:  # noqa: A002
        if id not in self.refunds:
            raise _missing("refund", id)
        return self.refunds[id]

    def _get_charge(self, params: dict, id: str) -> dict:  # noqa: A002
        if id not in self.charges:
            raise _missing("charge", id)
        return self.charges[id]

    # --- events ---

    def _list_events(self, params: dict) -> dict:
        events = list(reversed(self.events))  # newest first, like Stripe
        created = params.get("created")
        if isinstance(created, dict):
            for op, test in (("gte", lambda a, b: a >= b), ("gt", lambda a, b: a > b),
                             ("lte", lambda a, b: a <= b), ("lt", lambda a, b: a < b)):
                if op in created:
                    bound = int(created[op])
                    events = [e for e in events if test(e["created"], bound)]
        elif created is not None:
            events = [e for e in events if e["created"] == int(created)]
        types = params.get("types") or ([params["type"]] if params.get("type") else None)
        if types:
            wanted = [re.compile(re.escape(t).replace(r"\*", ".*")) for t in types]
            events = [e for e in events if any(w.fullmatch(e["type"]) for w in wanted)]
        limit = max(1, min(_int(params, "limit", required=False) or 10, 100))
        after, before = params.get("starting_after"), params.get("ending_before")
        ids = [e["id"] for e in events]
        if after:
            if after not in ids:
                raise _missing("event", after)
            events = events[ids.index(after) + 1:]
            page, has_more = events[:limit], len(events) > limit
        elif before:
            if before not in ids:
                raise _missing("event", before)
            events = events[: ids.index(before)]
            page, has_more = events[-limit:], len(events) > limit
        else:
            page, has_more = events[:limit], len(events) > limit
        return {"object": "list", "url": "/v1/events", "has_more": has_more, "data": page}

    def _get_event(self, params: dict, id: str) -> dict:  # noqa: A002
        for event in self.events:
            if event["id"] == id:
                return event
        raise _missing("event", id)


def signed(event: dict, secret: str, *, timestamp: int | None = None) -> tuple[bytes, str]:
    """The body and `Stripe-Signature` header Stripe would POST for this event (the library's own signing)."""
    import stripe

    payload = json.dumps(event, separators=(",", ":"))
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return payload.encode("utf-8"), header


def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shrink the stripe library's retry back-off (0.5 s doubling up to 5 s) to a few milliseconds."""
    from stripe._http_client import HTTPClient

    monkeypatch.setattr(HTTPClient, "INITIAL_DELAY", 0.005)
    monkeypatch.setattr(HTTPClient, "MAX_DELAY", 0.02)


@pytest.fixture
def stripe_standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeStandIn]:
    """A running stand-in; the library's retry back-off is shortened for the test."""
    fast_retries(monkeypatch)
    with StripeStandIn() as standin:
        yield standin
