"""A location's country (issue 31): taken from the zone at `init` and `location add`, set with
`--country`, shown in `location show`/JSON, and the region every national phone number is read in
(clients by hand and by import); the location's own phone is checked in its plan. Both databases.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from cli_helpers import INIT, OWNER, js, ok, salon
from salon_cli.db.engine import make_engine

DESK = ["--as", "sofia"]  # a receptionist (PIN 3333), added by `_team`


def _init(db_url: str, *extra: str) -> dict:
    run = salon(db_url, *INIT, *extra, "-f", "json")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def _team(db_url: str) -> None:
    ok(db_url, *OWNER, "staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333")


def _location_row(db_url: str, code: str = "centro") -> tuple:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT country, phone, timezone FROM location WHERE code = :c"), {"c": code}).one()
    engine.dispose()
    return tuple(row)


def test_init_takes_the_country_of_the_zone_and_reads_national_phones_in_it(db_url, engine, clock):
    made = _init(db_url)
    assert made["country"] == "MX" and made["timezone"] == "America/Mexico_City"
    shown = js(db_url, "location", "show")
    assert shown["country"] == "MX"
    assert "country" in ok(db_url, "location", "list").stdout  # a column of the table
    _team(db_url)
    client = js(db_url, *DESK, "client", "add", "--first", "Ana", "--last", "Ruiz", "--phone", "55 1234 5678")
    assert client["phone"] == "+525512345678"  # JSON keeps E.164


def test_init_country_overrides_the_zone_and_a_zone_of_no_country_has_none(db_url, engine, clock, tmp_path):
    made = _init(db_url, "--country", "es")
    assert made["country"] == "ES" and made["timezone"] == "America/Mexico_City"
    _team(db_url)
    client = js(db_url, *DESK, "client", "add", "--first", "Eva", "--last", "Sanz", "--phone", "612 34 56 78")
    assert client["phone"] == "+34612345678"
    # a branch in UTC has no country: a national number there needs its country code (or the branch a country)
    norte = js(db_url, *OWNER, "location", "add", "--code", "norte", "--name", "Norte", "--timezone", "UTC",
               "--currency", "MXN")
    assert norte["country"] is None
    run = salon(db_url, *DESK, "--location", "norte", "client", "add", "--first", "Leo", "--last", "Paz",
                "--phone", "55 8765 4321")
    assert run.code == 2
    assert run.stderr.splitlines() == [
        "error: phone '55 8765 4321' has no country code and this location's country is not known",
        "hint: write it with + and the country code, e.g. +52 55 1234 5678"]
    assert js(db_url, *DESK, "--location", "norte", "client", "add", "--first", "Leo", "--last", "Paz",
              "--phone", "+52 55 8765 4321")["phone"] == "+525587654321"
    assert js(db_url, *OWNER, "--location", "norte", "location", "set", "--country", "mx")["country"] == "MX"
    assert js(db_url, *DESK, "--location", "norte", "client", "add", "--first", "Lía", "--last", "Paz",
              "--phone", "55 8765 4322")["phone"] == "+525587654322"
    # location add: the zone's country, or the one given
    assert js(db_url, *OWNER, "--location", "centro", "location", "add", "--code", "tenerife", "--name", "Tenerife", "--timezone",
              "Atlantic/Canary", "--currency", "EUR")["country"] == "ES"
    lisboa = js(db_url, *OWNER, "--location", "centro", "location", "add", "--code", "lx", "--name", "Lisboa", "--timezone", "Europe/Lisbon",
                "--currency", "EUR", "--country", "PT", "--phone", "21 123 4567")
    assert (lisboa["country"], lisboa["phone"]) == ("PT", "+351 21 123 4567")


def test_bad_country_at_init_changes_nothing(db_url, engine, clock):
    run = salon(db_url, *INIT, "--country", "XX")
    assert run.code == 2
    assert run.stderr.splitlines() == ["error: country 'XX' is not an ISO 3166-1 country code",
                                       "hint: two letters, e.g. MX, ES, US, CO"]
    still = salon(db_url, "location", "show")
    assert still.code == 1 and "not initialised" in still.stderr


def test_location_set_country_and_phone_refusals_change_nothing(db_url, engine, clock, tmp_path):
    _init(db_url)
    _team(db_url)
    set_phone = js(db_url, *OWNER, "location", "set", "--phone", "55-1234-5678")
    assert set_phone["phone"] == "+52 55 1234 5678"  # checked in Mexico's plan, printed the international way
    for args, code, error in (
        (["--country", "XX"], 2, "error: country 'XX' is not an ISO 3166-1 country code"),
        (["--country", ""], 2, "error: country is empty"),
        (["--phone", "55 1234"], 2, "error: phone '55 1234' has 6 digits after +52; numbers there have 10"),
        (["--phone", "(555) 123-4567", "--country", "US"], 2,
         "error: phone '(555) 123-4567' is not a valid +1 number: its area code or range is not in the country's plan"),
    ):
        run = salon(db_url, *OWNER, "location", "set", *args)
        assert run.code == code, (args, run.stderr)
        assert run.stderr.splitlines()[0] == error
    run = salon(db_url, "--as", "sofia", "--pin", "3333", "location", "set", "--country", "ES")
    assert run.code == 3, run.stderr
    assert _location_row(db_url) == ("MX", "+52 55 1234 5678", "America/Mexico_City")

    # set: the country given is where phones are read from now on; a phone with it is read in it
    after = js(db_url, *OWNER, "location", "set", "--country", "ES", "--phone", "91 123 45 67")
    assert (after["country"], after["phone"]) == ("ES", "+34 911 23 45 67")  # as libphonenumber groups it
    audit = js(db_url, "audit", "--entity", "location", "--limit", "1")[0]
    assert audit["action"] == "location.set"
    assert (audit["before"]["country"], audit["after"]["country"]) == ("MX", "ES")
    assert js(db_url, *DESK, "client", "add", "--first", "Eva", "--last", "Sanz",
              "--phone", "612 34 56 78")["phone"] == "+34612345678"
    run = salon(db_url, *DESK, "client", "add", "--first", "Ana", "--last", "Ruiz", "--phone", "55 1234 5678")
    assert run.code == 2
    assert run.stderr.splitlines()[0] == "error: phone '55 1234 5678' has 10 digits after +34; numbers there have 9"
    # an import reads its national numbers in the location's country too
    source = tmp_path / "clientes.csv"
    source.write_text("first_name,last_name,phone\nLuz,Gil,622 11 22 33\nPau,Vila,+52 55 2222 3333\n", encoding="utf-8")
    ok(db_url, *OWNER, "import", "clients", str(source))
    phones = {c["first_name"]: c["phone"] for c in js(db_url, "client", "list")}
    assert phones["Luz"] == "+34622112233" and phones["Pau"] == "+525522223333"
