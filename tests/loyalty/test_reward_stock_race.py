"""Issue 30: two front desks (real OS processes, each with its own engine and session) redeem the last one of
a reward's stock at the same moment, on SQLite and PostgreSQL: exactly one code is issued, the other desk
is told "out of stock", and the stock ends at zero, never below. Voiding the code puts it back for the
next race."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import select

from salon_cli.db.models import Redemption, Reward
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.loyalty import cards as loyalty, ledger, program as loyalty_program
from salon_cli.services.loyalty import rewards as loyalty_rewards
from shop import OWNER, make_shop

WAIT_S = 60  # a bound on every wait, never a timing assertion

# One desk: waits for the "go" file, then redeems once and prints what happened.
_DESK = r"""
import json, sys, time
from pathlib import Path

from salon_cli.core.errors import SalonError
from salon_cli.db.engine import make_engine
from salon_cli.db.uow import UnitOfWork
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
    with UnitOfWork(engine) as uow:
        row = loyalty_rewards.redeem(uow.session, actor=actor, location=location, client_id=spec["clients"][int(tag)],
                                     reward_id=spec["reward"])
        uow.commit()
    out = {"ok": True, "code": row.code}
except SalonError as exc:
    out = {"ok": False, "message": exc.message, "code": exc.exit_code}
engine.dispose()
print(json.dumps(out))
"""


def _race(db_url: str, folder: Path, spec: dict) -> list[dict]:
    folder.mkdir()
    script = folder / "desk.py"
    script.write_text(_DESK)
    env = {**os.environ, "SALON_NOW": "2026-11-21T11:00:00-06:00"}
    n = len(spec["clients"])
    procs = [subprocess.Popen([sys.executable, str(script), db_url, str(folder), str(i), json.dumps(spec)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                              cwd=Path(__file__).parent) for i in range(n)]
    deadline = time.monotonic() + WAIT_S
    while len(list(folder.glob("ready-*"))) < n:
        assert time.monotonic() < deadline, [p.stderr.read() for p in procs if p.poll() is not None]
        time.sleep(0.01)
    (folder / "go").touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=WAIT_S)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _state(engine, reward_id):
    with UnitOfWork(engine, write=False) as uow:
        stock = uow.session.get(Reward, reward_id).stock
        codes = [(r.code, r.status) for r in uow.session.exec(select(Redemption))]
    return stock, codes


def test_two_desks_racing_for_the_last_one_get_exactly_one_code(engine, salon, db_url, tmp_path):
    shop = make_shop(engine)
    with UnitOfWork(engine) as uow:
        loyalty_program.update(uow.session, actor=OWNER, location=shop.loc, welcome_bonus=0, min_redemption=0)
        for client in (shop.ximena, shop.pedro):
            loyalty.adjust(uow.session, actor=OWNER, location=shop.loc, client_id=client, points=1000, reason="x")
        reward = loyalty_rewards.add_reward(uow.session, actor=OWNER, location=shop.loc, name="Kit", points=300,
                                            kind="discount_amount", value=4000, stock=1)
        uow.commit()
    loc = shop.loc
    spec = {"reward": reward.id, "clients": [shop.ximena, shop.pedro],
            "actor": {"id": shop.sofia.id, "code": "sofia", "name": "Sofía", "role": "receptionist", "verified": True},
            "location": {"id": loc.id, "code": loc.code, "name": loc.name, "timezone": loc.timezone,
                         "currency": loc.currency, "address": loc.address, "phone": loc.phone, "active": True}}

    results = _race(db_url, tmp_path / "first", spec)
    assert sorted(r["ok"] for r in results) == [False, True], results
    refused = next(r for r in results if not r["ok"])
    assert (refused["code"], refused["message"]) == (1, "Kit is out of stock")
    won = next(r for r in results if r["ok"])
    assert _state(engine, reward.id) == (0, [(won["code"], "issued")])
    with UnitOfWork(engine, write=False) as uow:  # the loser's points untouched, every ledger balanced
        points = {}
        for client in (shop.ximena, shop.pedro):
            figures = ledger.check(uow.session, loyalty.account_id_of(uow.session, client))
            assert figures["cached"] == figures["entries"] == figures["lots"], figures
            points[client] = figures["cached"]
    assert sorted(points.values()) == [700, 1000]

    # the winner's code voided: the one is back on the shelf, and the next race again gives exactly one
    with UnitOfWork(engine) as uow:
        loyalty_rewards.void(uow.session, actor=shop.sofia, location=shop.loc, code=won["code"])
        uow.commit()
    assert _state(engine, reward.id)[0] == 1
    again = _race(db_url, tmp_path / "second", spec)
    assert sorted(r["ok"] for r in again) == [False, True], again
    stock, codes = _state(engine, reward.id)
    assert stock == 0 and sorted(status for _, status in codes) == ["issued", "voided"]
