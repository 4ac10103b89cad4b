"""`ClientPicker`: who the visit is for, found as the receptionist types (`services.clients.search`:
typos, sound-alikes, phone digits, e-mail), with "+ New client" (the screen opens the client form on
`NewClient` and picks the client it makes) and, for a walk-in, an explicit "No client".

Searches are coalesced as on the search screen: one runs at a time; text typed meanwhile is searched
once, when it answers. Enter picks the best hit when it is clearly the best (the only one, or ahead of
the next by `CLEAR_LEAD` points); otherwise the picker asks (the hits are listed, up and down, Enter).
A typed name is never taken for "no client": only that option, picked, books without a client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from salon_cli.core.phones import national
from salon_cli.i18n import _, ngettext
from salon_cli.services.clients.search import MAX_QUERY, ClientHit
from salon_cli.tui.widgets.picker import Picker

HITS = 6
CLEAR_LEAD = 10.0  # points (0-100) the best hit must lead the next by to be taken on Enter alone
NEW, NONE = "new", "none"


@dataclass(frozen=True)
class PickedClient:
    id: int | None  # None: no client (an anonymous walk-in)
    name: str
    deposit_required: bool = False
    no_show_count: int = 0


def _name(hit: ClientHit) -> str:
    return f"{hit.first_name} {hit.last_name}".strip()


def clear_best(hits: list[ClientHit]) -> ClientHit | None:
    """The hit Enter takes without asking, if there is one."""
    if len(hits) == 1 or (len(hits) > 1 and hits[0].score - hits[1].score >= CLEAR_LEAD):
        return hits[0]
    return None


class ClientPicker(Picker):
    """`picked` is the client (or the explicit no client); None while nobody is picked."""

    def __init__(self, *, allow_none: bool = False, id: str | None = "client") -> None:
        super().__init__(_("Client"), placeholder=_("name (typos are fine), phone or e-mail"), id=id)
        self.allow_none = allow_none
        self.picked: PickedClient | None = None
        self.hits: list[ClientHit] = []
        self._answered: str | None = None  # the text the hits are for
        self._searching = False
        self._again = False
        self._pick_when_found = False
        self._enter_on: str | None = None  # the text Enter was pressed on
        self._moved = False  # the receptionist moved the highlight: Enter takes it as it is

    @property
    def pending(self) -> bool:
        return self._pick_when_found

    def on_mount(self) -> None:
        self.input.max_length = MAX_QUERY
        self._list()

    # -- choosing ------------------------------------------------------------------------------------

    def pick(self, client: PickedClient | None, *, shown: str | None = None) -> None:
        self.picked = client
        if client is not None:
            self.show_text(shown if shown is not None else client.name)
            count = client.no_show_count
            flags = ngettext(" · {n} no-show", " · {n} no-shows", count).format(n=count) if count else ""
            deposit = _(" · a deposit is required") if client.deposit_required else ""
            who = (_("{name} (client {id})").format(name=client.name, id=client.id) if client.id
                   else _("no client: an anonymous walk-in"))
            self.note("✓ " + who + flags + deposit, error=False)
        self.changed()

    def pick_id(self, client_id: int) -> None:
        """Pick a client known by id (a prefill, or one the client form just created)."""
        from salon_cli.services.clients import profiles

        def work(session: Any, _loc: Any) -> PickedClient:
            row = profiles.get(session, client_id)
            return PickedClient(row.id or 0, f"{row.first_name} {row.last_name}".strip(),
                                bool(row.deposit_required), row.no_show_count)

        self.app.read(work, self.pick, lambda text: self.note(text, error=True),  # type: ignore[attr-defined]
                      group=f"picker-{self.id}", exclusive=False)

    def chosen(self, option_id: str) -> None:
        self._choose(option_id)
        if option_id != NEW:
            self.advance()

    def _choose(self, option_id: str) -> None:
        if option_id == NEW:
            self.new_client()
        elif option_id == NONE:
            self.pick(PickedClient(None, _("No client")), shown="")
        else:
            hit = next((h for h in self.hits if str(h.id) == option_id), None)
            if hit is not None:
                self.pick(PickedClient(hit.id, _name(hit), hit.deposit_required, hit.no_show_count))

    class NewClient(Message):
        """"+ New client" was chosen: the screen opens the client form (`first` and `last` from what was
        typed) and hands the new client's id to `pick_id`."""

        def __init__(self, picker: ClientPicker, first: str, last: str) -> None:
            super().__init__()
            self.picker, self.first, self.last = picker, first, last

        @property
        def control(self) -> ClientPicker:
            return self.picker

    def new_client(self) -> None:
        typed = "" if self.picked is not None else self.input.value.strip()
        first, _, last = typed.partition(" ")  # a name typed here starts the form's name
        if any(ch.isdigit() or ch == "@" for ch in typed):
            first, last = "", ""  # a phone or an e-mail searched: not a name
        self.post_message(self.NewClient(self, first, last.strip()))

    # -- typing and searching ------------------------------------------------------------------------

    def typed(self, text: str) -> None:
        if self.picked is not None:
            self.picked = None
            self.changed()
        if text != self._enter_on:  # news since the Enter (not its own keys' late message)
            self._pick_when_found = self._moved = False
        self._search()

    def action_move(self, step: int) -> None:
        self._moved = True
        super().action_move(step)

    def submitted(self, text: str) -> None:
        if self.picked is not None and self._shown == text:
            return
        if not text.strip() or (self._answered == text and not self._searching):
            key = self.highlighted_id()
            if key is None:
                self.note(_("type a name, or choose an option"), error=True)
                self.ask_here()
            elif key in (NEW, NONE) or self._moved:
                self._choose(key)  # what the receptionist moved the highlight to
            else:
                self._resolve()
            return
        self._pick_when_found, self._enter_on = True, text  # Enter before the answer: picked when it comes
        self.note(_("searching…"))

    def _resolve(self) -> None:
        text = self.input.value.strip()
        best = clear_best(self.hits)
        if best is not None:
            self.pick(PickedClient(best.id, _name(best), best.deposit_required, best.no_show_count))
            return
        if not self.hits:
            self.note((_("no client matches {text!r}: choose + New client or No client") if self.allow_none else
                       _("no client matches {text!r}: choose + New client")).format(text=text), error=True)
        else:
            self.note(ngettext("{n} client matches {text!r}: which one? (↑ ↓, Enter)",
                               "{n} clients match {text!r}: which one? (↑ ↓, Enter)", len(self.hits)).format(
                n=len(self.hits), text=text), error=True)
        self.ask_here()

    def _search(self) -> None:
        query = self.input.value
        if not query.strip():
            self._again = False
            self.hits, self._answered = [], query
            self._list()
            return
        if self._searching:
            self._again = True
            return
        self._searching, self._again = True, False
        from salon_cli.services.clients import search as client_search

        def done(hits: list[ClientHit]) -> None:
            self._searching = False
            if self._again or self.input.value != query:
                self._search()
                return
            self.hits, self._answered = hits, query
            self._list()
            if self._pick_when_found:
                self._pick_when_found = False
                self._resolve()
                if self.picked is None:
                    self.changed()  # no pick after all: the form waiting to book says why

        def failed(text: str) -> None:
            self._searching = False
            self.note(_("error: {text}").format(text=text), error=True)
            if self._pick_when_found:
                self._pick_when_found = False
                self.changed()

        self.app.read(lambda s, _loc: client_search.search(s, query, limit=HITS), done, failed,  # type: ignore[attr-defined]
                      group=f"picker-{self.id}", exclusive=False)

    def _list(self) -> None:
        country = getattr(self.app.location, "country", None)  # type: ignore[attr-defined]
        options = [(str(h.id), f"{_name(h)}" + (f" · {national(h.phone, country)}" if h.phone else "")
                    + (_(" · deposit") if h.deposit_required else "")) for h in self.hits]
        extra = [(NEW, _("+ New client"))]
        if self.allow_none:
            extra.insert(0 if not self.hits else 1, (NONE, _("No client (anonymous walk-in)")))
        if not self.input.value.strip():
            self.set_options(extra)
            if self.picked is None:
                self.note(_("type a name, a phone or an e-mail"))
            return
        self.set_options(options + extra)
        if self.picked is None and not self._pick_when_found:
            text, n = self.input.value.strip(), len(self.hits)
            self.note(_("no client matches {text!r}").format(text=text) if not self.hits else
                      ngettext("{n} match · Enter picks", "{n} match · Enter picks", n).format(n=n)
                      if clear_best(self.hits) else
                      ngettext("{n} match: ↑ ↓ to choose, Enter picks", "{n} match: ↑ ↓ to choose, Enter picks",
                               n).format(n=n), error=not self.hits)
