"""Short codes people type (staff `ana`, service `womens-cut`), and another system's codes made ours
(`SH UR 300` -> `sh-ur-300`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from salon_cli.core.errors import InvalidInput

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
CODE_MAX = 32
# said by every refusal of a code: the person (or the file) that gave it must see what would do
CODE_RULE = "a code is 1 to 32 of a-z, 0-9, - and _, starting with a letter or digit, and not only digits"


def check_code(text: str, *, what: str = "code") -> str:
    code = (text or "").strip().lower()
    if not _CODE.match(code) or code.isdigit():
        raise InvalidInput(f"{what} {text!r} is not valid: {CODE_RULE}")
    return code


NUMERIC_PREFIX = {"service": "s-", "product": "p-"}


def catalog_code(text: str, kind: str) -> str:
    """Another system's service (product) code as ours: as it is, or, when it is only digits (`101`,
    which would read as an id at the desk), with a prefix: `s-101` (`p-101`). Imports find `101` there."""
    code = (text or "").strip().lower()
    return check_code(NUMERIC_PREFIX[kind] + code if code.isdigit() else code)


def own_code(text: str, kind: str) -> str:
    """A valid code made from another system's code (or a name) for a service (product): as
    `catalog_code` keeps it where it can, else every run of other characters as one '-' (`SH UR 300`
    -> `sh-ur-300`, `OIL9.5ML` -> `oil9-5ml`, `CUT+2` -> `cut-2`, `A&B` -> `a-b`; accents dropped),
    cut to 32. Empty when nothing of it is left (`+++`): the caller names it another way."""
    try:
        return catalog_code(text, kind)
    except InvalidInput:
        pass
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    code = re.sub(r"[^a-z0-9_]+", "-", ascii_text).strip("-_")
    if code.isdigit():  # `1.5.` -> `1-5` is not, but `#101` -> `101` is: an id at the desk
        code = NUMERIC_PREFIX[kind] + code
    return code[:CODE_MAX].rstrip("-_")


def unique_code(base: str, taken: Collection[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... (cut to fit 32) where it is taken."""
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate, n = base[:CODE_MAX - len(suffix)].rstrip("-_") + suffix, n + 1
    return candidate


def slug(text: str) -> str:
    """'Corte de Caballero' -> 'corte-de-caballero' (accents dropped)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return (s or "item")[:32].rstrip("-")
