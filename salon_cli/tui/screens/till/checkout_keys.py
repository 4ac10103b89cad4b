"""The checkout's keys: one each for what goes on the ticket (a product or a service with who sold it, a
discount, a tip, a gift card or a membership sold, an open penalty's fee) and for how it is paid (cash,
card, Stripe, a membership credit, a reward code picked from the client's or bought with points after
a confirmation, a gift card whose balance is shown first), a promotion code (typed, or one of the client's
own picked), the visit's stamp and the receipt.

A mixin of `CheckoutScreen`, which provides the ticket on show and its doors: `_on_ticket(step, said)`
runs `step(session, location, actor, sale_id)` on the sale (opened by the first change), `_parse`,
`_refused`, `_reader` (the card reader). Every change goes through `self.app.change`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from salon_cli.core.errors import SalonError
from salon_cli.core.money import format_amount, parse_fee
from salon_cli.core.permissions import Permission
from salon_cli.services.checkout import desk_sale, promos, ticket
from salon_cli.services.checkout.ticket import Desk, Ticket
from salon_cli.services.till import gift_cards, penalty_fees, sales
from salon_cli.services.till.sale_views import PaymentView, SaleView
from salon_cli.tui.screens.modals import Field, FormModal
from salon_cli.tui.screens.modals import ChoiceModal
from salon_cli.tui.screens.till.checkout_modals import ClientChoice, ConfirmModal, GiftCardPay, ItemForm, PromoCodeForm


class TicketKeys:
    """`CheckoutScreen`'s keys (see the module's docstring)."""

    app: Any
    ticket: Ticket | None
    desk: Desk
    tip_cents: int

    if TYPE_CHECKING:  # provided by the screen (and, for `_reader`, by `ReaderPayment`)
        shown: SaleView | None

        def _on_ticket(self, step: Any, said: Any) -> None: ...
        def _parse(self, text: str, what: str) -> int | None: ...
        def _refused(self, text: str) -> None: ...
        def _reader(self, amount: int) -> None: ...
        def _request(self, then: Any = None) -> None: ...
        def _show(self) -> None: ...
        def _set_summary(self, text: str, *, error: bool = False) -> None: ...
        def _money(self) -> str: ...
        def _client_chosen(self, picked: Any) -> None: ...

    # -- what goes on the ticket --------------------------------------------------------------------------

    def action_add_item(self) -> None:
        t = self.ticket
        if t is None:
            return

        def asked(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            code, qty, staff = values["code"], values["quantity"], values["staff"]
            if values["kind"] == "product":
                def step(s: Any, loc: Any, actor: Any, sale_id: int) -> Any:
                    return sales.add_product(s, actor=actor, location=loc, sale_id=sale_id, product=code,
                                             quantity=qty, staff=staff)
            else:
                def step(s: Any, loc: Any, actor: Any, sale_id: int) -> Any:
                    return sales.add_service(s, actor=actor, location=loc, sale_id=sale_id, service=code,
                                             quantity=qty, staff=staff)
            self._on_ticket(step, f"added: {values['name']} × {qty}" + (f" ({staff})" if staff else ""))

        staff = t.appointment.staff if t.appointment is not None else None
        self.app.push_screen(ItemForm(staff=staff, currency=t.location.currency), asked)

    def action_discount(self) -> None:
        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            text = values["discount"] or "0"
            try:
                parse_fee(text, self._money(), what="discount")
            except SalonError as exc:
                self._refused(exc.message)
                return
            self._on_ticket(lambda s, loc, actor, sale_id: sales.set_discount(
                s, actor=actor, location=loc, sale_id=sale_id, discount=text), f"discount: {text}")

        self.app.push_screen(FormModal("Discount", [Field("discount", "10% or an amount (0 removes it)")],
                                       note="It replaces the sale's discount (a member's too).", ok="Apply"), asked)

    def action_tip(self) -> None:
        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            cents = self._parse(values["tip"] or "0", "tip")
            if cents is None:
                return
            self.tip_cents = cents
            self._show()
            self._set_summary(f"tip {format_amount(cents, self._money())} rides on the next payment")

        self.app.push_screen(FormModal("Tip (goes with the next payment)", [
            Field("tip", "Tip", value=format_amount(self.tip_cents, self._money()))], ok="Keep"), asked)

    def action_add_fee(self) -> None:
        t = self.ticket
        if t is None or t.offers is None or not t.offers.penalties:
            return
        money = t.location.currency
        options = [(str(p.id), f"{'No-show' if p.kind == 'no_show' else 'Late cancellation'} "
                               f"{format_amount(p.amount_cents, money)} · {p.reason}"
                               + (" (its charge failed)" if p.status == "failed" else ""), None)
                   for p in t.offers.penalties]

        def picked(key: str | None) -> None:
            if key is not None:
                self._on_ticket(lambda s, loc, actor, sale_id: penalty_fees.add_fee(
                    s, actor=actor, location=loc, sale_id=sale_id, penalty_id=int(key)), f"penalty {key} on this ticket")

        self.app.push_screen(ChoiceModal("Add an open penalty to this ticket",
                                         "Paying this ticket pays the penalty.", options), picked)

    def action_sell_gift_card(self) -> None:
        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            cents = self._parse(values["amount"], "amount")
            if cents is None:
                return
            code = values["code"] or None
            self._on_ticket(lambda s, loc, actor, sale_id: desk_sale.sell_gift_card(
                s, actor=actor, location=loc, sale_id=sale_id, amount_cents=cents, code=code),
                lambda sold: f"gift card {sold.lines[-1].gift_card}: usable once this sale is paid")

        self.app.push_screen(FormModal("Sell a gift card", [
            Field("amount", f"Amount ({self._money()})"),
            Field("code", "Code of the card handed over (blank: a new code)", placeholder="GC-XXXX-XXXX",
                  required=False)], note="The card is usable once this sale is paid.", ok="Add"), asked)

    def action_membership(self) -> None:
        t = self.ticket
        if t is None or t.offers is None:
            return
        money = t.location.currency

        def listed(plans: list[Any]) -> None:
            options = [(p.code, f"{p.name} · {format_amount(p.monthly_price_cents, money)} a month · "
                                f"{p.monthly_credits} credit{'s' if p.monthly_credits != 1 else ''} · "
                                f"{p.discount_bp / 100:g}% off", None) for p in plans]
            self.app.push_screen(ChoiceModal(f"A membership for {t.client}",
                                             "From today; the first month's fee goes on this ticket.", options), picked)

        def picked(code: str | None) -> None:
            if code is not None:
                self._on_ticket(lambda s, loc, actor, sale_id: desk_sale.subscribe(
                    s, actor=actor, location=loc, sale_id=sale_id, plan_code=code),
                    lambda m: f"{m.plan_name} membership from today: {m.credits_remaining} credits")

        self.app.read(lambda s, _loc: desk_sale.plans_on_sale(s), listed, self._refused, group="checkout-plans")

    def action_promo(self) -> None:
        """A promotion code on the ticket (the sale opened first if need be), by its rules: a refusal is the
        service's reason, and nothing changes."""
        t = self.ticket
        if t is None:
            return
        money = t.location.currency
        mine = [(p.code, p.text, p.why_not) for p in t.offers.promos] if t.offers is not None else []

        def asked(code: str | None) -> None:
            if not code:
                return
            wanted = code.strip().upper()
            self._on_ticket(lambda s, loc, actor, sale_id: promos.apply_code(s, loc, actor, sale_id=sale_id, code=code),
                            lambda use: f"promotion {wanted}: {format_amount(use.discount_cents, money)} off"
                            if use.discount_cents else f"promotion {wanted} on this ticket")

        self.app.push_screen(PromoCodeForm(mine), asked)

    def action_choose_client(self) -> None:
        self.app.push_screen(ClientChoice(), self._client_chosen)

    # -- how it is paid -----------------------------------------------------------------------------------

    def _ask_payment(self, method: str) -> None:
        sale = self.shown
        if sale is None:
            return
        money = sale.currency
        fields = [Field("amount", f"Amount ({money})", value=format_amount(sale.balance_cents, money))]
        if method == "cash":
            fields.append(Field("tendered", "Handed over (blank: exact)", required=False))
        tip = f"A tip of {format_amount(self.tip_cents, money)} goes with it. " if self.tip_cents else ""
        note = f"{tip}Balance {format_amount(sale.balance_cents, money)} {money}."
        self.app.push_screen(FormModal(f"Pay by {method}", fields, note=note, ok="Take it"),
                             lambda values: self._take(method, values))

    def _take(self, method: str, values: dict[str, str] | None) -> None:
        if values is None:
            return
        amount = self._parse(values["amount"], "amount")
        if amount is None:
            return
        tendered = None
        if values.get("tendered"):
            tendered = self._parse(values["tendered"], "amount handed over")
            if tendered is None:
                return
        if method == "stripe":
            self._reader(amount)
            return
        self._pay(f"{method} {format_amount(amount, self._money())}", method=method, amount_cents=amount,
                  tip_cents=self.tip_cents, tendered_cents=tendered)

    def _pay(self, what: str, **how: Any) -> None:
        """One payment on the ticket (the first money checks a booked visit in: `ticket.pay`)."""
        def said(_payment: PaymentView) -> str:
            self.tip_cents = 0 if how.get("tip_cents") else self.tip_cents  # the tip went with it
            return f"paid: {what}"

        self._on_ticket(lambda s, loc, actor, sale_id: ticket.pay(s, loc, actor, sale_id=sale_id, **how), said)

    def action_pay_cash(self) -> None:
        self._ask_payment("cash")

    def action_pay_card(self) -> None:
        self._ask_payment("card")

    def action_pay_stripe(self) -> None:
        self._ask_payment("stripe")

    def action_pay_credit(self) -> None:
        t = self.ticket
        member = t.offers.membership if t is not None and t.offers is not None else None
        if member is None:
            return

        def sure(yes: bool | None) -> None:
            if yes:
                self._pay("a membership credit", method="credit")

        self.app.push_screen(ConfirmModal(
            "Pay with a membership credit", f"One of {member.credits_remaining} {member.plan_name} credits left this "
            f"period pays one service on this ticket (renews on {member.renews_on:%Y-%m-%d}).", ok="Spend it"), sure)

    def action_reward(self) -> None:
        t = self.ticket
        if t is None or t.offers is None:
            return
        offers, money = t.offers, t.location.currency

        def pays(offer: Any) -> str:
            return f" · pays {format_amount(offer.pays_cents, money)}" if offer.pays_cents else ""

        def why(offer: Any) -> str | None:
            return None if offer.pays_cents else (offer.why_not or "pays nothing here")

        options = [(f"code:{c.code}", f"{c.code}  {c.reward}{pays(c)}", why(c)) for c in offers.codes]
        options += [(f"reward:{r.reward_id}", f"Redeem {r.points:,} points: {r.reward}{pays(r)}", why(r))
                    for r in offers.rewards]

        def picked(key: str | None) -> None:
            if key is None:
                return
            kind, _, ref = key.partition(":")
            if kind == "code":
                self._pay(f"code {ref}", method="points", code=ref)
                return
            reward = next(r for r in offers.rewards if str(r.reward_id) == ref)
            self.app.push_screen(ConfirmModal(
                "Redeem points", f"{reward.reward} costs {reward.points:,} points: the card goes from "
                f"{offers.points:,} to {offers.points - reward.points:,} points. Its code is issued and applied to "
                f"this ticket at once: it pays {format_amount(reward.pays_cents, money)} {money}.", ok="Redeem"),
                lambda yes: self._redeem(reward.reward_id, reward.points) if yes else None)

        self.app.push_screen(ChoiceModal("Rewards", f"{offers.points:,} points on the card. A code is the client's "
                                                    "own; what it pays is worked out on this ticket.", options), picked)

    def _redeem(self, reward_id: int, points: int) -> None:
        self._on_ticket(lambda s, loc, actor, sale_id: ticket.redeem_and_apply(
            s, loc, actor, sale_id=sale_id, reward_id=reward_id),
            lambda done: f"redeemed {points:,} points: code {done[0].code} paid "
                         f"{format_amount(done[1].amount_cents, self._money())}")

    def action_pay_gift_card(self) -> None:
        t, sale = self.ticket, self.shown
        if t is None or sale is None:
            return
        cards = [(c.code, c.balance_cents) for c in t.offers.gift_cards] if t.offers is not None else []

        def look_up(code: str, found: Any, failed: Any) -> None:
            self.app.read(lambda s, _loc: gift_cards.show(s, code), found, failed, group="checkout-gift-card")

        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            amount = self._parse(values["amount"], "amount")
            if amount is not None:
                self._pay(f"gift card {values['code']} {format_amount(amount, self._money())}", method="gift_card",
                          amount_cents=amount, gift_card=values["code"], tip_cents=self.tip_cents)

        self.app.push_screen(GiftCardPay(due_cents=sale.balance_cents, currency=t.location.currency, cards=cards,
                                         look_up=look_up), asked)

    # -- beside the money ---------------------------------------------------------------------------------

    def action_stamp(self) -> None:
        t = self.ticket
        stamp = t.offers.stamp if t is not None and t.offers is not None else None
        if t is None or stamp is None:
            return
        from salon_cli.services.loyalty import rewards

        client_id = t.offers.client_id  # type: ignore[union-attr]

        def work(s: Any, loc: Any, actor: Any) -> Any:
            return rewards.stamp(s, actor=actor, location=loc, client_id=client_id)

        def done(result: Any) -> None:
            self.app.notify(f"stamped: {result.stamps} of {result.stamps_target}")
            if result.reward_code:
                from salon_cli.tui.screens.clients.loyalty_card import CodeModal

                self.app.push_screen(CodeModal("The card is full!", result.reward_code, result.reward or ""))
            self._request()

        if stamp.needs_pin:
            self.app.change_with_pin(Permission.desk, work, done, self._refused, title="A stamp needs your PIN")
        else:
            self.app.change(Permission.desk, work, done, self._refused)

    def action_receipt(self) -> None:
        sale = self.ticket.sale if self.ticket is not None else None
        if sale is None:
            return
        try:
            from salon_cli.tui.screens.till.receipt import ReceiptScreen
        except ImportError:  # the receipt screen is another part of the desk (issue 28)
            self._refused("receipts are not on the dashboard yet: salon sale receipt " + str(sale.id))
            return
        self.app.push_screen(ReceiptScreen(sale.id))
