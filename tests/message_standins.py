"""A real SMTP server (aiosmtpd) and a local stand-in for Twilio's Messages API, for the message tests.

(`tests/conftest.py` loads this module as a plugin: the fixtures `mail_server` and `twilio` are there.)

`MailServer` runs aiosmtpd on 127.0.0.1 in its own thread and keeps every message it accepted (parsed).
It can answer DATA with an error (`fail_next("451 4.3.0 try later", times=3)`), refuse a recipient for
good (`refuse("nobody@example.com")`), ask for a login, speak STARTTLS, or be stopped and started again
on the same port (while stopped, a connection is refused).

`TwilioStandIn` is a `ThreadingHTTPServer` answering `POST /2010-04-01/Accounts/{sid}/Messages.json`
as Twilio does: HTTP basic auth with the account sid and token, a form with To, From and Body, a 201
with the message's `sid`; or, when told (`fail_next(400, 21211, "...")`), Twilio's error body.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import socket
import subprocess
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address.lower() in self.server.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.server.lock:
            self.server.attempts += 1
            if self.server.failures:
                return self.server.failures.popleft()
            message = email.message_from_bytes(envelope.original_content or envelope.content,
                                               policy=email.policy.default)
            self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 Message accepted for delivery"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        """The text: the plain part of a message with attachments (an invitation, a receipt's PDF)."""
        return (self.message.get_body(preferencelist=("plain",)) or self.message).get_content().strip()


class MailServer:
    def __init__(self, *, login: tuple[str, str] | None = None, tls: Any = None) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self.failures: deque[str] = deque()
        self.refused: set[str] = set()
        self.attempts = 0
        self.lock = threading.Lock()
        self.logins: list[str] = []
        self._login = login
        self._tls = tls
        self._controller: Controller | None = None

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and self._login is not None:
            user, password = auth_data.login.decode(), auth_data.password.decode()
            self.logins.append(user)
            return AuthResult(success=(user, password) == self._login, handled=False)  # handled: no 535
        return AuthResult(success=False, handled=False)

    def start(self) -> None:
        kwargs: dict[str, Any] = {}
        if self._login is not None:
            # PLAIN only: smtplib's AUTH LOGIN sends the user with the command, which aiosmtpd 1.4 does not take
            kwargs.update(authenticator=self._authenticate, auth_required=True, auth_require_tls=self._tls is not None,
                          auth_exclude_mechanism=["LOGIN"])
        if self._tls is not None:
            kwargs.update(tls_context=self._tls, require_starttls=True)
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def fail_next(self, reply: str, *, times: int = 1) -> None:
        with self.lock:
            self.failures.extend([reply] * times)

    def refuse(self, address: str) -> None:
        self.refused.add(address.lower())

    def env(self, **extra: str) -> dict[str, str]:
        """The SALON_SMTP_* settings that point at this server."""
        return {"SALON_SMTP_HOST": "127.0.0.1" if self._tls is None else "localhost", "SALON_SMTP_PORT": str(self.port),
                "SALON_SMTP_FROM": "citas@salon.example", "SALON_SMTP_TLS": "none" if self._tls is None else "starttls",
                **extra}


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost made with the openssl command (every machine of this kind has it: a
    missing one fails the test rather than skipping the STARTTLS check)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                        str(cert), "-days", "1", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.fail(f"no openssl to make a test certificate: {exc}")
    return cert, key


# ----------------------------------------------------------------------------- Twilio

@dataclass
class TwilioRequest:
    path: str
    account: str | None
    token: str | None
    form: dict[str, str]
    status: int
    sid: str | None = None


@dataclass
class TwilioStandIn:
    account_sid: str = "AC" + "0" * 32
    auth_token: str = "token-secret"
    requests: list[TwilioRequest] = field(default_factory=list)
    failures: deque[tuple[int, int, str]] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def fail_next(self, status: int, code: int, message: str, *, times: int = 1) -> None:
        with self.lock:
            self.failures.extend([(status, code, message)] * times)

    @property
    def delivered(self) -> list[TwilioRequest]:
        return [r for r in self.requests if r.status == 201]

    def env(self) -> dict[str, str]:
        return {"SALON_TWILIO_ACCOUNT_SID": self.account_sid, "SALON_TWILIO_AUTH_TOKEN": self.auth_token,
                "SALON_TWILIO_SMS_FROM": "+15005550006", "SALON_TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
                "SALON_TWILIO_API_BASE": self.url}

    def answer(self, path: str, headers: Any, raw: bytes) -> tuple[int, dict[str, Any]]:
        account = token = None
        auth = headers.get("Authorization", "")
        if auth.startswith("Basic "):
            account, _, token = base64.b64decode(auth[6:]).decode().partition(":")
        form = {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
        with self.lock:
            expected = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
            if (account, token) != (self.account_sid, self.auth_token):
                status, body = 401, {"code": 20003, "message": "Authenticate", "status": 401}
            elif path != expected:
                status, body = 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
            elif self.failures:
                status, code, text = self.failures.popleft()
                body = {"code": code, "message": text, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        "status": status}
            else:
                status = 201
                body = {"sid": "SM" + uuid.uuid4().hex, "status": "queued", "to": form.get("To"),
                        "from": form.get("From"), "body": form.get("Body"), "account_sid": self.account_sid}
            self.requests.append(TwilioRequest(path, account, token, form, status, body.get("sid")))
        return status, body


@pytest.fixture
def twilio() -> Iterator[TwilioStandIn]:
    standin = TwilioStandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, body = standin.answer(self.path, self.headers, raw)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    standin.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield standin
    server.shutdown()
    server.server_close()
