"""Faults (issue 11): a `salon` process killed (SIGKILL) inside close-day, the imports of clients,
appointments and sales, a checkout and a webhook delivery leaves the database as it was before or as
it is after, never in between; the next run completes. A PostgreSQL connection cut in the middle of a transaction is exit 5, nothing half
written. SQLite on a full disk or a read-only file is a one-line error naming the file, nothing written.

How a kill lands inside a transaction, every time: the command runs under tests/fault_child.py, which
stops it at a chosen point (before the first write, half-way through the writes -- in an import that is
between its bulk inserts --, just before COMMIT, just after it) and says so; only then does the test
send SIGKILL. "Before" is a snapshot of every table (row counts and row checksums) taken first; "after"
is the snapshot of a copy of the database on which the same command ran to the end.

Also: a cron job killed mid-run leaves no lock that refuses the next run (SQLite's lock row), and the
next run marks the killed run `abandoned` in `salon jobs`.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from fault_helpers import (
    CHILD, SALON, Databases, count_points, counts, differences, env, is_postgres, one_line_error, run, snapshot,
    start_paused, terminate_backend,
)
from cli_helpers import allow_clock_override
from shop import make_shop

pytestmark = pytest.mark.slow

MANAGER = ["--as", "marco", "--pin", "2222"]
DESK = ["--as", "sofia", "--pin", "2222"]
OWNER = ["--as", "lucia", "--pin", "1234"]
SECRET = "whsec_fault_tests"


@pytest.fixture
def salon(salon, engine):
    """conftest's salon with the owner's switch on: the `salon` processes here run under SALON_NOW
    (fault_helpers.env), honoured in commands that change data only where it is allowed."""
    allow_clock_override(engine)
    return salon


@pytest.fixture
def dbs(tmp_path, db_url):
    made = Databases(tmp_path)
    yield made
    made.drop_all(db_url if is_postgres(db_url) else None)


def _state_index(points: list[tuple[str, int]], at: str) -> int:
    """How many transactions have committed when the run reaches `at`: the state a kill there leaves."""
    kind, _, number = at.partition(":")
    done = 0
    for point in points:
        if point == (kind, int(number)):
            return done + (kind == "committed")
        done += point[0] == "committed"
    raise AssertionError(f"{at} is not among {points}")


def kill_points(points: list[tuple[str, int]]) -> list[str]:
    """The first write, the middle one, each COMMIT (just before it is sent), and just after the last."""
    writes = [n for kind, n in points if kind == "write"]
    commits = [n for kind, n in points if kind == "commit"]
    chosen = [f"write:{writes[0]}", f"write:{writes[len(writes) // 2]}"]
    chosen += [f"commit:{n}" for n in commits] + [f"committed:{commits[-1]}"]
    return list(dict.fromkeys(chosen))


def kill_everywhere(db_url: str, args: list[str], dbs: Databases, workdir: Path, *, again_after: int,
                    again_audits: int = 0) -> list[str]:
    """Kill `salon ARGS` at each point of `kill_points`: the database is as before (points before the
    COMMIT) or as after (the point after it), and a second run completes: to the after state, or, run
    after the end, it is refused or a no-op (exit `again_after`, adding only `again_audits` audit rows).

    The kills before the COMMIT go one after the other on one copy (each run after a kill gets past the
    point where the last one died: no lock or journal is left in its way), then it runs to the end."""
    before = snapshot(db_url)
    twin = dbs.copy(db_url)
    done, points = count_points(twin, args, workdir)
    assert done.code == 0, done.stderr
    after = snapshot(twin)
    assert after != before
    assert sum(kind == "commit" for kind, _ in points) == 1, f"one transaction expected: {points}"
    chosen = kill_points(points)
    copy = dbs.copy(db_url)
    for at in chosen[:-1]:
        assert _state_index(points, at) == 0
        paused = start_paused(copy, args, workdir, at)
        assert paused.kill() == -signal.SIGKILL
        got = snapshot(copy)
        assert got == before, f"killed at {at}: not as before: {differences(got, before)}"
    again = run(copy, args, workdir)
    assert again.code == 0, again.stderr
    _assert_like(snapshot(copy), after, db_url, "the run after the kills")

    at = chosen[-1]  # committed: the process dies after COMMIT, before it has said anything
    copy = dbs.copy(db_url)
    paused = start_paused(copy, args, workdir, at)
    assert paused.kill() == -signal.SIGKILL
    got = snapshot(copy)
    assert got == after, f"killed at {at}: not as after: {differences(got, after)}"
    again = run(copy, args, workdir)
    assert again.code == again_after, (at, again.stderr)
    _assert_unchanged(snapshot(copy), after, at, again_audits)
    return chosen


def _assert_unchanged(got, after, at: str, audits: int) -> None:
    assert {k: v for k, v in got.items() if k != "audit_log"} == {k: v for k, v in after.items() if k != "audit_log"}, \
        (at, differences(got, after))
    assert got["audit_log"][0] == after["audit_log"][0] + audits, at


def _assert_like(got, after, db_url: str, at: str) -> None:
    """The run after a kill ends where an unbroken run ends. On PostgreSQL the killed run used up
    sequence numbers (nextval is never rolled back), so new rows have other ids: compare row counts."""
    if is_postgres(db_url):
        assert counts(got) == counts(after), (at, differences(got, after))
    else:
        assert got == after, (at, differences(got, after))


def _release(engine) -> None:
    """Hand the prepared database over to other processes."""
    from salon_cli.db import engine as engine_module

    engine.dispose()
    engine_module.dispose_all()


# ----------------------------------------------------------------------------- close-day


def _day_of_sales(engine) -> Any:
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.closing import expenses
    from salon_cli.services.till import sales, tenders, tickets

    shop = make_shop(engine)
    with UnitOfWork(engine) as uow:
        s = uow.session
        for method, product in (("cash", "shampoo"), ("card", "shampoo"), ("cash", "shampoo")):
            sale = tickets.open_sale(s, actor=shop.sofia, location=shop.loc, client_id=shop.pedro)
            sales.add_product(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, product=product)
            tenders.pay(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method=method)
        expenses.add(s, actor=shop.marco, location=shop.loc, amount_cents=5000, category="supplies",
                     description="towels", paid_from="cash")
        uow.commit()
    return shop


def test_close_day_killed_anywhere_is_before_or_after(db_url, engine, salon, dbs, tmp_path):
    _day_of_sales(engine)
    _release(engine)
    args = [*MANAGER, "close-day", "--counted-cash", "300", "--note", "counted twice", "-f", "json"]
    chosen = kill_everywhere(db_url, args, dbs, tmp_path, again_after=1)  # again, after: "already closed"
    assert chosen[0] == "write:1" and chosen[-1] == "committed:1"


# ----------------------------------------------------------------------------- checkout


def test_checkout_killed_anywhere_is_before_or_after(db_url, engine, salon, dbs, tmp_path):
    shop = make_shop(engine)
    _release(engine)
    args = [*DESK, "checkout", str(shop.appt), "--pay", "card:100", "--pay", "cash", "--tip", "20",
            "--product", "shampoo:1", "-f", "json"]
    # a sale, its lines, two payments, stock, the appointment completed, loyalty enrolment and earn, audit
    kill_everywhere(db_url, args, dbs, tmp_path, again_after=1)  # again, after: the visit is paid already


# ----------------------------------------------------------------------------- import


def _clients_csv(path: Path, rows: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["first_name", "last_name", "phone", "email", "tags"])
        for n in range(rows):
            writer.writerow([f"Cliente{n}", f"Apellido{n % 97}", f"55{n:08d}", f"c{n}@example.com",
                             "vip" if n % 3 == 0 else ""])
    return path


def test_import_killed_anywhere_is_before_or_after(db_url, engine, salon, dbs, tmp_path):
    """1,200 clients: more than one batch (500) of look-ups; the bulk inserts of clients, tags, search
    keys and audit rows are separate statements (COPY on PostgreSQL), so "the middle" falls between them."""
    make_shop(engine)
    _release(engine)
    source = _clients_csv(tmp_path / "clients.csv", 1200)
    args = [*OWNER, "import", "clients", str(source)]
    # again, after: 0 new, 1,200 already here (and the import's own audit row)
    kill_everywhere(db_url, args, dbs, tmp_path, again_after=0, again_audits=1)


def _visits_csv(path: Path, rows: int, shop: Any) -> Path:
    """Another system's book: past visits done (and some no-shows), future ones booked."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["external_id", "client", "service", "staff", "date", "time", "status"])
        for n in range(rows):
            month, day, hour = 1 + n // 120, 1 + n % 28, 9 + (n // 28) % 8
            status = "booked" if month == 12 else ("no show" if n % 17 == 0 else "done")
            writer.writerow([f"V-{n}", shop.ximena if n % 2 else shop.pedro, "corte;tinte" if n % 5 == 0 else "corte",
                             "ana" if n % 2 else "beto", f"2026-{month:02d}-{day:02d}", f"{hour}:00", status])
    return path


def test_appointment_import_killed_anywhere_is_before_or_after(db_url, engine, salon, dbs, tmp_path):
    """1,200 visits over the year, some with two services: appointments, their items and audit rows
    go in by separate bulk inserts, so "the middle" falls between them."""
    shop = make_shop(engine)
    _release(engine)
    source = _visits_csv(tmp_path / "visits.csv", 1200, shop)
    args = [*OWNER, "import", "appointments", str(source)]
    # again, after: 0 new, 1,200 unchanged (and the import's own audit row)
    kill_everywhere(db_url, args, dbs, tmp_path, again_after=0, again_audits=1)


def _receipts_csv(path: Path, receipts: int) -> Path:
    """Another system's till: each receipt a service and a product, paid cash or card, a tip on some."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["receipt", "date", "time", "client", "staff", "description", "quantity", "amount",
                         "method", "tip"])
        for n in range(receipts):
            day = f"2026-{1 + n // 60:02d}-{1 + n % 28:02d}"
            method, tip = ("card", "20") if n % 3 == 0 else ("cash", "")
            writer.writerow([f"T-{n}", day, "10:30", 1 + n % 2, "ana", "Corte", 1, "350", method, tip])
            writer.writerow([f"T-{n}", day, "10:30", 1 + n % 2, "ana", "Shampoo", 2, "360", method, ""])
    return path


def test_sales_import_killed_anywhere_is_before_or_after(db_url, engine, salon, dbs, tmp_path):
    """600 receipts of two lines each (1,200 rows): sales, lines, payments and audit rows in separate
    bulk inserts."""
    make_shop(engine)
    _release(engine)
    source = _receipts_csv(tmp_path / "receipts.csv", 600)
    args = [*OWNER, "import", "sales", str(source)]
    kill_everywhere(db_url, args, dbs, tmp_path, again_after=0, again_audits=1)


# ----------------------------------------------------------------------------- webhook


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Webhook:
    """`salon stripe serve` in a process of its own (under the fault child when `hook` is given)."""

    def __init__(self, url: str, workdir: Path, hook: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        argv = [sys.executable, CHILD] if hook is not None else [SALON]
        self.process = subprocess.Popen(
            [*argv, "--db", url, "stripe", "serve", "--port", str(self.port)], cwd=workdir,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env=env(workdir, SALON_STRIPE_WEBHOOK_SECRET=SECRET, **(hook or {})))
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert self.process.poll() is None, self.process.communicate()[1].decode()
                assert time.monotonic() < deadline, "the webhook server did not start"
                time.sleep(0.05)

    def post(self, evt: dict) -> tuple[int, str]:
        from stripe_standin import signed

        payload, header = signed(evt, SECRET)
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/stripe/webhook", data=payload, method="POST",
                                         headers={"Content-Type": "application/json", "Stripe-Signature": header})
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except (urllib.error.URLError, ConnectionError, OSError) as exc:  # killed while we waited
            return 0, str(exc)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        _, err = self.process.communicate(timeout=60)
        return err.decode(errors="replace")


def _pending_stripe_sale(engine) -> tuple[str, dict]:
    """An open sale of Ximena's (a loyalty client-to-be) with a pending Stripe payment; its success event."""
    from salon_cli.db.models import Payment
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.till import tickets

    shop = make_shop(engine)
    with UnitOfWork(engine) as uow:
        s = uow.session
        sale = tickets.create(s, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
        s.refresh(sale)
        s.add(Payment(sale_id=sale.id, location_id=shop.loc.id, method="stripe", status="pending",
                      amount_cents=sale.total_cents, business_date=sale.business_date,
                      stripe_payment_intent_id="pi_fault1", created_at=sale.created_at))
        uow.commit()
        total = sale.total_cents
    intent = {"id": "pi_fault1", "object": "payment_intent", "amount": total, "amount_received": total,
              "currency": "mxn", "status": "succeeded", "latest_charge": "ch_fault1", "metadata": {}}
    evt = {"id": "evt_fault_1", "object": "event", "api_version": "2024-06-20", "created": 1_700_000_000,
           "data": {"object": intent}, "livemode": False, "pending_webhooks": 1, "type": "payment_intent.succeeded"}
    return "evt_fault_1", evt


def _stored_only(url: str, evt: dict, dbs: Databases) -> dict:
    """The designed half-way state, made in-process: the event stored (`received`), not yet applied.
    Stripe redelivers until it gets a 200, and a redelivery of a `received` event applies it."""
    from salon_cli.db.engine import make_engine
    from salon_cli.services.stripe import events as stripe_events

    copy = dbs.copy(url)
    engine = make_engine(copy)
    try:
        assert stripe_events._store(engine, evt, "webhook") is None
    finally:
        engine.dispose()
    return snapshot(copy)


def test_webhook_killed_anywhere_is_before_stored_or_after(db_url, engine, salon, clock, dbs, tmp_path):
    event_id, evt = _pending_stripe_sale(engine)
    _release(engine)
    before = snapshot(db_url)
    stored = _stored_only(db_url, evt, dbs)

    twin = dbs.copy(db_url)
    log = tmp_path / "webhook-points.log"
    server = Webhook(twin, tmp_path, hook={"FAULT_LOG": str(log)})
    assert server.post(evt)[0] == 200
    server.stop()
    after = snapshot(twin)
    points = [(line.split()[0], int(line.split()[1])) for line in log.read_text().splitlines()]
    assert [p for p in points if p[0] != "write"] == [("commit", 1), ("committed", 1), ("commit", 2), ("committed", 2)]
    assert before != stored != after
    states = [before, stored, after]

    # the first write (the event row), both COMMITs (store; apply, all its writes sent), after the last
    for at in ("write:1", "commit:1", "commit:2", "committed:2"):
        copy = dbs.copy(db_url)
        ready, go = tmp_path / f"ready-{at}", tmp_path / f"go-{at}"
        server = Webhook(copy, tmp_path, hook={"FAULT_AT": at, "FAULT_READY": str(ready), "FAULT_GO": str(go)})
        answers: list[tuple[int, str]] = []
        poster = threading.Thread(target=lambda: answers.append(server.post(evt)))
        poster.start()
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert server.process.poll() is None and time.monotonic() < deadline, f"never reached {at}"
            time.sleep(0.02)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(60)
        poster.join(60)
        assert answers and answers[0][0] != 200  # Stripe got no 200: it will deliver again
        want = _state_index(points, at)
        got = snapshot(copy)
        assert got == states[want], f"killed at {at}: {differences(got, states[want])}"
        # Stripe's redelivery, to a restarted server, applies it once (or answers "duplicate")
        server = Webhook(copy, tmp_path)
        status, body = server.post(evt)
        server.stop()
        assert status == 200, body
        assert ('"duplicate": true' in body) == (want == 2), body
        _assert_like(snapshot(copy), after, db_url, at)


# ----------------------------------------------------------------------------- PostgreSQL: connection lost


def _new_salon(url: str) -> Any:
    """What conftest's `engine` and `salon` fixtures make, on a database of this test's own."""
    from salon_cli.db import migrate
    from salon_cli.db.engine import make_engine
    from salon_cli.services.salon.setup import initialise

    engine = make_engine(url)
    migrate.upgrade(engine)
    initialise(engine, location_code="centro", location_name="Salón Centro", timezone="America/Mexico_City",
               currency="MXN", owner_name="Lucía Hernández", owner_code="lucia", owner_pin="1234",
               allow_clock_override=True)  # the `salon` processes run under SALON_NOW (fault_helpers.env)
    return engine


@pytest.mark.postgres
def test_postgres_connection_lost_mid_transaction_is_exit_5_and_nothing_saved(pg_url, clock, tmp_path):
    """The server ends the backend of a checkout while it is inside its transaction (half its rows
    written; then about to commit): exit 5, one line, nothing saved; the checkout then goes through."""
    engine = _new_salon(pg_url)
    shop = make_shop(engine)
    _release(engine)
    before = snapshot(pg_url)
    args = [*DESK, "checkout", str(shop.appt), "--pay", "card:100", "--pay", "cash", "--product", "shampoo:1"]
    for at in ("write:4", "commit:1"):
        paused = start_paused(pg_url, args, tmp_path, at)
        assert paused.info["backend_pid"], paused.info
        assert terminate_backend(pg_url, paused.info["backend_pid"])
        done = paused.resume()
        assert done.code == 5, (at, done.stderr)
        assert one_line_error(done.stderr) == "error: the database connection was lost; nothing was saved", at
        assert done.stdout == ""
        assert snapshot(pg_url) == before, at
    again = run(pg_url, args, tmp_path)
    assert again.code == 0, again.stderr
    assert counts(snapshot(pg_url))["payment"] == 2


# ----------------------------------------------------------------------------- SQLite: full disk, read-only file


def test_sqlite_full_disk_is_a_clear_error_and_nothing_written(sqlite_url, clock, tmp_path):
    """SQLITE_FULL, as a full disk gives it: the database may not grow past a few pages
    (`PRAGMA max_page_count`, set in the child) while 1,200 clients are imported."""
    _release(_new_salon(sqlite_url))
    before = snapshot(sqlite_url)
    source = _clients_csv(tmp_path / "clients.csv", 1200)
    args = [*OWNER, "import", "clients", str(source)]
    done = run(sqlite_url, args, tmp_path, hook={"FAULT_SQLITE_ROOM": "4"})
    path = sqlite_url.removeprefix("sqlite:///")
    assert done.code == 2, done.stderr
    assert one_line_error(done.stderr) == f"error: cannot write the database {path}: the disk is full; nothing was saved"
    assert snapshot(sqlite_url) == before
    again = run(sqlite_url, args, tmp_path)  # room again: it goes through
    assert again.code == 0, again.stderr
    assert counts(snapshot(sqlite_url))["client"] == 1200


def _cannot(why: str) -> None:
    """This machine cannot stage the fault: a skip on a developer's machine, a failure under CI (the
    machine kind CI runs on can: root, CAP_SYS_ADMIN, setpriv), so CI never passes without the check."""
    if os.environ.get("CI"):
        pytest.fail(f"{why}; CI's machine must be able to", pytrace=False)
    pytest.skip(why)


def test_sqlite_on_a_really_full_disk(clock, tmp_path):
    """The same on a real filesystem out of space (a 3 MB tmpfs, filled): only where this test may mount one."""
    small = tmp_path / "small"
    small.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(small)],
                                           capture_output=True).returncode != 0:
        _cannot("cannot mount a small tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        url = f"sqlite:///{small / 'salon.db'}"
        _release(_new_salon(url))
        before = snapshot(url)
        with open(small / "filler", "wb") as filler:  # what is left of the 3 MB, less 64 KB
            free = shutil.disk_usage(small).free
            filler.write(b"\0" * max(free - 64 * 1024, 0))
        source = _clients_csv(tmp_path / "clients.csv", 1200)
        args = [*OWNER, "import", "clients", str(source)]
        done = run(url, args, tmp_path)
        assert done.code == 2, done.stderr
        assert one_line_error(done.stderr) == f"error: cannot write the database {small / 'salon.db'}: the disk is full; nothing was saved"
        (small / "filler").unlink()
        assert snapshot(url) == before
        assert run(url, args, tmp_path).code == 0
    finally:
        from salon_cli.db import engine as engine_module

        engine_module.dispose_all()
        subprocess.run(["umount", "-l", str(small)], capture_output=True)


def _without_file_override() -> list[str] | None:
    """How to run a child that file permissions bind. Not root: as is. Root ignores them, so root's
    child runs without the capabilities that override them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
    the same process, bound by the file's mode like any other user. None: no way to do that here."""
    if os.geteuid() != 0:
        return []
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    if shutil.which("setpriv") and subprocess.run([*prefix, "true"], capture_output=True).returncode == 0:
        return prefix
    return None


@pytest.mark.parametrize("folder_too", [False, True], ids=["file", "file-and-folder"])
def test_sqlite_read_only_file_is_a_clear_error_and_nothing_written(clock, folder_too):
    prefix = _without_file_override()
    if prefix is None:
        _cannot("running as root without setpriv: file modes do not bind this process")
    home = Path(tempfile.mkdtemp(prefix="salon-ro-"))  # not under pytest's 0700 folder
    folder = home / "data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'salon.db'}"
    try:
        _release(_new_salon(url))
        before = snapshot(url)
        for leftover in folder.glob("salon.db-*"):  # closed cleanly: no -wal or -shm
            leftover.unlink()
        (folder / "salon.db").chmod(0o400)
        if folder_too:
            folder.chmod(0o555)
        done = run(url, [*OWNER, "client", "add", "--first", "Ana", "--last", "Ruiz"], home, prefix=prefix)
        folder.chmod(0o755)
        (folder / "salon.db").chmod(0o600)
        assert done.code == 2, done.stderr
        line = one_line_error(done.stderr)
        assert line.startswith(f"error: cannot write the database {folder / 'salon.db'}: it is read-only"), line
        assert snapshot(url) == before
        again = run(url, [*OWNER, "client", "add", "--first", "Ana", "--last", "Ruiz"], home, prefix=prefix)
        assert again.code == 0, again.stderr
    finally:
        folder.chmod(0o755)
        shutil.rmtree(home, ignore_errors=True)


# ----------------------------------------------------------------------------- cron: no lock left behind


def test_a_cron_job_killed_mid_run_leaves_no_lock_behind(db_url, engine, salon, dbs, tmp_path):
    """detect-no-shows killed just before its work commits: nothing marked; the next run (cron's next
    tick) is not refused as busy for the rest of a lease, and marks the no-show. (PostgreSQL's advisory
    lock ends with the connection; SQLite's lock row names a process that no longer exists.)"""
    make_shop(engine)  # Ximena's corte at 12:00 today
    _release(engine)
    args = ["detect-no-shows", "--as-of", "2026-11-21T13:00:00-06:00"]  # 12:00 plus the grace has passed
    later = {"SALON_NOW": "2026-11-21T13:30:00-06:00"}  # --as-of replays the past only
    twin = dbs.copy(db_url)
    done, points = count_points(twin, args, tmp_path, extra_env=later)
    assert done.code == 0 and "marked 1 " in done.stderr, done.stderr
    # the work's COMMIT; after it come the run's record and, on SQLite, the release of the lock row
    # (PostgreSQL's advisory lock writes nothing)
    work = sum(kind == "commit" for kind, _ in points) - (1 if is_postgres(db_url) else 2)
    before = snapshot(db_url)
    paused = start_paused(db_url, args, tmp_path, f"commit:{work}", extra_env=later)
    assert paused.kill() == -signal.SIGKILL
    got = snapshot(db_url)
    for table in ("appointment", "penalty", "client", "outbox"):
        assert got[table] == before[table], table
    again = run(db_url, args, tmp_path, extra_env=later)
    assert again.code == 0, again.stderr
    assert "marked 1 " in again.stderr
    after = snapshot(db_url)
    assert after["appointment"] != before["appointment"] and after["penalty"][0] == 1
    listed = run(db_url, ["jobs", "--job", "detect-no-shows", "-f", "json"], tmp_path)
    assert listed.code == 0, listed.stderr
    newest, killed = json.loads(listed.stdout)[:2]
    assert (newest["status"], killed["status"]) == ("ok", "abandoned")  # not `running` for ever
