"""The services' refusals in the dashboard's words: their hints name command-line flags and commands
(`--allow-overlap`, `salon sale show 12`), which mean nothing at the desk. A known hint is said the
dashboard's way; any other hint that names a flag or a command is left out; a flag named in the message
itself reads as words ("--at" -> "at"). `describe` says any failure in one line: a refusal in those
words, a failure of the database itself as the command line says it.

The desk's phrases are in the desk's language (`_`), and so are the services' refusals where the catalog
holds their template (`i18n.refusals.say`; the command line prints them in English).
`role_name` is a staff role as the desk reads it."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from salon_cli.core.errors import SalonError
from salon_cli.i18n import N_, _, refusals

# (what a service's hint names, what the desk reads instead: said through `_`)
HINTS = (
    ("--allow-overlap", N_("choose another time or stylist")),
    ("--allow-outside-hours", N_("choose another time or stylist")),
    ("--deposit AMOUNT --pay METHOD", N_("take a deposit now (amount and how it is paid), or a manager books it")),
    ("appt deposit", N_("book it once, then repeat it after the deposit is taken")),
    ("--on-gap", N_("choose another time")),
    ("--as MANAGER --pin", N_("a manager's PIN is asked")),
    ("--as CODE --pin", N_("a manager's PIN is asked")),
    ("--walk-in", N_("if the client is here now, book a walk-in instead (w on the book)")),
    ("resend-refunds", N_("it is sent again by the next no-show run, or from the command line")),
)

ROLES = {"owner": N_("owner"), "manager": N_("manager"), "receptionist": N_("receptionist"),
         "stylist": N_("stylist")}


def role_name(role: str) -> str:
    """A staff role (`core.permissions.Role`) in the desk's language: 'receptionist', 'recepcionista'."""
    return _(ROLES[role]) if role in ROLES else role


def desk_words(message: str, hint: str | None = None) -> str:
    """A service's refusal (and its hint) as the desk says it, in the desk's language (`refusals.say`)."""
    said = re.sub(r"(?<![\w-])--([a-z][a-z-]*)", lambda m: m.group(1).replace("-", " "), refusals.say(message))
    if not hint:
        return said
    for flag, words in HINTS:
        if flag in hint:
            return f"{said} ({_(words)})"
    if refusals.names_a_command_line(hint):
        return said
    return f"{said} ({refusals.say(hint)})"


def describe(exc: BaseException, database_url: Any = None) -> str:
    """One line for the person at the desk. A failure of the database itself (a lost PostgreSQL
    connection, a SQLite file that is read-only, full or gone) in the same words as the command line:
    what happened, that nothing was saved, what to do."""
    if not isinstance(exc, SalonError):
        from salon_cli.db.failures import explain

        exc = explain(exc, database_url) or exc
    if isinstance(exc, SalonError):
        return desk_words(exc.message, exc.hint)
    if isinstance(exc, SQLAlchemyError):
        orig = getattr(exc, "orig", None)
        return str(orig or exc).strip().splitlines()[0]
    return f"{type(exc).__name__}: {exc}".splitlines()[0]
