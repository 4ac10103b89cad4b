"""`salon hours show|set`, `salon staff hours`, `salon staff off`, `salon policy set --slot` as managers and
scripts meet them: JSON and CSV, exit codes, the manager's PIN."""

from __future__ import annotations

import pytest

from cli_helpers import MARCO, SOFIA, js, ok, salon
from shop import make_shop


@pytest.fixture
def desk(db_url, engine, salon):
    make_shop(engine)
    return db_url


def test_opening_hours_show_set_and_formats(desk):
    before = js(desk, "hours", "show")
    assert [(d["weekday"], d["hours"], d["source"]) for d in before][:1] == [("mon", "any", "any")]
    assert "no opening hours set" in salon(desk, "hours", "show").stderr
    week = js(desk, *MARCO, "hours", "set", "--mon", "09:00-19:00", "--tue", "09:00-14:00, 16:00-20:00",
              "--sat", "10:00-14:00", "--closed", "sun")
    by_day = {d["weekday"]: d for d in week}
    assert by_day["tue"]["hours"] == "09:00-14:00, 16:00-20:00"
    assert by_day["tue"]["ranges"] == [{"start": "09:00", "end": "14:00"}, {"start": "16:00", "end": "20:00"}]
    assert (by_day["wed"]["hours"], by_day["sun"]["hours"], by_day["sun"]["source"]) == ("closed", "closed", "opening")
    js(desk, *MARCO, "hours", "set", "--wed", "09:00-24:00")
    assert {d["weekday"]: d["hours"] for d in js(desk, "hours", "show")}["wed"] == "09:00-24:00"
    assert ok(desk, "hours", "show", "-f", "csv").stdout.splitlines()[0] == "weekday,hours,source"
    assert len(ok(desk, "hours", "show", "-f", "ndjson").stdout.splitlines()) == 7


@pytest.mark.parametrize("args, words", [
    (["--tue", "9-14"], "--tue '9-14'"),
    (["--fri", "18:00-10:00"], "--fri '18:00-10:00': 18:00-10:00 ends before it starts"),
    (["--mon", "09:00-14:00,12:00-19:00"], "--mon '09:00-14:00,12:00-19:00': 09:00-14:00 and 12:00-19:00 overlap"),
    (["--closed", "someday"], "'someday' is not a day of the week"),
])
def test_bad_hours_exit_2_naming_the_day(desk, args, words):
    run = salon(desk, *MARCO, "hours", "set", *args)
    assert run.code == 2 and words in run.stderr, run.stderr
    run = salon(desk, *MARCO, "staff", "hours", "ana", *args) if args[0] != "--closed" else run
    assert run.code == 2


def test_a_receptionist_may_not_change_hours(desk):
    assert salon(desk, *SOFIA, "hours", "set", "--mon", "09:00-19:00").code == 3
    assert salon(desk, *SOFIA, "staff", "hours", "ana", "--mon", "09:00-19:00").code == 3
    assert salon(desk, *SOFIA, "staff", "off", "ana", "--from", "2026-12-10").code == 3
    assert salon(desk, *SOFIA, "policy", "set", "--slot", "30").code == 3
    assert salon(desk, "--as", "marco", "hours", "set", "--mon", "09:00-19:00").code == 3  # no PIN
    assert js(desk, "hours", "show")[0]["source"] == "any"


def test_staff_hours_split_shift_and_off(desk):
    shown = js(desk, "staff", "hours", "ana")
    assert {d["source"] for d in shown} == {"any"} and shown[0]["staff"] == "ana"
    week = js(desk, *MARCO, "staff", "hours", "ana", "--mon", "09:00-14:00,15:00-19:00", "--tue", "off")
    assert [(d["weekday"], d["hours"]) for d in week][:3] == [("mon", "09:00-14:00, 15:00-19:00"), ("tue", "off"),
                                                             ("wed", "off")]
    js(desk, *MARCO, "staff", "hours", "ana", "--wed", "10:00-18:00")
    again = {d["weekday"]: d["hours"] for d in js(desk, "staff", "hours", "ana")}
    assert (again["mon"], again["wed"]) == ("09:00-14:00, 15:00-19:00", "10:00-18:00")
    ok(desk, *MARCO, "hours", "set", "--mon", "08:00-20:00")
    cleared = js(desk, *MARCO, "staff", "hours", "ana", "--clear")
    assert {d["weekday"]: (d["hours"], d["source"]) for d in cleared}["mon"] == ("08:00-20:00", "opening")
    assert "staff hours" in ok(desk, "staff", "hours", "--help").stdout and "Example:" in ok(
        desk, "staff", "hours", "--help").stdout


def test_time_off_add_list_cancel(desk):
    added = js(desk, *MARCO, "staff", "off", "beto", "--from", "2026-12-10", "--to", "2026-12-12", "--reason", "holiday")
    assert {k: added[k] for k in ("staff", "first_day", "last_day", "days", "reason", "created_by")} == {
        "staff": "beto", "first_day": "2026-12-10", "last_day": "2026-12-12", "days": 3, "reason": "holiday",
        "created_by": "marco"}
    run = salon(desk, *MARCO, "staff", "off", "beto", "--from", "2026-12-12")
    assert run.code == 1 and "beto is already off 2026-12-10 to 2026-12-12 (holiday)" in run.stderr
    warned = salon(desk, *MARCO, "staff", "off", "ana", "--from", "2026-11-21", "--reason", "sick")
    assert warned.code == 0 and "warning: ana has 1 appointment(s) booked on those days" in warned.stderr
    assert [o["staff"] for o in js(desk, "staff", "off", "beto")] == ["beto"]
    assert [o["id"] for o in js(desk, "staff", "off", "beto", "--list")] == [added["id"]]
    assert len(ok(desk, "staff", "off", "ana", "-f", "ndjson").stdout.splitlines()) == 1
    assert salon(desk, *MARCO, "staff", "off", "ana", "--cancel", str(added["id"])).code == 1  # beto's, not ana's
    gone = salon(desk, *MARCO, "staff", "off", "beto", "--cancel", str(added["id"]))
    assert gone.code == 0 and "cancelled" in gone.stderr
    assert js(desk, "staff", "off", "beto") == []
    assert salon(desk, *MARCO, "staff", "off", "beto", "--from", "2026-12-12", "--to", "2026-12-10").code == 2
    assert salon(desk, *MARCO, "staff", "off", "beto", "--from", "12/10/2026").code == 2
    assert salon(desk, "staff", "off", "beto", "--to", "2026-12-10").code == 2


def test_policy_slot(desk):
    assert js(desk, "policy", "show")["slot_min"] == 15
    assert js(desk, *MARCO, "policy", "set", "--slot", "30")["slot_min"] == 30
    for bad in ("7", "0", "90"):
        assert salon(desk, *MARCO, "policy", "set", "--slot", bad).code == 2
