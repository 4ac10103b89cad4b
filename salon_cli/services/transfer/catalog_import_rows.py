"""The rows of a services or products file, each checked on its own: what `catalog_import` reads.

A row's code is the other system's (`SH UR 300`, `OIL9.5ML`, `CUT+2`): kept as the item's external
code, with `own` the valid code it already is (`corte-d`, `101` as `s-101`), if it is one. A row
without a name is named after its code, and a service without a duration takes the import's
default; each such row carries a note that says so (the dry run's reason, the import's audit row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from salon_cli.core.codes import catalog_code
from salon_cli.core.errors import InvalidInput
from salon_cli.core.money import parse_money_cell
from salon_cli.io.tabular import Fault, SourceRow
from salon_cli.services.salon.locations import LocationView

EXTERNAL_MAX = 64  # the column's length (migration 0020)
_TRUE, _FALSE = frozenset({"true", "yes", "1", "si", "sí"}), frozenset({"false", "no", "0"})


@dataclass(frozen=True)
class Default:
    """How a service without a duration is given one: `minutes`, and where they come from (`why`)."""

    minutes: int
    why: str  # "--default-duration" or "the policy's slot"


@dataclass(frozen=True)
class CatalogRow:
    number: int
    external: str | None  # the file's code, as it is (spaces run together)
    own: str | None  # that code where it is a valid code of ours already
    name: str
    category: str | None
    duration_min: int | None
    price_cents: int
    stock: int
    active: bool
    notes: tuple[str, ...] = ()  # what the import assumed: "no name: named after its code SH UR 300"


def check_row(src: SourceRow, kind: str, location: LocationView, decimal: str | None, default: Default | None,
              faults: list[Fault]) -> CatalogRow | None:
    """The row as it will be stored, or None with its faults added to `faults`. `default`: the
    duration of a service whose cell is empty (None: such a row is at fault)."""
    v, before = src.values, len(faults)

    def text(name: str) -> str:
        return " ".join(v.get(name, "").split())

    def check(column: str, fn: Callable[[str], Any], default: Any = None) -> Any:
        if not text(column):
            return default
        try:
            return fn(text(column))
        except InvalidInput as exc:
            faults.append(Fault(src.number, column, exc.message))
            return None

    notes: list[str] = []
    external = check("code", lambda t: _limited(t, EXTERNAL_MAX, "code"))
    own = _valid(external, kind)
    name = text("name")
    if not name and external:
        name = external
        notes.append(f"no name: named after its code {external}")
    elif not name:
        faults.append(Fault(src.number, "name", "name is empty, and there is no code to name it after"))
    elif len(name) > 120:
        faults.append(Fault(src.number, "name", "name is longer than 120 characters"))
    category = check("category", lambda t: _limited(t, 64, "category"))
    if text("price"):
        price = check("price", lambda t: parse_money_cell(t, location.currency, what="price", decimal=decimal))
    elif text("price_cents"):
        price = check("price_cents", lambda t: _whole(t, "price_cents", 0, 10**10))
    else:
        price = None
        faults.append(Fault(src.number, "price", "price is empty"))
    duration = None
    if kind == "service":
        duration = check("duration_min", lambda t: _whole(t, "duration", 5, 24 * 60))
        if not text("duration_min") and default is not None:
            duration = default.minutes
            notes.append(f"no duration: {default.minutes} min ({default.why})")
        elif not text("duration_min"):
            faults.append(Fault(src.number, "duration_min", "duration_min is empty"))
    stock = check("stock", lambda t: _whole(t, "stock", 0, 10**9), 0) if kind == "product" else 0
    active = check("active", _flag, True)
    if len(faults) > before:
        return None
    return CatalogRow(src.number, external, own, name, category, duration, price, stock or 0, bool(active), tuple(notes))


def _valid(external: str | None, kind: str) -> str | None:
    if not external:
        return None
    try:
        return catalog_code(external, kind)
    except InvalidInput:
        return None


def duplicates_in_file(rows: Sequence[CatalogRow]) -> list[Fault]:
    """Two rows with one code (case aside), one valid code (`101` and `s-101`) or one name."""
    faults: list[Fault] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        said: set[str] = set()
        for what, key in (("code", fold(row.external or "")), ("own", row.own or ""), ("name", fold(row.name))):
            column = "name" if what == "name" else "code"
            first = seen.setdefault((what, key), row.number) if key else row.number
            if first != row.number and column not in said:
                said.add(column)
                faults.append(Fault(row.number, column, f"the same {column} as row {first} of this file"))
    return faults


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _limited(text: str, most: int, what: str) -> str:
    if len(text) > most:
        raise InvalidInput(f"{what} is longer than {most} characters")
    return text


def _whole(text: str, what: str, low: int, high: int) -> int:
    if not text.isdigit():
        raise InvalidInput(f"{what} {text!r} is not a whole number")
    value = int(text)
    if not low <= value <= high:
        raise InvalidInput(f"{what} {value} is not between {low} and {high}")
    return value


def _flag(text: str) -> bool:
    value = text.lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidInput(f"active {text!r} is not yes or no")
