"""Concurrent front desks on one database: no "database is locked", no lost update.

SQLite takes the write lock up front (`BEGIN IMMEDIATE`) in every unit of work that writes, so two
processes that each read a row and then write it wait their turn instead of failing; PostgreSQL
locks the row (`SELECT ... FOR UPDATE`) that a read-modify-write changes. These tests run real OS
processes (and threads) against one database and check that every write landed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from salon_cli.core.errors import NotFound
from salon_cli.db.models import AuditLog, Product, Service
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import catalog
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView

PRODUCT = "gel"
SALON = Path(sys.executable).with_name("salon")
START_WAIT_S = 60  # a bound on every wait below, never a timing assertion

# One front desk: waits for the "go" file, then N times, each in ONE unit of work, reads the product's
# stock and writes stock + 1 (the read-modify-write a sale does), and adds a service with its own code.
_WORKER = r"""
import json, sys, time
from pathlib import Path

from salon_cli.db.engine import make_engine
from salon_cli.db.models import Product
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import catalog
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView

url, sync, tag, n = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
spec = json.loads(sys.argv[5])
actor, location = Actor(**spec["actor"]), LocationView(**spec["location"])
engine = make_engine(url)
with engine.connect():  # connect (and set the pragmas) before the race starts
    pass
(sync / f"ready-{tag}").touch()
deadline = time.monotonic() + 60
while not (sync / "go").exists():
    if time.monotonic() > deadline:
        sys.exit("no go signal")
    time.sleep(0.002)
for i in range(n):
    with UnitOfWork(engine) as uow:
        seen = catalog.find(uow.session, Product, location, "gel", lock=True).stock
        catalog.update_product(uow.session, actor=actor, location=location, ref="gel", stock=seen + 1)
        catalog.add_service(uow.session, actor=actor, location=location, name=f"Corte {tag}-{i}",
                            duration_min=30, price_cents=10000, code=f"w{tag}-{i}")
        uow.commit()
engine.dispose()
print(json.dumps({"tag": tag, "done": n}))
"""


def _owner(salon) -> Actor:
    owner = salon.owner
    return Actor(id=owner.id, code=owner.code, name=owner.name, role=owner.role)


def _add_product(engine, salon) -> None:
    with UnitOfWork(engine) as uow:
        catalog.add_product(uow.session, actor=_owner(salon), location=salon.location, name="Gel fijador",
                            price_cents=12000, stock=0, code=PRODUCT)
        uow.commit()


def _stock(engine, location: LocationView) -> int:
    with UnitOfWork(engine, write=False) as uow:
        return catalog.find(uow.session, Product, location, PRODUCT).stock


def _count(engine, query) -> int:
    with UnitOfWork(engine, write=False) as uow:
        return uow.session.exec(query).one()


def _wait_for(predicate, what: str) -> None:
    deadline = time.monotonic() + START_WAIT_S
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.01)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SALON_NOW", None)
    return env


@pytest.mark.slow
def test_processes_reading_then_writing_at_once_never_lock_and_lose_nothing(db_url, engine, salon, tmp_path):
    """3 processes x 40 read-then-write units of work on one row: every process exits 0, nothing is
    "database is locked", and the counter ends at exactly 3 x 40 (no lost update)."""
    processes, n = 3, 40
    _add_product(engine, salon)
    owner = _owner(salon)
    spec = json.dumps({"actor": owner.__dict__, "location": salon.location.__dict__})
    sync = tmp_path / "sync"
    sync.mkdir()
    engine.dispose()  # the children open their own connections; keep none open in the parent

    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, db_url, str(sync), str(k), str(n), spec],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_child_env())
        for k in range(processes)
    ]
    try:
        _wait_for(lambda: all((sync / f"ready-{k}").exists() or procs[k].poll() is not None
                              for k in range(processes)), "the workers to start")
        (sync / "go").touch()  # every worker starts its loop now
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()

    for p, (out, err) in zip(procs, outputs):
        assert "locked" not in (out + err).lower(), err
        assert p.returncode == 0, err
        assert json.loads(out)["done"] == n
    assert _stock(engine, salon.location) == processes * n
    assert _count(engine, select(func.count()).select_from(Service)) == processes * n
    # Rule 1: every change wrote its audit row in the same transaction, none was lost either.
    assert _count(engine, select(func.count()).select_from(AuditLog)
                  .where(col(AuditLog.action) == "product.set")) == processes * n
    assert _count(engine, select(func.count()).select_from(AuditLog)
                  .where(col(AuditLog.action) == "service.add")) == processes * n


def test_threads_reading_then_writing_at_once_lose_nothing(db_url, engine, salon):
    """The same counter from 4 threads sharing one engine: `FOR UPDATE` on PostgreSQL, `BEGIN IMMEDIATE`
    on SQLite; the stock ends at exactly 4 x 30."""
    threads, n = 4, 30
    _add_product(engine, salon)
    owner, location = _owner(salon), salon.location
    start = threading.Barrier(threads)

    def desk(tag: int) -> int:
        start.wait(timeout=START_WAIT_S)
        for _ in range(n):
            with UnitOfWork(engine) as uow:
                seen = catalog.find(uow.session, Product, location, PRODUCT, lock=True).stock
                catalog.update_product(uow.session, actor=owner, location=location, ref=PRODUCT, stock=seen + 1)
                uow.commit()
        return n

    with ThreadPoolExecutor(threads) as pool:
        done = [f.result(timeout=120) for f in [pool.submit(desk, k) for k in range(threads)]]
    assert done == [n] * threads
    assert _stock(engine, location) == threads * n


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_postgres_for_update_is_what_keeps_the_counter(db_url, engine, salon):
    """While one transaction holds the product row (`find(..., lock=True)`), a second read-for-update
    waits and then sees the committed stock, so its +1 lands on top (no lost update)."""
    _add_product(engine, salon)
    owner, location = _owner(salon), salon.location
    second_done = threading.Event()
    result: dict[str, int] = {}

    def second() -> None:
        with UnitOfWork(engine) as uow:
            seen = catalog.find(uow.session, Product, location, PRODUCT, lock=True).stock
            result["seen"] = seen
            catalog.update_product(uow.session, actor=owner, location=location, ref=PRODUCT, stock=seen + 1)
            uow.commit()
        second_done.set()

    with UnitOfWork(engine) as first:
        seen = catalog.find(first.session, Product, location, PRODUCT, lock=True).stock
        worker = threading.Thread(target=second)
        worker.start()
        # the second transaction cannot read the row for update while the first holds it
        assert not second_done.wait(timeout=0.5)
        catalog.update_product(first.session, actor=owner, location=location, ref=PRODUCT, stock=seen + 1)
        first.commit()
    worker.join(timeout=START_WAIT_S)
    assert second_done.is_set()
    assert result["seen"] == 1
    assert _stock(engine, location) == 2


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_writing_unit_of_work_takes_the_sqlite_write_lock_up_front(db_url, engine, salon):
    """`UnitOfWork(write=True)` begins IMMEDIATE: even after only a read, another writer cannot start
    (it would wait; here it has no busy timeout, so it is refused at once). A read-only one does not."""
    _add_product(engine, salon)
    path = db_url.removeprefix("sqlite:///")

    def other_writer_can_begin() -> bool:
        conn = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            return False
        finally:
            conn.close()

    with UnitOfWork(engine) as uow:
        catalog.find(uow.session, Product, salon.location, PRODUCT)
        assert not other_writer_can_begin()
    assert other_writer_can_begin()
    with UnitOfWork(engine, write=False) as uow:
        catalog.find(uow.session, Product, salon.location, PRODUCT)
        assert other_writer_can_begin()


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_two_cli_loops_at_once_on_sqlite(db_url, engine, salon):
    """Two terminals running `salon product set` / `salon service add` at the same time: every call
    exits 0, nothing says "locked", and every service landed."""
    loops, rounds = 2, 3
    _add_product(engine, salon)
    engine.dispose()
    start = threading.Barrier(loops)
    base = [str(SALON), "--db", db_url, "--as", "lucia", "--pin", "1234"]

    def terminal(tag: int) -> list[subprocess.CompletedProcess[str]]:
        start.wait(timeout=START_WAIT_S)
        done = []
        for i in range(rounds):
            for args in (["product", "set", PRODUCT, "--stock", str(10 * tag + i), "-f", "json"],
                         ["service", "add", f"Corte {tag}-{i}", "--code", f"t{tag}-{i}",
                          "--duration", "30", "--price", "100", "-f", "json"]):
                done.append(subprocess.run(base + args, capture_output=True, text=True, env=_child_env(),
                                           timeout=120))
        return done

    with ThreadPoolExecutor(loops) as pool:
        calls = [c for f in [pool.submit(terminal, k) for k in range(loops)] for c in f.result(timeout=300)]

    assert len(calls) == loops * rounds * 2
    for call in calls:
        assert "locked" not in call.stderr.lower(), call.stderr
        assert call.returncode == 0, (call.args, call.stderr)
        json.loads(call.stdout)
    codes = {f"t{tag}-{i}" for tag in range(loops) for i in range(rounds)}
    with UnitOfWork(engine, write=False) as uow:
        for code in codes:
            try:
                catalog.find(uow.session, Service, salon.location, code)
            except NotFound:
                pytest.fail(f"service {code} was lost")
    # the last write wins, and it is one that some terminal made
    assert _stock(engine, salon.location) in {10 * tag + rounds - 1 for tag in range(loops)}
