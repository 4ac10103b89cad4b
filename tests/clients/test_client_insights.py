"""Client stats, birthdays, win-back and the timeline, against figures worked out by hand."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from cli_helpers import OWNER, salon
from salon_cli.core import clock as clock_module
from salon_cli.core.text import name_key
from salon_cli.db.models import Appointment, Client, ClientNote, Communication
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import catalog, locations
from salon_cli.services.clients import insights as client_insights
from salon_cli.services.salon.actors import SYSTEM
from salon_cli.services.record import timeline


@pytest.fixture
def book(engine, salon):
    """Now is 2026-11-21 11:00 in Mexico City. Visits (completed appointments) by hand:
    Ana: 3 visits, 300 + 300 + 450 = 1050.00, last 5 days ago   -> active
    Beto: 1 visit, 200.00, 120 days ago                          -> churned, win-back
    Carla: 2 visits, 999.99, last 100 days ago                   -> churned, win-back (first)
    Dani: no visits, joined 10 days ago                          -> not new: has not come yet
    Eva: merged into Ana                                         -> not counted
    """
    now = clock_module.now()
    with UnitOfWork(engine) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        svc = catalog.add_service(s, actor=SYSTEM, location=loc, name="Corte", duration_min=30, price_cents=100)

        def client(first, joined_days, birthday=None, **kw):
            c = Client(first_name=first, last_name="Prueba", name_key=name_key(first, "Prueba"), birthday=birthday,
                       created_at=now - timedelta(days=joined_days), **kw)
            s.add(c)
            s.flush()
            return c

        def visit(c, days_ago, cents, status="completed"):
            at = now - timedelta(days=days_ago)
            s.add(Appointment(location_id=loc.id, client_id=c.id, staff_id=1, service_id=svc.id, starts_at=at,
                              ends_at=at + timedelta(minutes=30), status=status, price_cents=cents, created_at=at))

        ana = client("Ana", 400, birthday=date(1990, 11, 21), phone="+525500000001")
        beto = client("Beto", 400, birthday=date(1985, 11, 28))
        carla = client("Carla", 400, birthday=date(2000, 2, 29))
        client("Dani", 10, birthday=date(1999, 11, 29))
        client("Eva", 5, merged_into_id=ana.id, birthday=date(1990, 11, 22))
        for days_ago, cents in ((5, 30000), (40, 30000), (200, 45000)):
            visit(ana, days_ago, cents)
        visit(ana, 2, 99999, status="no_show")  # not a visit
        visit(beto, 120, 20000)
        visit(carla, 100, 50000)
        visit(carla, 300, 49999)
        s.add(ClientNote(client_id=ana.id, body="alergia al amoniaco", type="medical", private=True,
                         created_at=now - timedelta(days=1)))
        s.add(ClientNote(client_id=ana.id, body="le gusta el café", type="preference", created_at=now - timedelta(days=3)))
        s.add(Communication(client_id=ana.id, channel="sms", purpose="reminder", body="Mañana 10:00",
                            created_at=now - timedelta(days=6)))
        uow.commit()
        return loc, {"ana": ana.id, "beto": beto.id, "carla": carla.id}


def test_stats_by_hand(engine, book):
    loc, _ = book
    with UnitOfWork(engine, write=False) as uow:
        st = client_insights.stats(uow.session, location=loc)
    assert (st.total, st.active_30d, st.new_30d, st.churned_90d) == (4, 1, 0, 2)
    # lifetime value: (105000 + 20000 + 99999) / 3 = 74999.67 -> 75000; visits (3 + 1 + 2) / 3 = 2
    assert (st.avg_clv_cents, st.avg_visits) == (75000, 2.0)
    assert [(t.name, t.total_spent_cents, t.visits) for t in st.top_clients] == [
        ("Ana Prueba", 105000, 3), ("Carla Prueba", 99999, 2), ("Beto Prueba", 20000, 1)]


def test_birthdays(engine, book):
    loc, _ = book
    with UnitOfWork(engine, write=False) as uow:
        week = client_insights.birthdays(uow.session, location=loc, days=7)
        today = client_insights.birthdays(uow.session, location=loc, days=0)
    assert [(b.first_name, b.days_away, b.turns) for b in week] == [("Ana", 0, 36), ("Beto", 7, 41)]
    assert [b.first_name for b in today] == ["Ana"]


def test_leap_day_birthdays_are_kept_on_28_february(clock):
    assert client_insights._next_birthday(date(2000, 2, 29), date(2027, 2, 1)) == date(2027, 2, 28)
    assert client_insights._next_birthday(date(2000, 2, 29), date(2028, 2, 1)) == date(2028, 2, 29)


def test_win_back(engine, book):
    loc, ids = book
    with UnitOfWork(engine, write=False) as uow:
        rows = client_insights.win_back(uow.session, location=loc, inactive_days=90)
    assert [r.id for r in rows] == [ids["carla"], ids["beto"]]


def test_timeline_hides_private_notes_from_anonymous_readers(engine, book):
    _, ids = book
    with UnitOfWork(engine, write=False) as uow:
        events = timeline.timeline(uow.session, client_id=ids["ana"], reader=None)
        manager = timeline.timeline(uow.session, client_id=ids["ana"], reader=SYSTEM.__class__(
            id=1, code="lucia", name="Lucía", role="owner"))
    # the no-show two days ago is part of the story too; the private note (yesterday) is not shown
    assert [e.kind for e in events] == ["visit", "note", "visit", "message", "visit", "visit"]
    assert "no_show" in events[0].summary
    assert not any("amoniaco" in e.summary for e in events)
    assert any("amoniaco" in e.summary for e in manager)
    assert events[0].at > events[-1].at


def test_insights_on_the_command_line(db_url, clock):
    from cli_helpers import INIT

    assert salon(db_url, *INIT).code == 0
    assert salon(db_url, *OWNER, "client", "add", "--first", "Ana", "--last", "Ruiz", "--birthday", "1990-11-23").code == 0
    st = json.loads(salon(db_url, "client", "stats", "-f", "json").stdout)
    assert {"total", "active_30d", "new_30d", "churned_90d", "avg_clv_cents", "avg_visits", "top_clients"} <= set(st)
    assert st["total"] == 1 and st["new_30d"] == 0
    bd = json.loads(salon(db_url, "client", "birthdays", "-f", "json").stdout)
    assert [(b["first_name"], b["days_away"]) for b in bd] == [("Ana", 2)]
    assert json.loads(salon(db_url, "client", "win-back", "-f", "json").stdout) == []
    assert salon(db_url, "client", "timeline", "1", "-f", "json").code == 0
    assert salon(db_url, "client", "birthdays", "--days", "400").code == 2
