"""The booking horizon: a visit is booked (or moved) at most the policy's `booking_horizon_days` ahead (180 by
default: until 2027-05-20 from today, Saturday 2026-11-21 in Mexico City), its `priority_horizon_days` (365:
until 2027-11-21) for a client with priority booking (a membership whose plan has `priority_booking`, while
active; a loyalty tier marked `priority`). `salon policy set --booking-horizon/--priority-horizon` sets them.

tests/shop.py's salon: Ximena is client 1, Pedro client 2; stylists ana and beto (no hours set: any time);
sofia receptionist, marco manager (PINs 2222), the owner lucia 1234. The Gold plan has priority_booking."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from cli_helpers import MARCO, OWNER, SOFIA
from cli_helpers import salon as cli
from shop import OWNER as OWNER_ACTOR
from shop import make_shop

from salon_cli.core.errors import RuleViolation
from salon_cli.db.models import Appointment, AuditLog, Outbox
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments
from salon_cli.services.salon import locations

PLAIN = ("error: 2027-05-21 is too far ahead: bookings open 180 days ahead (until 2027-05-20); "
         "clients with priority booking 365 days")
PRIORITY = ("error: 2027-11-22 is too far ahead: bookings open 365 days ahead for clients with priority booking "
            "(until 2027-11-21)")
HINT = "hint: a manager sets how far: salon policy set --booking-horizon DAYS --priority-horizon DAYS"


def ok(db, *args):
    run = cli(db, *args)
    assert run.code == 0, (args, run.stderr)
    return run


def js(db, *args):
    return json.loads(ok(db, *args, "-f", "json").stdout)


@pytest.fixture
def desk(engine, salon, db_url):
    make_shop(engine)
    return db_url


def _counts(engine) -> tuple[int, int, int]:
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        return tuple(s.exec(sa.select(sa.func.count()).select_from(t)).one()[0]  # type: ignore[return-value]
                     for t in (Appointment, AuditLog, Outbox))


def _book(db, client: int, at: str, *extra: str):
    return cli(db, *SOFIA, "appt", "book", "--client", str(client), "--service", "corte", "--staff", "beto",
               "--at", at, *extra, "-f", "json")


def _refused(engine, run, error: str) -> None:
    assert (run.code, run.stdout, run.stderr.splitlines()) == (1, "", [error, HINT])


def test_the_last_day_books_and_the_next_is_refused_with_nothing_written(desk, engine):
    first = json.loads(_book(desk, 2, "2027-05-20 18:30").stdout)
    assert (first["starts_at"], first["status"]) == ("2027-05-20T18:30:00-06:00", "booked")
    before = _counts(engine)
    _refused(engine, _book(desk, 2, "2027-05-21 09:00"), PLAIN)
    _refused(engine, _book(desk, 2, "2027-05-21 09:00", "--deposit", "100", "--pay", "cash"), PLAIN)
    assert _counts(engine) == before


def test_a_gold_member_books_up_to_365_days_and_a_paused_one_180(desk, engine):
    ok(desk, *SOFIA, "membership", "subscribe", "1", "gold", "--pay", "cash")
    far = json.loads(_book(desk, 1, "2027-11-21 10:00").stdout)
    assert far["starts_at"] == "2027-11-21T10:00:00-06:00"
    before = _counts(engine)
    _refused(engine, _book(desk, 1, "2027-11-22 10:00"), PRIORITY)
    assert _counts(engine) == before
    ok(desk, *SOFIA, "membership", "pause", "1", "--reason", "de viaje")
    before = _counts(engine)
    _refused(engine, _book(desk, 1, "2027-05-21 10:00"), PLAIN)
    assert _counts(engine) == before
    assert json.loads(_book(desk, 1, "2027-05-20 10:00").stdout)["status"] == "booked"


def test_a_priority_tier_client_books_up_to_365_days(desk, engine):
    ok(desk, *OWNER, "loyalty", "program", "set", "--tier-priority", "gold,platinum")
    ok(desk, *SOFIA, "loyalty", "enroll", "2")
    _refused(engine, _book(desk, 2, "2027-05-21 10:00"), PLAIN)  # bronze: no priority
    ok(desk, *MARCO, "loyalty", "adjust", "2", "--points", "2450", "--reason", "moved from paper cards")
    assert json.loads(_book(desk, 2, "2027-11-21 10:00").stdout)["status"] == "booked"
    _refused(engine, _book(desk, 2, "2027-11-22 10:00"), PRIORITY)


def test_a_series_is_checked_by_its_first_visit_only(desk):
    done = json.loads(_book(desk, 2, "2027-05-13 10:00", "--repeat", "FREQ=WEEKLY;COUNT=3").stdout)
    assert [a["starts_at"][:10] for a in done] == ["2027-05-13", "2027-05-20", "2027-05-27"]
    late = _book(desk, 2, "2027-05-21 10:00", "--repeat", "FREQ=WEEKLY;COUNT=2")
    assert late.code == 1 and late.stderr.splitlines()[0] == PLAIN


def test_move_follows_the_same_horizon(desk, engine):
    plain = json.loads(_book(desk, 2, "2026-11-23 10:00").stdout)["id"]
    ok(desk, *SOFIA, "appt", "move", str(plain), "--at", "2027-05-20 10:00")
    before = _counts(engine)
    run = cli(desk, *SOFIA, "appt", "move", str(plain), "--at", "2027-05-21 10:00")
    _refused(engine, run, PLAIN)
    assert _counts(engine) == before
    assert js(desk, "appt", "show", str(plain))["starts_at"] == "2027-05-20T10:00:00-06:00"
    ok(desk, *SOFIA, "membership", "subscribe", "1", "gold", "--pay", "cash")
    member = json.loads(_book(desk, 1, "2026-11-23 12:00").stdout)["id"]
    assert js(desk, *SOFIA, "appt", "move", str(member), "--at", "2027-11-21 12:00")["starts_at"] == (
        "2027-11-21T12:00:00-06:00")
    _refused(engine, cli(desk, *SOFIA, "appt", "move", str(member), "--at", "2027-11-22 12:00"), PRIORITY)


def test_the_service_takes_the_horizon_it_is_handed(desk, engine):
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        with pytest.raises(RuleViolation, match=r"^2026-12-22 is too far ahead: bookings open 30 days ahead "
                                                r"\(until 2026-12-21\)$"):
            appointments.book_appointment(uow.session, actor=OWNER_ACTOR, location=loc, client_id=2,
                                          services=["corte"], staff="beto", at="2026-12-22 10:00", horizon_days=30)
        # an import of history (or of a far future) is handed no limit at all
        done = appointments.book_appointment(uow.session, actor=OWNER_ACTOR, location=loc, client_id=2,
                                             services=["corte"], staff="beto", at="2029-01-10 10:00",
                                             horizon_days=10**6)
        assert done.appointments[0].status == "booked"
        walk_in = appointments.book_appointment(uow.session, actor=OWNER_ACTOR, location=loc, client_id=2,
                                                services=["corte"], staff="ana", at=None, walk_in=True, horizon_days=0)
        assert walk_in.appointments[0].status == "checked_in"


# ----------------------------------------------------------------------------- the policy

def test_policy_sets_and_shows_the_horizons(desk, engine):
    shown = js(desk, "policy", "show")
    assert (shown["booking_horizon_days"], shown["priority_horizon_days"]) == (180, 365)
    table = ok(desk, "policy", "show").stdout
    assert "booking_horizon_days    180" in table and "priority_horizon_days   365" in table
    view = js(desk, *MARCO, "policy", "set", "--booking-horizon", "30", "--priority-horizon", "60")
    assert (view["booking_horizon_days"], view["priority_horizon_days"]) == (30, 60)
    run = _book(desk, 2, "2026-12-22 10:00")
    assert run.stderr.splitlines()[0] == ("error: 2026-12-22 is too far ahead: bookings open 30 days ahead "
                                          "(until 2026-12-21); clients with priority booking 60 days")
    assert json.loads(_book(desk, 2, "2026-12-21 10:00").stdout)["status"] == "booked"
    # one horizon for everyone: nothing to say of priority
    ok(desk, *MARCO, "policy", "set", "--priority-horizon", "30")
    assert _book(desk, 2, "2026-12-22 10:00").stderr.splitlines()[0] == (
        "error: 2026-12-22 is too far ahead: bookings open 30 days ahead (until 2026-12-21)")
    audit = js(desk, "audit", "--entity", "policy")
    assert audit[0]["after"]["priority_horizon_days"] == 30 and audit[0]["before"]["priority_horizon_days"] == 60


BAD_HORIZONS = [
    (["--booking-horizon", "0"], 2, "error: --booking-horizon 0 must be between 1 and 1095 days"),
    (["--booking-horizon", "1096"], 2, "error: --booking-horizon 1096 must be between 1 and 1095 days"),
    (["--priority-horizon", "-1"], 2, "error: --priority-horizon -1 must be between 1 and 1095 days"),
    (["--priority-horizon", "90"], 2, "error: the priority horizon (90 days) is shorter than the booking horizon "
                                      "(180 days): clients with priority booking would book less far ahead"),
    (["--booking-horizon", "400"], 2, "error: the priority horizon (365 days) is shorter than the booking horizon "
                                      "(400 days): clients with priority booking would book less far ahead"),
    (["--booking-horizon", "x"], 2, None),
]


def test_bad_horizons_change_nothing(desk):
    before = js(desk, "policy", "show")
    for args, code, error in BAD_HORIZONS:  # one salon for every case: none changes anything
        run = cli(desk, *MARCO, "policy", "set", *args)
        assert run.code == code, args
        if error is not None:
            assert run.stderr.splitlines()[0] == error
        assert js(desk, "policy", "show") == before


def test_a_receptionist_cannot_set_the_horizons(desk):
    run = cli(desk, *SOFIA, "policy", "set", "--booking-horizon", "30")
    assert run.code == 3
    assert js(desk, "policy", "show")["booking_horizon_days"] == 180
