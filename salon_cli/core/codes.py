"""Short codes people type (staff `ana`, service `womens-cut`)."""

from __future__ import annotations

import re
import unicodedata

from salon_cli.core.errors import InvalidInput

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def check_code(text: str, *, what: str = "code") -> str:
    code = (text or "").strip().lower()
    if not _CODE.match(code) or code.isdigit():
        raise InvalidInput(
            f"{what} {text!r} is not valid", hint="letters, digits, '-' or '_', up to 32, not only digits"
        )
    return code


def slug(text: str) -> str:
    """'Corte de Caballero' -> 'corte-de-caballero' (accents dropped)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return (s or "item")[:32].rstrip("-")
