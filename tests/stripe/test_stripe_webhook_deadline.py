"""The webhook endpoint's deadline for a whole request (issue 26, item 17): a client that sends one byte
at a time, each just inside the read timeout, is cut off when the request's deadline passes. A real
socket trickles the bytes; the deadline is short so the test is quick."""

from __future__ import annotations

import select
import socket
import threading
import time
from contextlib import contextmanager

from salon_cli.web.stripe_webhook import REQUEST_DEADLINE, make_server

SECRET = "whsec_deadline"
READ_TIMEOUT, DEADLINE, PACE = 1.0, 0.6, 0.1  # every byte well inside the read timeout


@contextmanager
def serving(engine):
    lines: list[str] = []
    srv = make_server(engine, port=0, secret=SECRET, log=lines.append, timeout=READ_TIMEOUT, deadline=DEADLINE)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    srv.lines = lines
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def trickle(srv, request: bytes, *, at_once: int = 0) -> tuple[bytes, float]:
    """Send the first `at_once` bytes, then one byte every PACE seconds until the server answers or hangs
    up: (what it answered, seconds from the first byte)."""
    answer = b""
    with socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(request[:at_once])
        for i in range(at_once, len(request)):
            try:
                sock.sendall(request[i:i + 1])
            except OSError:  # the server hung up: this byte met a closed door
                break
            if select.select([sock], [], [], PACE)[0]:
                break
        try:
            while chunk := sock.recv(4096):
                answer += chunk
        except ConnectionResetError:
            pass
        return answer, time.monotonic() - started


def still_serving(srv) -> bool:
    with socket.create_connection(("127.0.0.1", srv.server_address[1]), timeout=5) as sock:
        sock.sendall(b"GET /stripe/webhook HTTP/1.1\r\nHost: x\r\n\r\n")
        return sock.recv(64).startswith(b"HTTP/1.0 405")


HEAD = (b"POST /stripe/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"X-Padding: " + b"x" * 40 + b"\r\nContent-Length: 40\r\n\r\n")


def test_trickled_headers_are_cut_off_at_the_deadline(engine):
    with serving(engine) as srv:
        answer, took = trickle(srv, HEAD)
        assert answer == b""  # no answer: the request never got as far as a request
        assert DEADLINE <= took < DEADLINE + READ_TIMEOUT
        assert still_serving(srv)
    assert any("Request timed out" in line and "deadline" in line for line in srv.lines), srv.lines


def test_a_trickled_body_is_cut_off_at_the_deadline_with_a_408(engine):
    with serving(engine) as srv:
        answer, took = trickle(srv, HEAD + b"{" + b" " * 38 + b"}", at_once=len(HEAD))
        assert answer.startswith(b"HTTP/1.0 408") and b"body not received in time" in answer
        assert DEADLINE <= took < DEADLINE + READ_TIMEOUT
        assert still_serving(srv)
    assert any(" 408 " in line for line in srv.lines), srv.lines


def test_the_default_deadline_is_ten_seconds_and_a_prompt_client_is_served(engine):
    assert REQUEST_DEADLINE == 10.0
    with serving(engine) as srv:
        answer, _ = trickle(srv, HEAD + b"{" + b" " * 38 + b"}", at_once=len(HEAD) + 40)
        assert answer.startswith(b"HTTP/1.0 400") and b"Stripe-Signature" in answer  # read whole, then judged
