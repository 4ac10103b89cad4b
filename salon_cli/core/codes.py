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


NUMERIC_PREFIX = {"service": "s-", "product": "p-"}


def catalog_code(text: str, kind: str) -> str:
    """Another system's service (product) code as ours: as it is, or, when it is only digits (`101`,
    which would read as an id at the desk), with a prefix: `s-101` (`p-101`). Imports find `101` there."""
    code = (text or "").strip().lower()
    return check_code(NUMERIC_PREFIX[kind] + code if code.isdigit() else code)


def slug(text: str) -> str:
    """'Corte de Caballero' -> 'corte-de-caballero' (accents dropped)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return (s or "item")[:32].rstrip("-")
