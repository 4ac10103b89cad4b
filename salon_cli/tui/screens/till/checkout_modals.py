"""The checkout's questions (a short list to pick from is `modals.ChoiceModal`): confirm what a key
spends, add a product or a service with who sold it, pay by gift card (its balance shown before the
amount is asked), who the client of a desk sale is, and a promotion code (typed, or one of the client's
own picked). They only collect answers; the screen calls the services.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from salon_cli.core.money import format_amount
from salon_cli.i18n import N_, _, formats
from salon_cli.tui.screens.type_ahead import TypesAhead
from salon_cli.tui.widgets.client_picker import ClientPicker, PickedClient
from salon_cli.tui.widgets.item_picker import ItemPicker, SoldBy
from salon_cli.tui.widgets.picker import Picker

class ConfirmModal(ModalScreen[bool]):
    """What a key is about to spend, said first: OK does it, Escape or Cancel does not."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel")]

    def __init__(self, title: str, note: str, *, ok: str | None = None) -> None:
        super().__init__(classes="form-modal")
        self.heading, self.note, self.ok_label = title, note, ok or _("OK")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.heading, id="dialog-title", markup=False)
            yield Static(self.note, id="dialog-note", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(self.ok_label, id="ok", variant="primary")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "ok")

    def action_cancel(self) -> None:
        self.dismiss(False)


class _PickerForm(TypesAhead, ModalScreen[Any]):
    """A small form of pickers and inputs inside `#dialog`: Enter moves on at once, and the picker that
    owns the field picks once its box has read the keys typed before the Enter; the last field saves,
    when no pick is still on its way."""

    DEFAULT_CSS = """
    _PickerForm .picker { height: auto; margin-bottom: 1; }
    _PickerForm .picker-row, _PickerForm .form-row { height: 1; }
    _PickerForm .picker-label, _PickerForm .form-row Label { width: 10; color: $text-muted; }
    _PickerForm .picker-input, _PickerForm .form-row Input { width: 1fr; }
    _PickerForm .picker-options { height: auto; max-height: 6; margin-left: 10; border: none; }
    _PickerForm .picker-note { height: auto; margin-left: 10; color: $text-muted; }
    _PickerForm .picker-note.error { color: $text-error; }
    _PickerForm #dialog-error.empty { display: none; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel")]
    _save_when_ready = False

    def __init__(self) -> None:
        super().__init__(classes="form-modal")

    def submitted(self, field: Input) -> None:
        owner = next((a for a in field.ancestors_with_self if isinstance(a, Picker)), None)
        inputs = list(self.query(Input))
        last = field is inputs[-1]
        if not last:
            self.set_focus(inputs[inputs.index(field) + 1])

        def then() -> None:
            if owner is not None:
                owner.submitted(field.value)
            if last:
                self.action_save()

        field.call_later(then)

    def field_after(self, picker: Picker) -> None:
        inputs = list(self.query(Input))
        here = inputs.index(picker.input)
        if here + 1 < len(inputs):
            self.set_focus(inputs[here + 1])

    def waiting(self) -> bool:
        if any(p.pending for p in self.query(Picker)):
            self._save_when_ready = True
            self.say(_("finding what was typed…"))
            return True
        return False

    def on_picker_changed(self, event: Picker.Changed) -> None:
        if self._save_when_ready and not any(p.pending for p in self.query(Picker)):
            self._save_when_ready = False
            self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.form_button(event)

    def action_save(self) -> None:
        raise NotImplementedError  # abstract: each form (ItemForm, ClientChoice) says what saving answers


class ItemForm(_PickerForm):
    """A product or a service for the ticket, who sold it, how many. The answer: {kind, code, name, staff
    (a staff code, or None: whoever is at the desk), quantity}."""

    def __init__(self, *, staff: str | None, currency: str) -> None:
        super().__init__()
        self.staff, self.currency = staff, currency

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(_("Add a product or a service"), id="dialog-title", markup=False)
            yield ItemPicker(currency=self.currency)
            yield SoldBy(self.staff)
            with Horizontal(classes="form-row"):
                yield Label(_("Quantity"))
                yield Input("1", id="field-quantity", compact=True)
            yield Static("", id="dialog-error", classes="empty", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Add"), id="ok", variant="primary")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one(ItemPicker).focus()

    def action_save(self) -> None:
        if self.waiting():
            return
        item = self.query_one(ItemPicker).picked
        seller = self.query_one(SoldBy)
        qty = self.query_one("#field-quantity", Input).value.strip() or "1"
        if item is None:
            self.say(_("choose a product or a service"))
        elif not seller.decided and seller.input.value.strip():
            self.say(_("who is {name}? choose from the team, or leave it empty").format(
                name=repr(seller.input.value.strip())))
        elif not qty.isdigit() or int(qty) < 1:
            self.say(_("quantity {qty} is not a whole number of at least 1").format(qty=repr(qty)))
        else:
            self.dismiss({"kind": item.kind, "code": item.code, "name": item.name, "staff": seller.chosen_code,
                          "quantity": int(qty)})


class ClientChoice(_PickerForm):
    """Who a desk sale is for: a client, "+ New client", or no client (the answer: a `PickedClient`)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(_("Who is the sale for?"), id="dialog-title", markup=False)
            yield Static(_("A membership, points and credits are a client's; a gift card or a product may be "
                           "sold to no one."), id="dialog-note", markup=False)
            yield ClientPicker(allow_none=True)
            yield Static("", id="dialog-error", classes="empty", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one(ClientPicker).focus()

    def on_picker_changed(self, event: Picker.Changed) -> None:
        picked = self.query_one(ClientPicker).picked
        if picked is not None:
            self.dismiss(picked)

    def on_client_picker_new_client(self, event: ClientPicker.NewClient) -> None:
        from salon_cli.tui.screens.clients.client_form import ClientForm

        def made(client_id: int | None) -> None:
            if client_id is not None:
                event.picker.pick_id(int(client_id))

        self.app.push_screen(ClientForm(first=event.first, last=event.last), made)

    def action_save(self) -> None:
        """Enter has handed the picker its text (`submitted`): a pick answers through `on_picker_changed`."""


class GiftCardPay(ModalScreen[dict[str, str] | None]):
    """Pay by gift card: the code typed or scanned (or one of the client's cards picked), its balance read
    and shown, then the amount (the balance or what is due, the smaller). The answer: {code, amount}."""

    DEFAULT_CSS = """
    GiftCardPay #cards { height: auto; max-height: 4; margin-bottom: 1; border: none; padding: 0; }
    GiftCardPay #balance { height: auto; text-style: bold; }
    GiftCardPay Input { margin-bottom: 1; }
    GiftCardPay .later { display: none; }
    GiftCardPay .later.shown { display: block; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel")]

    def __init__(self, *, due_cents: int, currency: str, cards: Sequence[tuple[str, int]],
                 look_up: Callable[[str, Callable[[Any], None], Callable[[str], None]], None]) -> None:
        super().__init__(classes="form-modal")
        self.due, self.currency, self.cards, self.look_up = due_cents, currency, list(cards), look_up
        self.balance: int | None = None
        self.code: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(_("Pay by gift card"), id="dialog-title", markup=False)
            due = formats.money(self.due, self.currency)
            yield Static((_("Due {amount}. Type or scan the card's code, or pick one of the client's cards.")
                          if self.cards else _("Due {amount}. Type or scan the card's code.")).format(amount=due),
                         id="dialog-note", markup=False)
            if self.cards:
                yield OptionList(*(Option(_("{code} · {amount} left").format(
                    code=code, amount=formats.money(cents, self.currency)), id=code)
                                   for code, cents in self.cards), id="cards")
            yield Label(_("Code"))
            yield Input(placeholder="GC-XXXX-XXXX", id="field-code", compact=True)
            yield Static("", id="balance", markup=False)
            yield Label(_("Amount"), classes="later")
            yield Input(id="field-amount", classes="later", compact=True)
            yield Static("", id="dialog-error", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Take it"), id="ok", variant="primary")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#field-code", Input).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#field-code", Input).value = event.option.id or ""
        self._read()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "field-code":
            self._read()
        else:
            self._done()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id != "ok":
            self.dismiss(None)
        elif self.balance is None or self.code != self.query_one("#field-code", Input).value.strip():
            self._read()
        else:
            self._done()

    def _read(self) -> None:
        code = self.query_one("#field-code", Input).value.strip()
        if not code:
            self._error(_("type or scan the card's code"))
            return
        self._error("")
        self.query_one("#balance", Static).update(_("reading the card…"))

        def found(card: Any) -> None:
            if card.status != "active":
                self._error((_("gift card {code} cannot be used: its sale is not paid yet") if card.status == "pending"
                             else _("gift card {code} cannot be used: it was voided")).format(code=card.code))
                self.query_one("#balance", Static).update("")
                return
            self.code, self.balance = code, card.balance_cents
            self.query_one("#balance", Static).update(
                _("{code}: {amount} left").format(code=card.code,
                                                  amount=formats.money(card.balance_cents, self.currency)))
            amount = self.query_one("#field-amount", Input)
            amount.value = format_amount(min(card.balance_cents, self.due), self.currency)  # typed over: parseable
            for widget in self.query(".later"):
                widget.add_class("shown")
            amount.focus()

        def failed(text: str) -> None:
            self.query_one("#balance", Static).update("")
            self._error(text)

        self.look_up(code, found, failed)

    def _done(self) -> None:
        if self.balance is None or self.code is None:
            self._read()
            return
        amount = self.query_one("#field-amount", Input).value.strip()
        if not amount:
            self._error(_("Amount is needed"))
            return
        self.dismiss({"code": self.code, "amount": amount})

    def _error(self, text: str) -> None:
        self.query_one("#dialog-error", Static).update(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromoCodeForm(ModalScreen[str | None]):
    """A promotion code for the ticket: typed, or one of the client's own codes picked (`codes`: (code,
    what it gives, why it cannot apply here or None); one that cannot is shown dimmed with why). The
    answer: the code as typed; the service reads it and says any refusal."""

    DEFAULT_CSS = """
    PromoCodeForm #codes { height: auto; max-height: 4; margin-bottom: 1; border: none; padding: 0; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="cancel")]

    def __init__(self, codes: Sequence[tuple[str, str, str | None]]) -> None:
        super().__init__(classes="form-modal")
        self.codes = list(codes)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(_("Promotion code"), id="dialog-title", markup=False)
            yield Static(_("Type the code the client gives, or pick one of theirs. Its rules are checked on this "
                           "ticket.") if self.codes else
                         _("Type the code the client gives. Its rules are checked on this ticket."),
                         id="dialog-note", markup=False)
            if self.codes:
                yield OptionList(*(Option(Text(f"{code} · {text}" + (f" — {why}" if why else ""),
                                               style="dim" if why else ""), id=code, disabled=why is not None)
                                   for code, text, why in self.codes), id="codes")
            yield Label(_("Code"))
            yield Input(placeholder="HOY15", id="field-code", compact=True)
            yield Static("", id="dialog-error", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Apply"), id="ok", variant="primary")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#field-code", Input).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._done()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._done()
        else:
            self.dismiss(None)

    def _done(self) -> None:
        code = self.query_one("#field-code", Input).value.strip()
        if not code:
            self.query_one("#dialog-error", Static).update(_("type the code, or pick one above") if self.codes
                                                           else _("type the code"))
            return
        self.dismiss(code)

    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["ClientChoice", "ConfirmModal", "GiftCardPay", "ItemForm", "PickedClient", "PromoCodeForm"]
