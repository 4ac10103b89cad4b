"""CSV cells a spreadsheet would run as a formula: marked with a leading `'` on writing (`neutralise`,
OWASP's advice on CSV injection), the mark taken off on reading (`unmark`), so that a file written
here reads back exactly."""

from __future__ import annotations

import re

# first characters a spreadsheet reads as the start of a formula ('+' and '-' only before more than a
# number), and the mark itself: a text that begins with marks before such a start is marked once more
FORMULA_STARTS = frozenset("=@\t\r+-'")
_NUMBER = re.compile(r"[+-](?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][+-]?\d+)?%?\Z")


def is_formula(text: str) -> bool:
    """Would a spreadsheet run this cell: it starts with `=`, `@`, a tab or a carriage return, or with `+`
    or `-` followed by anything but a number (`+5215512345678`, `-12.50`, `+3` are numbers). A text that
    is such a cell behind leading `'` counts too, so that `unmark(neutralise(t)) == t` for every text."""
    core = text.lstrip("'")
    first = core[:1]
    if first in ("+", "-"):
        return len(core) > 1 and _NUMBER.match(core) is None
    return first in ("=", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """The CSV cell of `text`: as it is, or with a leading `'` when a spreadsheet would run it."""
    return "'" + text if text[:1] in FORMULA_STARTS and is_formula(text) else text


def unmark(text: str) -> str:
    """A cell read from CSV without the mark `neutralise` put on it (a `'` before a formula)."""
    return text[1:] if text[:1] == "'" and is_formula(text[1:]) else text

