"""The drawer at the desk (`D`): today's cash movements (the float, cash in, cash out, with their reasons)
and the day's expenses paid from the drawer, in the order they happened; `f` float, `i` cash in, `o` cash
out, `e` an expense paid in cash, `v` void an expense (a manager's PIN).

The drawer's running figure (the cash expected in it now) is the Z-report's, read through
`services.closing.drawer_view`, which also decides who sees it: before the close's count only a manager
or the owner who proves it with a PIN (`x`: `Permission.cash_expected`; the look is kept as the close
keeps one), anyone once the count is committed. A receptionist sees the movements, never the figure.
Shown to a manager, the figure follows the movements made while the screen is open and is gone when
the screen is left, when someone else signs in at the desk, or with `x` again.

Services only an action needs are imported inside its handler: showing the screen loads only what it
shows (the dashboard's launch, benchmarks/tui.py). The words are the desk's language (`_`), money and days
`i18n.formats`'; an amount typed in a form is read as `core.money` reads it."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from salon_cli.core.errors import SalonError
from salon_cli.core.money import parse_amount
from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _, formats, ngettext
from salon_cli.services.closing import drawer_view
from salon_cli.services.closing.drawer_view import DrawerView
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.modals import Field, FormModal
from salon_cli.tui.screens.reload import ReloadsWhenBack
from salon_cli.tui.widgets.desk_footer import DeskFooter
from salon_cli.tui.words import describe

# (key, header, width): the header is said in the desk's language when the table is made
COLUMNS = (("time", N_("Time"), 5), ("what", N_("What"), 14), ("amount", N_("Amount"), 12),
           ("reason", N_("Reason"), 34), ("by", N_("By"), 8))
KIND = {"float": N_("float"), "in": N_("cash in"), "out": N_("cash out")}


def totals_line(view: DrawerView, currency: str) -> str:
    """'Float 1,500.00 · cash in 200.00 · cash out 150.50 · cash expenses 80.25 MXN'."""
    def amount(cents: int) -> str:
        return formats.amount(cents, currency)

    return _("Float {float} · cash in {cash_in} · cash out {cash_out} · cash expenses {expenses} {currency}").format(
        float=amount(view.float_cents), cash_in=amount(view.in_cents), cash_out=amount(view.out_cents),
        expenses=amount(view.cash_expenses_cents), currency=currency)


def expected_line(view: DrawerView, currency: str, shown_to: Actor | None) -> str:
    """The running figure, or why it is not shown."""
    if view.expected_cash_cents is None:
        return _("Expected cash now: not shown before the count (x: a manager's PIN shows it)")
    figure = formats.money(view.expected_cash_cents, currency)
    if view.closed:
        return _("Expected cash at the close: {amount} (the day is closed)").format(amount=figure)
    why = (_("the drawer is counted") if view.counted else
           _("shown to {who}").format(who=shown_to.code) if shown_to else _("shown"))
    return _("Expected cash now: {amount} ({why})").format(amount=figure, why=why)


class DrawerScreen(ReloadsWhenBack, Screen[None]):
    """Today's drawer."""

    DEFAULT_CSS = """
    DrawerScreen #drawer-totals { height: 1; padding: 0 1; }
    DrawerScreen #expected { height: auto; padding: 0 1; text-style: bold; }
    DrawerScreen #drawer { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", N_("Back"), id="back"),
        Binding("f", "cash('float')", N_("Float"), id="cash-float"),
        Binding("i", "cash('in')", N_("Cash in"), id="cash-in"),
        Binding("o", "cash('out')", N_("Cash out"), id="cash-out"),
        Binding("e", "expense", N_("Expense"), id="expense-add"),
        Binding("v", "void_expense", N_("Void expense"), id="expense-void"),
        Binding("x", "expected", N_("Expected cash"), id="cash-expected"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: DrawerView | None = None
        self.location: LocationView | None = None
        self.viewer: Actor | None = None  # the manager the running figure was shown to, while on this screen
        self._desk_at_look: Actor | None = None  # who was signed in at the desk then
        self.rows: list[tuple[str, int]] = []  # ("movement" | "expense", id) per table row
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static(_("Drawer"), id="title", markup=False)
        yield Static(" ", id="drawer-totals", markup=False)
        yield Static(" ", id="expected", markup=False)
        yield DataTable(id="drawer", cursor_type="row", zebra_stripes=True)
        yield Static(_("loading…"), id="summary", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, name, width in COLUMNS:
            table.add_column(Text(_(name), justify="right" if key == "amount" else "left"), key=key, width=width)
        table.focus()
        self._request()

    # -- loading -----------------------------------------------------------------------------------

    def data_changed(self) -> None:
        self._request(then="")

    def _request(self, then: str | None = None) -> None:
        self._generation += 1
        generation = self._generation
        if self.viewer is not None and self.app.desk is not self._desk_at_look:  # type: ignore[attr-defined]
            self.viewer = None  # someone else signed in at the desk since the manager's look
        viewer = self.viewer
        if then is None:
            self._set_summary(_("loading…"))

        def work(session: Any, location: LocationView) -> tuple[DrawerView, LocationView]:
            return drawer_view.load(session, location=location, viewer=viewer), location

        def done(result: tuple[DrawerView, LocationView]) -> None:
            if generation == self._generation:
                self._show(*result, then=then)

        def failed(text: str) -> None:
            if generation == self._generation:
                self._set_summary(_("error: {text}").format(text=text), error=True)

        self.app.read(work, done, failed, group="drawer")  # type: ignore[attr-defined]

    def _show(self, view: DrawerView, location: LocationView, *, then: str | None) -> None:
        self.view, self.location = view, location
        tz, money = location.tz, location.currency
        day = view.day
        title = _("Drawer — {location}, {day} (closed)") if view.closed else _("Drawer — {location}, {day}")
        self.query_one("#title", Static).update(title.format(location=location.name,
                                                             day=formats.day(day, money, width="full")))
        self.query_one("#drawer-totals", Static).update(totals_line(view, money))
        self.query_one("#expected", Static).update(expected_line(view, money, self.viewer))
        entries: list[tuple[Any, str, int, Text, Text, str, str | None]] = []
        for m in view.movements:
            entries.append((m.created_at, "movement", m.id, Text(_(KIND[m.kind]) if m.kind in KIND else m.kind),
                            Text(formats.amount(m.amount_cents if m.kind != "out" else -m.amount_cents, money),
                                 justify="right"), m.reason or "", m.created_by))
        for e in view.expenses:
            style = "dim strike" if e.status != "recorded" else ""
            what = _("expense") if e.status == "recorded" else _("expense, void")
            entries.append((e.created_at, "expense", e.id, Text(what, style="dim" if style else ""),
                            Text(formats.amount(-e.amount_cents, money), justify="right", style=style),
                            f"{e.category}: {e.description}"
                            + (" " + _("(void: {reason})").format(reason=e.void_reason) if e.void_reason else ""),
                            e.created_by))
        entries.sort(key=lambda row: (row[0], row[1], row[2]))
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows = []
        for at, kind, row_id, what, amount, reason, by in entries:
            table.add_row(Text(f"{at.astimezone(tz):%H:%M}"), what, amount, Text(reason), Text(by or ""),
                          key=f"{kind}-{row_id}")
            self.rows.append((kind, row_id))
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        if then is None:
            self._set_summary(ngettext("{n} entry today · x: the expected cash, for a manager",
                                       "{n} entries today · x: the expected cash, for a manager",
                                       len(self.rows)).format(n=len(self.rows)))
        elif then:
            self._set_summary(then)

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")

    def _refused(self, text: str) -> None:
        self._set_summary(_("refused: {text}").format(text=text), error=True)
        self.app.show_error(text)  # type: ignore[attr-defined]

    def _cents(self, text: str, what: str) -> int | None:
        try:
            return parse_amount(text, self.location.currency if self.location else "MXN", what=what)
        except SalonError as exc:
            self._refused(describe(exc))
            return None

    def _done(self, what: str) -> Any:
        def done(_result: object) -> None:
            self.app.notify(what)
            self._request(then=what)
        return done

    # -- actions -----------------------------------------------------------------------------------

    def action_cash(self, kind: str) -> None:
        from salon_cli.services.closing import drawer as cash_drawer

        if self.location is None:
            return
        money = self.location.currency
        earlier = next((m for m in self.view.movements if m.kind == "float"), None) if self.view else None
        if kind == "float" and earlier is not None:  # once a day: said before the form, in the desk's words
            at = earlier.created_at.astimezone(self.location.tz)
            self._refused(_("today's float is already in the drawer ({amount} at {time} by {who}); a mistake is "
                            "corrected with i (cash in) or o (cash out)").format(
                amount=formats.money(earlier.amount_cents, money), time=formats.clock_time(at, money),
                who=earlier.created_by or _("the system")))
            return
        title = {"float": _("The opening float"), "in": _("Cash put into the drawer"),
                 "out": _("Cash taken out of the drawer")}[kind]
        reason = {"float": Field("reason", _("Note (optional)"), required=False),
                  "in": Field("reason", _("Reason (e.g. change from the bank)"), required=False),
                  "out": Field("reason", _("Reason (e.g. bank deposit)"))}[kind]
        note = {"float": _("Once a day; a mistake is corrected with cash in or cash out."),
                "in": _("Not a sale: money put in the drawer."),
                "out": _("Not an expense: a deposit, a safe drop.")}[kind]

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            cents = self._cents(values["amount"], _("the amount"))  # `what` of the service's message
            if cents is None:
                return
            why = values["reason"] or None
            self.app.change(Permission.desk, lambda s, loc, actor: cash_drawer.move(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, kind=kind, amount_cents=cents, reason=why),
                self._done(_("{kind} of {amount} recorded").format(kind=_(KIND[kind]),
                                                                  amount=formats.money(cents, money))),
                self._refused)

        amount = Field("amount", _("Amount ({currency})").format(currency=money))
        self.app.push_screen(FormModal(title, [amount, reason], note=note, ok=_("Record")), asked)

    def action_expense(self) -> None:
        from salon_cli.services.closing import expenses

        if self.location is None:
            return
        money = self.location.currency

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            cents = self._cents(values["amount"], _("the expense"))
            if cents is None:
                return
            category, description = values["category"], values["description"]
            self.app.change(Permission.desk, lambda s, loc, actor: expenses.add(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, amount_cents=cents, category=category, description=description,
                paid_from="cash"), self._done(_("expense of {amount} paid from the drawer").format(
                    amount=formats.money(cents, money))), self._refused)

        self.app.push_screen(FormModal(_("An expense paid from the drawer"), [
            Field("amount", _("Amount ({currency})").format(currency=money)),
            Field("category", _("Category (e.g. supplies)")), Field("description", _("What it was"))],
            note=_("Paid in cash, out of the drawer, today."), ok=_("Record")), asked)

    def _selected_expense(self) -> Any:
        table = self.query_one(DataTable)
        if self.view is None or not self.rows or table.row_count == 0:
            return None
        kind, row_id = self.rows[min(table.cursor_row, len(self.rows) - 1)]
        if kind != "expense":
            return None
        return next((e for e in self.view.expenses if e.id == row_id), None)

    def action_void_expense(self) -> None:
        from salon_cli.services.closing import expenses

        row = self._selected_expense()
        if row is None or self.location is None:
            self._refused(_("put the cursor on an expense (a movement is corrected by another: cash in or out)"))
            return
        amount = formats.money(row.amount_cents, self.location.currency)

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            reason = values["reason"]
            self.app.change(Permission.expense_void, lambda s, loc, actor: expenses.void(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, expense_id=row.id, reason=reason),
                self._done(_("expense {id} ({amount}) void").format(id=row.id, amount=amount)), self._refused,
                title=_("A manager's PIN to void the expense of {amount}").format(amount=amount))

        self.app.push_screen(FormModal(_("Void the expense of {amount} ({category}: {description})?").format(
            amount=amount, category=row.category, description=row.description),
            [Field("reason", _("Reason (kept in the audit log)"))],
            note=_("A manager's code and PIN are asked next."), ok=_("Void")), asked)

    def action_expected(self) -> None:
        """The running figure: a manager's PIN shows it (the look is kept); `x` again hides it."""
        if self.viewer is not None:
            self.viewer = None
            self._request(then=_("the expected cash is hidden again"))
            return
        if self.view is not None and self.view.counted:
            self._set_summary(_("the drawer is counted: its expected cash is no secret any more"))
            return

        def done(result: tuple[Actor, DrawerView]) -> None:
            actor, view = result
            self.viewer = actor if view.expected_cash_cents is not None else None
            self._desk_at_look = self.app.desk  # type: ignore[attr-defined]
            if self.location is not None:
                self._show(view, self.location,
                           then=_("the expected cash, shown to {who} (kept in the audit log)").format(who=actor.code))

        self.app.change(Permission.cash_expected,  # type: ignore[attr-defined]
                        lambda s, loc, actor: (actor, drawer_view.look(s, actor=actor, location=loc)),
                        done, self._refused, title=_("A manager's PIN to see the expected cash"))
