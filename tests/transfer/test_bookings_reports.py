"""Moving in a bookings export without statuses, then the no-show and cancellations reports of the
system left behind (dates, no times), on SQLite and PostgreSQL (`db_url`).

The clock is Saturday 2026-11-21 11:00 in Mexico City (UTC-6); the salon opens 10:00-19:00 Monday to
Saturday. `tests/shop.py` gives the team (ana, beto; marco, a manager), corte (45 min) and tinte (90
min), Ximena (phone 5512345678) with today's 12:00 corte with ana booked at our desk. The old
system's clients PERA01, GOMB02 and LOPA03 are here by their codes; barba (30 min) is on the menu.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from cli_helpers import salon as run_salon
from salon_cli.db.uow import UnitOfWork
from salon_cli.io.tabular import ImportRefused
from shop import OWNER, make_shop

MARCO = ["--as", "marco", "--pin", "2222"]
_TZ = ZoneInfo("America/Mexico_City")

BOOKINGS = (  # "future bookings (all clients)": reaches back months, no status column
    "Ref,Client,Service,Staff,Date,Time,Booked On\n"
    "F-1,PERA01,corte,ana,09/15/2026,10:00 AM,09/01/2026\n"
    "F-2,PERA01,tinte,ana,10/20/2026,04:00 PM,09/15/2026\n"
    "F-3,GOMB02,barba,beto,10/20/2026,11:00 AM,10/01/2026\n"
    "F-4,GOMB02,corte,beto,11/02/2026,09:30 AM,10/20/2026\n"
    "F-5,LOPA03,corte,ana,11/02/2026,12:00 PM,10/25/2026\n"
    "F-6,LOPA03,barba,beto,11/02/2026,03:00 PM,10/25/2026\n"
    "F-7,PERA01,corte,ana,11/25/2026,10:00 AM,11/20/2026\n"
    "F-8,GOMB02,tinte,beto,12/01/2026,10:00 AM,11/21/2026\n"
)
BOOKINGS_MAP = ["--map", "Ref=external_id", "--map", "Booked On=created"]
NO_SHOWS = (  # a no-show report: client and day; a service where the day had two bookings
    "Client,Date,Service,Staff\n"
    "PERA01,10/20/2026,,\n"
    "GOMB02,11/02/2026,,\n"
    "LOPA03,11/02/2026,barba,\n"
    "PERA01,11/10/2026,corte,ana\n"  # no booking that day: its own record, at the day's opening
)
CANCELLATIONS = (
    "Client,Date,Cancel Date,Cancelled By,Cancel Reason\n"
    "GOMB02,12/01/2026,11/20/2026,Client (online),Viaje\n"
    "PERA01,11/25/2026,11/21/2026,Recepción,\n"
)


def _do(engine, fn):
    from salon_cli.services.salon import locations

    with UnitOfWork(engine) as uow:
        result = fn(uow.session, locations.resolve(uow.session, None))
        uow.commit()
    return result


def _report(engine, actor, text, **kw):
    """`import appointments` through the service (the `status` keyword is `--status`)."""
    from salon_cli.services.transfer import appt_import

    rows = appt_import.read(io.BytesIO(text.encode()))
    return _do(engine, lambda s, loc: appt_import.import_appointments(s, actor=actor, location=loc, rows=rows, **kw))


def _sql(engine, query, **params):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query), params)]


def _appointments(engine):
    """external id (or the start) -> (client code, start (local), status, no_show_at, cancelled_at,
    cancelled_by, cancel_reason, note), read straight from the database."""
    from salon_cli.db.models import Appointment, Client
    from sqlmodel import Session, col, select

    local = lambda at: at.astimezone(_TZ).strftime("%Y-%m-%d %H:%M") if at else None  # noqa: E731
    with Session(engine) as s:
        got = s.exec(select(Appointment, Client.external_code).join(Client, col(Client.id) == Appointment.client_id,
                                                                     isouter=True).order_by(col(Appointment.id))).all()
        return {a.external_id or local(a.starts_at): (code, local(a.starts_at), a.status, local(a.no_show_at),
                                                       local(a.cancelled_at), a.cancelled_by, a.cancel_reason, a.note)
                for a, code in got}


@pytest.fixture
def shop(salon, engine):
    from salon_cli.services.clients import profiles
    from salon_cli.services.salon import catalog, hours, policy

    shop = make_shop(engine)

    def more(s, loc):
        catalog.add_service(s, actor=OWNER, location=loc, name="Barba", duration_min=30, price_cents=15000, code="barba")
        for code, first in (("PERA01", "Perla"), ("GOMB02", "Gonzalo"), ("LOPA03", "Lorena")):
            profiles.add(s, actor=OWNER, location=loc, first_name=first, last_name="Vieja", external_code=code)
        hours.set_opening(s, actor=OWNER, location=loc, days={d: "10:00-19:00" for d in
                                                              ("mon", "tue", "wed", "thu", "fri", "sat")})
        policy.update(s, actor=OWNER, location=loc, deposit_after_no_shows=2)
    _do(engine, more)
    return shop


def _bookings(url, tmp_path, *extra):
    path = tmp_path / "bookings.csv"
    path.write_text(BOOKINGS, encoding="utf-8")
    return run_salon(url, *MARCO, "import", "appointments", str(path), *BOOKINGS_MAP, *extra, "-f", "json")


def _counts(run):
    """(created, unchanged, updated) of the command's summary."""
    assert run.code == 0, run.stderr
    summary = json.loads(run.stdout)
    return summary["created"], summary["unchanged"], summary.get("updated", 0)


def test_bookings_without_status_then_reports_without_times(db_url, shop, engine, tmp_path):
    # the dry run says which statuses were read off the time
    dry = _bookings(db_url, tmp_path, "--dry-run")
    assert dry.code == 0, dry.stderr
    assert [(p["row"], p["action"], p["reason"]) for p in json.loads(dry.stdout)] == [
        (n, "create", "no status: past, taken as completed") for n in range(2, 8)] + [(8, "create", None),
                                                                                     (9, "create", None)]
    run = _bookings(db_url, tmp_path)
    assert run.code == 0, run.stderr
    assert _counts(run) == (8, 0, 0)
    got = _appointments(engine)
    assert [(k, got[k][2]) for k in ("F-1", "F-2", "F-3", "F-4", "F-5", "F-6", "F-7", "F-8")] == [
        ("F-1", "completed"), ("F-2", "completed"), ("F-3", "completed"), ("F-4", "completed"), ("F-5", "completed"),
        ("F-6", "completed"), ("F-7", "booked"), ("F-8", "booked")]
    # when each was booked: the "Booked On" date, the start of that day on the salon's clock
    assert _created(engine) == {"F-1": "2026-09-01 00:00", "F-8": "2026-11-21 00:00"}

    # the no-show report, no times: a dry run shows each row's fate
    plan = _report(engine, shop.marco, NO_SHOWS, status="no_show", dry_run=True).plan
    assert [(p.row, p.action, p.record, p.reason) for p in plan] == [
        (2, "update", "2026-10-20 16:00 ? ? (client PERA01, no_show)", "completed -> no_show"),
        (3, "update", "2026-11-02 09:30 ? ? (client GOMB02, no_show)", "completed -> no_show"),
        (4, "update", "2026-11-02 15:00 ? barba (client LOPA03, no_show)", "completed -> no_show"),
        (5, "create", "2026-11-10 10:00 ana corte (client PERA01, no_show)",
         "no booking that day: its own record, time unknown: the report gave only the day (placed at 10:00)")]
    out = _report(engine, shop.marco, NO_SHOWS, status="no_show")
    assert (out.summary.created, out.updated, out.summary.unchanged) == (1, 3, 0)
    got = _appointments(engine)
    assert {k: got[k][2:4] for k in ("F-2", "F-4", "F-5", "F-6")} == {
        "F-2": ("no_show", "2026-10-20 16:00"), "F-4": ("no_show", "2026-11-02 09:30"),
        "F-5": ("completed", None), "F-6": ("no_show", "2026-11-02 15:00")}
    assert got["2026-11-10 10:00"] == ("PERA01", "2026-11-10 10:00", "no_show", "2026-11-10 10:00", None, None, None,
                                       "time unknown: the report gave only the day (placed at 10:00)")
    # no-shows per client: the report's rows, counted from the file; two ask for a deposit (the policy's 2)
    expected = Counter(r["Client"] for r in csv.DictReader(io.StringIO(NO_SHOWS)))
    assert _no_shows(engine) == dict(expected) == {"PERA01": 2, "GOMB02": 1, "LOPA03": 1}
    assert _sql(engine, "SELECT external_code FROM client WHERE deposit_required") == [("PERA01",)]
    # the visit the report corrected: a no-show's stamps, audited before and after; no penalty
    log = json.loads(run_salon(db_url, *MARCO, "audit", "--entity", "appointment", "-f", "json").stdout)
    f2 = _sql(engine, "SELECT id FROM appointment WHERE external_id = 'F-2'")[0][0]
    change = [e for e in log if e["action"] == "appointment.import_update" and e["entity_id"] == f2]
    assert [({k: e["before"][k] for k in ("status", "completed_at", "no_show_at")},
             {k: e["after"][k] for k in ("status", "completed_at", "no_show_at", "import_rows")}) for e in change] == [
        ({"status": "completed", "completed_at": "2026-10-20T23:30:00+00:00", "no_show_at": None},
         {"status": "no_show", "completed_at": None, "no_show_at": "2026-10-20T22:00:00+00:00", "import_rows": [2]})]
    assert _sql(engine, "SELECT count(*) FROM penalty") == [(0,)]

    # the cancellations report: cancel date and who cancelled kept
    out = _report(engine, shop.marco, CANCELLATIONS, status="cancelled")
    assert (out.summary.created, out.updated) == (0, 2)
    got = _appointments(engine)
    assert got["F-8"][2:7] == ("cancelled", None, "2026-11-20 00:00", "Client (online)", "Viaje")
    assert got["F-7"][2:7] == ("cancelled", None, "2026-11-21 00:00", "Recepción", None)

    # everything again: nothing twice, nothing changed
    before = (_sql(engine, "SELECT * FROM appointment ORDER BY id"), _no_shows(engine))
    audits = _sql(engine, "SELECT count(*) FROM audit_log WHERE action <> 'appointment.import_file'")
    again = _bookings(db_url, tmp_path)
    assert _counts(again) == (0, 8, 0)
    for text, status in ((NO_SHOWS, "no_show"), (CANCELLATIONS, "cancelled")):
        out = _report(engine, shop.marco, text, status=status)
        assert (out.summary.created, out.updated, out.summary.unchanged) == (0, 0, out.summary.rows)
    assert (_sql(engine, "SELECT * FROM appointment ORDER BY id"), _no_shows(engine)) == before
    assert _sql(engine, "SELECT count(*) FROM audit_log WHERE action <> 'appointment.import_file'") == audits
    # the bookings export says nothing of F-2's no-show: kept, and the dry run says so
    plan = {p["row"]: p for p in json.loads(_bookings(db_url, tmp_path, "--dry-run").stdout)}
    assert [(plan[n]["action"], plan[n]["reason"]) for n in (3, 8)] == [
        ("match", "kept no_show (the file says completed)"), ("match", "kept cancelled (the file says booked)")]


def _id(engine, code):
    return _sql(engine, "SELECT id FROM client WHERE external_code = :c", c=code)[0][0]


def _created(engine):
    from sqlmodel import Session, col, select

    from salon_cli.db.models import Appointment

    with Session(engine) as s:
        return {ref: f"{at.astimezone(_TZ):%Y-%m-%d %H:%M}" for ref, at in s.exec(
            select(Appointment.external_id, Appointment.created_at).where(col(Appointment.external_id).in_(["F-1", "F-8"])))}


def _no_shows(engine):
    return {code: n for code, n in _sql(engine, "SELECT external_code, no_show_count FROM client "
                                                "WHERE external_code IS NOT NULL") if n}


def test_report_rows_that_cannot_be_settled_and_statuses_that_update(db_url, shop, engine, tmp_path):
    from salon_cli.services.book import status as appt_status

    assert _bookings(db_url, tmp_path).code == 0
    _do(engine, lambda s, loc: appt_status.check_in(s, actor=shop.marco, location=loc, appointment_id=shop.appt))
    before = _sql(engine, "SELECT * FROM appointment ORDER BY id")
    bad = ("Client,Date,Service,Staff,Status\n"
           "LOPA03,11/02/2026,,,\n"  # two bookings that day
           "GOMB02,11/05/2026,,,\n"  # none that day, and nothing to record one with
           "PERA01,09/15/2026,,,Completed\n"  # the file and --status disagree
           "5512345678,11/21/2026,,,\n")  # checked in at our desk
    with pytest.raises(ImportRefused) as refused:
        _report(engine, shop.marco, bad, status="cancelled")
    assert [(f.row, f.column, f.problem) for f in refused.value.faults] == [
        (2, "time", "'LOPA03' has 2 bookings on 2026-11-02: 12:00 ana (F-5), 15:00 beto (F-6); give the time, "
                    "staff member or service to tell which"),
        (3, "service", "no booking of 'GOMB02' on 2026-11-05 to mark cancelled, and no service or staff member to "
                       "record it on its own"),
        (4, "status", "the file says completed, --status says cancelled"),
        (5, "status", "the booking of 2026-11-21 12:00 with ana is checked_in here and was checked in at our desk: "
                      "the file's cancelled is not applied (change it at the desk)")]
    assert _sql(engine, "SELECT * FROM appointment ORDER BY id") == before

    # a file with statuses and times: by external id, and by client, staff member and start
    timed = ("External ID,Client,Service,Staff,Date,Time,Status\n"
             "F-7,PERA01,corte,ana,11/25/2026,10:00 AM,Cancelled\n"
             ",GOMB02,tinte,beto,12/01/2026,10:00 AM,No Show\n"  # F-8 without its reference; future, yet
             "F-1,PERA01,corte,ana,09/15/2026,10:00 AM,Confirmed\n")  # booked says less than completed: kept
    out = _report(engine, shop.marco, timed, dry_run=True)
    assert [(p.action, p.reason) for p in out.plan] == [
        ("update", "booked -> cancelled"), ("update", "booked -> no_show"), ("match", "kept completed (the file says booked)")]
    out = _report(engine, shop.marco, timed)
    assert (out.summary.created, out.updated, out.summary.unchanged) == (0, 2, 1)
    got = _appointments(engine)
    assert (got["F-7"][2], got["F-8"][2], got["F-1"][2]) == ("cancelled", "no_show", "completed")
    # a no-show report of a cancelled booking is a fault, not a silent change
    with pytest.raises(ImportRefused) as refused:
        _report(engine, shop.marco, "Client,Date\nPERA01,11/25/2026\n", status="no_show")
    assert [f.problem for f in refused.value.faults] == ["booking F-7 is cancelled here; the file says no_show"]

    # a combined service: the whole first (the code another system gave it), its parts only when unknown
    def combined(s, loc):
        from salon_cli.services.salon import catalog

        catalog.add_service(s, actor=OWNER, location=loc, name="Corte y 2 productos", duration_min=60,
                            price_cents=50000, code="corte-2")
        s.execute(sa.text("UPDATE service SET external_code = 'CUT+2' WHERE code = 'corte-2'"))
    _do(engine, combined)
    out = _report(engine, shop.marco, "Client,Service,Staff,Date,Time,Status\n"
                                      "PERA01,CUT+2,ana,2026-11-03,10:00,done\n"
                                      "PERA01,corte+barba,ana,2026-11-04,10:00,done\n")
    assert out.summary.created == 2
    items = _sql(engine, "SELECT a.starts_at, s.code FROM appointment_item i JOIN appointment a ON a.id = "
                         "i.appointment_id JOIN service s ON s.id = i.service_id WHERE a.external_id IS NULL "
                         "AND a.client_id = :c ORDER BY a.starts_at, i.position", c=_id(engine, "PERA01"))
    assert [code for _, code in items] == ["corte-2", "corte", "barba"]
