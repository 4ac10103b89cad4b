"""`ItemPicker`: one thing to sell on a ticket, a retail product or a service, picked from the location's
shelf and menu (`salon.catalog.list_products`, `list_services`) filtered as the receptionist types;
and `SoldBy`, the staff picker of who sold it (their commission follows the line).

The shelf and the menu are read once when the picker mounts; a word typed matches the start of a word
of an item's name, code or category, accents and case aside (`core.text.fold`), as in `ServicePicker`.
Up and down move the highlight, Enter takes it (or the first match).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from salon_cli.core.text import fold
from salon_cli.i18n import N_, _, formats
from salon_cli.tui.widgets.picker import Picker
from salon_cli.tui.widgets.staff_picker import ANY, StaffPicker, matching

SHOWN = 6
KINDS = {"product": N_("product"), "service": N_("service")}  # an item's kind, in words (through _)


@dataclass(frozen=True)
class Item:
    kind: str  # product | service
    code: str
    name: str
    category: str | None
    price_cents: int
    stock: int | None  # products only

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.code}"


def matches(items: Sequence[Item], text: str) -> list[Item]:
    """The items whose name, code or category has a word starting with each typed word; an exact code first."""
    words = fold(text).replace("-", " ").split()
    found = []
    for item in items:
        own = fold(f"{item.name} {item.code} {item.category or ''}").replace("-", " ").replace("/", " ").split()
        if all(any(w.startswith(word) for w in own) for word in words):
            found.append(item)
    exact = fold(text)
    return sorted(found, key=lambda i: i.code != exact)


class ItemPicker(Picker):
    """`picked` is the item chosen (None while none is)."""

    def __init__(self, *, currency: str = "", id: str | None = "item") -> None:
        super().__init__(_("Item"), placeholder=_("type a product or a service; Enter picks"), id=id)
        self.items: list[Item] | None = None
        self.picked: Item | None = None
        self.currency = currency
        self._pending: str | None = None  # text submitted before the shelf was read

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def on_mount(self) -> None:
        from salon_cli.services.salon import catalog

        def work(session: Any, location: Any) -> list[Item]:
            self.currency = location.currency
            products = [Item("product", p.code, p.name, p.category, p.price_cents, p.stock)
                        for p in catalog.list_products(session, location=location)]
            services = [Item("service", s.code, s.name, s.category, s.price_cents, None)
                        for s in catalog.list_services(session, location=location)]
            return products + services

        def done(items: list[Item]) -> None:
            self.items = items
            self._list()
            self.note(_("type to find a product or a service"))
            if self._pending is not None:
                text, self._pending = self._pending, None
                self._take_typed(text)

        self.app.read(work, done, lambda text: self.note(_("error: {text}").format(text=text), error=True),  # type: ignore[attr-defined]
                      group=f"picker-{self.id}", exclusive=False)
        self.note(_("reading the shelf and the menu…"))

    def typed(self, text: str) -> None:
        if self.picked is not None:
            self.picked = None
            self.changed()
        if self.items is not None:
            self._list()

    def submitted(self, text: str) -> None:
        if self.picked is not None and self._shown == text:
            return
        if self.items is None:
            self._pending = text
            return
        self._take_typed(text)

    def chosen(self, option_id: str) -> None:
        item = next((i for i in self.items or () if i.key == option_id), None)
        if item is not None:
            self._take(item)
            self.advance()

    def _take_typed(self, text: str) -> None:
        key = self.highlighted_id() if self.listed_for == text else None
        item = next((i for i in self.items or () if i.key == key), None)
        if item is None and text.strip():
            found = matches(self.items or (), text)
            item = found[0] if found else None
        if item is None:
            self.note(_("nothing on the shelf or the menu matches {text!r}").format(text=text.strip()) if text.strip()
                      else _("type a few letters of a product or a service"), error=True)
            self.ask_here()
            self.changed()
            return
        self._take(item)

    def _take(self, item: Item) -> None:
        self.picked = item
        self.show_text(item.name)
        stock = _(" · {n} in stock").format(n=item.stock) if item.stock is not None else ""
        kind = _(KINDS.get(item.kind, item.kind))
        self.note(f"✓ {kind} {item.code} · {formats.money(item.price_cents, self.currency)}{stock}")
        self.changed()

    def _list(self) -> None:
        found = matches(self.items or (), self.input.value)[:SHOWN]
        self.set_options([(i.key, f"{i.name} · {formats.money(i.price_cents, self.currency)}"
                           + (_(" · {n} left").format(n=i.stock) if i.stock is not None else _(" · service")))
                          for i in found])


class SoldBy(StaffPicker):
    """Who sold the line (or did the service): a staff member, or whoever is signed in at the desk."""

    DESK = N_("Whoever is at the desk")  # shown through _

    def __init__(self, code: str | None = None, *, id: str | None = "sold-by") -> None:
        super().__init__(code, id=id)
        self.label = _("Sold by")
        self.placeholder = _("code or name; empty: whoever is at the desk")

    def on_mount(self) -> None:  # StaffPicker's runs too (Textual calls each class's handler): its note, then this
        self.call_later(self.note, _("whoever is at the desk, or type a code or name"))

    def set_code(self, code: str | None) -> None:
        super().set_code(code)
        if self.chosen_code is None:
            self.note("✓ " + _(self.DESK).lower())

    def _list(self) -> None:
        text = self.input.value
        found = matching(self.team or [], text)
        options = [(m.code, f"{m.code} — {m.name}") for m in found]
        self.set_options(([(ANY, _(self.DESK))] if not text.strip() else []) + options)
