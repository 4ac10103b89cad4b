"""How a message leaves the salon: e-mail through SMTP, SMS and WhatsApp through Twilio's REST API.

Each channel has the same small face (`Channel.send(message) -> provider id`) so that another provider
fits later. A send that may work later (the server busy, a 4xx reply, the network down, a login
refused while someone fixes the password) raises `RetryLater`; one that never will (a 5xx reply for
that address, a number the provider refuses) raises `Undeliverable`. A channel whose settings are
missing is not an error: `channels_from_env` names what is missing, and its messages are skipped.

Standard library only: `smtplib` and `email.message` for mail, `urllib.request` for Twilio.
"""

from __future__ import annotations

import base64
import json
import os
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Protocol

from salon_cli.core.errors import InvalidInput

TIMEOUT_S = 30.0
TLS_MODES = ("starttls", "ssl", "none")
_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
TWILIO_API = "https://api.twilio.com"


@dataclass(frozen=True)
class Attachment:
    """A file sent with an e-mail (a receipt's PDF); the outbox keeps it in the message's payload."""

    filename: str
    content_type: str  # e.g. application/pdf; parameters kept: text/calendar; charset=utf-8; method=PUBLISH
    data: bytes = field(repr=False)

    def to_payload(self) -> dict[str, str]:
        return {"filename": self.filename, "content_type": self.content_type,
                "data_base64": base64.b64encode(self.data).decode("ascii")}

    @classmethod
    def from_payload(cls, item: Mapping[str, str]) -> Attachment:
        return cls(filename=str(item["filename"]), content_type=str(item.get("content_type") or "application/octet-stream"),
                   data=base64.b64decode(item["data_base64"]))


@dataclass(frozen=True)
class OutgoingMessage:
    outbox_id: int
    channel: str
    to: str
    subject: str | None
    body: str
    sender_name: str  # the location's name, shown as the e-mail's sender
    attachments: tuple[Attachment, ...] = ()  # e-mail only: SMS and WhatsApp carry the body alone


class SendFailed(Exception):
    """The provider did not take the message."""


class RetryLater(SendFailed):
    """It may work on a later try."""


class Undeliverable(SendFailed):
    """It never will (the address or number is refused for good)."""


class Channel(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> str:
        """Hand the message over; return the provider's id for it (or raise `SendFailed`)."""
        ...


@dataclass(frozen=True)
class Unconfigured:
    """A channel that cannot send: why (`email: SALON_SMTP_HOST not set`)."""

    name: str
    reason: str


# ----------------------------------------------------------------------------- e-mail

@dataclass(frozen=True)
class SmtpEmail:
    host: str
    port: int
    sender: str
    tls: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # never in a repr, a log or a traceback
    timeout: float = TIMEOUT_S
    name: str = "email"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpEmail | Unconfigured:
        host = env.get("SALON_SMTP_HOST", "").strip()
        if not host:
            return Unconfigured("email", "email: SALON_SMTP_HOST not set")
        tls = (env.get("SALON_SMTP_TLS") or "starttls").strip().lower()
        if tls not in TLS_MODES:
            raise InvalidInput(f"SALON_SMTP_TLS {tls!r} is not one of {', '.join(TLS_MODES)}")
        port_text = (env.get("SALON_SMTP_PORT") or "").strip()
        if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
            raise InvalidInput(f"SALON_SMTP_PORT {port_text!r} is not a port number")
        user = (env.get("SALON_SMTP_USER") or "").strip() or None
        sender = (env.get("SALON_SMTP_FROM") or "").strip() or (user if user and "@" in user else "")
        if not sender:
            return Unconfigured("email", "email: SALON_SMTP_FROM not set")
        return cls(host=host, port=int(port_text) if port_text else _DEFAULT_PORTS[tls], sender=sender, tls=tls,
                   user=user, password=env.get("SALON_SMTP_PASSWORD") or None)

    def _message(self, message: OutgoingMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender if "<" in self.sender else formataddr((message.sender_name, self.sender))
        mail["To"] = message.to
        mail["Subject"] = message.subject or message.sender_name
        domain = self.sender.rpartition("@")[2].strip("> ") or None
        mail["Message-ID"] = make_msgid(idstring=f"salon.outbox.{message.outbox_id}", domain=domain)
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(message.body)
        for item in message.attachments:
            maintype, subtype, params = _content_type(item.content_type)
            mail.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.filename, params=params)
        return mail

    def _connect(self) -> smtplib.SMTP:
        if self.tls == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        server = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.tls == "starttls":
            server.starttls(context=ssl.create_default_context())
        return server

    def send(self, message: OutgoingMessage) -> str:
        mail = self._message(message)
        server: smtplib.SMTP | None = None
        try:
            server = self._connect()
            if self.user:
                server.login(self.user, self.password or "")
            server.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _by_code(code, text, f"SMTP refused {message.to}") from None
        except smtplib.SMTPAuthenticationError as exc:
            # the salon's own login: every message fails alike until it is fixed, so keep them queued
            raise RetryLater(f"SMTP login refused: {exc.smtp_code} {_text(exc.smtp_error)}") from None
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, exc.smtp_error, "SMTP") from None
        except (smtplib.SMTPException, OSError) as exc:  # refused, reset, timed out, TLS trouble, no STARTTLS
            raise RetryLater(f"SMTP {self.host}:{self.port}: {exc or type(exc).__name__}") from None
        finally:
            if server is not None:
                _hang_up(server)
        return str(mail["Message-ID"])


def _content_type(text: str) -> tuple[str, str, dict[str, str]]:
    """`text/calendar; charset=utf-8; method=PUBLISH` -> ("text", "calendar", {"charset": ..., "method": ...})."""
    kind, *rest = (part.strip() for part in text.split(";"))
    maintype, _, subtype = kind.lower().partition("/")
    params = {}
    for part in rest:
        name, equals, value = part.partition("=")
        if equals and name.strip():
            params[name.strip().lower()] = value.strip().strip('"')
    return maintype or "application", subtype or "octet-stream", params


def _hang_up(server: smtplib.SMTP) -> None:
    """QUIT, or just close: once the server took the message, trouble saying goodbye changes nothing."""
    try:
        server.quit()
    except (smtplib.SMTPException, OSError):
        server.close()


def _text(raw: bytes | str) -> str:
    return (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)).strip()


def _by_code(code: int, text: bytes | str, what: str) -> SendFailed:
    problem = f"{what}: {code} {_text(text)}"
    return Undeliverable(problem) if 500 <= code < 600 else RetryLater(problem)


# ----------------------------------------------------------------------------- SMS and WhatsApp

@dataclass(frozen=True)
class TwilioMessages:
    """Twilio's Messages resource: POST To, From and Body, form-encoded, with HTTP basic auth."""

    name: str  # sms | whatsapp
    account_sid: str
    auth_token: str = field(repr=False)
    sender: str
    api_base: str = TWILIO_API
    timeout: float = TIMEOUT_S

    @classmethod
    def from_env(cls, name: str, env: Mapping[str, str]) -> TwilioMessages | Unconfigured:
        sender_var = "SALON_TWILIO_SMS_FROM" if name == "sms" else "SALON_TWILIO_WHATSAPP_FROM"
        for var in ("SALON_TWILIO_ACCOUNT_SID", "SALON_TWILIO_AUTH_TOKEN", sender_var):
            if not (env.get(var) or "").strip():
                return Unconfigured(name, f"{name}: {var} not set")
        base = (env.get("SALON_TWILIO_API_BASE") or "").strip().rstrip("/") or TWILIO_API
        if not base.startswith(("https://", "http://")):
            raise InvalidInput(f"SALON_TWILIO_API_BASE {base!r} is not an http(s) address")
        return cls(name=name, account_sid=env["SALON_TWILIO_ACCOUNT_SID"].strip(),
                   auth_token=env["SALON_TWILIO_AUTH_TOKEN"].strip(), sender=env[sender_var].strip(), api_base=base)

    def _address(self, number: str) -> str:
        if self.name == "whatsapp" and not number.startswith("whatsapp:"):
            return f"whatsapp:{number}"
        return number

    def send(self, message: OutgoingMessage) -> str:
        url = f"{self.api_base}/2010-04-01/Accounts/{urllib.parse.quote(self.account_sid)}/Messages.json"
        form = urllib.parse.urlencode({"To": self._address(message.to), "From": self._address(self.sender),
                                       "Body": message.body}).encode()
        token = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(url, data=form, method="POST", headers={
            "Authorization": f"Basic {token}", "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json", "User-Agent": "salon-cli"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310 - our own https base
                answer = json.loads(reply.read() or b"{}")
        except urllib.error.HTTPError as exc:
            status, detail = exc.code, _twilio_error(exc)
            problem = f"Twilio {status}: {detail}"
            # 401/403: the salon's own credentials (fixable); 429 and 5xx: try again later
            if status in (401, 403, 408, 409, 429) or status >= 500:
                raise RetryLater(problem) from None
            raise Undeliverable(problem) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise RetryLater(f"Twilio {self.api_base}: {getattr(exc, 'reason', exc)}") from None
        sid = answer.get("sid") if isinstance(answer, dict) else None
        if not sid:
            raise RetryLater("Twilio answered without a message sid")
        if answer.get("status") in ("failed", "undelivered"):
            raise Undeliverable(f"Twilio {answer.get('error_code')}: {answer.get('error_message') or answer['status']}")
        return str(sid)


def _twilio_error(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        return exc.reason if isinstance(exc.reason, str) else str(exc.code)
    if isinstance(body, dict) and body.get("message"):
        return f"{body.get('code', '')} {body['message']}".strip()
    return str(exc.reason)


# ----------------------------------------------------------------------------- the set

Channels = dict[str, "Channel | Unconfigured"]


def channels_from_env(env: Mapping[str, str] | None = None) -> Channels:
    """Each channel as `SALON_SMTP_*` and `SALON_TWILIO_*` set it up (a bad value: exit 2)."""
    env = os.environ if env is None else env
    return {"email": SmtpEmail.from_env(env), "sms": TwilioMessages.from_env("sms", env),
            "whatsapp": TwilioMessages.from_env("whatsapp", env)}
