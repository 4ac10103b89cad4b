"""`salon appt book --at` and `appt move --at` take times as the desk says them (core.spoken_time)."""

from __future__ import annotations

import pytest

from cli_helpers import SOFIA, js, salon
from shop import make_shop


@pytest.fixture
def shop(engine, salon, clock):
    return make_shop(engine)  # now: Saturday 2026-11-21 11:00 in Mexico City


BOOK = ["appt", "book", "--service", "corte", "--staff", "beto"]


@pytest.mark.parametrize("said, starts", [
    ("mañana 10", "2026-11-22T10:00:00-06:00"),
    ("viernes 16:00", "2026-11-27T16:00:00-06:00"),
    ("fri 4pm", "2026-11-27T16:00:00-06:00"),
    ("4:30 pm", "2026-11-21T16:30:00-06:00"),
    ("next mon 9", "2026-11-23T09:00:00-06:00"),
    ("2026-11-24 10:00", "2026-11-24T10:00:00-06:00"),
])
def test_book_at_as_said(db_url, shop, said, starts):
    done = js(db_url, *SOFIA, *BOOK, "--client", str(shop.pedro), "--at", said)
    assert done["starts_at"] == starts


@pytest.mark.parametrize("said, code, says", [
    ("10:00", 2, "--at: 10:00 has passed today: say tomorrow 10:00 or a date"),
    ("11/12 16:00", 2, "write the date as YYYY-MM-DD"),
    ("23/11/2026 10:00", 2, "is not 'YYYY-MM-DD HH:MM'"),
    ("2026-11-23 25:00", 2, "--at '2026-11-23 25:00' is not 'YYYY-MM-DD HH:MM'"),
    ("vie 16:75", 2, "minutes 75"),
    ("today 10", 1, "has already passed"),
])
def test_book_refusals_change_nothing(db_url, shop, said, code, says):
    run = salon(db_url, *SOFIA, *BOOK, "--client", str(shop.pedro), "--at", said)
    assert run.code == code and run.stdout == "" and says in run.stderr.splitlines()[0], run.stderr
    assert js(db_url, "appt", "list", "--from", "2026-11-21", "--to", "2026-12-31", "--client", str(shop.pedro)) == []


def test_move_at_as_said(db_url, shop):
    moved = js(db_url, *SOFIA, "appt", "move", str(shop.appt), "--at", "pasado mañana 11")
    assert moved["starts_at"] == "2026-11-23T11:00:00-06:00"
    refused = salon(db_url, *SOFIA, "appt", "move", str(shop.appt), "--at", "12-11 16:00")
    assert refused.code == 2 and "write the date as YYYY-MM-DD" in refused.stderr
    assert js(db_url, "appt", "show", str(shop.appt))["starts_at"] == "2026-11-23T11:00:00-06:00"
