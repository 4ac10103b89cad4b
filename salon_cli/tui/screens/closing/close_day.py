"""Close day: what is unfinished, the blind count of the drawer, the variance, a note when it is past the
policy's threshold, the close, then the Z-report on screen. A day already closed shows its stored report.

Four steps on one screen: `unfinished` (the guarded close, issue 28: appointments still booked or in the
chair, open sales, penalties of the day pending, each finished with a key, `close_unfinished`; the
screen goes on once nothing remains, or once a manager approved closing over what is left), `count`
(inputs per denomination, or a plain total; no expected figure is shown), `review` (the count committed
with `day_close.commit_count`, kept whatever happens next; expected, counted, variance; a note input when
needed) and `closed` (the stored Z-report, scrollable; `p` prints it, `f` saves it as PDF, `R` re-opens
the day: `close_after`). Counting again after the review asks a manager's code and PIN
(`Permission.day_recount`); every count stays in the Z-report. A day whose count was committed
elsewhere opens on its review. Closing today before the salon's closing hour asks first
(`close_modals.EarlyCloseModal`). The screen closes today, or an earlier day it is given (the Today
screen's warning of a day left unclosed). The rules (the guard, the closing hour, threshold, refusals,
who may count again) are the services'.
The denominations and the count's arithmetic are `close_count`'s; the Z-report's text is `close_report`'s.

Services only an action needs are imported inside its handler: showing the screen loads only what it
shows (the dashboard's launch, benchmarks/tui.py). The words are the desk's language (`_`), money and days
`i18n.formats`'; what the receptionist types (the plain total) is read as `core.money` reads it."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from salon_cli.core.errors import SalonError
from salon_cli.core.money import parse_amount
from salon_cli.i18n import N_, _, formats
from salon_cli.tui.screens.closing.close_after import ClosedKeys
from salon_cli.tui.screens.closing.close_count import DENOMINATIONS, counted, denomination_label
from salon_cli.tui.screens.closing.close_report import on_day, report_text, when
from salon_cli.tui.screens.closing.close_review import ReviewSteps
from salon_cli.tui.screens.closing.close_unfinished import COLUMNS, UnfinishedSteps
from salon_cli.tui.screens.reload import ReloadsWhenBack
from salon_cli.tui.widgets.desk_footer import DeskFooter
from salon_cli.tui.words import describe

_UNFINISHED_KEYS = ("no_show_visit", "complete_visit", "leave_booked", "void_sale", "close_anyway")


class CloseDayScreen(UnfinishedSteps, ReviewSteps, ClosedKeys, ReloadsWhenBack, Screen[None]):
    """The manager's (or receptionist's) close of today, or of an earlier day left unclosed."""

    DEFAULT_CSS = """
    CloseDayScreen #unfinished-intro { height: auto; padding: 0 1; }
    CloseDayScreen #unfinished { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="back"),
        # the unfinished step: a key on the selected row (check_action shows those that apply to it)
        Binding("x", "no_show_visit", N_("No-show"), id="close-no-show"),
        Binding("c", "complete_visit", N_("Complete"), id="close-complete"),
        Binding("l", "leave_booked", N_("Leave booked"), id="close-leave-booked"),
        Binding("v", "void_sale", N_("Void"), id="close-void-sale"),
        Binding("a", "close_anyway", N_("Close anyway"), id="close-anyway"),
        # one key moves the close on: check the count, then close the day (check_action shows the one that applies)
        Binding("ctrl+s", "check_count", N_("Check count"), id="check-count"),
        Binding("ctrl+s", "confirm_close", N_("Close the day"), id="confirm-close"),
        Binding("ctrl+r", "recount", N_("Count again"), id="recount"),
        # the closed day: its Z-report out, or the day re-opened
        Binding("p", "print_report", N_("Print"), id="print-report"),
        Binding("f", "save_report_pdf", N_("PDF"), id="save-report-pdf"),
        Binding("R", "reopen_day", N_("Re-open"), id="reopen-day"),
    ]

    def __init__(self, day: date | None = None) -> None:
        super().__init__()
        self.step = "loading"  # loading | unfinished | count | review | closed
        self.requested_day = day  # None: today
        self.away = False  # another screen was opened from the list: read it again when back
        self.day: date | None = None
        self.currency = "MXN"
        self.threshold = 0
        self.preview: dict[str, Any] | None = None
        self.report: dict[str, Any] | None = None
        self._count: tuple[int, list[dict[str, int]] | None] | None = None
        self._committed = False  # a count of this close is committed: counting again needs a manager
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static(_("Close day"), id="title", markup=False)
        yield Static("", id="unfinished-intro", markup=False)
        yield DataTable(id="unfinished", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="body"):
            yield Static("", id="intro", markup=False)
            yield Static(_("Count the drawer: how many of each note and coin"), id="count-heading", classes="step",
                         markup=False)
            yield Static("", id="running", markup=False)
            yield Grid(id="denominations")
            with Horizontal(id="total-row"):
                yield Label(_("or the total counted"))
                yield Input(placeholder=_("e.g. {amount}").format(amount="2350.50"), id="total")  # as it is typed
            yield Static("", id="variance", markup=False)
            yield Input(placeholder=_("why the drawer is over or short"), id="note")
            yield Static("", id="report", markup=False)
        yield Static(_("loading…"), id="summary", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        for widget_id in ("#count-heading", "#denominations", "#total-row", "#running", "#variance", "#note",
                          "#unfinished-intro", "#unfinished"):
            self.query_one(widget_id).display = False
        self.query_one("#unfinished", DataTable).add_columns(*(_(c) for c in COLUMNS))
        self._load()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self.away:  # back from a checkout or the no-shows opened from the list: what is left now
            self.away = False
            self._load()

    def back_to_count(self) -> None:
        """After a re-opening: the next close of the day, from the start."""
        self.report, self.preview, self._count, self._committed, self.approval = None, None, None, False, None
        self.step = "loading"
        self._load()

    # -- loading -----------------------------------------------------------------------------------

    def data_changed(self) -> None:
        """Another terminal changed something: a close elsewhere shows here; a review is recomputed."""
        self._load(keep_count=True)

    def _load(self, *, keep_count: bool = False) -> None:
        from salon_cli.services.salon import business_days
        from salon_cli.services.closing import day_close, unfinished
        from salon_cli.services.salon.policy import row as policy_row

        self._generation += 1
        generation = self._generation
        asked = self.requested_day

        def work(session: Any, location: Any) -> dict[str, Any]:
            today = business_days.today(location)
            day = asked or today
            report = day_close.show(session, location=location, day=day)  # no actor: blind until a count
            closed = report["status"] == "closed"
            return {"day": day, "today": today, "location": location, "closed": closed, "report": report,
                    "left": None if closed else unfinished.of_day(session, location=location, day=day),
                    "threshold": policy_row(session, location).variance_note_over_cents}

        def done(result: dict[str, Any]) -> None:
            if generation == self._generation:
                self._loaded(result, keep_count)

        def failed(text: str) -> None:
            if generation == self._generation:
                self._set_summary(_("error: {text}").format(text=text), error=True)

        self.app.read(work, done, failed, group="close-day")  # type: ignore[attr-defined]

    def _loaded(self, result: dict[str, Any], keep_count: bool) -> None:
        location, day = result["location"], result["day"]
        self.day, self.currency, self.threshold = day, location.currency, result["threshold"]
        said = _("Close day — {location}, {day} (an earlier day)") if day != result["today"] else _(
            "Close day — {location}, {day}")
        self.query_one("#title", Static).update(said.format(
            location=location.name, day=formats.day(day, location.currency, width="full")))
        report = result["report"]
        if result["closed"]:
            self._show_closed(report, already=True)
            return
        left = result["left"]
        if not left.empty and self.approval is None and (not keep_count or self.step in ("loading", "unfinished")):
            self._go("unfinished")
            self.show_unfinished(left, location.tz, location.currency)
            return
        if report["counts"]:  # a count of this close is committed (here or elsewhere): its review
            last = report["counts"][-1]
            self._count, self._committed = (last["counted_cash_cents"], last["count"]), True
            if self.step in ("loading", "unfinished"):  # the form behind the review is not there yet
                self.call_later(self._open_review, report)
            elif self.step != "count" or not keep_count:
                self._show_review(report)
            return
        if keep_count and self.step == "count":
            return
        self.call_later(self._open_count)

    async def _mount_grid(self) -> None:
        """One input per denomination of the currency (none: the plain total only)."""
        grid = self.query_one("#denominations", Grid)
        await grid.remove_children()
        await grid.mount_all([
            Horizontal(Label(f"{denomination_label(cents, self.currency)} ×"),
                       Input(placeholder="0", type="integer", id=f"d-{cents}"), classes="cell")
            for cents in DENOMINATIONS.get(self.currency.upper(), ())])

    async def _open_review(self, report: dict[str, Any]) -> None:
        """A count committed before the screen opened: its review (the form behind it, for a count again)."""
        await self._mount_grid()
        self._show_review(report)

    async def _open_count(self) -> None:
        """The count form."""
        await self._mount_grid()
        self._go("count")
        self._update_running()
        self.query_one("#intro", Static).update(
            self._approved_words() + _("A blind count: the expected cash is shown after you enter the count."))
        self._set_summary(_("count the drawer, then ctrl+s to check it"))
        fields = list(self.query("#denominations Input, #total").results(Input))
        fields[0].focus()

    # -- the steps ---------------------------------------------------------------------------------

    def _go(self, step: str) -> None:
        self.step = step
        listing = step == "unfinished"
        self.query_one("#unfinished-intro").display = listing
        self.query_one("#unfinished").display = listing
        self.query_one("#body").display = not listing
        counting = step == "count"
        has_grid = bool(DENOMINATIONS.get(self.currency.upper()))
        # the review hides the inputs (the count is locked until ctrl+r) so the variance shows on a small terminal
        self.query_one("#count-heading").display = counting
        self.query_one("#denominations").display = counting and has_grid
        self.query_one("#total-row").display = counting
        self.query_one("#running").display = step in ("count", "review")
        for field in self.query("#denominations Input, #total").results(Input):
            field.disabled = not counting
        self.query_one("#variance").display = step == "review"
        if step != "review":
            self.query_one("#note").display = False
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "check_count":
            return self.step == "count"
        if action in ("confirm_close", "recount"):
            return self.step == "review"
        if action in _UNFINISHED_KEYS:
            return self.step == "unfinished" and self.unfinished_allows(action)
        if action in ("print_report", "save_report_pdf", "reopen_day"):
            return self.step == "closed"
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "unfinished":
            self.open_selected()

    def _counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for field in self.query("#denominations Input").results(Input):
            text = field.value.strip()
            if text and field.id:
                counts[int(field.id.removeprefix("d-"))] = int(text) if text.lstrip("-").isdigit() else 0
        return counts

    def _update_running(self) -> None:
        total, items = counted(self._counts())
        running = self.query_one("#running", Static)
        plain = self.query_one("#total", Input).value.strip()
        if items:
            running.update(_("Counted: {amount}").format(amount=formats.money(total, self.currency)))
        elif plain:  # as typed: it is read when checked
            running.update(_("Counted: {amount} {currency} (a total)").format(amount=plain, currency=self.currency))
        else:
            running.update(_("Counted: nothing yet"))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id and (event.input.id.startswith("d-") or event.input.id == "total"):
            self._update_running()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next count; on the plain total it checks the count; on the note it closes."""
        if event.input.id == "note":
            self.action_confirm_close()
            return
        if event.input.id == "total":
            self.action_check_count()
            return
        fields = list(self.query("#denominations Input").results(Input))
        if event.input in fields:
            index = fields.index(event.input)
            (fields[index + 1] if index + 1 < len(fields) else self.query_one("#total", Input)).focus()

    def _read_count(self) -> tuple[int, list[dict[str, int]] | None] | None:
        counts = self._counts()
        if any(n < 0 for n in counts.values()):
            self._set_summary(_("a count must not be negative"), error=True)
            return None
        total, items = counted(counts)
        plain = self.query_one("#total", Input).value.strip()
        if items and plain:
            self._set_summary(_("give the count once: by denominations or as a total, not both"), error=True)
            return None
        if plain:
            try:
                return parse_amount(plain, self.currency, what=_("counted cash")), None
            except SalonError as exc:
                self._set_summary(describe(exc), error=True)
                return None
        if not items:
            self._set_summary(_("count the drawer first (an empty drawer: type 0 as the total)"), error=True)
            return None
        return total, items

    def action_check_count(self) -> None:
        if self.step != "count":
            return
        count = self._read_count()
        if count is not None:
            self._check(*count)

    def _check(self, total: int, items: list[dict[str, int]] | None) -> None:
        """Commit the count (kept from now on), then review it against the books. A count after one was
        committed is a count again: a manager's code and PIN."""
        from salon_cli.core.permissions import Permission
        from salon_cli.services.closing import day_close

        day = self.day
        again = self._committed
        self._generation += 1
        generation = self._generation
        self._set_summary(_("a manager's code and PIN, then the count is checked") if again
                          else _("checking the count…"))

        def done(report: dict[str, Any]) -> None:
            self._count, self._committed = (total, items), True
            if generation == self._generation:
                self._show_review(report)

        def failed(text: str) -> None:
            if generation == self._generation:
                self._set_summary(_("refused: {text}").format(text=text), error=True)

        self.app.change(Permission.day_recount if again else Permission.day_close,  # type: ignore[attr-defined]
                        lambda s, loc, actor: day_close.commit_count(
                            s, actor=actor, location=loc, day=day, counted_cents=total, denominations=items),
                        done, failed, title=_("Count again: a manager's code and PIN") if again else None)

    def _show_closed(self, report: dict[str, Any], *, already: bool) -> None:
        self.report = report
        self._go("closed")
        cur = report.get("currency") or self.currency
        day, revision = on_day(report["business_date"], cur), report.get("revision")
        if already:
            intro = _("{day} is closed (revision {revision}, {when} by {who}): its stored Z-report.").format(
                day=day, revision=revision, when=when(report.get("closed_at") or "", cur), who=report.get("closed_by"))
        else:
            intro = _("Closed {day} (revision {revision}): the day is frozen.").format(day=day, revision=revision)
        self.query_one("#intro", Static).update(intro)
        self.query_one("#report", Static).update(report_text(report))
        self.query_one("#body").focus()
        self._set_summary(_("{day} is closed: p prints the Z-report, f saves it as PDF, R re-opens the day (a manager)")
                          .format(day=day))

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")
