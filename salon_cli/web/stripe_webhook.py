"""The Stripe webhook endpoint: `POST /stripe/webhook` on the standard library's HTTP server.

Why the standard library: one endpoint that verifies, stores and applies (all in
`services.stripe.events`) needs no framework, and `salon` already ships everything it uses.
What a public endpoint needs is here, answered before any work is done:

* only `POST` on the one path (others 404, other methods 405 with `Allow: POST`);
* `Content-Length` required (411), once and without a `Transfer-Encoding` (400: two framings of one
  body are how requests are smuggled past a proxy), at most `max_body` bytes (413, the body is never
  read), `Content-Type: application/json` (415);
* a timeout on every read, and a deadline for the whole request (line, headers and body: `deadline`,
  `REQUEST_DEADLINE` seconds by default), so a client that trickles its request, a byte at a time
  just inside the read timeout, cannot hold a thread for long either: past the deadline the connection
  is closed (408 when the body was late);
* a bad, missing or stale signature is 400 with a JSON error, and nothing is stored;
* an applied, ignored or duplicate event is 200; an event whose effect fails is 500, stored as
  `failed`, so Stripe delivers it again (and the redelivery re-attempts it);
* every delivery gets a thread of its own (daemon threads); the database does the serialising;
* one line per delivery on stderr: never the payload, the signature or the secret.

It listens on loopback by default: put a TLS-terminating proxy (or `stripe listen --forward-to`)
in front of it. Binding another address prints a warning.
"""

from __future__ import annotations

import io
import ipaddress
import json
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from salon_cli.core.errors import InvalidInput, SalonError
from salon_cli.services.stripe import events as stripe_events

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

DEFAULT_PATH = "/stripe/webhook"
DEFAULT_MAX_BODY = 256 * 1024
READ_TIMEOUT = 10.0  # seconds one read of the socket may wait
REQUEST_DEADLINE = 10.0  # seconds the whole request may take to arrive, however its bytes trickle in


def _stderr(line: str) -> None:
    """A log line with the real time in UTC (it usually ends up in a file, not a journal)."""
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {line}", file=sys.stderr, flush=True)


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class WebhookServer(ThreadingHTTPServer):
    """A threading HTTP server that carries what its handlers need."""

    daemon_threads = True  # a stuck delivery never keeps the process alive
    request_queue_size = 128  # Stripe may deliver a burst at once
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], engine: Engine, *, secret: str, path: str, max_body: int,
                 socket_timeout: float, deadline: float, tolerance: int, log: Callable[[str], None]) -> None:
        self.engine, self.secret, self.path, self.max_body = engine, secret, path, max_body
        self.socket_timeout, self.deadline, self.tolerance, self.log = socket_timeout, deadline, tolerance, log
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[0], self.server_address[1]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}{self.path}"


class _WebhookServer6(WebhookServer):
    address_family = socket.AF_INET6


class _DeadlineReader(io.RawIOBase):
    """The connection as the handler reads it: each read waits at most the read timeout and never past
    the request's deadline; past it, every read raises TimeoutError."""

    def __init__(self, sock: socket.socket, read_timeout: float, deadline_at: float) -> None:
        super().__init__()
        self._sock, self._read_timeout, self._deadline_at = sock, read_timeout, deadline_at

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self._deadline_at - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive before its deadline")
        self._sock.settimeout(min(self._read_timeout, left))
        try:
            return self._sock.recv_into(buffer)
        except TimeoutError:
            if left < self._read_timeout:  # this wait was the rest of the deadline
                raise TimeoutError("the request did not arrive before its deadline") from None
            raise
        finally:
            self._sock.settimeout(self._read_timeout)  # what writing the answer may wait


class _Handler(BaseHTTPRequestHandler):
    server: WebhookServer
    protocol_version = "HTTP/1.0"  # one request per connection: no idle keep-alive holding a thread
    server_version = "salon-webhook"
    sys_version = ""

    def setup(self) -> None:
        self.timeout = self.server.socket_timeout  # StreamRequestHandler applies it to the socket
        super().setup()
        self.rfile.close()  # the library's reader, replaced by one that keeps the deadline
        self.rfile = io.BufferedReader(_DeadlineReader(self.connection, self.server.socket_timeout,
                                                       time.monotonic() + self.server.deadline))

    # --- logging: our own one line per delivery, nothing from the payload ---

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the library's name
        self.server.log(f"stripe webhook: {self.client_address[0]} {format % args}")

    def _log(self, status: int, started: float, what: str) -> None:
        path = urlsplit(self.path).path[:80]
        ms = int((time.monotonic() - started) * 1000)
        self.server.log(f"stripe webhook: {self.client_address[0]} {self.command} {path} {status} {what} {ms}ms")

    # --- answers ---

    def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(data)
            except OSError:  # the client went away; nothing more to do
                pass
        self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's own refusals (a malformed request line, an unknown method: 501, HTTP/2:
        505, an over-long line or header: 414, 431) as our JSON answers. Its own would be an HTML page,
        and, for a request line it cannot read, sent without a status line (as to an HTTP/0.9 client)."""
        self.log_error("code %d, message %s", code, message or "")
        self.request_version = "HTTP/1.0"  # we speak 1.0: always a status line and headers
        self._reply(code, {"error": (message or self.responses.get(code, ("error",))[0])[:200]})

    def _dispatch(self) -> None:
        started = time.monotonic()
        status, what = self._handle()
        self._log(status, started, what)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def _handle(self) -> tuple[int, str]:
        if urlsplit(self.path).path != self.server.path:
            self._reply(404, {"error": "not found"})
            return 404, "not found"
        if self.command != "POST":
            self._reply(405, {"error": "method not allowed: POST only"}, {"Allow": "POST"})
            return 405, "method not allowed"
        lengths = self.headers.get_all("Content-Length") or []
        if len(lengths) > 1 or (lengths and "Transfer-Encoding" in self.headers):
            self._reply(400, {"error": "one Content-Length and no Transfer-Encoding, please"})
            return 400, "ambiguous body length"
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self._reply(411, {"error": "Content-Length required"})
            return 411, "no Content-Length"
        try:
            length = int(length_header)
            if length < 0:
                raise ValueError
        except ValueError:
            self._reply(400, {"error": "bad Content-Length"})
            return 400, "bad Content-Length"
        if length > self.server.max_body:
            self._reply(413, {"error": f"body over {self.server.max_body} bytes"})
            return 413, f"body of {length} bytes refused"
        if self.headers.get_content_type() != "application/json":
            self._reply(415, {"error": "Content-Type must be application/json"})
            return 415, "wrong Content-Type"
        try:
            body = self.rfile.read(length) if length else b""
        except (TimeoutError, OSError):
            try:
                self._reply(408, {"error": "body not received in time"})
            except OSError:
                self.close_connection = True
            return 408, "body not received in time"
        if len(body) != length:
            self._reply(400, {"error": "body shorter than Content-Length"})
            return 400, "short body"
        return self._deliver(body)

    def _deliver(self, body: bytes) -> tuple[int, str]:
        try:
            got = stripe_events.receive(self.server.engine, body, self.headers.get("Stripe-Signature"),
                                        secret=self.server.secret, source="webhook",
                                        tolerance=self.server.tolerance)
        except InvalidInput as exc:
            self._reply(400, {"error": exc.message})
            return 400, f"refused: {exc.message}"
        except stripe_events.EventFailed as exc:
            self._reply(500, {"error": "the event could not be applied; it is stored as failed",
                              "id": exc.event_id})
            return 500, f"{exc.event_id} {exc.type} failed: {exc.error}"
        except SalonError as exc:
            self._reply(500, {"error": "the event could not be handled"})
            return 500, f"error: {exc.message}"
        except Exception as exc:  # the database is down, ...: Stripe will deliver it again
            self._reply(500, {"error": "internal error"})
            return 500, f"internal error: {type(exc).__name__}"
        self._reply(200, {"received": True, "id": got.event_id, "duplicate": got.duplicate, "status": got.status})
        return 200, f"{got.event_id} {got.type} {'duplicate' if got.duplicate else got.status}"


def make_server(engine: Engine, *, host: str = "127.0.0.1", port: int = 8787, secret: str,
                path: str = DEFAULT_PATH, max_body: int = DEFAULT_MAX_BODY, timeout: float = READ_TIMEOUT,
                deadline: float = REQUEST_DEADLINE, tolerance: int = 300,
                log: Callable[[str], None] | None = None) -> WebhookServer:
    """A bound, not yet serving, webhook server (port 0: any free port; see `.server_address`).
    `timeout`: what one read may wait; `deadline`: what the whole request may take to arrive."""
    if not secret or not secret.strip():
        raise InvalidInput("no webhook signing secret",
                           hint="set SALON_STRIPE_WEBHOOK_SECRET to the endpoint's signing secret (whsec_...)")
    if not path.startswith("/"):
        raise InvalidInput(f"webhook path {path!r} must start with /")
    log = log or _stderr
    cls = _WebhookServer6 if ":" in host else WebhookServer
    server = cls((host, port), engine, secret=secret.strip(), path=path, max_body=max_body,
                 socket_timeout=timeout, deadline=deadline, tolerance=tolerance, log=log)
    if not is_loopback(host):
        log(f"warning: listening on {host}, not only on this machine; put a TLS proxy in front of it "
            "(Stripe delivers only to https) and keep the port closed to everyone else")
    return server


def serve(engine: Engine, *, host: str = "127.0.0.1", port: int = 8787, secret: str, path: str = DEFAULT_PATH,
          max_body: int = DEFAULT_MAX_BODY, timeout: float = READ_TIMEOUT, deadline: float = REQUEST_DEADLINE,
          tolerance: int = 300, log: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted: Ctrl-C, SIGINT or SIGTERM (how systemd and docker stop a service)."""
    log = log or _stderr
    server = make_server(engine, host=host, port=port, secret=secret, path=path, max_body=max_body,
                         timeout=timeout, deadline=deadline, tolerance=tolerance, log=log)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    log(f"listening on {server.url} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log("stopped")
    finally:
        server.server_close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
