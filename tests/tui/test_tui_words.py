"""The services' refusals in the dashboard's words (`tui/words.py`): no command-line flag or command."""

from __future__ import annotations

from salon_cli.core.errors import NotPermitted, RuleViolation
from salon_cli.tui.app import describe
from salon_cli.tui.words import desk_words


def test_a_known_hint_is_said_the_desks_way():
    refused = RuleViolation("ana is already booked: 2026-11-24 10:00-11:00 (appointment 7)",
                            hint="choose another time or staff member, or pass --allow-overlap")
    assert describe(refused) == ("ana is already booked: 2026-11-24 10:00-11:00 (appointment 7) "
                                 "(choose another time or stylist)")
    late = NotPermitted("after 15 minutes only a manager undoes a check-in", hint="a manager does it: --as CODE --pin PIN")
    assert describe(late).endswith("(a manager's PIN is asked)")


def test_a_hint_naming_a_command_is_left_out_and_flags_read_as_words():
    assert desk_words("sale 12 is paid", "see: salon sale show 12") == "sale 12 is paid"
    assert desk_words("--at is needed", None) == "at is needed"
    assert desk_words("x", "run: salon db upgrade") == "x"


def test_a_plain_hint_stays():
    hint = "salon writes the file and, beside it, its -wal and -shm files: check the owner"
    assert desk_words("cannot write the database", hint) == f"cannot write the database ({hint})"
