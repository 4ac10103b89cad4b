"""The waitlist's rules (`services.book.waitlist`) on SQLite and PostgreSQL: adding with each refusal in words
and nothing written, listing, removing with a reason, the entries a freed slot fits, a booking taking its
client off the waitlist, and the slot a cancel, a no-show or a move leaves (`benefits.waitlist_offers`).

Every salon here is `tests/shop.py`'s, now Saturday 2026-11-21 11:00 in Mexico City: services corte (45 min)
and tinte (90 min), stylists ana and beto, receptionist sofia, manager marco, clients Ximena and Pedro, and
Ximena's corte with ana today at 12:00.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation
from salon_cli.db.models import AuditLog, Client, Service, Staff, WaitlistEntry
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.benefits import waitlist_offers
from salon_cli.services.book import appointments, status, waitlist
from salon_cli.services.clients import profiles
from shop import OWNER, book, make_shop

MX = timezone(timedelta(hours=-6))


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine)


def _do(engine, fn, **kw):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session, **kw)
        uow.commit()
    return result


def _read(engine, fn, *args, **kw):
    with UnitOfWork(engine, write=False) as uow:
        return fn(uow.session, *args, **kw)


def add(engine, shop, client=None, **kw):
    kw.setdefault("service", "corte")
    return _do(engine, waitlist.add, actor=shop.sofia, location=shop.loc, client_id=client or shop.ximena, **kw)


def _client(engine, shop, first, last):
    return _do(engine, lambda s: profiles.add(s, actor=OWNER, location=shop.loc, first_name=first,
                                              last_name=last).id)


def _written(engine):
    """Entries and their audit rows: what a refusal must leave as it was."""
    def read(s):
        return (s.exec(select(sa.func.count()).select_from(WaitlistEntry)).one(),
                s.exec(select(sa.func.count()).select_from(AuditLog).where(AuditLog.entity == "waitlist_entry")).one())
    return _read(engine, read)


def _set(engine, model, row_id, **values):
    def work(s):
        row = s.get(model, row_id)
        for k, v in values.items():
            setattr(row, k, v)
        s.add(row)
    _do(engine, work)


def test_an_entry_waits_from_today_for_two_weeks_with_any_stylist(engine, shop):
    entry = add(engine, shop, note="  solo   por la tarde ")
    assert (entry.client_id, entry.client, entry.service, entry.duration_min, entry.staff) == (
        shop.ximena, "Ximena Jiménez", "corte", 45, None)
    assert (entry.from_date, entry.to_date, entry.status, entry.note, entry.created_by) == (
        date(2026, 11, 21), date(2026, 12, 4), "waiting", "solo por la tarde", "sofia")
    audit = _read(engine, lambda s: s.exec(select(AuditLog).where(AuditLog.entity == "waitlist_entry")).one())
    assert (audit.action, audit.entity_id, audit.actor) == ("waitlist.add", entry.id, "sofia")
    # the note's words stay out of the audit log: only that there is one
    assert audit.after == {"client_id": shop.ximena, "service": "corte", "staff": None, "from_date": "2026-11-21",
                           "to_date": "2026-12-04", "note": True, "status": "waiting"}
    later = add(engine, shop, client=shop.pedro, service="Tinte", staff="beto", from_date="2026-12-01")
    assert (later.service, later.staff, later.from_date, later.to_date) == ("tinte", "beto", date(2026, 12, 1),
                                                                            date(2026, 12, 14))


def test_ninety_two_days_is_the_longest_wait(engine, shop):
    entry = add(engine, shop, from_date="2026-11-21", to_date="2027-02-20")
    assert (entry.to_date - entry.from_date).days + 1 == 92


@pytest.mark.parametrize("kw, error, text", [
    ({"client": 999}, NotFound, "no client 999"),
    ({"service": "nada"}, NotFound, "no service 'nada' at centro"),
    ({"staff": "zoe"}, NotFound, "no staff member 'zoe'"),
    ({"staff": "sofia"}, RuleViolation, "sofia does not take appointments at centro"),
    ({"from_date": "2026-11-20"}, RuleViolation, "2026-11-20 has already passed (today is 2026-11-21)"),
    ({"from_date": "2026-11-25", "to_date": "2026-11-22"}, InvalidInput, "--to 2026-11-22 is before --from 2026-11-25"),
    ({"to_date": "2027-02-21"}, InvalidInput, "2026-11-21 to 2027-02-21 is 93 days; a client waits at most 92 days"),
    ({"from_date": "21/11/2026"}, InvalidInput, "--from '21/11/2026' is not a date"),
    ({"note": "x" * 256}, InvalidInput, "the note is longer than 255 characters"),
])
def test_each_refusal_says_why_and_writes_nothing(engine, shop, kw, error, text):
    before = _written(engine)
    with pytest.raises(error) as refused:
        add(engine, shop, **kw)
    assert refused.value.message == text
    assert _written(engine) == before == (0, 0)


def test_an_erased_merged_or_retired_one_is_refused(engine, shop):
    gone = _client(engine, shop, "Olga", "Ruiz")
    _set(engine, Client, gone, erased_at=datetime(2026, 11, 1, tzinfo=timezone.utc))
    twin = _client(engine, shop, "Pedro", "Paramo")
    _set(engine, Client, twin, merged_into_id=shop.pedro)
    _set(engine, Service, _read(engine, lambda s: s.exec(select(Service.id).where(Service.code == "tinte")).one()),
         active=False)
    _set(engine, Staff, _read(engine, lambda s: s.exec(select(Staff.id).where(Staff.code == "beto")).one()),
         active=False)
    for kw, text in (({"client": gone}, f"client {gone} was erased"),
                     ({"client": twin}, f"client {twin} was merged into client {shop.pedro}"),
                     ({"service": "tinte"}, "service tinte is no longer offered"),
                     ({"staff": "beto"}, "staff member beto is deactivated")):
        with pytest.raises(RuleViolation) as refused:
            add(engine, shop, **kw)
        assert refused.value.message == text
    assert _written(engine) == (0, 0)


def test_a_client_waits_once_for_a_service_over_any_day(engine, shop):
    first = add(engine, shop, from_date="2026-11-23", to_date="2026-11-30")
    with pytest.raises(RuleViolation) as refused:
        add(engine, shop, from_date="2026-11-30", to_date="2026-12-05", staff="ana")
    assert refused.value.message == (f"Ximena Jiménez is already waiting for corte from 2026-11-23 to 2026-11-30 "
                                     f"(waitlist entry {first.id})")
    assert refused.value.hint == f"remove it first: salon appt waitlist remove {first.id} --reason ..."
    assert _written(engine) == (1, 1)
    # other days, another service, another client: each waits
    add(engine, shop, from_date="2026-12-01", to_date="2026-12-05")
    add(engine, shop, service="tinte", from_date="2026-11-23", to_date="2026-11-30")
    add(engine, shop, client=shop.pedro, from_date="2026-11-23", to_date="2026-11-30")
    # once removed, the days are free again
    _do(engine, waitlist.remove, actor=shop.sofia, location=shop.loc, entry_id=first.id, reason="llamó")
    again = add(engine, shop, from_date="2026-11-25", to_date="2026-11-28")
    assert again.status == "waiting"


def test_removing_keeps_the_reason_in_the_audit_log_once(engine, shop):
    entry = add(engine, shop)
    for reason in ("", "   "):
        with pytest.raises(InvalidInput) as refused:
            _do(engine, waitlist.remove, actor=shop.sofia, location=shop.loc, entry_id=entry.id, reason=reason)
        assert refused.value.message == "the reason is empty"
    with pytest.raises(NotFound) as missing:
        _do(engine, waitlist.remove, actor=shop.sofia, location=shop.loc, entry_id=999, reason="x")
    assert missing.value.message == "no waitlist entry 999 at centro"
    assert _written(engine) == (1, 1)
    gone = _do(engine, waitlist.remove, actor=shop.sofia, location=shop.loc, entry_id=entry.id,
               reason="ya encontró otro salón")
    assert (gone.status, gone.closed_by, gone.closed_at) == ("removed", "sofia", datetime(2026, 11, 21, 17,
                                                                                          tzinfo=timezone.utc))
    row = _read(engine, lambda s: s.exec(select(AuditLog).where(AuditLog.action == "waitlist.remove")).one())
    assert (row.entity_id, row.before, row.after) == (entry.id, {"status": "waiting"}, {
        "client_id": shop.ximena, "status": "removed", "reason": "ya encontró otro salón"})
    with pytest.raises(RuleViolation) as twice:
        _do(engine, waitlist.remove, actor=shop.sofia, location=shop.loc, entry_id=entry.id, reason="otra vez")
    assert twice.value.message == f"waitlist entry {entry.id} is removed already"
    assert _written(engine) == (1, 2)


def test_the_list_by_status_and_day_in_the_order_clients_joined(engine, shop, clock):
    a = add(engine, shop, from_date="2026-11-23", to_date="2026-11-25")
    clock.advance(minutes=5)
    b = add(engine, shop, client=shop.pedro, service="tinte", from_date="2026-11-21", to_date="2026-11-30")
    clock.advance(minutes=5)
    c = add(engine, shop, service="tinte", from_date="2026-12-01", to_date="2026-12-02")
    _do(engine, waitlist.remove, actor=shop.sofia, location=shop.loc, entry_id=c.id, reason="no")

    def ids(**kw):
        return [e.id for e in _read(engine, waitlist.entries, location=shop.loc, **kw)]

    assert ids() == [a.id, b.id]
    assert ids(status=None) == [a.id, b.id, c.id]
    assert ids(status="removed") == [c.id]
    assert ids(on="2026-11-24") == [a.id, b.id]
    assert ids(on=date(2026, 11, 22)) == [b.id]
    assert ids(status=None, client_id=shop.ximena) == [a.id, c.id]
    with pytest.raises(InvalidInput) as bad:
        ids(status="gone")
    assert bad.value.message == "--status 'gone' is not one of waiting, booked, removed"
    assert _read(engine, waitlist.waiting_count, shop.loc) == 2


def _at(day, hh, mm=0):
    return datetime(2026, 11, day, hh, mm, tzinfo=MX).astimezone(timezone.utc)


def test_matching_takes_the_day_the_stylist_and_the_length(engine, shop):
    corte_any = add(engine, shop, from_date="2026-11-23", to_date="2026-11-24")
    tinte_ana = add(engine, shop, client=shop.pedro, service="tinte", staff="ana", from_date="2026-11-23",
                    to_date="2026-11-23")
    corte_beto = add(engine, shop, client=shop.pedro, staff="beto", from_date="2026-11-24", to_date="2026-11-24")

    def match(start, end, who, service_id=None):
        staff_id = _read(engine, lambda s: s.exec(select(Staff.id).where(Staff.code == who)).one())
        return [e.id for e in _read(engine, waitlist.matching, shop.loc, start, end, staff_id, service_id)]

    assert match(_at(23, 10), _at(23, 11, 30), "ana") == [corte_any.id, tinte_ana.id]
    assert match(_at(23, 10), _at(23, 11, 29), "ana") == [corte_any.id]  # 89 minutes: no tinte
    assert match(_at(23, 10), _at(23, 10, 44), "ana") == []  # 44 minutes: nothing
    assert match(_at(23, 10), _at(23, 11, 30), "beto") == [corte_any.id]  # tinte waits for ana
    assert match(_at(24, 10), _at(24, 11), "beto") == [corte_any.id, corte_beto.id]
    assert match(_at(25, 10), _at(25, 12), "ana") == []  # a day outside every entry
    # 23:30 on the 24th in Mexico City is the 25th in UTC: the local day counts
    assert match(_at(24, 23, 0), _at(24, 23, 59), "ana") == [corte_any.id]
    tinte = _read(engine, lambda s: s.exec(select(Service.id).where(Service.code == "tinte")).one())
    assert match(_at(23, 10), _at(23, 11, 30), "ana", tinte) == [tinte_ana.id]


def test_booking_the_service_in_its_days_takes_the_client_off_the_waitlist(engine, shop):
    entry = add(engine, shop, from_date="2026-11-23", to_date="2026-11-25")
    tinte = add(engine, shop, service="tinte", from_date="2026-11-23", to_date="2026-11-25")
    other = add(engine, shop, client=shop.pedro, from_date="2026-11-23", to_date="2026-11-25")
    book(engine, shop, at="2026-11-26 10:00")  # a day after its days: still waiting
    assert _read(engine, waitlist.get, entry.id, shop.loc).status == "waiting"
    appt = book(engine, shop, at="2026-11-24 10:00")
    done = _read(engine, waitlist.get, entry.id, shop.loc)
    assert (done.status, done.appointment_id, done.closed_by) == ("booked", appt, "lucia")
    assert _read(engine, waitlist.get, tinte.id, shop.loc).status == "waiting"  # another service
    assert _read(engine, waitlist.get, other.id, shop.loc).status == "waiting"  # another client
    row = _read(engine, lambda s: s.exec(select(AuditLog).where(AuditLog.action == "waitlist.booked")).one())
    assert (row.entity_id, row.after) == (entry.id, {"client_id": shop.ximena, "status": "booked",
                                                     "appointment_id": appt})
    # a visit of two services answers both; moving a visit into the days answers too
    both = book(engine, shop, at="2026-11-26 12:00", client=shop.pedro, services=("tinte", "corte"))
    assert _read(engine, waitlist.get, other.id, shop.loc).status == "waiting"
    _do(engine, appointments.move, actor=shop.sofia, location=shop.loc, appointment_id=both, at="2026-11-25 12:00")
    moved = _read(engine, waitlist.get, other.id, shop.loc)
    assert (moved.status, moved.appointment_id, moved.closed_by) == ("booked", both, "sofia")


def _cancel(engine, shop, appt, **kw):
    return _do(engine, status.cancel, actor=shop.sofia, location=shop.loc, appointment_id=appt, **kw)


def test_a_cancel_frees_its_slot_for_the_clients_it_fits(engine, shop):
    """Ximena's 12:00 corte with ana (45 min) is cancelled: Pedro, waiting for a corte today, is offered it;
    Ximena herself is not; a tinte (90 min) does not fit."""
    add(engine, shop, from_date="2026-11-21", to_date="2026-11-22")  # Ximena: her own slot is not offered to her
    pedro = add(engine, shop, client=shop.pedro, from_date="2026-11-21", to_date="2026-11-21")
    olga = _client(engine, shop, "Olga", "Ruiz")
    add(engine, shop, client=olga, service="tinte", from_date="2026-11-21", to_date="2026-11-21")
    with pytest.raises(RuleViolation) as booked:
        _read(engine, waitlist_offers.offers, shop.loc, shop.appt)
    assert booked.value.message == (f"appointment {shop.appt} is booked and was never moved: it left no slot free")
    _cancel(engine, shop, shop.appt, by_salon=True)
    slot, offers = _read(engine, waitlist_offers.offers, shop.loc, shop.appt)
    assert (slot.how, slot.staff, slot.starts_at, slot.ends_at, slot.free_from, slot.free_to, slot.minutes) == (
        "cancelled", "ana", _at(21, 12), _at(21, 12, 45), _at(21, 12), _at(21, 12, 45), 45)
    assert [(o.position, o.entry_id, o.client, o.priority) for o in offers] == [(1, pedro.id, "Pedro Páramo", False)]
    # once someone takes part of it, what is left is offered: 12:00-12:30 is not a corte any more
    book(engine, shop, at="2026-11-21 12:30", client=olga, services=("corte",))
    slot, offers = _read(engine, waitlist_offers.offers, shop.loc, shop.appt)
    assert (slot.starts_at, slot.free_from, slot.free_to, offers) == (_at(21, 12), _at(21, 12), _at(21, 12, 30), [])


def test_a_no_show_offers_what_is_left_of_its_slot(engine, shop, clock):
    pedro = add(engine, shop, client=shop.pedro, from_date="2026-11-21", to_date="2026-11-21")
    clock.set(_at(21, 12, 20))
    _do(engine, status.no_show, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt)
    slot, offers = _read(engine, waitlist_offers.offers, shop.loc, shop.appt)
    assert (slot.how, slot.starts_at, slot.free_from, slot.free_to) == ("no_show", _at(21, 12), _at(21, 12, 20),
                                                                        _at(21, 12, 45))
    assert offers == []  # 25 minutes left: no corte fits
    clock.set(_at(21, 13))
    slot, offers = _read(engine, waitlist_offers.offers, shop.loc, shop.appt)
    assert (slot.minutes, offers) == (0, [])
    assert pedro.status == "waiting"


def test_a_move_frees_the_slot_it_left(engine, shop):
    pedro = add(engine, shop, client=shop.pedro, staff="ana", from_date="2026-11-21", to_date="2026-11-21")
    _do(engine, appointments.move, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
        at="2026-11-21 16:00", staff="beto")
    slot, offers = _read(engine, waitlist_offers.offers, shop.loc, shop.appt)
    assert (slot.how, slot.staff, slot.starts_at, slot.ends_at) == ("moved", "ana", _at(21, 12), _at(21, 12, 45))
    assert [o.entry_id for o in offers] == [pedro.id]
    # moved again: the slot of its last move
    _do(engine, appointments.move, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
        at="2026-11-21 17:00")
    slot, offers = _read(engine, waitlist_offers.offers, shop.loc, shop.appt)
    assert (slot.staff, slot.starts_at, offers) == ("beto", _at(21, 16), [])  # Pedro waits for ana
    with pytest.raises(NotFound) as missing:
        _read(engine, waitlist_offers.offers, shop.loc, 999)
    assert missing.value.message == "no appointment 999 at centro"


def test_nothing_of_the_waitlist_is_read_by_an_ordered_query_on_another_location(engine, shop):
    """Entries belong to their location: another location's listing, matching and offers hold none."""
    from salon_cli.services.salon import locations

    add(engine, shop)
    other = _do(engine, locations.add, actor=OWNER, code="norte", name="Salón Norte", timezone="America/Mexico_City",
                currency="MXN")
    assert _read(engine, waitlist.entries, location=other) == []
    with pytest.raises(NotFound):
        _read(engine, waitlist.get, 1, other)
    ana = _read(engine, lambda s: s.exec(select(Staff.id).where(col(Staff.code) == "ana")).one())
    assert _read(engine, waitlist.matching, other, _at(21, 12), _at(21, 14), ana) == []
