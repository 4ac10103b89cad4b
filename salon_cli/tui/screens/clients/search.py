"""Client look-up as the receptionist types.

Search as you type, debounced by coalescing: a key starts `services.clients.search.search`
(typo-tolerant, by sound, by phone digits or e-mail) in a worker at once when no search is running;
keys typed while one runs are folded into a single search of the latest text, started when it
answers (an answer overtaken by newer typing is not shown). So the desk sees each answer as soon as
the database gives it, and a fast typist never queues more than one search behind the running one.
The last visit of every row comes from one `client_views.last_visits` query.

Enter opens the hit's card (`client_card`), which shares `_name` and `_day` from here.

Services only an action needs are imported inside its handler: showing the screen loads only what it
shows (the dashboard's launch, benchmarks/tui.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from salon_cli.core.phones import national
from salon_cli.i18n import N_, _, formats, ngettext
from salon_cli.services.clients.search import MAX_QUERY, ClientHit
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.reload import ReloadsWhenBack
from salon_cli.tui.widgets.desk_footer import DeskFooter

RESULTS = 12
COLUMNS = (N_("Name"), N_("Phone"), N_("Last visit"), N_("Tags"))


def _name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def _day(at: datetime | date | None, tz: tzinfo, currency: str) -> str:
    """A day as the desk reads it ('Nov 20, 2026', '20 nov 2026'), the location's (`currency` picks the locale)."""
    if at is None:
        return "—"
    if isinstance(at, datetime):
        at = at.astimezone(tz).date()
    return formats.day(at, currency)


# -- search ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    query: str
    hits: list[ClientHit]
    last_visit: dict[int, datetime]  # each hit's last visit here (none: never came)
    location: LocationView


def find(session: Any, location: LocationView, query: str) -> Found:
    """The search and, in the same read, each hit's last visit (one query for all of them)."""
    from salon_cli.services.clients import search as client_search, views as client_views

    hits = client_search.search(session, query, limit=RESULTS)
    last = client_views.last_visits(session, client_ids=[h.id for h in hits], location_id=location.id)
    return Found(query, hits, last, location)


class ClientSearchScreen(ReloadsWhenBack, Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="back"),
        # priority: the search box would otherwise take both (and hide them from the footer)
        Binding("down", "to_results", N_("Results"), key_display="↓", priority=True, id="to-results"),
        Binding("enter", "open_selected", N_("Open card"), priority=True, id="open-card"),
    ]
    def __init__(self, *args: object) -> None:
        super().__init__()
        self.found: Found | None = None
        self._generation = 0  # bumped by each search started or dropped: older answers are stale
        self._searching = False  # a search is in its worker
        self._search_again = False  # the text changed while it ran: search again when it answers
        self._open_when_found = False

    def compose(self) -> ComposeResult:
        yield Static(_("Find a client"), id="title", markup=False)
        # no more than the search reads: the receptionist sees the whole of what is searched
        yield Input(placeholder=_("name (typos are fine), phone digits or e-mail"), id="query", max_length=MAX_QUERY)
        yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
        yield Static(_("type a name, a phone or an e-mail"), id="summary", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        self._show(None)
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._search()

    def data_changed(self) -> None:
        if self.query_one(Input).value.strip():
            self._search()

    def _search(self) -> None:
        """Search the text in the box now, or right after the running search answers."""
        query = self.query_one(Input).value
        if not query.strip():
            self._generation += 1  # whatever is on its way is for text no longer there
            self._search_again = False
            self._show(None)
            return
        if self._searching:
            self._search_again = True
            return
        self._searching, self._search_again = True, False
        self._generation += 1
        generation = self._generation
        self._set_summary(_("searching…"))

        def answered() -> bool:
            """The worker is free again; True when its answer is still the one to show."""
            self._searching = False
            if self._search_again:
                self._search()  # the latest text, in one search
                return False
            return generation == self._generation

        def done(found: Found) -> None:
            if answered():
                self._show(found)
                if self._open_when_found:
                    self._open_when_found = False
                    self.action_open_selected()

        def failed(text: str) -> None:
            if answered():
                self._set_summary(_("error: {text}").format(text=text), error=True)

        # not exclusive: the follow-up starts from the answer's callback, while its worker is still finishing
        self.app.read(lambda s, loc: find(s, loc, query), done, failed,  # type: ignore[attr-defined]
                      group="client-search", exclusive=False)

    def _show(self, found: Found | None) -> None:
        self.found = found
        table = self.query_one(DataTable)
        table.clear(columns=True)  # the columns too: their widths fit this answer, not the widest one so far
        table.add_columns(*(_(c) for c in COLUMNS))
        if found is None:
            self._set_summary(_("type a name, a phone or an e-mail"))
            return
        tz, currency = found.location.tz, found.location.currency
        for hit in found.hits:
            phone = national(hit.phone, found.location.country) if hit.phone else ""
            table.add_row(Text(_name(hit.first_name, hit.last_name)), Text(phone),
                          Text(_day(found.last_visit.get(hit.id), tz, currency)), Text(", ".join(hit.tags)),
                          key=str(hit.id))
        count, query = len(found.hits), repr(found.query.strip())
        self._set_summary(_("no client matches {query}").format(query=query) if not count else
                          ngettext("{n} client matches {query} · Enter opens the card",
                                   "{n} clients match {query} · Enter opens the card", count).format(
                                       n=count, query=query))

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")

    def selected(self) -> ClientHit | None:
        table = self.query_one(DataTable)
        if self.found is None or not self.found.hits:
            return None
        return self.found.hits[min(table.cursor_row, len(self.found.hits) - 1)]

    def action_to_results(self) -> None:
        table = self.query_one(DataTable)
        if self.focused is table:
            table.action_cursor_down()
        elif table.row_count:
            table.focus()

    def action_open_selected(self) -> None:
        typed = self.query_one(Input).value
        if typed.strip() and (self.found is None or self.found.query != typed):
            # Enter before the answer of what was typed: open the best hit when it comes
            self._open_when_found = True
            if not self._searching:
                self._search()
            return
        hit = self.selected()
        if hit is not None:
            self.app.open_client(hit.id)  # type: ignore[attr-defined]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_selected()
