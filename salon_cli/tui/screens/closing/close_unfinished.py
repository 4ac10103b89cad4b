"""The guarded close's first step (issue 28): what is unfinished on the day, with a key on the selected row
for each way of finishing it. Mixed into `CloseDayScreen`, which holds the table (`#unfinished`), the
day (`self.day`) and what to do once the list changes (`_load`).

- an appointment: `x` no-show (`till.deposits.no_show`, as `salon appt no-show`: a deposit pays the
  fee, the rest refunded or kept; a refund asks a manager's PIN), `c` complete (`book.day_end.
  complete_settled`: refused while its price is owed), `l` leave it booked past the close with a reason
  (`book.day_end.leave_booked`), Enter its checkout;
- an open sale: Enter its checkout (a sale with no appointment: the day's sales), `v` void (a manager's PIN);
- a pending penalty: Enter the no-shows screen (charge, mark paid, waive).

When nothing remains the screen goes on to the count. A receptionist cannot go on while anything remains;
`a` asks a note and a manager's code and PIN (`Permission.day_close_unfinished`): the manager approves
the close over what is left, and the list is kept with the close. The services decide; their refusals
are shown on the summary line. The screen's words are the desk's language (`_`), the money `i18n.formats`'."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _, formats
from salon_cli.services.closing.unfinished import Unfinished
from salon_cli.tui.screens.deposit_refunds import send_deposit_refund
from salon_cli.tui.screens.modals import Field, FormModal

# the state comes second so that it is on screen at 80 columns (as on the Today list)
COLUMNS = (N_("Time"), N_("State"), N_("Client"), N_("Stylist"), N_("What"))
STATE_WORDS = {"booked": N_("booked"), "checked_in": N_("here"), "in_service": N_("in chair")}
FEE_WORDS = {"no_show": N_("no-show fee {amount}"), "late_cancel": N_("late-cancel fee {amount}")}
APPOINTMENT_KEYS = ("no_show_visit", "complete_visit", "leave_booked")


def unfinished_rows(left: Unfinished, tz: Any, currency: str) -> list[tuple[str, tuple[Text, ...]]]:
    """The table's rows (key, cells): appointments by time, then open sales, then pending penalties."""
    def money(cents: int) -> str:
        return formats.money(cents, currency)

    rows: list[tuple[str, tuple[Text, ...]]] = []
    for a in left.appointments:
        rows.append((f"appointment:{a.id}", (
            Text(f"{a.starts_at.astimezone(tz):%H:%M}"),
            Text(_(STATE_WORDS[a.status]) if a.status in STATE_WORDS else a.status,
                 style="bold" if a.status != "booked" else ""), Text(a.client),
            Text(a.staff_name.split()[0] if a.staff_name else a.staff), Text(a.service))))
    for s in left.sales:
        said = (_("sale {id} (appointment {appointment}): paid {paid}, owes {owed}") if s.appointment_id
                else _("sale {id}: paid {paid}, owes {owed}"))
        rows.append((f"sale:{s.id}", (
            Text(f"{s.created_at.astimezone(tz):%H:%M}"), Text(_("open sale"), style="bold yellow"),
            Text(s.client or "—"), Text(""),
            Text(said.format(id=s.id, appointment=s.appointment_id, paid=money(s.paid_cents),
                             owed=money(s.balance_cents))))))
    for p in left.penalties:
        fee = _(FEE_WORDS[p.kind]) if p.kind in FEE_WORDS else p.kind.replace("_", "-") + " {amount}"
        rows.append((f"penalty:{p.id}", (
            Text(f"{p.created_at.astimezone(tz):%H:%M}"), Text(_("fee due"), style="bold yellow"), Text(p.client),
            Text(""), Text(fee.format(amount=money(p.amount_cents))))))
    return rows


def keys_for(kind: str | None) -> str:
    """What the keys do on a row of this kind (the summary line says it)."""
    said = {"appointment": N_("a visit: x no-show · c complete · l leave booked · enter its checkout"),
            "sale": N_("an open sale: enter its checkout · v void (a manager's PIN)"),
            "penalty": N_("a fee of today: enter the no-shows (charge, mark paid, waive)")}.get(kind or "")
    return _(said) if said else ""


class UnfinishedSteps:
    """The keys of the unfinished step (the screen's `check_action` asks `unfinished_allows`)."""

    left: Unfinished | None = None
    approval: tuple[Any, str] | None = None  # the manager who approved closing over what is left, and the note

    # -- the table ---------------------------------------------------------------------------------

    def show_unfinished(self, left: Unfinished, tz: Any, currency: str) -> None:
        self.left = left
        table = self.query_one("#unfinished", DataTable)  # type: ignore[attr-defined]
        keep = table.cursor_row
        table.clear()
        for key, cells in unfinished_rows(left, tz, currency):
            table.add_row(*cells, key=key)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        table.focus()
        said = (_("Before the count: {what} ({n} left booked past the close).") if left.left_booked
                else _("Before the count: {what}."))
        self.query_one("#unfinished-intro").update(Text.assemble(  # type: ignore[attr-defined]
            (said.format(what=left.words(), n=len(left.left_booked)), "bold"),
            "\n" + _("Finish each (the keys below), or a manager closes over them with a note (a).")))

    def selected_item(self) -> tuple[str, int] | None:
        table = self.query_one("#unfinished", DataTable)  # type: ignore[attr-defined]
        if self.step != "unfinished" or not table.row_count:  # type: ignore[attr-defined]
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        kind, _sep, ident = key.partition(":")
        return kind, int(ident)

    def unfinished_allows(self, action: str) -> bool:
        item = self.selected_item()
        kind = item[0] if item else None
        if action in APPOINTMENT_KEYS:
            return kind == "appointment"
        if action == "void_sale":
            return kind == "sale"
        return self.step == "unfinished"  # type: ignore[attr-defined]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "unfinished":
            self.refresh_bindings()  # type: ignore[attr-defined]
            item = self.selected_item()
            if item is not None:
                self._set_summary(keys_for(item[0]))  # type: ignore[attr-defined]

    # -- the keys ----------------------------------------------------------------------------------

    def _done(self, what: str) -> Any:
        def done(_result: object) -> None:
            self.app.notify(what)  # type: ignore[attr-defined]
            self._load()  # type: ignore[attr-defined]
        return done

    def _refused(self, text: str) -> None:
        self._set_summary(_("refused: {text}").format(text=text), error=True)  # type: ignore[attr-defined]
        self.app.show_error(text)  # type: ignore[attr-defined]  # in full: the summary is one line, cut at 80

    def _appointment(self) -> int | None:
        item = self.selected_item()
        return item[1] if item and item[0] == "appointment" else None

    def action_no_show_visit(self) -> None:
        from salon_cli.services.till import deposits

        appointment_id = self._appointment()
        if appointment_id is None:
            return

        def work(s: Any, loc: Any, actor: Any) -> Any:
            return loc, actor, deposits.no_show(s, actor=actor, location=loc, appointment_id=appointment_id)

        def done(result: Any) -> None:
            loc, actor, (_appt, settled) = result
            said = _("appointment {id} is a no-show").format(id=appointment_id)
            if settled is not None and settled.refunded_cents:
                send_deposit_refund(self.app, actor, loc, settled.sale_id, said)  # type: ignore[attr-defined]
            self._done(said)(None)

        self.app.change(Permission.desk, work, done, self._refused, manager=Permission.sale_refund)  # type: ignore[attr-defined]

    def action_complete_visit(self) -> None:
        from salon_cli.services.book import day_end

        appointment_id = self._appointment()
        if appointment_id is not None:
            self.app.change(Permission.desk, lambda s, loc, actor: day_end.complete_settled(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, appointment_id=appointment_id),
                self._done(_("appointment {id} is done").format(id=appointment_id)), self._refused)

    def action_leave_booked(self) -> None:
        from salon_cli.services.book import day_end

        appointment_id = self._appointment()
        if appointment_id is None:
            return

        def asked(values: dict[str, str] | None) -> None:
            if values is not None:
                self.app.change(Permission.desk, lambda s, loc, actor: day_end.leave_booked(  # type: ignore[attr-defined]
                    s, actor=actor, location=loc, appointment_id=appointment_id, reason=values["reason"]),
                    self._done(_("appointment {id} stays booked past the close").format(id=appointment_id)),
                    self._refused)

        self.app.push_screen(FormModal(  # type: ignore[attr-defined]
            _("Leave appointment {id} booked past the close?").format(id=appointment_id),
            [Field("reason", _("Reason (one line)"))], note=_("It stays as it is and no longer holds the close."),
            ok=_("Leave it")), asked)

    def action_void_sale(self) -> None:
        from salon_cli.services.till import sales

        item = self.selected_item()
        if item is None or item[0] != "sale":
            return
        sale_id = item[1]

        def asked(values: dict[str, str] | None) -> None:
            if values is not None:
                self.app.change(Permission.sale_void, lambda s, loc, actor: sales.void(  # type: ignore[attr-defined]
                    s, actor=actor, location=loc, sale_id=sale_id, reason=values["reason"]),
                    self._done(_("sale {id} voided").format(id=sale_id)), self._refused,
                    title=_("Void sale {id}: a manager's PIN").format(id=sale_id))

        self.app.push_screen(FormModal(_("Void open sale {id}?").format(id=sale_id), [  # type: ignore[attr-defined]
            Field("reason", _("Reason"))], note=_("A manager's code and PIN are asked next."), ok=_("Void")), asked)

    def open_selected(self) -> None:
        """Enter: the visit's checkout, the open sale's, the no-shows screen (its fees)."""
        item = self.selected_item()
        if item is None or self.left is None:
            return
        kind, ident = item
        appointment_id = ident if kind == "appointment" else next(
            (s.appointment_id for s in self.left.sales if s.id == ident), None) if kind == "sale" else None
        self.away = True  # type: ignore[attr-defined]  # read the list again when back
        if appointment_id is not None:
            self.app.open_checkout(appointment_id)  # type: ignore[attr-defined]
        elif kind == "sale":
            self.app.open_checkout(sale_id=ident)  # type: ignore[attr-defined]  # a sale at the desk
        else:
            self.app.action_no_shows()  # type: ignore[attr-defined]

    def action_close_anyway(self) -> None:
        """A manager approves closing over what is left: a note, then their code and PIN."""
        from salon_cli.services.closing import day_close

        if self.left is None or self.left.empty:
            return
        day = self.day  # type: ignore[attr-defined]

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            note = values["note"]

            def approved(result: Any) -> None:
                self.approval = (result[0], note)
                self.app.notify(_("{manager} approved closing over {what}").format(  # type: ignore[attr-defined]
                    manager=result[0].name, what=result[1].words()))
                self._load()  # type: ignore[attr-defined]

            self.app.change(Permission.day_close_unfinished, lambda s, loc, actor: (  # type: ignore[attr-defined]
                actor, day_close.check_unfinished(s, actor=actor, location=loc, day=day, note=note)),
                approved, self._refused, title=_("Close over what is unfinished: a manager's code and PIN"))

        self.app.push_screen(FormModal(_("Close with {what}?").format(what=self.left.words()), [  # type: ignore[attr-defined]
            Field("note", _("Note (why; kept with the close)"))],
            note=_("A manager's code and PIN are asked next; the list is kept with the close."), ok=_("Go on")), asked)
