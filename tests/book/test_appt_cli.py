"""`salon appt`, `salon checkin`, `salon detect-no-shows`, `salon penalty` as users and cron meet them."""

from __future__ import annotations

import json

import pytest

from cli_helpers import INIT, OWNER, salon

SOFIA = ["--as", "sofia", "--pin", "3333"]
MARCO = ["--as", "marco", "--pin", "2222"]
APPOINTMENT_FIELDS = {"id", "client_id", "staff", "service", "starts_at", "ends_at", "status", "price_cents",
                      "checked_in_at"}
PENALTY_FIELDS = {"id", "appointment_id", "client_id", "kind", "amount_cents", "status", "reason"}


def ok(*args, db):
    run = salon(db, *args)
    assert run.code == 0, run.stderr
    return run


@pytest.fixture
def desk(db_url, clock):
    """A salon (now 11:00 in Mexico City) with stylist ana, manager marco, receptionist sofia, two
    services and two clients (ids 1 and 2)."""
    ok(*INIT, db=db_url)
    for args in (
        ["staff", "add", "Marco Ruiz", "--code", "marco", "--role", "manager", "--pin", "2222"],
        ["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
        ["staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444"],
        ["service", "add", "Corte dama", "--code", "corte", "--duration", "45", "--price", "350"],
        ["service", "add", "Peinado", "--code", "peinado", "--duration", "30", "--price", "250"],
        ["client", "add", "--first", "Ximena", "--last", "Jiménez", "--phone", "55 1234 5678"],
        ["client", "add", "--first", "Pedro", "--last", "Páramo"],
    ):
        ok(*OWNER, *args, db=db_url)
    return db_url


def test_book_prints_the_appointment_in_the_locations_offset(desk):
    run = ok(*SOFIA, "appt", "book", "--client", "1", "--service", "corte", "--service", "Peinado", "--staff", "ana",
             "--at", "2026-11-23 10:00", "-f", "json", db=desk)
    appt = json.loads(run.stdout)
    assert APPOINTMENT_FIELDS <= set(appt)
    assert (appt["starts_at"], appt["ends_at"], appt["status"], appt["price_cents"]) == (
        "2026-11-23T10:00:00-06:00", "2026-11-23T11:15:00-06:00", "booked", 60000)
    assert (appt["service"], appt["services"], appt["staff"]) == ("Corte dama + Peinado", ["corte", "peinado"], "ana")
    table = ok("appt", "show", str(appt["id"]), db=desk).stdout
    assert "Corte dama + Peinado" in table and "600.00" in table


def test_booking_refusals_are_one_line_with_the_right_code(desk):
    ok(*SOFIA, "appt", "book", "--client", "1", "--service", "corte", "--staff", "ana", "--at", "2026-11-23 10:00",
       db=desk)
    clash = salon(desk, *SOFIA, "appt", "book", "--client", "2", "--service", "corte", "--staff", "ana",
                  "--at", "2026-11-23 10:30")
    assert clash.code == 1 and clash.stdout == ""
    assert clash.stderr.splitlines() == [
        "error: ana is already booked: 2026-11-23 10:00-10:45 (appointment 1)",
        "hint: choose another time or staff member, or pass --allow-overlap"]
    for args, code, text in (
        (["--at", "23/11/2026 10:00"], 2, "is not 'YYYY-MM-DD HH:MM'"),
        (["--at", "2026-11-23 12:00", "--deposit", "12.345"], 2, "decimals"),
        (["--at", "2026-11-23 12:00", "--repeat", "FREQ=WEEKLY"], 2, "never ends"),
        (["--at", "2026-11-20 12:00"], 1, "has already passed"),
    ):
        run = salon(desk, *SOFIA, "appt", "book", "--client", "2", "--service", "corte", "--staff", "ana", *args)
        assert run.code == code and text in run.stderr.splitlines()[0], (args, run.stderr)
    listed = json.loads(ok("appt", "list", "--from", "2026-11-21", "--to", "2026-11-30", "-f", "json", db=desk).stdout)
    assert [a["id"] for a in listed] == [1]


def test_a_repeat_prints_every_appointment_of_the_series(desk):
    run = ok(*SOFIA, "appt", "book", "--client", "2", "--service", "corte", "--staff", "ana",
             "--at", "2026-11-24 18:00", "--repeat", "FREQ=WEEKLY;INTERVAL=2;COUNT=3", "-f", "json", db=desk)
    rows = json.loads(run.stdout)
    assert [r["starts_at"] for r in rows] == ["2026-11-24T18:00:00-06:00", "2026-12-08T18:00:00-06:00",
                                              "2026-12-22T18:00:00-06:00"]
    assert "booked 3 appointments (series 1)" in run.stderr


def test_deposit_rule_at_the_desk_and_for_a_manager(desk, clock):
    ok(*OWNER, "policy", "set", "--deposit-after", "1", db=desk)
    ok(*SOFIA, "appt", "book", "--client", "2", "--service", "corte", "--staff", "ana", "--at", "2026-11-21 10:50",
       db=desk)
    clock.advance(minutes=20)  # cron runs at 11:20 (--as-of replays the past only)
    ok("detect-no-shows", "--as-of", "2026-11-21T11:10:00-06:00", db=desk)
    card = json.loads(ok("client", "show", "2", "-f", "json", db=desk).stdout)
    assert (card["no_show_count"], card["deposit_required"]) == (1, True)
    refused = salon(desk, *SOFIA, "appt", "book", "--client", "2", "--service", "corte", "--staff", "ana",
                    "--at", "2026-11-25 10:00")
    assert refused.code == 1 and "Pedro Páramo must leave a deposit to book (1 no-show)" in refused.stderr
    asked = salon(desk, *SOFIA, "appt", "book", "--client", "2", "--service", "corte", "--staff", "ana",
                  "--at", "2026-11-25 10:00", "--deposit", "100")  # asked is not taken (issue 26)
    assert asked.code == 1 and "--deposit AMOUNT --pay METHOD" in asked.stderr
    taken = ok(*SOFIA, "appt", "book", "--client", "2", "--service", "corte", "--staff", "ana", "--at",
               "2026-11-25 10:00", "--deposit", "100", "--pay", "cash", "-f", "json", db=desk)
    booked = json.loads(taken.stdout)
    assert (booked["deposit_cents"], booked["deposit_paid_cents"]) == (10000, 10000)
    assert "warning: Pedro Páramo has a deposit required" in taken.stderr
    manager = ok(*MARCO, "appt", "book", "--client", "2", "--service", "corte", "--staff", "ana", "--at",
                 "2026-11-26 10:00", db=desk)
    assert "booked without one taken by marco" in manager.stderr


def test_the_day_at_the_desk_checkin_by_name_start_complete(desk):
    ok(*SOFIA, "appt", "book", "--client", "1", "--service", "corte", "--staff", "ana", "--at", "2026-11-21 11:30",
       db=desk)
    run = ok(*SOFIA, "checkin", "jimena gimenez", "-f", "json", db=desk)
    seen = json.loads(run.stdout)
    assert seen["status"] == "checked_in" and seen["checked_in_at"] == "2026-11-21T11:00:00-06:00"
    assert run.stderr.startswith("checked in Ximena Jiménez: Corte dama with ana at 11:30")
    again = salon(desk, *SOFIA, "checkin", "ximena")
    assert again.code == 1 and "no booked appointment today for Ximena Jiménez" in again.stderr
    assert json.loads(ok(*SOFIA, "appt", "start", "1", "-f", "json", db=desk).stdout)["status"] == "in_service"
    assert json.loads(ok(*SOFIA, "appt", "complete", "1", "-f", "json", db=desk).stdout)["status"] == "completed"
    wrong = salon(desk, *SOFIA, "appt", "cancel", "1")
    assert wrong.code == 1 and wrong.stderr.startswith("error: appointment 1 is already completed; it cannot be cancelled")
    done = json.loads(ok("appt", "list", "--status", "completed", "--staff", "ana", "-f", "json", db=desk).stdout)
    assert [a["id"] for a in done] == [1]
    bad = salon(desk, "appt", "list", "--status", "gone")
    assert bad.code == 2 and "is not one of" in bad.stderr


def test_late_cancel_says_so_and_lists_the_penalty(desk):
    ok(*SOFIA, "appt", "book", "--client", "1", "--service", "corte", "--staff", "ana", "--at", "2026-11-21 18:00",
       db=desk)
    run = ok(*SOFIA, "appt", "cancel", "1", "--reason", "no llega", "-f", "json", db=desk)
    assert json.loads(run.stdout)["status"] == "late_cancelled"
    assert "late cancellation: penalty 1 of 87.50 MXN (pending)" in run.stderr
    (penalty,) = json.loads(ok("penalty", "list", "-f", "json", db=desk).stdout)
    assert PENALTY_FIELDS <= set(penalty)
    assert (penalty["kind"], penalty["amount_cents"], penalty["status"]) == ("late_cancel", 8750, "pending")


def _one_no_show(desk, clock):
    _book_due(desk)
    clock.advance(minutes=20)  # cron runs at 11:20 (--as-of replays the past only)
    return json.loads(ok("detect-no-shows", "--as-of", "2026-11-21T11:10:00-06:00", "-f", "json", db=desk).stdout)


def test_detect_no_shows_json_for_cron(desk, clock):
    _book_due(desk)
    clock.advance(minutes=20)  # cron runs at 11:20 (--as-of replays the past only)
    dry = json.loads(ok("detect-no-shows", "--as-of", "2026-11-21T11:10:00-06:00", "--dry-run", "-f", "json",
                        db=desk).stdout)
    assert {"marked", "penalties", "appointment_ids", "stale"} <= set(dry)
    assert (dry["marked"], dry["penalties"], dry["appointment_ids"], dry["dry_run"]) == (1, 1, [1], True)
    assert json.loads(ok("appt", "show", "1", "-f", "json", db=desk).stdout)["status"] == "booked"
    run = ok("detect-no-shows", "--as-of", "2026-11-21T11:10:00-06:00", "-f", "json", db=desk)
    report = json.loads(run.stdout)
    assert (report["marked"], report["penalties"], report["penalty_cents"], report["appointment_ids"], report["stale"]) == (
        1, 1, 17500, [1], 0)
    assert report["as_of"] == "2026-11-21T11:10:00-06:00"
    assert "marked 1 no-show, 1 penalty" in run.stderr
    again = json.loads(ok("detect-no-shows", "--as-of", "2026-11-21T11:10:00-06:00", "-f", "json", db=desk).stdout)
    assert (again["marked"], again["penalties"]) == (0, 0)
    runs = json.loads(ok("jobs", "--job", "detect-no-shows", "-f", "json", db=desk).stdout)
    assert [r["counts"]["marked"] for r in runs] == [0, 1]
    for args, text in ((["--as-of", "yesterday"], "is not an ISO-8601 instant"), (["--grace", "15"], "not a span"),
                       (["--lookback", "0h"], "more than zero")):
        bad = salon(desk, "detect-no-shows", *args)
        assert bad.code == 2 and text in bad.stderr, bad.stderr


def _book_due(desk):
    ok(*SOFIA, "appt", "book", "--client", "1", "--service", "corte", "--staff", "ana", "--at", "2026-11-21 10:50",
       db=desk)


def test_detect_no_shows_exits_4_while_another_run_holds_the_lock(desk, clock):
    from salon_cli.db.engine import make_engine
    from salon_cli.services.salon import jobs

    _book_due(desk)
    clock.advance(minutes=20)  # cron runs at 11:20 (--as-of replays the past only)
    engine = make_engine(desk)
    try:
        with jobs.single_instance(engine, "detect-no-shows", 1):
            busy = salon(desk, "detect-no-shows", "--as-of", "2026-11-21T11:10:00-06:00", "-f", "json")
    finally:
        engine.dispose()
    assert busy.code == 4 and busy.stdout == ""
    assert busy.stderr.startswith("error: detect-no-shows is already running")
    assert json.loads(ok("appt", "show", "1", "-f", "json", db=desk).stdout)["status"] == "booked"


def test_waive_needs_a_manager_pin_and_charge_without_stripe_changes_nothing(desk, clock):
    _one_no_show(desk, clock)
    for who, text in ((SOFIA, "sofia (receptionist) may not penalty waive"),
                      (["--as", "marco"], "a PIN is needed"),
                      (["--as", "marco", "--pin", "9999"], "wrong PIN for marco")):
        run = salon(desk, *who, "penalty", "waive", "1", "--reason", "amable")
        assert run.code == 3 and text in run.stderr, run.stderr
    charge = salon(desk, *SOFIA, "penalty", "charge", "1")
    assert charge.code == 1 and "Stripe is not set up: set SALON_STRIPE_API_KEY" in charge.stderr
    assert json.loads(ok("penalty", "show", "1", "-f", "json", db=desk).stdout)["status"] == "pending"
    missing = salon(desk, *MARCO, "penalty", "waive", "1")
    assert missing.code == 2
    waived = json.loads(ok(*MARCO, "penalty", "waive", "1", "--reason", "llamó con emergencia", "-f", "json",
                           db=desk).stdout)
    assert (waived["status"], waived["waived_by"], waived["waive_reason"]) == ("waived", "marco", "llamó con emergencia")
    ok("detect-no-shows", "--as-of", "2026-11-21T11:20:00-06:00", db=desk)
    assert json.loads(ok("penalty", "list", "--status", "waived", "-f", "json", db=desk).stdout)[0]["id"] == 1
    paid = salon(desk, *SOFIA, "penalty", "mark-paid", "1", "--method", "cash")
    assert paid.code == 1 and "was waived" in paid.stderr
    audit = json.loads(ok("audit", "--entity", "penalty", "--id", "1", "-f", "json", db=desk).stdout)
    assert [a["action"] for a in audit] == ["penalty.waive", "penalty.create"]


def test_mark_paid(desk, clock):
    _one_no_show(desk, clock)
    bad = salon(desk, *SOFIA, "penalty", "mark-paid", "1", "--method", "bitcoin")
    assert bad.code == 2 and "is not one of cash, card, transfer" in bad.stderr
    paid = json.loads(ok(*SOFIA, "penalty", "mark-paid", "1", "--method", "card", "-f", "json", db=desk).stdout)
    assert (paid["status"], paid["paid_method"]) == ("paid", "card")
    assert salon(desk, "penalty", "show", "99").code == 1
