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
from textual.widgets import Static

from salon_cli.core.permissions import Permission
from salon_cli.i18n import N_, _, formats
from salon_cli.services.book.views import AppointmentView
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.screens.deposit_refunds import send_deposit_refund
from salon_cli.tui.screens.modals import Field, FormModal
from salon_cli.tui.widgets.desk_footer import DeskFooter

# an appointment's status in the desk's words (through _)
WORDS = {"booked": N_("booked"), "checked_in": N_("here"), "in_service": N_("in the chair"), "completed": N_("done"),
         "no_show": N_("no-show"), "cancelled": N_("cancelled"), "late_cancelled": N_("late cancel")}
PENALTY = {"pending": N_("pending"), "failed": N_("failed"), "charged": N_("charged"), "paid": N_("paid"),
           "waived": N_("waived")}  # a penalty's status (through _)


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
    tz, cur = loc.tz, loc.currency
    out = Text()
    lines: list[tuple[str, str, str]] = []

    def money(cents: int) -> str:
        return formats.money(cents, cur)

    def line(label: str, value: str, style: str = "") -> None:
        lines.append((label, value, style))

    start = appt.starts_at.astimezone(tz)
    line(_("Client"), appt.client or _("(no client card)"))
    line(_("When"), _("{weekday} {date} {start}–{end} with {staff}").format(
        weekday=formats.weekday(start.date(), cur, width="abbreviated"), date=formats.day(start.date(), cur),
        start=formats.clock_time(appt.starts_at, cur, tz), end=formats.clock_time(appt.ends_at, cur, tz),
        staff=appt.staff_name or appt.staff))
    line(_("Services"), appt.service)
    line(_("Price"), money(appt.price_cents))
    if appt.deposit_cents or appt.deposit_paid_cents:
        line(_("Deposit"), _("{asked} asked · {taken} taken").format(asked=money(appt.deposit_cents),
                                                                      taken=money(appt.deposit_paid_cents)))
    if appt.penalty_id is not None:
        status = _(PENALTY.get(appt.penalty_status or "", appt.penalty_status or ""))
        line(_("Penalty"), f"{money(appt.penalty_cents or 0)} ({status})", "bold red")
    line(_("State"), _(WORDS.get(appt.status, appt.status)), "bold")
    if appt.note:
        line(_("Note"), appt.note)
    pad = max(10, 2 + max(len(label) for label, _v, _s in lines))  # the values line up in any language
    for label, value, style in lines:
        out.append(label.ljust(pad), style="bold")
        out.append(value + "\n", style=style)
    if data.history:
        out.append(_("History") + "\n", style="bold")
        for change in data.history:
            at = change.at.astimezone(tz)
            who = _(" by {actor}").format(actor=change.actor) if change.actor else ""
            detail = f": {change.detail}" if change.detail else ""
            out.append(f"  {formats.day(at.date(), cur)} {at:%H:%M}  {change.action}{who}{detail}\n")
    return out


class AppointmentPanel(ModalScreen[str | None]):
    """One appointment. Dismisses with "move" (the grid picks it up), "changed", or None."""

    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="panel-back"),
        Binding("c", "step('check_in')", N_("Check in"), id="panel-check-in"),
        Binding("u", "undo_check_in", N_("Undo check-in"), id="panel-undo-check-in"),
        Binding("s", "step('start')", N_("Start"), id="panel-start"),
        Binding("d", "step('complete')", N_("Done"), id="panel-complete"),
        Binding("p", "checkout", N_("Checkout"), id="panel-checkout"),
        Binding("N", "no_show", N_("No-show"), id="panel-no-show"),
        Binding("x", "cancel_visit", N_("Cancel"), id="panel-cancel"),
        Binding("m", "move", N_("Move"), id="panel-move"),
        Binding("i", "reinstate", N_("Reinstate"), id="panel-reinstate"),
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
            yield Static(_("Appointment {id}").format(id=self.appointment_id), id="panel-title", markup=False)
            with VerticalScroll(id="panel-body"):
                yield Static(_("loading…"), id="panel-text", markup=False)
            yield Static("", id="panel-error", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        self._load()

    def _load(self) -> None:
        def done(data: PanelData) -> None:
            self.data = data
            appt = data.appointment
            self.query_one("#panel-title", Static).update(_("Appointment {id} · {client}").format(
                id=appt.id, client=appt.client or _("walk-in")))
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
                self.app.notify(_("{line} (salon appt waitlist offers {id})").format(line=line, id=self.appointment_id),
                                timeout=10)

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
        words = {"check_in": _("checked in"), "start": _("in the chair"), "complete": _("done")}[name]
        self._change(lambda s, loc, actor: step(s, actor=actor, location=loc, appointment_id=self.appointment_id),
                     words)

    def action_undo_check_in(self) -> None:
        from salon_cli.services.book import corrections

        self._change(lambda s, loc, actor: corrections.undo_check_in(s, actor=actor, location=loc,
                                                                appointment_id=self.appointment_id),
                     _("check-in undone"), manager=Permission.penalty_waive)

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
            self._after(_("marked a no-show"))(None)
            self._say_waiting()
            if settled is not None and settled.refunded_cents and self.data is not None:
                send_deposit_refund(self.app, actor, self.data.location, settled.sale_id,
                                    _("appointment {id} is a no-show").format(id=self.appointment_id))

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
        currency = self.data.location.currency
        money = (lambda cents: formats.money(cents, currency))
        appt = self.data.appointment
        if terms.late and terms.fee_cents:
            note = _("Late cancellation (inside {hours} h): the policy charges {fee}.").format(
                hours=terms.window_hours, fee=money(terms.fee_cents))
        elif terms.late:
            note = _("Late cancellation: the policy charges no fee.")
        else:
            note = _("No fee: it is cancelled in time.")
        if appt.deposit_paid_cents:
            note += " " + _("The deposit of {amount} pays the fee first; the rest goes back (a manager's PIN) or is "
                            "kept, as the policy says.").format(amount=money(appt.deposit_paid_cents))

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
                said = _("cancelled: fee {fee}").format(fee=money(fee.amount_cents)) if fee else _("cancelled")
                self._after(said)(None)
                self._say_waiting()
                if settled is not None and settled.refunded_cents:
                    send_deposit_refund(self.app, actor, self.data.location, settled.sale_id,  # type: ignore[union-attr]
                                        _("{client}'s visit is cancelled").format(client=appt.client))
                if self.errand:
                    self.action_close()

            self.app.change(Permission.desk, work, done, self._refused, manager=Permission.sale_refund)  # type: ignore[attr-defined]

        question = _("Cancel {client}'s {service}?").format(client=appt.client, service=appt.service)
        self.app.push_screen(FormModal(question, [
            Field("reason", _("Reason"), required=False)], note=note, ok=_("Cancel it")), asked)

    def action_reinstate(self) -> None:
        from salon_cli.services.book import corrections

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            here = values["here"].strip().lower() in ("y", "yes", "s", "si", "sí")
            self.app.change(Permission.penalty_waive, lambda s, loc, actor: corrections.reinstate(  # type: ignore[attr-defined]
                s, actor=actor, location=loc, appointment_id=self.appointment_id, reason=values["reason"],
                checked_in=here), self._after(_("reinstated: the penalty is waived")), self._refused,
                title=_("Reinstate a no-show: a manager's PIN"))

        self.app.push_screen(FormModal(_("Reinstate this no-show?"), [
            Field("reason", _("Reason (why the no-show was wrong)")),
            Field("here", _("Is the client here now? (y/n)"), value="n")],
            note=_("The appointment goes back to booked (or checked in), its penalty is waived and the "
                   "client's no-show count corrected."), ok=_("Reinstate")), asked)
