"""Phones as people type them, to E.164, with the location's country by default (core/phones.py)."""

from __future__ import annotations

import pytest

from salon_cli.core.errors import InvalidInput
from salon_cli.core.phones import country_code_for_zone, to_e164


@pytest.mark.parametrize(
    ("zone", "code"),
    [
        ("America/Mexico_City", "52"), ("America/Monterrey", "52"), ("America/Tijuana", "52"),
        ("America/New_York", "1"), ("America/Los_Angeles", "1"), ("America/Toronto", "1"),
        ("America/Indiana/Indianapolis", "1"), ("Europe/Madrid", "34"), ("Atlantic/Canary", "34"),
        ("America/Bogota", "57"), ("America/Argentina/Buenos_Aires", "54"), ("Europe/London", "44"),
        ("UTC", None), ("Asia/Tokyo", None), (None, None),
    ],
)
def test_country_code_from_the_location_zone(zone, code):
    assert country_code_for_zone(zone) == code


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
        ("(555) 123-4567", "America/New_York", "+15551234567"),
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
    ],
)
def test_typed_phones_become_e164(typed, zone, e164):
    assert to_e164(typed, country_code=country_code_for_zone(zone)) == e164


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
    ],
)
def test_garbage_is_refused_with_exit_2(typed, zone, error):
    with pytest.raises(InvalidInput) as caught:
        to_e164(typed, country_code=country_code_for_zone(zone))
    assert caught.value.message == error
    assert caught.value.exit_code == 2
