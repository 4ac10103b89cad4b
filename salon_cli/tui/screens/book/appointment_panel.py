"""The appointment's panel: who, what, when, the price and the deposit, its note, the history of its
states, and every step of its day one key away: check in (`c`), undo a check-in (`u`), start (`s`),
complete (`d`), checkout (`p`), no-show (`N`), cancel (`x`, the fee shown before you confirm), move
(`m`, picked up on the grid) and reinstate a wrong no-show (`i`, a manager).

The panel holds no rule: each key calls its service, and a refusal is shown in the service's words.
Where the service says a manager is needed (a deposit to give back, a late undo), the manager's PIN is
asked and the step runs again as that manager (`app.change(..., manager=...)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from salon_cli.core.money import format_money
from salon_cli.core.permissions import Permission
from salon_cli.services.book.views import AppointmentView
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.deposit_refunds import send_deposit_refund
from salon_cli.tui.screens.modals import Field, FormModal

WORDS = {"booked": "booked", "checked_in": "here", "in_service": "in the chair", "completed": "done",
         "no_show": "no-show", "cancelled": "cancelled", "late_cancelled": "late cancel"}


@dataclass(frozen=True)
class PanelData:
    location: LocationView
    appointment: AppointmentView
    history: list[Any]


def load(session: Any, location: LocationView, appointment_id: int) -> PanelData:
    from salon_cli.services.book import history as book_history, views

    history = book_history.history(session, appointment_id)
    return PanelData(location=location, appointment=views.view(session, appointment_id), history=history)


def panel_text(data: PanelData) -> Text:
    appt, loc = data.appointment, data.location
    tz, money = loc.tz, (lambda cents: format_money(cents, loc.currency))
    out = Text()

    def line(label: str, value: str, style: str = "") -> None:
        out.append(f"{label:<10}", style="bold")
        out.append(value + "\n", style=style)

    start, end = appt.starts_at.astimezone(tz), appt.ends_at.astimezone(tz)
    line("Client", appt.client or "(no client card)")
    line("When", f"{start:%a %d %b %Y} {start:%H:%M}–{end:%H:%M} with {appt.staff_name or appt.staff}")
    line("Services", appt.service)
    line("Price", money(appt.price_cents))
    if appt.deposit_cents or appt.deposit_paid_cents:
        line("Deposit", f"{money(appt.deposit_cents)} asked · {money(appt.deposit_paid_cents)} taken")
    if appt.penalty_id is not None:
        line("Penalty", f"{money(appt.penalty_cents or 0)} ({appt.penalty_status})", "bold red")
    line("State", WORDS.get(appt.status, appt.status), "bold")
    if appt.note:
        line("Note", appt.note)
    if data.history:
        out.append("History\n", style="bold")
        for change in data.history:
            who = f" by {change.actor}" if change.actor else ""
            detail = f": {change.detail}" if change.detail else ""
            out.append(f"  {change.at.astimezone(tz):%d %b %H:%M}  {change.action}{who}{detail}\n")
    return out


class AppointmentPanel(ModalScreen[str | None]):
    """One appointment. Dismisses with "move" (the grid picks it up), "changed", or None."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="panel-back"),
        Binding("c", "step('check_in')", "Check in", id="panel-check-in"),
        Binding("u", "undo_check_in", "Undo check-in", id="panel-undo-check-in"),
        Binding("s", "step('start')", "Start", id="panel-start"),
        Binding("d", "step('complete')", "Done", id="panel-complete"),
        Binding("p", "checkout", "Checkout", id="panel-checkout"),
        Binding("N", "no_show", "No-show", id="panel-no-show"),
        Binding("x", "cancel_visit", "Cancel", id="panel-cancel"),
        Binding("m", "move", "Move", id="panel-move"),
        Binding("i", "reinstate", "Reinstate", id="panel-reinstate"),
    ]

    def __init__(self, appointment_id: int, *, then: str | None = None) -> None:
        super().__init__(classes="appointment-panel")
        self.appointment_id = appointment_id
        self.data: PanelData | None = None
        self.changed = False
        self.then = then  # an action to run once loaded (the book's `x` opens the panel at its cancel)
        self.errand = then is not None  # opened for that one step: closed again once it is done or dropped

    def compose(self) -> ComposeResult:
        with Vertical(id="panel"):
            yield Static(f"Appointment {self.appointment_id}", id="panel-title", markup=False)
            with VerticalScroll(id="panel-body"):
                yield Static("loading…", id="panel-text", markup=False)
            yield Static("", id="panel-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    def _load(self) -> None:
        def done(data: PanelData) -> None:
            self.data = data
            appt = data.appointment
            self.query_one("#panel-title", Static).update(f"Appointment {appt.id} · {appt.client or 'walk-in'}")
            self.query_one("#panel-text", Static).update(panel_text(data))
            if self.then:
                then, self.then = self.then, None
                self.call_later(self.run_action, then)

        self.app.read(lambda s, loc: load(s, loc, self.appointment_id), done, self._refused,  # type: ignore[attr-defined]
                      group="panel")

    def _refused(self, text: str) -> None:
        self.query_one("#panel-error", Static).update(Text(text, style="bold red"))

    def _after(self, what: str) -> Any:
        def done(_: object) -> None:
            self.changed = True
            self.query_one("#panel-error", Static).update(Text(what, style="bold green"))
            self.app.notify(what)
            self._load()
        return done

    def _say_waiting(self) -> None:
        """After a cancel or a no-show: who waits for the slot it freed (priority first), as a notice."""
        from salon_cli.services.benefits import waitlist_offers

        def shown(found: Any) -> None:
            line = waitlist_offers.waiting_summary(found[1])
            if line:
                self.app.notify(f"{line} (salon appt waitlist offers {self.appointment_id})", timeout=10)

        self.app.read(lambda s, loc: waitlist_offers.offers(s, loc, self.appointment_id), shown,  # type: ignore[attr-defined]
                      lambda _: None, group="panel-waitlist")

    def _change(self, work: Any, what: str, *, manager: Permission | None = None) -> None:
        self.query_one("#panel-error", Static).update("")
        self.app.change(Permission.desk, work, self._after(what), self._refused, manager=manager)  # type: ignore[attr-defined]

    # -- the steps -----------------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss("changed" if self.changed else None)

    def action_step(self, name: str) -> None:
        from salon_cli.services.book import status

        step = getattr(status, name)
        words = {"check_in": "checked in", "start": "in the chair", "complete": "done"}[name]
        self._change(lambda s, loc, actor: step(s, actor=actor, location=loc, appointment_id=self.appointment_id),
                     f"{words}")

    def action_undo_check_in(self) -> None:
        from salon_cli.services.book import corrections

        self._change(lambda s, loc, actor: corrections.undo_check_in(s, actor=actor, location=loc,
                                                                appointment_id=self.appointment_id),
                     "check-in undone", manager=Permission.penalty_waive)

    def action_checkout(self) -> None:
        self.dismiss("changed" if self.changed else None)
        self.app.open_checkout(self.appointment_id)  # type: ignore[attr-defined]

    def action_move(self) -> None:
        self.dismiss("move")

    def action_no_show(self) -> None:
        from salon_cli.services.till import deposits

        def work(s: Any, loc: LocationView, actor: Any) -> Any:
            return actor, deposits.no_show(s, actor=actor, location=loc, appointment_id=self.appointment_id)

        def done(result: Any) -> None:
            actor, (_, settled) = result
            self._after("marked a no-show")(None)
            self._say_waiting()
            if settled is not None and settled.refunded_cents and self.data is not None:
                send_deposit_refund(self.app, actor, self.data.location, settled.sale_id,
                                    f"appointment {self.appointment_id} is a no-show")

        self.app.change(Permission.desk, work, done, self._refused, manager=Permission.sale_refund)  # type: ignore[attr-defined]

    def action_cancel_visit(self) -> None:
        from salon_cli.services.book import status

        def terms_read(terms: Any) -> None:
            self._confirm_cancel(terms)

        self.app.read(lambda s, loc: status.cancel_terms(s, location=loc, appointment_id=self.appointment_id),  # type: ignore[attr-defined]
                      terms_read, self._refused, group="panel")

    def _confirm_cancel(self, terms: Any) -> None:
        from salon_cli.services.till import deposits

        if self.data is None:
            return
        money = (lambda cents: format_money(cents, self.data.location.currency))  # type: ignore[union-attr]
        appt = self.data.appointment
        if terms.late and terms.fee_cents:
            note = (f"Late cancellation (inside {terms.window_hours} h): the policy charges {money(terms.fee_cents)}.")
        elif terms.late:
            note = "Late cancellation: the policy charges no fee."
        else:
            note = "No fee: it is cancelled in time."
        if appt.deposit_paid_cents:
            note += (f" The deposit of {money(appt.deposit_paid_cents)} pays the fee first; the rest goes back "
                     "(a manager's PIN) or is kept, as the policy says.")

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                if self.errand:
                    self.action_close()
                return

            def work(s: Any, loc: LocationView, actor: Any) -> Any:
                return actor, deposits.cancel(s, actor=actor, location=loc, appointment_id=self.appointment_id,
                                              reason=values["reason"] or None)

            def done(result: Any) -> None:
                actor, (cancelled, settled) = result
                fee = cancelled.penalty
                self._after(f"cancelled{f': fee {money(fee.amount_cents)}' if fee else ''}")(None)
                self._say_waiting()
                if settled is not None and settled.refunded_cents:
                    send_deposit_refund(self.app, actor, self.data.location, settled.sale_id,  # type: ignore[union-attr]
                                        f"{appt.client}'s visit is cancelled")
                if self.errand:
                    self.action_close()

            self.app.change(Permission.desk, work, done, self._refused, manager=Permission.sale_refund)  # type: ignore[attr-defined]

        self.app.push_screen(FormModal(f"Cancel {appt.client}'s {appt.service}?", [
            Field("reason", "Reason", required=False)], note=note, ok="Cancel it"), asked)

    def action_reinstate(self) -> None:
        from salon_cli.services.book import corrections

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            here = values["here"].strip().lower() in ("y", "yes", "s", "si", "sí")
            self.app.change(Permission.penalty_waive, lambda s, loc, actor: corrections.reinstate(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, appointment_id=self.appointment_id, reason=values["reason"],
                checked_in=here), self._after("reinstated: the penalty is waived"), self._refused,
                title="Reinstate a no-show: a manager's PIN")

        self.app.push_screen(FormModal("Reinstate this no-show?", [
            Field("reason", "Reason (why the no-show was wrong)"),
            Field("here", "Is the client here now? (y/n)", value="n")],
            note="The appointment goes back to booked (or checked in), its penalty is waived and the "
                 "client's no-show count corrected.", ok="Reinstate"), asked)
