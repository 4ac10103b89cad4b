"""Phones as people type them, to E.164, with the location's country by default (core/phones.py, through
phonenumbers); the country of a location's zone (core/countries.py)."""

from __future__ import annotations

import pytest

from salon_cli.core.errors import InvalidInput
from salon_cli.core.countries import check_country, country_for_zone
from salon_cli.core.phones import national, problem, to_e164


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("America/Mexico_City", "MX"), ("America/Monterrey", "MX"), ("America/Tijuana", "MX"),
        ("America/New_York", "US"), ("America/Los_Angeles", "US"), ("America/Toronto", "CA"),
        ("America/Indiana/Indianapolis", "US"), ("Europe/Madrid", "ES"), ("Atlantic/Canary", "ES"),
        ("America/Bogota", "CO"), ("America/Argentina/Buenos_Aires", "AR"), ("Europe/London", "GB"),
        ("UTC", None), (None, None),
        # CLDR knows every zone (the old table did not know Tokyo), and the old names through its aliases
        ("Asia/Tokyo", "JP"), ("US/Eastern", "US"), ("Asia/Calcutta", "IN"), ("America/Puerto_Rico", "PR"),
        ("Etc/GMT+5", None), ("Nowhere/Zone", None),
    ],
)
def test_country_from_the_location_zone(zone, country):
    assert country_for_zone(zone) == country


def test_country_codes_are_checked_against_the_iso_list():
    assert check_country(" mx ") == "MX" and check_country("") is None
    for bad in ("XX", "EU", "MEX", "1"):
        with pytest.raises(InvalidInput) as caught:
            check_country(bad)
        assert caught.value.message == f"country {bad!r} is not an ISO 3166-1 country code"


@pytest.mark.parametrize(
    ("typed", "zone", "e164"),
    [
        # Mexico: national, international, the old mobile '1', the old 044/045/01 prefixes
        ("55-1234-5678", "America/Mexico_City", "+525512345678"),
        ("55 1234 5678", "America/Mexico_City", "+525512345678"),
        ("(55) 1234.5678", "America/Mexico_City", "+525512345678"),
        ("+52 55 1234 5678", "America/Mexico_City", "+525512345678"),
        ("+52 1 55 1234 5678", "America/Mexico_City", "+525512345678"),
        ("044 55 1234 5678", "America/Mexico_City", "+525512345678"),
        ("01 81 8123 4567", "America/Monterrey", "+528181234567"),
        ("52 55 1234 5678", "America/Mexico_City", "+525512345678"),
        # North America: brackets, the trunk '1', dialling out with 011
        ("(415) 555-0134", "America/New_York", "+14155550134"),
        ("1 (212) 555-0100", "America/New_York", "+12125550100"),
        ("212.555.0100", "America/Chicago", "+12125550100"),
        ("011 44 20 7946 0958", "America/New_York", "+442079460958"),
        # Spain and the rest: '00' dials out; a trunk '0' is dropped where the country has one
        ("0034 91 123 45 67", "America/Mexico_City", "+34911234567"),
        ("91 123 45 67", "Europe/Madrid", "+34911234567"),
        ("+34 612 34 56 78", "America/New_York", "+34612345678"),
        ("020 7946 0958", "Europe/London", "+442079460958"),
        ("06 12 34 56 78", "Europe/Paris", "+33612345678"),
        ("+39 06 1234 5678", "Europe/Madrid", "+390612345678"),  # Italy keeps its 0
        # a country without a plan here: only the E.164 length is checked
        ("+81 3-1234-5678", "America/Mexico_City", "+81312345678"),
        ("+1 212 555 0100", None, "+12125550100"),
        # the library's plans: every country, and Mexico's retired prefixes still read
        ("045 55 1234 5678", "America/Mexico_City", "+525512345678"),
        ("34 612 34 56 78", "Europe/Madrid", "+34612345678"),
        ("(416) 555-0123", "America/Toronto", "+14165550123"),
        ("03-1234-5678", "Asia/Tokyo", "+81312345678"),
        ("+800 1234 5678", "UTC", "+80012345678"),
    ],
)
def test_typed_phones_become_e164(typed, zone, e164):
    assert to_e164(typed, region=country_for_zone(zone)) == e164


@pytest.mark.parametrize(
    ("typed", "zone", "error"),
    [
        ("call me", "America/Mexico_City", "phone 'call me' is not a phone number"),
        ("555-CALL-NOW", "America/New_York", "phone '555-CALL-NOW' is not a phone number"),
        ("55 1234 5678 ext 12", "America/Mexico_City", "phone '55 1234 5678 ext 12' is not a phone number"),
        ("55 1234 5678 #2", "America/Mexico_City", "phone '55 1234 5678 #2' is not a phone number"),
        ("(555 123-4567", "America/New_York", "phone '(555 123-4567' is not a phone number"),
        ("+", "America/Mexico_City", "phone '+' is not a phone number"),
        ("   ", "America/Mexico_City", "phone is empty"),
        ("12", "America/Mexico_City", "phone '12' has 2 digits after +52; numbers there have 10"),
        ("55 1234 567", "America/Mexico_City", "phone '55 1234 567' has 9 digits after +52; numbers there have 10"),
        ("+52 55 1234", "America/New_York", "phone '+52 55 1234' has 6 digits after +52; numbers there have 10"),
        ("+0 55 1234 5678", "America/Mexico_City", "phone '+0 55 1234 5678' does not start with a country code"),
        ("(055) 123-4567", "America/New_York",
         "phone '(055) 123-4567' is not a North American number (area codes start with 2-9)"),
        ("+81 1234 5678 9012 3456", "America/Mexico_City",
         "phone '+81 1234 5678 9012 3456' has 18 digits with its country code; a phone number has 7 to 15"),
        ("555 123 4567", "UTC", "phone '555 123 4567' has no country code and this location's country is not known"),
        # libphonenumber is more correct: 555 is not a North American area code (the old table only
        # counted digits and took it as +15551234567)
        ("(555) 123-4567", "America/New_York",
         "phone '(555) 123-4567' is not a valid +1 number: its area code or range is not in the country's plan"),
        ("+44 20 7946 095", "Europe/London",
         "phone '+44 20 7946 095' is not a valid +44 number: its area code or range is not in the country's plan"),
        ("555 0100", "America/Chicago", "phone '555 0100' has 7 digits after +1; numbers there have 10"),
        ("+49 30", "Europe/Berlin", "phone '+49 30' has 4 digits with its country code; a phone number has 7 to 15"),
        ("123456789012345678901", "America/Mexico_City",
         "phone '123456789012345678901' is too long to be a phone number (21 digits)"),
        ("00", "Europe/Madrid", "phone '00' does not start with a country code"),
        ("+999 1234 5678", "Europe/Madrid", "phone '+999 1234 5678' does not start with a country code"),
    ],
)
def test_garbage_is_refused_with_exit_2(typed, zone, error):
    with pytest.raises(InvalidInput) as caught:
        to_e164(typed, region=country_for_zone(zone))
    assert caught.value.message == error
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("stored", "country", "shown"),
    [
        ("+525512345678", "MX", "55 1234 5678"),  # the location's own country: national
        ("+12125550100", "US", "(212) 555-0100"),
        ("+14165550123", "US", "(416) 555-0123"),  # +1 is one plan: dialled the same from the US
        ("+34612345678", "ES", "612 34 56 78"),
        ("+442079460958", "GB", "020 7946 0958"),
        ("+34612345678", "MX", "+34 612 34 56 78"),  # another country: international
        ("+525512345678", None, "+52 55 1234 5678"),  # a location with no country
        ("call me", "MX", "call me"),  # what does not read as a number, as stored
    ],
)
def test_the_desk_shows_national_numbers_for_its_country(stored, country, shown):
    assert national(stored, country) == shown


@pytest.mark.parametrize(
    ("stored", "reason"),
    [
        ("+525512345678", None),
        ("+34612345678", None),
        ("+15551234567", "is not a valid +1 number: its area code or range is not in the country's plan"),
        ("+5215512345678", "is not stored in E.164: the number is +525512345678"),
        ("+5255123", "has 5 digits after +52; numbers there have 10"),
        ("5512345678", "is not in E.164 (no + and country code)"),
        ("+52 55 CALL", "is not a phone number"),
    ],
)
def test_a_stored_number_says_what_is_wrong_with_it(stored, reason):
    assert problem(stored) == reason
