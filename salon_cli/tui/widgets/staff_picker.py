"""`StaffPicker`: who does the visit, or "any stylist" (the first one free at the time asked).

The team is read once (`salon.staff.list_staff`, this location's and the chain's); a typed word
matches the start of a code or a name, accents and case aside. Enter takes the highlight.
"""

from __future__ import annotations

from typing import Any

from salon_cli.core.text import fold
from salon_cli.i18n import N_, _
from salon_cli.services.salon.staff import StaffView
from salon_cli.tui.widgets.picker import Picker

ANY = "any"
ANY_TEXT = N_("Any stylist (the first free)")  # shown through _


def matching(team: list[StaffView], text: str) -> list[StaffView]:
    words = fold(text).split()
    return [m for m in team if all(any(w.startswith(word) for w in fold(f"{m.code} {m.name}").split()) for word in words)]


class StaffPicker(Picker):
    """`chosen_code` is a staff code, or None for any; `decided` says whether either was picked."""

    def __init__(self, code: str | None = None, *, id: str | None = "staff") -> None:
        super().__init__(_("Stylist"), placeholder=_("code or name; Enter on the first: any stylist"), id=id)
        self.team: list[StaffView] | None = None
        self.chosen_code: str | None = None
        self.decided = False
        self._prefill = code
        self._pending: str | None = None

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def on_mount(self) -> None:
        from salon_cli.services.salon import staff

        def work(session: Any, location: Any) -> list[StaffView]:
            team = [m for m in staff.list_staff(session) if m.location_id in (None, location.id)]
            # stylists first: they are who a visit is booked with
            return sorted(team, key=lambda m: (m.role != "stylist", m.code))

        def done(team: list[StaffView]) -> None:
            self.team = team
            self._list()
            if self._prefill:
                self.set_code(self._prefill)
            if self._pending is not None:
                text, self._pending = self._pending, None
                self._take_typed(text)

        self.app.read(work, done, lambda text: self.note(_("error: {text}").format(text=text), error=True),  # type: ignore[attr-defined]
                      group=f"picker-{self.id}", exclusive=False)
        self.note(_("any stylist, or type a code or name"))

    def set_code(self, code: str | None) -> None:
        """Pick a staff member by code (a prefill, or a free slot picked), or any."""
        member = next((m for m in self.team or () if m.code == code), None)
        self.chosen_code, self.decided = (member.code if member else None), True
        self.show_text(member.code if member else "")
        self.note(f"✓ {member.name} ({member.code})" if member else "✓ " + _(ANY_TEXT).lower())
        self.changed()

    def typed(self, text: str) -> None:
        if self.decided:
            self.decided, self.chosen_code = False, None
            self.changed()
        if self.team is not None:
            self._list()

    def submitted(self, text: str) -> None:
        if self.decided and self._shown == text:
            return
        if self.team is None:
            self._pending = text  # the team is on its way: picked when it comes
            return
        self._take_typed(text)

    def _take_typed(self, text: str) -> None:
        key = self.highlighted_id() if self.listed_for == text else None
        if key is None:
            found = matching(self.team or [], text) if text.strip() else []
            key = found[0].code if found else (ANY if not text.strip() else None)
        if key is None:
            self.note(_("nobody on the team matches {text!r}").format(text=text.strip()), error=True)
            self.ask_here()
            return
        self.set_code(None if key == ANY else key)

    def chosen(self, option_id: str) -> None:
        self.set_code(None if option_id == ANY else option_id)
        self.advance()

    def _list(self) -> None:
        text = self.input.value
        found = matching(self.team or [], text)
        options = [(m.code, f"{m.code} — {m.name}") for m in found]
        self.set_options(([(ANY, _(ANY_TEXT))] if not text.strip() else []) + options)
