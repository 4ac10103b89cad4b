"""`ServicePicker`: the services of a visit, several, in the order they are done, picked from the
location's menu (`salon.catalog.list_services`) filtered as the receptionist types.

The menu is read once when the picker mounts; a word typed matches the start of a word of a service's
name, code or category, accents and case aside (`core.text.fold`). Enter adds the highlighted service
and moves on; coming back and picking again adds another; Backspace in the empty box takes the last
one off.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.binding import Binding

from salon_cli.core.text import fold
from salon_cli.i18n import N_, _, formats
from salon_cli.services.salon.catalog import ServiceView
from salon_cli.tui.widgets.picker import Picker

SHOWN = 6


def matches(menu: Sequence[ServiceView], text: str) -> list[ServiceView]:
    """The menu's services whose name, code or category has a word starting with each typed word; an
    exact code first."""
    words = fold(text).replace("-", " ").split()
    if not words:
        return list(menu)
    found = []
    for service in menu:
        own = fold(f"{service.name} {service.code} {service.category or ''}").replace("-", " ").replace("/", " ").split()
        if all(any(w.startswith(word) for w in own) for word in words):
            found.append(service)
    exact = fold(text)
    return sorted(found, key=lambda s: s.code != exact)


class ServicePicker(Picker):
    BINDINGS = [Binding("backspace", "drop_last", N_("Remove last"), show=False, priority=True)]

    def __init__(self, codes: Sequence[str] = (), *, currency: str = "", id: str | None = "services") -> None:
        super().__init__(_("Services"), placeholder=_("type to filter the menu; Enter adds"), id=id)
        self.menu: list[ServiceView] | None = None
        self.picked: list[ServiceView] = []
        self._prefill = tuple(codes)
        self._pending: str | None = None  # text submitted before the menu was read
        self.currency = currency

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def on_mount(self) -> None:
        from salon_cli.services.salon import catalog

        def done(menu: list[ServiceView]) -> None:
            self.menu = menu
            by_code = {s.code: s for s in menu}
            self.picked = [by_code[c] for c in self._prefill if c in by_code]
            self._list()
            self._say()
            if self.picked:
                self.changed()
            if self._pending is not None:
                text, self._pending = self._pending, None
                self._add(text)

        def work(session: Any, location: Any) -> list[ServiceView]:
            self.currency = location.currency
            return catalog.list_services(session, location=location)

        self.app.read(work, done, lambda text: self.note(_("error: {text}").format(text=text), error=True),  # type: ignore[attr-defined]
                      group=f"picker-{self.id}", exclusive=False)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.picked)

    @property
    def minutes(self) -> int:
        return sum(s.duration_min for s in self.picked)

    def typed(self, text: str) -> None:
        if self.menu is not None:
            self._list()

    def submitted(self, text: str) -> None:
        if not text.strip():
            if not self.picked:
                self.note(_("choose a service: type a few letters of it"), error=True)
                self.ask_here()
            return
        if self.menu is None:
            self._pending = text  # the menu is on its way: added when it comes
            return
        self._add(text)

    def chosen(self, option_id: str) -> None:
        service = next((s for s in self.menu or () if s.code == option_id), None)
        if service is not None:
            self._take(service)
            self.advance()

    def _add(self, text: str) -> None:
        key = self.highlighted_id() if self.listed_for == text else None
        service = next((s for s in self.menu or () if s.code == key), None)
        if service is None:
            found = matches(self.menu or (), text)
            service = found[0] if found else None
        if service is None:
            self.note(_("no service on the menu matches {text!r}").format(text=text.strip()), error=True)
            self.ask_here()
            return
        self._take(service)

    def _take(self, service: ServiceView) -> None:
        self.picked.append(service)
        self.show_text("")
        self._list()
        self._say()
        self.changed()

    def action_drop_last(self) -> None:
        if self.input.value or not self.picked:
            self.input.action_delete_left()
            return
        self.picked.pop()
        self._say()
        self.changed()

    def _list(self) -> None:
        found = matches(self.menu or (), self.input.value)[:SHOWN]
        self.set_options([(s.code, _("{name} · {minutes} min · {price}").format(
            name=s.name, minutes=s.duration_min, price=formats.money(s.price_cents, self.currency))) for s in found])

    def _say(self) -> None:
        if not self.picked:
            self.note(_("none yet") if self.menu is not None else _("reading the menu…"))
            return
        price = sum(s.price_cents for s in self.picked)
        self.note(_("{name} · {minutes} min · {price}").format(
            name=" + ".join(s.name for s in self.picked), minutes=self.minutes, price=formats.money(price, self.currency))
                  + (_("  (Backspace removes the last)") if len(self.picked) > 1 else ""))
