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
shows (the dashboard's launch, benchmarks/tui.py)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from salon_cli.core.errors import SalonError
from salon_cli.core.money import format_amount, format_money, parse_amount
from salon_cli.core.permissions import Permission
from salon_cli.services.closing import drawer_view
from salon_cli.services.closing.drawer_view import DrawerView
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.modals import Field, FormModal
from salon_cli.tui.screens.reload import ReloadsWhenBack

COLUMNS = (("Time", 5), ("What", 14), ("Amount", 12), ("Reason", 34), ("By", 8))
KIND = {"float": "float", "in": "cash in", "out": "cash out"}


def totals_line(view: DrawerView, currency: str) -> str:
    """'Float 1500.00 · cash in 200.00 · cash out 150.50 · cash expenses 80.25 MXN'."""
    def amount(cents: int) -> str:
        return format_amount(cents, currency)

    return (f"Float {amount(view.float_cents)} · cash in {amount(view.in_cents)} · cash out {amount(view.out_cents)}"
            f" · cash expenses {amount(view.cash_expenses_cents)} {currency}")


def expected_line(view: DrawerView, currency: str, shown_to: Actor | None) -> str:
    """The running figure, or why it is not shown."""
    if view.expected_cash_cents is None:
        return "Expected cash now: not shown before the count (x: a manager's PIN shows it)"
    figure = format_money(view.expected_cash_cents, currency)
    if view.closed:
        return f"Expected cash at the close: {figure} (the day is closed)"
    why = "the drawer is counted" if view.counted else f"shown to {shown_to.code}" if shown_to else "shown"
    return f"Expected cash now: {figure} ({why})"


class DrawerScreen(ReloadsWhenBack, Screen[None]):
    """Today's drawer."""

    DEFAULT_CSS = """
    DrawerScreen #drawer-totals { height: 1; padding: 0 1; }
    DrawerScreen #expected { height: auto; padding: 0 1; text-style: bold; }
    DrawerScreen #drawer { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("f", "cash('float')", "Float", id="cash-float"),
        Binding("i", "cash('in')", "Cash in", id="cash-in"),
        Binding("o", "cash('out')", "Cash out", id="cash-out"),
        Binding("e", "expense", "Expense", id="expense-add"),
        Binding("v", "void_expense", "Void expense", id="expense-void"),
        Binding("x", "expected", "Expected cash", id="cash-expected"),
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
        yield Static("Drawer", id="title", markup=False)
        yield Static(" ", id="drawer-totals", markup=False)
        yield Static(" ", id="expected", markup=False)
        yield DataTable(id="drawer", cursor_type="row", zebra_stripes=True)
        yield Static("loading…", id="summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name, width in COLUMNS:
            table.add_column(Text(name, justify="right" if name == "Amount" else "left"), key=name, width=width)
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
            self._set_summary("loading…")

        def work(session: Any, location: LocationView) -> tuple[DrawerView, LocationView]:
            return drawer_view.load(session, location=location, viewer=viewer), location

        def done(result: tuple[DrawerView, LocationView]) -> None:
            if generation == self._generation:
                self._show(*result, then=then)

        def failed(text: str) -> None:
            if generation == self._generation:
                self._set_summary(f"error: {text}", error=True)

        self.app.read(work, done, failed, group="drawer")  # type: ignore[attr-defined]

    def _show(self, view: DrawerView, location: LocationView, *, then: str | None) -> None:
        self.view, self.location = view, location
        tz, money = location.tz, location.currency
        day = view.day
        closed = " (closed)" if view.closed else ""
        self.query_one("#title", Static).update(f"Drawer — {location.name}, {day:%A} {day.day} {day:%B %Y}{closed}")
        self.query_one("#drawer-totals", Static).update(totals_line(view, money))
        self.query_one("#expected", Static).update(expected_line(view, money, self.viewer))
        entries: list[tuple[Any, str, int, Text, Text, str, str | None]] = []
        for m in view.movements:
            entries.append((m.created_at, "movement", m.id, Text(KIND.get(m.kind, m.kind)),
                            Text(format_amount(m.amount_cents if m.kind != "out" else -m.amount_cents, money),
                                 justify="right"), m.reason or "", m.created_by))
        for e in view.expenses:
            style = "dim strike" if e.status != "recorded" else ""
            what = "expense" if e.status == "recorded" else "expense, void"
            entries.append((e.created_at, "expense", e.id, Text(what, style="dim" if style else ""),
                            Text(format_amount(-e.amount_cents, money), justify="right", style=style),
                            f"{e.category}: {e.description}" + (f" (void: {e.void_reason})" if e.void_reason else ""),
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
            noun = "entry" if len(self.rows) == 1 else "entries"
            self._set_summary(f"{len(self.rows)} {noun} today · x: the expected cash, for a manager")
        elif then:
            self._set_summary(then)

    def _set_summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(text)
        summary.set_class(error, "error")

    def _refused(self, text: str) -> None:
        self._set_summary(f"refused: {text}", error=True)
        self.app.show_error(text)  # type: ignore[attr-defined]

    def _cents(self, text: str, what: str) -> int | None:
        try:
            return parse_amount(text, self.location.currency if self.location else "MXN", what=what)
        except SalonError as exc:
            self._refused(exc.message)
            return None

    def _done(self, what: str) -> Any:
        def done(_: object) -> None:
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
            self._refused(f"today's float is already in the drawer ({format_money(earlier.amount_cents, money)} at "
                          f"{at:%H:%M} by {earlier.created_by or 'the system'}); a mistake is corrected with "
                          "i (cash in) or o (cash out)")
            return
        title = {"float": "The opening float", "in": "Cash put into the drawer",
                 "out": "Cash taken out of the drawer"}[kind]
        reason = {"float": Field("reason", "Note (optional)", required=False),
                  "in": Field("reason", "Reason (e.g. change from the bank)", required=False),
                  "out": Field("reason", "Reason (e.g. bank deposit)")}[kind]
        note = {"float": "Once a day; a mistake is corrected with cash in or cash out.",
                "in": "Not a sale: money put in the drawer.",
                "out": "Not an expense: a deposit, a safe drop."}[kind]

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            cents = self._cents(values["amount"], "the amount")
            if cents is None:
                return
            why = values["reason"] or None
            self.app.change(Permission.desk, lambda s, loc, actor: cash_drawer.move(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, kind=kind, amount_cents=cents, reason=why),
                self._done(f"{KIND[kind]} of {format_money(cents, money)} recorded"), self._refused)

        self.app.push_screen(FormModal(title, [Field("amount", f"Amount ({money})"), reason], note=note,
                                       ok="Record"), asked)

    def action_expense(self) -> None:
        from salon_cli.services.closing import expenses

        if self.location is None:
            return
        money = self.location.currency

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            cents = self._cents(values["amount"], "the expense")
            if cents is None:
                return
            category, description = values["category"], values["description"]
            self.app.change(Permission.desk, lambda s, loc, actor: expenses.add(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, amount_cents=cents, category=category, description=description,
                paid_from="cash"), self._done(f"expense of {format_money(cents, money)} paid from the drawer"),
                self._refused)

        self.app.push_screen(FormModal("An expense paid from the drawer", [
            Field("amount", f"Amount ({money})"), Field("category", "Category (e.g. supplies)"),
            Field("description", "What it was")], note="Paid in cash, out of the drawer, today.", ok="Record"), asked)

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
            self._refused("put the cursor on an expense (a movement is corrected by another: cash in or out)")
            return
        amount = format_money(row.amount_cents, self.location.currency)

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            reason = values["reason"]
            self.app.change(Permission.expense_void, lambda s, loc, actor: expenses.void(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, expense_id=row.id, reason=reason),
                self._done(f"expense {row.id} ({amount}) void"), self._refused,
                title=f"A manager's PIN to void the expense of {amount}")

        self.app.push_screen(FormModal(f"Void the expense of {amount} ({row.category}: {row.description})?",
                                       [Field("reason", "Reason (kept in the audit log)")],
                                       note="A manager's code and PIN are asked next.", ok="Void"), asked)

    def action_expected(self) -> None:
        """The running figure: a manager's PIN shows it (the look is kept); `x` again hides it."""
        if self.viewer is not None:
            self.viewer = None
            self._request(then="the expected cash is hidden again")
            return
        if self.view is not None and self.view.counted:
            self._set_summary("the drawer is counted: its expected cash is no secret any more")
            return

        def done(result: tuple[Actor, DrawerView]) -> None:
            actor, view = result
            self.viewer = actor if view.expected_cash_cents is not None else None
            self._desk_at_look = self.app.desk  # type: ignore[attr-defined]
            if self.location is not None:
                self._show(view, self.location,
                           then=f"the expected cash, shown to {actor.code} (kept in the audit log)")

        self.app.change(Permission.cash_expected,  # type: ignore[attr-defined]
                        lambda s, loc, actor: (actor, drawer_view.look(s, actor=actor, location=loc)),
                        done, self._refused, title="A manager's PIN to see the expected cash")
