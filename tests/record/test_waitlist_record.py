"""The waitlist in a client's record, on SQLite and PostgreSQL: `client merge` moves the duplicate's entries
(one that would wait twice for a service is removed), `client erase` deletes the erased client's entries
and leaves nobody else's, `client export-data` lists them.

`tests/shop.py`'s salon, now Saturday 2026-11-21 11:00 in Mexico City.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from cli_helpers import MARCO, salon as cli
from salon_cli.db.models import AuditLog, WaitlistEntry
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import waitlist
from salon_cli.services.clients import profiles
from salon_cli.services.record import client_data, erasure, merge
from shop import OWNER, make_shop


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine)


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


def _entries(engine):
    with UnitOfWork(engine, write=False) as uow:
        return [(e.id, e.client_id, e.service_id, e.status, e.note)
                for e in uow.session.exec(select(WaitlistEntry).order_by(col(WaitlistEntry.id)))]


def _add(engine, shop, client_id, service="corte", **kw):
    return _do(engine, waitlist.add, actor=shop.sofia, location=shop.loc, client_id=client_id, service=service,
               **kw).id


def test_merge_moves_the_entries_and_the_client_waits_once(engine, shop):
    twin = _do(engine, lambda s: profiles.add(s, actor=OWNER, location=shop.loc, first_name="Ximena",
                                              last_name="Jimenez").id)
    kept = _add(engine, shop, shop.ximena, from_date="2026-11-23", to_date="2026-11-30")
    overlapping = _add(engine, shop, twin, from_date="2026-11-25", to_date="2026-11-28")
    later = _add(engine, shop, twin, from_date="2026-12-01", to_date="2026-12-05")
    tinte = _add(engine, shop, twin, service="tinte", staff="beto")
    pedro = _add(engine, shop, shop.pedro)
    done = _do(engine, merge.merge, actor=shop.marco, keep_id=shop.ximena, duplicate_id=twin)
    assert done.moved["waitlist_entry"] == 3
    by_id = {e[0]: e for e in _entries(engine)}
    assert {i: (by_id[i][1], by_id[i][3]) for i in (kept, overlapping, later, tinte, pedro)} == {
        kept: (shop.ximena, "waiting"), overlapping: (shop.ximena, "removed"), later: (shop.ximena, "waiting"),
        tinte: (shop.ximena, "waiting"), pedro: (shop.pedro, "waiting")}
    with UnitOfWork(engine, write=False) as uow:
        listed = waitlist.entries(uow.session, location=shop.loc, client_id=shop.ximena)
    assert [e.id for e in listed] == [kept, later, tinte]
    assert {e.client for e in listed} == {"Ximena Jiménez"}


def test_erasure_deletes_the_clients_entries_and_no_one_elses(engine, shop, db_url):
    _add(engine, shop, shop.ximena, note="Ximena Jiménez llama al 5512345678 por las tardes")
    _add(engine, shop, shop.ximena, service="tinte", staff="ana")
    pedro = _add(engine, shop, shop.pedro, note="prefiere a Ximena Jiménez de acompañante")
    done = _do(engine, erasure.erase, actor=shop.marco, client_id=shop.ximena, reason="lo pidió", media_root=None)
    assert done.deleted["waitlist_entry"] == 2
    # another client's row is left alone, as erasure leaves every row of another client
    assert [(e[0], e[1], e[4]) for e in _entries(engine)] == [(pedro, shop.pedro,
                                                              "prefiere a Ximena Jiménez de acompañante")]
    with UnitOfWork(engine, write=False) as uow:
        rows = uow.session.exec(select(AuditLog).where(AuditLog.entity == "waitlist_entry")).all()
        text = json.dumps([(r.before, r.after) for r in rows], ensure_ascii=False)
    assert len(rows) == 3 and "5512345678" not in text and "Ximena" not in text
    # the erased client is not added again
    again = cli(db_url, "--as", "sofia", "--pin", "2222", "appt", "waitlist", "add", str(shop.ximena),
                "--service", "corte")
    assert (again.code, again.stderr.splitlines()) == (1, [f"error: client {shop.ximena} was erased"])


def test_export_data_lists_the_clients_entries(engine, shop, db_url):
    first = _add(engine, shop, shop.ximena, staff="ana", note="por la tarde")
    second = _add(engine, shop, shop.ximena, service="tinte")
    _do(engine, waitlist.remove, actor=shop.sofia, location=shop.loc, entry_id=second, reason="ya no")
    _add(engine, shop, shop.pedro)
    run = cli(db_url, *MARCO, "client", "export-data", str(shop.ximena))
    assert run.code == 0, run.stderr
    document = json.loads(run.stdout)
    assert [(w["id"], w["staff"], w["status"], w["note"], w["from_date"], w["to_date"])
            for w in document["waitlist"]] == [
        (first, "ana", "waiting", "por la tarde", "2026-11-21", "2026-12-04"),
        (second, None, "removed", None, "2026-11-21", "2026-12-04")]
    with UnitOfWork(engine, write=False) as uow:
        assert client_data.gather(uow.session, shop.pedro)["waitlist"][0]["client_id"] == shop.pedro
        count = uow.session.exec(select(sa.func.count()).select_from(WaitlistEntry)).one()
    assert count == 3
