"""Two front desks (real OS processes) on one card at the same moment, on SQLite and PostgreSQL:
the last points are redeemed once, a stamp's cooldown and daily cap hold, expire-points run twice at
once ends as if run once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import select

from salon_cli.db.models import JobRun, Redemption
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.loyalty import cards as loyalty, program as loyalty_program, rewards as loyalty_rewards
from salon_cli.services.loyalty import ledger
from shop import OWNER, make_shop

START_WAIT_S = 60  # a bound on every wait, never a timing assertion

# One desk: waits for the "go" file, then does one thing and prints what happened.
_WORKER = r"""
import json, sys, time
from pathlib import Path

from salon_cli.core.errors import SalonError
from salon_cli.db.engine import make_engine
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.loyalty import expiry as points_expiry
from salon_cli.services.loyalty import rewards as loyalty_rewards
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView

url, sync, tag = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
spec = json.loads(sys.argv[4])
actor, location = Actor(**spec["actor"]), LocationView(**spec["location"])
engine = make_engine(url)
with engine.connect():
    pass
(sync / f"ready-{tag}").touch()
deadline = time.monotonic() + 60
while not (sync / "go").exists():
    if time.monotonic() > deadline:
        sys.exit("no go signal")
    time.sleep(0.001)
try:
    if spec["op"] == "expire":
        report = points_expiry.expire(engine)
        out = {"ok": True, "points": report.points}
    else:
        with UnitOfWork(engine) as uow:
            if spec["op"] == "redeem":
                row = loyalty_rewards.redeem(uow.session, actor=actor, location=location,
                                             client_id=spec["client"], reward_id=spec["reward"])
                out = {"ok": True, "code": row.code}
            else:
                row = loyalty_rewards.stamp(uow.session, actor=actor, location=location, client_id=spec["client"])
                out = {"ok": True, "stamps": row.stamps}
            uow.commit()
except SalonError as exc:
    out = {"ok": False, "error": type(exc).__name__, "message": exc.message, "code": exc.exit_code}
engine.dispose()
print(json.dumps(out))
"""


def _race(db_url: str, tmp_path: Path, spec: dict, n: int = 2) -> list[dict]:
    sync = tmp_path / "sync"
    sync.mkdir()
    script = tmp_path / "desk.py"
    script.write_text(_WORKER)
    env = {**os.environ, "SALON_NOW": "2026-11-21T11:00:00-06:00"}  # both desks at the very same instant
    procs = [subprocess.Popen([sys.executable, str(script), db_url, str(sync), str(i), json.dumps(spec)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                              cwd=Path(__file__).parent) for i in range(n)]
    deadline = time.monotonic() + START_WAIT_S
    while len(list(sync.glob("ready-*"))) < n:
        assert time.monotonic() < deadline, [p.stderr.read() for p in procs if p.poll() is not None]
        time.sleep(0.01)
    (sync / "go").touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=START_WAIT_S)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _spec(shop, op: str, **extra) -> dict:
    loc = shop.loc
    return {"op": op, "actor": {"id": shop.sofia.id, "code": "sofia", "name": "Sofía", "role": "receptionist",
                                "verified": True},
            "location": {"id": loc.id, "code": loc.code, "name": loc.name, "timezone": loc.timezone,
                         "currency": loc.currency, "address": loc.address, "phone": loc.phone, "active": True},
            **extra}


def _setup(engine, **program):
    shop = make_shop(engine)
    with UnitOfWork(engine) as uow:
        if program.get("type") in ("stamps", "hybrid"):  # a full card gives a reward of the catalog
            program["stamps_reward"] = str(loyalty_rewards.add_reward(
                uow.session, actor=OWNER, location=shop.loc, name="A free corte", kind="free_service", points=0,
                service="corte").id)
        loyalty_program.update(uow.session, actor=OWNER, location=shop.loc, **program)
        uow.commit()
    return shop


def _balanced(engine, client_id):
    with UnitOfWork(engine, write=False) as uow:
        figures = ledger.check(uow.session, loyalty.account_id_of(uow.session, client_id))
    assert figures["cached"] == figures["entries"] == figures["lots"] >= 0, figures
    return figures


def test_two_desks_redeeming_the_last_points_exactly_one_succeeds(engine, salon, db_url, tmp_path):
    shop = _setup(engine, welcome_bonus=0, min_redemption=0)
    with UnitOfWork(engine) as uow:
        loyalty.adjust(uow.session, actor=OWNER, location=shop.loc, client_id=shop.pedro, points=300, reason="x")
        reward = loyalty_rewards.add_reward(uow.session, actor=OWNER, location=shop.loc, name="Free corte",
                                            kind="free_service", points=300, service="corte")
        uow.commit()
    results = _race(db_url, tmp_path, _spec(shop, "redeem", client=shop.pedro, reward=reward.id))
    assert sorted(r["ok"] for r in results) == [False, True], results
    refused = next(r for r in results if not r["ok"])
    assert (refused["code"], refused["message"]) == (1, "Free corte costs 300 points; the card has 0")
    with UnitOfWork(engine, write=False) as uow:
        assert len(uow.session.exec(select(Redemption)).all()) == 1
    assert _balanced(engine, shop.pedro)["cached"] == 0


def test_two_desks_stamping_in_the_same_second_get_one_stamp(engine, salon, db_url, tmp_path):
    shop = _setup(engine, type="stamps", cooldown_minutes=60, max_daily_stamps=1)
    results = _race(db_url, tmp_path, _spec(shop, "stamp", client=shop.pedro))
    assert sorted(r["ok"] for r in results) == [False, True], results
    refused = next(r for r in results if not r["ok"])
    assert refused["code"] == 1 and refused["message"].endswith(
        "was stamped at 11:00 and has had 1 stamp today, the daily limit: the next stamp is allowed from "
        "2026-11-22 00:00"), refused
    with UnitOfWork(engine, write=False) as uow:
        assert loyalty.card(uow.session, shop.pedro).stamps == 1


def test_two_desks_stamping_at_once_respect_the_daily_cap(engine, salon, db_url, tmp_path):
    shop = _setup(engine, type="stamps", cooldown_minutes=0, max_daily_stamps=2)
    results = _race(db_url, tmp_path, _spec(shop, "stamp", client=shop.pedro), n=3)
    assert sorted(r["ok"] for r in results) == [False, True, True], results
    assert "daily limit" in next(r for r in results if not r["ok"])["message"]
    with UnitOfWork(engine, write=False) as uow:
        assert loyalty.card(uow.session, shop.pedro).stamps == 2


def test_expire_points_twice_at_once_ends_as_once(engine, salon, db_url, tmp_path, clock):
    shop = _setup(engine, welcome_bonus=0, expiry_months=1)
    from datetime import datetime, timezone

    clock.set(datetime(2026, 10, 1, 17, 0, tzinfo=timezone.utc))  # lots due 2026-11-01, before the race's "now"
    with UnitOfWork(engine) as uow:
        for client in (shop.pedro, shop.ximena):
            loyalty.adjust(uow.session, actor=OWNER, location=shop.loc, client_id=client, points=250, reason="x")
        uow.commit()
    results = _race(db_url, tmp_path, _spec(shop, "expire"))
    done = [r for r in results if r["ok"]]
    # either one ran and the other was turned away busy (exit 4), or they ran one after the other
    assert all(r["ok"] or r["code"] == 4 for r in results), results
    assert sorted(r["points"] for r in done) in ([500], [0, 500]), results
    for client in (shop.pedro, shop.ximena):
        assert _balanced(engine, client)["cached"] == 0
    with UnitOfWork(engine, write=False) as uow:
        runs = uow.session.exec(select(JobRun).where(JobRun.job == "expire-points")).all()
    assert sum(r.counts.get("points", 0) for r in runs) == 500 and all(r.status == "ok" for r in runs)
