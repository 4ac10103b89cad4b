"""Text as people type it: names folded for matching (case, accents and spacing never decide whether two
names match), and free text (notes, reasons) cleaned and checked."""

from __future__ import annotations

import unicodedata

from salon_cli.core.errors import InvalidInput


def fold(text: str | None) -> str:
    """'  José  MUÑOZ ' -> 'jose munoz'."""
    plain = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(plain.lower().split())


def name_key(first: str, last: str) -> str:
    return fold(f"{first} {last}")[:170]


def clean_text(value: str | None, what: str, limit: int, *, required: bool = False) -> str | None:
    """Free text as typed (a note, a reason): spaces folded; None when empty (refused when `required`),
    refused over `limit` characters."""
    text = " ".join((value or "").split())
    if not text:
        if required:
            raise InvalidInput(f"{what} is empty", hint='say why, e.g. --reason "rang up twice"')
        return None
    if len(text) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return text
