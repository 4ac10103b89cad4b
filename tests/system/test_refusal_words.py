"""The services' refusals at a Spanish desk (`salon_cli/i18n/refusals.py`): their templates are read
from the sources as the catalog's extraction reads them, every one the catalog holds is said back in
Spanish with the message's own values, English stays as the service wrote it, and a message no template
makes is left alone. The command line is not touched: it prints `SalonError.message` as it is."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

from salon_cli import i18n
from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.i18n import refusals
from salon_cli.tui.words import desk_words

ROOT = Path(__file__).resolve().parents[2]

SOURCE = '''
from salon_cli.core.errors import Conflict, InvalidInput, RuleViolation, refusal_words

def book(appt, member, rows, code):
    raise RuleViolation(f"appointment {appt.id} is {appt.status}", hint="see: salon appt show 12")
    raise Conflict(f"{member.code} is already booked: {', '.join(rows)}",
                   hint=f"choose another time for {member.code}")
    raise InvalidInput("a price must not be negative")
    raise InvalidInput(f"{code!r} is not a code" + " I know")
    raise RuleViolation(f"{code}")            # no words of its own: nothing to translate
    raise RuleViolation(f"client {appt.id} {code}")  # one word for two values: it would match anything
    raise RuleViolation(message)              # built elsewhere: not read
    return refusal_words(f"{member.code} is off on {appt.day:%Y-%m-%d}")
    raise InvalidInput(f"{appt.start} to {appt.start} uses {{braces}}")
'''


def test_templates_are_read_from_the_sources_with_named_placeholders():
    found = [template for _line, template in refusals.templates_in(SOURCE)]
    assert found == [
        "appointment {id} is {status}",                 # its hint names a command: the desk drops it
        "{code} is already booked: {rows}",
        "choose another time for {code}",                # a hint the desk shows
        "a price must not be negative",
        "{code} is not a code I know",
        "{code} is off on {day}",
        "{start} to {start} uses {{braces}}",  # the same value, the same name
    ]


def _catalog_refusals() -> list[tuple[str, str]]:
    with (i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "salon.mo").open("rb") as handle:
        return [(str(m.id), str(m.string)) for m in read_mo(handle) if m.context == refusals.CONTEXT and m.id]


def _filled(template: str, values: dict[str, str]) -> str:
    return "".join(literal + (values[field] if field is not None else "")
                   for literal, field, _spec, _conv in string.Formatter().parse(template))


def test_every_refusal_of_the_catalog_is_said_back_in_spanish_with_its_values():
    known = _catalog_refusals()
    assert len(known) > 500  # the services' refusals the desk can meet, all translated (test_catalog)
    wrong = []
    for english, spanish in known:
        fields = [f for _l, f, _s, _c in string.Formatter().parse(english) if f is not None]
        values = {field: f"<{n}>" for n, field in enumerate(dict.fromkeys(fields))}
        message = _filled(english, values)
        said = refusals.say(message, "es")
        if said != _filled(spanish, values):
            # another template makes the same message: it must say it the same way, values and all
            wrong.append(f"{message!r}\n  said:     {said!r}\n  expected: {_filled(spanish, values)!r}")
    assert not wrong, f"{len(wrong)} refusals said wrong:\n" + "\n".join(wrong[:20])


def test_english_is_said_as_written_and_unknown_words_are_left_alone():
    assert refusals.say("appointment 12 is completed", "en") == "appointment 12 is completed"
    assert refusals.say("the database caught fire", "es") == "the database caught fire"
    assert refusals.say("", "es") == ""


def test_a_real_refusal_reads_spanish_at_a_spanish_desk_and_english_on_the_command_line():
    from salon_cli.core.money import parse_amount

    with pytest.raises(InvalidInput) as refused:
        parse_amount("ten", "MXN", what="tip")
    message = refused.value.message
    assert message.startswith("tip 'ten' is not")  # what the command line prints, unchanged
    i18n.use("es")
    try:
        said = desk_words(message, refused.value.hint)
    finally:
        i18n.use("en")
    assert said != message and "'ten'" in said and "tip" in said, said
    assert " is not " not in said, said
    assert desk_words(message, refused.value.hint).startswith("tip 'ten' is not")  # the English desk


def test_the_desk_drops_hints_naming_a_command_line_and_says_the_rest():
    assert refusals.names_a_command_line("see: salon sale show 12")
    assert refusals.names_a_command_line("pass --allow-overlap")
    assert not refusals.names_a_command_line("pay the rest with another method (split tender)")


def test_every_kind_of_refusal_the_sources_define_is_read():
    """A new subclass of a refusal (`class CardDeclined(SalonError)`) joins `refusals.ERRORS`, or its
    messages would never reach the catalog."""
    import ast

    defined = set()
    for path in sorted((ROOT / "salon_cli").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and base.id in refusals.ERRORS for base in node.bases):
                defined.add(node.name)
    assert defined and defined <= refusals.ERRORS, sorted(defined - refusals.ERRORS)


def test_refusals_made_in_pieces_read_whole_in_spanish():
    """A refusal whose words are put together from pieces (a state phrase, an empty plural ending, the
    time box's examples) reads as one Spanish sentence; the command line's English is unchanged."""
    from datetime import datetime, timezone

    from salon_cli.core.spoken_time import parse_when
    from salon_cli.db.models import Appointment
    from salon_cli.services.book.status import _refuse

    with pytest.raises(InvalidInput) as time_box:
        parse_when("monday", datetime(2026, 11, 21, 11, 0, tzinfo=timezone.utc), what="hora")
    assert time_box.value.message.startswith("hora 'monday' has no time of day: e.g. 2026-12-11 16:00")
    assert refusals.say(time_box.value.message, "es").startswith("hora 'monday' no dice a qué hora: p. ej. ")

    with pytest.raises(RuleViolation) as step:
        _refuse(Appointment(id=7, status="completed"), "cancel")
    assert step.value.message == "appointment 7 is already completed; it cannot be cancelled"
    assert refusals.say(step.value.message, "es") == "la cita 7 ya está terminada; no se puede cancelar"

    one = ("client 24 was stamped at 11:00 and has had 1 stamp today, the daily limit: the next stamp is allowed "
           "from 2026-11-22 00:00")  # `loyalty.rewards.stamp`'s words (its plural ending is empty here)
    assert refusals.say(one, "es") == ("al cliente 24 se le selló a las 11:00 y ya recibió 1 sello hoy, el límite "
                                       "diario: el próximo sello se permite desde 2026-11-22 00:00")
    assert refusals.say("the reason is empty", "es") == "el motivo está vacío"


def test_a_refusal_of_the_role_reads_whole_in_spanish():
    from salon_cli.core.errors import NotPermitted
    from salon_cli.core.permissions import Permission
    from salon_cli.services.salon.actors import Actor
    from salon_cli.services.salon.authz import authorize

    sofia = Actor(id=3, code="sofia", name="Sofía Ramírez", role="receptionist")
    with pytest.raises(NotPermitted) as refused:
        authorize(sofia, Permission.cash_expected)
    assert refused.value.message == "sofia (receptionist) may not see the drawer's expected cash before the count"
    assert refusals.say(refused.value.message, "es") == (
        "sofia (recepcionista) no puede ver el efectivo esperado en caja antes del conteo")
