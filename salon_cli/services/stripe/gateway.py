"""The one place that talks to Stripe: a thin wrapper around the official `stripe` library.

No database code lives here. Every POST carries an idempotency key chosen by the caller (derived from
our own ids, never random), and the library itself retries network failures and 5xx answers with that
same key (`max_network_retries`). Stripe's exceptions become `SalonError`s:

* a card decline (`stripe.CardError`) -> `CardDeclined` (exit 1);
* anything else Stripe says or fails to say -> `OutsideServiceFailed` (exit 5), one line, no secrets.

`stripe` is imported lazily inside functions so that `salon --help` never loads it.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from salon_cli.core.errors import InvalidInput, OutsideServiceFailed, RuleViolation, SalonError

API_KEY_ENV = "SALON_STRIPE_API_KEY"
API_BASE_ENV = "SALON_STRIPE_API_BASE"

T = TypeVar("T")


class StripeNotConfigured(RuleViolation):
    """No Stripe API key (or webhook secret) is configured (exit 1)."""

    def __init__(self, message: str = f"Stripe is not set up: set {API_KEY_ENV}", *,
                 hint: str | None = "use a secret or restricted key from the Stripe dashboard "
                                    "(sk_test_... while testing)") -> None:
        super().__init__(message, hint=hint)


def _decline_reason(code: str | None, decline_code: str | None) -> str:
    """A one-line human reason for a failed card payment."""
    if code == "authentication_required" or decline_code == "authentication_required":
        return "the bank asks the client to authenticate (authentication_required)"
    if code in (None, "", "card_declined"):
        return f"card declined ({decline_code})" if decline_code else "card declined"
    if decline_code and decline_code != code:
        return f"card declined ({code}: {decline_code})"
    return f"card declined ({code})"


class CardDeclined(SalonError):
    """The card was refused by the bank or needs the client to authenticate (exit 1).

    `message` (and `str()`) is the one-line human reason; `stripe_message` is Stripe's own text.
    """

    exit_code = 1

    def __init__(self, code: str | None, decline_code: str | None = None, stripe_message: str | None = None,
                 payment_intent_id: str | None = None, *, hint: str | None = None) -> None:
        self.code = code or "card_declined"
        self.decline_code = decline_code
        self.stripe_message = stripe_message
        self.payment_intent_id = payment_intent_id
        if hint is None:
            hint = ("send the client a payment link so they can authenticate with their bank"
                    if self.code == "authentication_required" or decline_code == "authentication_required"
                    else "ask the client for another card or another way to pay")
        super().__init__(_decline_reason(self.code, decline_code), hint=hint)


@dataclass(frozen=True)
class Intent:
    """A PaymentIntent as we need it."""

    id: str
    status: str
    amount: int
    currency: str
    latest_charge: str | None
    last_error: str | None
    metadata: dict[str, str] = field(hash=False)
    last_error_code: str | None = None
    last_decline_code: str | None = None
    amount_received: int = 0
    customer_id: str | None = None
    payment_method_id: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class Link:
    """A Checkout Session (the payment link we send)."""

    id: str
    url: str
    payment_intent_id: str | None
    status: str
    amount_total: int | None = None
    currency: str | None = None
    payment_status: str | None = None
    metadata: dict[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount: int
    payment_intent_id: str | None
    charge_id: str | None
    failure_reason: str | None
    metadata: dict[str, str] = field(default_factory=dict, hash=False)


# --- conversions --------------------------------------------------------------------------------------


def _as_dict(obj: Any) -> dict[str, Any]:
    """A StripeObject (or a plain mapping) as a plain, JSON-ready dict."""
    if obj is None:
        return {}
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return to_dict(recursive=True, for_json=True)
    return dict(obj)


def _ref_id(value: Any) -> str | None:
    """An expandable field: either an id string or an expanded object with an id."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return value.get("id")
    return getattr(value, "id", None)


def _str_dict(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in (value or {}).items()}


def _intent(obj: Any) -> Intent:
    d = _as_dict(obj)
    err = d.get("last_payment_error") or {}
    last_error = (_decline_reason(err.get("code"), err.get("decline_code"))
                  if err else None)
    return Intent(
        id=d["id"], status=d.get("status") or "", amount=int(d.get("amount") or 0),
        currency=(d.get("currency") or "").lower(), latest_charge=_ref_id(d.get("latest_charge")),
        last_error=last_error, metadata=_str_dict(d.get("metadata")),
        last_error_code=err.get("code") if err else None,
        last_decline_code=err.get("decline_code") if err else None,
        amount_received=int(d.get("amount_received") or 0),
        customer_id=_ref_id(d.get("customer")), payment_method_id=_ref_id(d.get("payment_method")),
    )


def _link(obj: Any) -> Link:
    d = _as_dict(obj)
    return Link(
        id=d["id"], url=d.get("url") or "", payment_intent_id=_ref_id(d.get("payment_intent")),
        status=d.get("status") or "", amount_total=d.get("amount_total"),
        currency=(d.get("currency") or None), payment_status=d.get("payment_status"),
        metadata=_str_dict(d.get("metadata")),
    )


def _refund(obj: Any) -> RefundResult:
    d = _as_dict(obj)
    return RefundResult(
        id=d["id"], status=d.get("status") or "", amount=int(d.get("amount") or 0),
        payment_intent_id=_ref_id(d.get("payment_intent")), charge_id=_ref_id(d.get("charge")),
        failure_reason=d.get("failure_reason"), metadata=_str_dict(d.get("metadata")),
    )


# --- errors -------------------------------------------------------------------------------------------

_SECRET = re.compile(r"\b(sk|rk|pk|whsec)_(test_|live_)?[A-Za-z0-9*]+")


def _one_line(text: str, limit: int = 240) -> str:
    text = _SECRET.sub(lambda m: f"{m.group(1)}_{m.group(2) or ''}****", text or "")
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _connection_reason(exc: Any) -> str:
    text = getattr(exc, "user_message", None) or str(exc)
    found = re.search(r"\(Network error: (.*)\)\s*$", text, re.S)
    if found:
        detail = found.group(1)
        # "ConnectionError: ('Connection aborted.', RemoteDisconnected(...))" -> keep the exception kind
        kind = detail.split(":", 1)[0].strip()
        if "timed out" in detail.lower() or "Timeout" in kind:
            return "the request timed out"
        if "aborted" in detail or "RemoteDisconnected" in detail or "reset" in detail.lower():
            return "the connection was dropped"
        if "refused" in detail.lower():
            return "the connection was refused"
        return _one_line(detail, 160)
    return _one_line(text, 160)


def _translate(exc: Exception) -> SalonError:
    """A stripe exception as our error family."""
    import stripe

    again = "run the same command again; Stripe will not charge twice for the same request"
    if isinstance(exc, stripe.CardError):
        body = exc.json_body if isinstance(exc.json_body, dict) else {}
        err = body.get("error") if isinstance(body.get("error"), dict) else {}
        return CardDeclined(exc.code or err.get("code"), err.get("decline_code"),
                            exc.user_message or err.get("message"), _ref_id(err.get("payment_intent")))
    message = _one_line(getattr(exc, "user_message", None) or str(exc) or type(exc).__name__)
    if isinstance(exc, stripe.APIConnectionError):
        return OutsideServiceFailed(f"Stripe could not be reached: {_connection_reason(exc)}",
                                    hint=f"check the network, then {again}")
    if isinstance(exc, stripe.AuthenticationError):
        return OutsideServiceFailed(f"Stripe refused: the API key was not accepted ({message})",
                                    hint=f"check {API_KEY_ENV}")
    if isinstance(exc, stripe.PermissionError):
        return OutsideServiceFailed(f"Stripe refused: the API key may not do this ({message})",
                                    hint=f"give the key in {API_KEY_ENV} the needed permissions")
    if isinstance(exc, stripe.RateLimitError):
        return OutsideServiceFailed(f"Stripe refused: too many requests ({message})",
                                    hint=f"wait a minute, then {again}")
    if isinstance(exc, stripe.InvalidRequestError):
        return OutsideServiceFailed(f"Stripe refused the request: {message}",
                                    hint="nothing was charged; check the amount and the payment it refers to")
    if isinstance(exc, stripe.APIError):
        status = getattr(exc, "http_status", None)
        where = f"HTTP {status}" if status else "an error"
        return OutsideServiceFailed(f"Stripe could not be reached: Stripe answered {where} ({message})",
                                    hint=f"try again in a moment; {again}")
    return OutsideServiceFailed(f"Stripe refused: {message}", hint=f"try again in a moment; {again}")


# --- the gateway --------------------------------------------------------------------------------------


class StripeGateway:
    """Calls Stripe through the official library's `StripeClient` (API key and base per instance)."""

    def __init__(self, api_key: str, api_base: str | None = None, *, timeout: float = 20.0,
                 max_network_retries: int = 2) -> None:
        if not api_key or not api_key.strip():
            raise StripeNotConfigured()
        self._api_key = api_key.strip()
        self.api_base = api_base.rstrip("/") if api_base else None
        self.timeout = timeout
        self.max_network_retries = max_network_retries
        self._client: Any = None

    def __repr__(self) -> str:
        return f"StripeGateway(api_base={self.api_base!r})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StripeGateway:
        env = os.environ if environ is None else environ
        key = (env.get(API_KEY_ENV) or "").strip()
        if not key:
            raise StripeNotConfigured()
        return cls(key, (env.get(API_BASE_ENV) or "").strip() or None)

    # The client is built on first use so that constructing a gateway never imports stripe.
    @property
    def client(self) -> Any:
        if self._client is None:
            import stripe

            self._client = stripe.StripeClient(
                self._api_key,
                base_addresses={"api": self.api_base} if self.api_base else None,
                max_network_retries=self.max_network_retries,
                http_client=stripe.RequestsClient(timeout=self.timeout),
            )
        return self._client

    def _call(self, fn: Callable[[], T]) -> T:
        import stripe

        try:
            return fn()
        except stripe.StripeError as exc:
            raise _translate(exc) from None

    @staticmethod
    def _opts(idempotency_key: str) -> dict[str, Any]:
        if not idempotency_key:
            raise ValueError("every Stripe POST needs an idempotency key derived from our ids")
        return {"idempotency_key": idempotency_key}

    # --- card-present (Terminal, server-driven) ---

    def create_card_present_intent(self, *, amount_cents: int, currency: str, idempotency_key: str,
                                   metadata: dict[str, str], description: str) -> Intent:
        params = {
            "amount": int(amount_cents), "currency": currency.lower(),
            "payment_method_types": ["card_present"], "capture_method": "automatic",
            "metadata": dict(metadata), "description": description,
        }
        return _intent(self._call(lambda: self.client.v1.payment_intents.create(
            params, options=self._opts(idempotency_key))))

    def process_on_reader(self, *, reader_id: str, payment_intent_id: str, idempotency_key: str) -> None:
        self._call(lambda: self.client.v1.terminal.readers.process_payment_intent(
            reader_id, {"payment_intent": payment_intent_id}, options=self._opts(idempotency_key)))

    def retrieve_intent(self, payment_intent_id: str) -> Intent:
        return _intent(self._call(lambda: self.client.v1.payment_intents.retrieve(payment_intent_id)))

    def cancel_reader_action(self, reader_id: str, *, idempotency_key: str) -> None:
        self._call(lambda: self.client.v1.terminal.readers.cancel_action(
            reader_id, options=self._opts(idempotency_key)))

    def cancel_intent(self, payment_intent_id: str, *, idempotency_key: str) -> Intent:
        return _intent(self._call(lambda: self.client.v1.payment_intents.cancel(
            payment_intent_id, options=self._opts(idempotency_key))))

    # --- saved card, off session (no-show penalties) ---

    def charge_saved_card(self, *, amount_cents: int, currency: str, customer_id: str, payment_method_id: str,
                          idempotency_key: str, metadata: dict[str, str], description: str) -> Intent:
        params = {
            "amount": int(amount_cents), "currency": currency.lower(), "customer": customer_id,
            "payment_method": payment_method_id, "off_session": True, "confirm": True,
            "metadata": dict(metadata), "description": description,
        }
        return _intent(self._call(lambda: self.client.v1.payment_intents.create(
            params, options=self._opts(idempotency_key))))

    # --- payment links (Checkout Sessions) ---

    def create_payment_link(self, *, amount_cents: int, currency: str, description: str, idempotency_key: str,
                            metadata: dict[str, str], success_url: str, cancel_url: str,
                            customer_id: str | None = None, customer_email: str | None = None) -> Link:
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [{
                "price_data": {"currency": currency.lower(), "unit_amount": int(amount_cents),
                               "product_data": {"name": description}},
                "quantity": 1,
            }],
            "payment_intent_data": {"metadata": dict(metadata), "description": description},
            "metadata": dict(metadata),
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if customer_id:
            params["customer"] = customer_id  # Stripe refuses customer and customer_email together
        elif customer_email:
            params["customer_email"] = customer_email
        return _link(self._call(lambda: self.client.v1.checkout.sessions.create(
            params, options=self._opts(idempotency_key))))

    def retrieve_payment_link(self, session_id: str) -> Link:
        return _link(self._call(lambda: self.client.v1.checkout.sessions.retrieve(session_id)))

    # --- customers ---

    def create_customer(self, *, name: str, email: str | None, phone: str | None, idempotency_key: str,
                        metadata: dict[str, str]) -> str:
        params: dict[str, Any] = {"name": name, "metadata": dict(metadata)}
        if email:
            params["email"] = email
        if phone:
            params["phone"] = phone
        created = self._call(lambda: self.client.v1.customers.create(params, options=self._opts(idempotency_key)))
        return _as_dict(created)["id"]

    # --- refunds ---

    def create_refund(self, *, payment_intent_id: str, amount_cents: int, idempotency_key: str,
                      metadata: dict[str, str]) -> RefundResult:
        params = {"payment_intent": payment_intent_id, "amount": int(amount_cents), "metadata": dict(metadata)}
        return _refund(self._call(lambda: self.client.v1.refunds.create(
            params, options=self._opts(idempotency_key))))

    def retrieve_refund(self, refund_id: str) -> RefundResult:
        return _refund(self._call(lambda: self.client.v1.refunds.retrieve(refund_id)))

    # --- events (catching up on missed webhooks) ---

    def list_events(self, *, created_gte: int | None, types: Sequence[str] | None = None,
                    page_size: int = 100) -> list[dict]:
        """Every event since `created_gte` (all pages), OLDEST FIRST, as plain dicts."""
        params: dict[str, Any] = {"limit": max(1, min(int(page_size), 100))}
        if created_gte is not None:
            params["created"] = {"gte": int(created_gte)}
        if types:
            params["types"] = list(types)

        def fetch() -> list[dict]:
            first = self.client.v1.events.list(params)
            return [_as_dict(event) for event in first.auto_paging_iter()]

        newest_first = self._call(fetch)
        return list(reversed(newest_first))


# --- webhooks -----------------------------------------------------------------------------------------


def _parse_signature_header(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None:
        raise ValueError("no timestamp")
    return timestamp, signatures


def _not_json(constant: str) -> None:
    """NaN and Infinity: Python reads them, JSON (and PostgreSQL's jsonb) has no such thing."""
    raise ValueError(f"{constant} is not JSON")


def verify_webhook(payload: bytes, signature_header: str | None, secret: str, *, tolerance: int = 300,
                   now: int | None = None) -> dict:
    """Check a webhook's `Stripe-Signature` and return the event as a plain dict.

    The signature is checked by the library's `stripe.WebhookSignature.verify_header` (HMAC-SHA256 of
    "{t}.{payload}", constant-time compared with every v1 entry). The library only compares the
    timestamp with the real clock and only rejects old ones, so the age is checked here against `now`
    (default: the real clock), in both directions: |now - t| > tolerance is refused.
    Anything wrong -> InvalidInput (exit 2) with a one-line reason.
    """
    import stripe

    if not secret or not secret.strip():
        raise StripeNotConfigured("Stripe webhooks are not set up: no webhook signing secret",
                                  hint="copy the endpoint's signing secret (whsec_...) from the Stripe dashboard")
    if not signature_header or not signature_header.strip():
        raise InvalidInput("no Stripe-Signature header", hint="only Stripe may call this endpoint")
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    try:
        text = bytes(payload).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the body is not UTF-8 text") from None
    try:
        if not signature_header.isascii():  # the library's constant-time compare raises on other text
            raise ValueError("not ASCII")
        timestamp, signatures = _parse_signature_header(signature_header)
    except ValueError:
        raise InvalidInput("malformed Stripe-Signature header") from None
    if not signatures:
        raise InvalidInput("bad signature (no v1 signature in the header)")
    try:
        stripe.WebhookSignature.verify_header(text, signature_header, secret, tolerance=None)
    except stripe.SignatureVerificationError:
        raise InvalidInput("bad signature", hint="check the webhook signing secret") from None
    current = int(time.time()) if now is None else int(now)
    if tolerance and abs(current - timestamp) > tolerance:
        age = current - timestamp
        when = f"{age} s old" if age > 0 else f"{-age} s in the future"
        raise InvalidInput(f"signature timestamp is {when} (limit {tolerance} s)",
                           hint="check the server's clock; Stripe resends events it could not deliver")
    try:
        event = json.loads(text, parse_constant=_not_json)
    except ValueError:
        raise InvalidInput("not JSON") from None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise InvalidInput("not a Stripe event (no id or type)")
    return event

