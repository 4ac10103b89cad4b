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
from salon_cli.i18n import N_, _, formats, ngettext
from salon_cli.services.checkout import desk_sale, promos, ticket
from salon_cli.services.checkout.ticket import Desk, Ticket
from salon_cli.services.till import gift_cards, penalty_fees, sales
from salon_cli.services.till.sale_views import PaymentView, SaleView
from salon_cli.tui.screens.modals import Field, FormModal
from salon_cli.tui.screens.modals import ChoiceModal
from salon_cli.tui.screens.till.checkout_modals import ClientChoice, ConfirmModal, GiftCardPay, ItemForm, PromoCodeForm
from salon_cli.tui.screens.till.sale_words import method_short
from salon_cli.tui.words import describe

PAY_TITLE = {"cash": N_("Pay by cash"), "card": N_("Pay by card"), "stripe": N_("Pay by stripe")}


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
            self._on_ticket(step, _("added: {item} × {qty}").format(item=values["name"], qty=qty)
                            + (f" ({staff})" if staff else ""))

        staff = t.appointment.staff if t.appointment is not None else None
        self.app.push_screen(ItemForm(staff=staff, currency=t.location.currency), asked)

    def action_discount(self) -> None:
        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            text = values["discount"] or "0"
            try:
                parse_fee(text, self._money(), what=_("discount"))
            except SalonError as exc:
                self._refused(describe(exc))
                return
            self._on_ticket(lambda s, loc, actor, sale_id: sales.set_discount(
                s, actor=actor, location=loc, sale_id=sale_id, discount=text),
                _("discount: {value}").format(value=text))

        self.app.push_screen(FormModal(_("Discount"), [Field("discount", _("10% or an amount (0 removes it)"))],
                                       note=_("It replaces the sale's discount (a member's too)."), ok=_("Apply")),
                             asked)

    def action_tip(self) -> None:
        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            cents = self._parse(values["tip"] or "0", _("tip"))
            if cents is None:
                return
            self.tip_cents = cents
            self._show()
            self._set_summary(_("tip {amount} rides on the next payment").format(
                amount=formats.money(cents, self._money())))

        self.app.push_screen(FormModal(_("Tip (goes with the next payment)"), [
            Field("tip", _("Tip"), value=format_amount(self.tip_cents, self._money()))], ok=_("Keep")), asked)

    def action_add_fee(self) -> None:
        t = self.ticket
        if t is None or t.offers is None or not t.offers.penalties:
            return
        money = t.location.currency
        options = [(str(p.id), (_("No-show") if p.kind == "no_show" else _("Late cancellation")) + " "
                               + f"{formats.money(p.amount_cents, money)} · {p.reason}"
                               + (" " + _("(its charge failed)") if p.status == "failed" else ""), None)
                   for p in t.offers.penalties]

        def picked(key: str | None) -> None:
            if key is not None:
                self._on_ticket(lambda s, loc, actor, sale_id: penalty_fees.add_fee(
                    s, actor=actor, location=loc, sale_id=sale_id, penalty_id=int(key)),
                    _("penalty {id} on this ticket").format(id=key))

        self.app.push_screen(ChoiceModal(_("Add an open penalty to this ticket"),
                                         _("Paying this ticket pays the penalty."), options), picked)

    def action_sell_gift_card(self) -> None:
        def asked(values: dict[str, str] | None) -> None:
            if values is None:
                return
            cents = self._parse(values["amount"], _("amount"))
            if cents is None:
                return
            code = values["code"] or None
            self._on_ticket(lambda s, loc, actor, sale_id: desk_sale.sell_gift_card(
                s, actor=actor, location=loc, sale_id=sale_id, amount_cents=cents, code=code),
                lambda sold: _("gift card {code}: usable once this sale is paid").format(code=sold.lines[-1].gift_card))

        self.app.push_screen(FormModal(_("Sell a gift card"), [
            Field("amount", _("Amount ({currency})").format(currency=self._money())),
            Field("code", _("Code of the card handed over (blank: a new code)"), placeholder="GC-XXXX-XXXX",
                  required=False)], note=_("The card is usable once this sale is paid."), ok=_("Add")), asked)

    def action_membership(self) -> None:
        t = self.ticket
        if t is None or t.offers is None:
            return
        money = t.location.currency

        def listed(plans: list[Any]) -> None:
            options = [(p.code, f"{p.name} · " + _("{price} a month").format(
                price=formats.money(p.monthly_price_cents, money)) + " · " + ngettext(
                "{n} credit", "{n} credits", p.monthly_credits).format(n=p.monthly_credits) + " · " + _(
                "{pct}% off").format(pct=f"{p.discount_bp / 100:g}"), None) for p in plans]
            self.app.push_screen(ChoiceModal(_("A membership for {client}").format(client=t.client),
                                             _("From today; the first month's fee goes on this ticket."), options),
                                 picked)

        def picked(code: str | None) -> None:
            if code is not None:
                self._on_ticket(lambda s, loc, actor, sale_id: desk_sale.subscribe(
                    s, actor=actor, location=loc, sale_id=sale_id, plan_code=code),
                    lambda m: ngettext("{plan} membership from today: {n} credit",
                                       "{plan} membership from today: {n} credits",
                                       m.credits_remaining).format(plan=m.plan_name, n=m.credits_remaining))

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
                            lambda use: _("promotion {code}: {amount} off").format(
                                code=wanted, amount=formats.money(use.discount_cents, money))
                            if use.discount_cents else _("promotion {code} on this ticket").format(code=wanted))

        self.app.push_screen(PromoCodeForm(mine), asked)

    def action_choose_client(self) -> None:
        self.app.push_screen(ClientChoice(), self._client_chosen)

    # -- how it is paid -----------------------------------------------------------------------------------

    def _ask_payment(self, method: str) -> None:
        sale = self.shown
        if sale is None:
            return
        money = sale.currency
        fields = [Field("amount", _("Amount ({currency})").format(currency=money),
                        value=format_amount(sale.balance_cents, money))]  # an Input's value: parsed back
        if method == "cash":
            fields.append(Field("tendered", _("Handed over (blank: exact)"), required=False))
        tip = _("A tip of {amount} goes with it.").format(amount=formats.money(self.tip_cents, money)) + " " \
            if self.tip_cents else ""
        note = tip + _("Balance {amount}.").format(amount=formats.money(sale.balance_cents, money))
        self.app.push_screen(FormModal(_(PAY_TITLE[method]), fields, note=note, ok=_("Take it")),
                             lambda values: self._take(method, values))

    def _take(self, method: str, values: dict[str, str] | None) -> None:
        if values is None:
            return
        amount = self._parse(values["amount"], _("amount"))
        if amount is None:
            return
        tendered = None
        if values.get("tendered"):
            tendered = self._parse(values["tendered"], _("amount handed over"))
            if tendered is None:
                return
        if method == "stripe":
            self._reader(amount)
            return
        self._pay(f"{method_short(method)} {formats.money(amount, self._money())}", method=method, amount_cents=amount,
                  tip_cents=self.tip_cents, tendered_cents=tendered)

    def _pay(self, what: str, **how: Any) -> None:
        """One payment on the ticket (the first money checks a booked visit in: `ticket.pay`)."""
        def said(_payment: PaymentView) -> str:
            self.tip_cents = 0 if how.get("tip_cents") else self.tip_cents  # the tip went with it
            return _("paid: {what}").format(what=what)

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
                self._pay(_("a membership credit"), method="credit")

        self.app.push_screen(ConfirmModal(
            _("Pay with a membership credit"), _("One of {n} {plan} credits left this period pays one service on "
                                                 "this ticket (renews on {day}).").format(
                n=member.credits_remaining, plan=member.plan_name, day=formats.day(member.renews_on, self._money())),
            ok=_("Spend it")), sure)

    def action_reward(self) -> None:
        t = self.ticket
        if t is None or t.offers is None:
            return
        offers, money = t.offers, t.location.currency

        def pays(offer: Any) -> str:
            return " · " + _("pays {amount}").format(amount=formats.money(offer.pays_cents, money)) \
                if offer.pays_cents else ""

        def why(offer: Any) -> str | None:
            return None if offer.pays_cents else (offer.why_not or _("pays nothing here"))

        options = [(f"code:{c.code}", f"{c.code}  {c.reward}{pays(c)}", why(c)) for c in offers.codes]
        options += [(f"reward:{r.reward_id}", _("Redeem {points} points: {reward}").format(
            points=f"{r.points:,}", reward=r.reward) + pays(r), why(r)) for r in offers.rewards]

        def picked(key: str | None) -> None:
            if key is None:
                return
            kind, _sep, ref = key.partition(":")
            if kind == "code":
                self._pay(_("code {code}").format(code=ref), method="points", code=ref)
                return
            reward = next(r for r in offers.rewards if str(r.reward_id) == ref)
            self.app.push_screen(ConfirmModal(
                _("Redeem points"), _("{reward} costs {points} points: the card goes from {before} to {after} "
                                      "points. Its code is issued and applied to this ticket at once: it pays "
                                      "{amount}.").format(
                    reward=reward.reward, points=f"{reward.points:,}", before=f"{offers.points:,}",
                    after=f"{offers.points - reward.points:,}", amount=formats.money(reward.pays_cents, money)),
                ok=_("Redeem")),
                lambda yes: self._redeem(reward.reward_id, reward.points) if yes else None)

        self.app.push_screen(ChoiceModal(_("Rewards"), _("{points} points on the card. A code is the client's own; "
                                                         "what it pays is worked out on this ticket.").format(
            points=f"{offers.points:,}"), options), picked)

    def _redeem(self, reward_id: int, points: int) -> None:
        self._on_ticket(lambda s, loc, actor, sale_id: ticket.redeem_and_apply(
            s, loc, actor, sale_id=sale_id, reward_id=reward_id),
            lambda done: _("redeemed {points} points: code {code} paid {amount}").format(
                points=f"{points:,}", code=done[0].code, amount=formats.money(done[1].amount_cents, self._money())))

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
            amount = self._parse(values["amount"], _("amount"))
            if amount is not None:
                self._pay(_("gift card {code} {amount}").format(code=values["code"],
                                                                amount=formats.money(amount, self._money())),
                          method="gift_card",
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
            self.app.notify(_("stamped: {stamps} of {target}").format(stamps=result.stamps,
                                                                      target=result.stamps_target))
            if result.reward_code:
                from salon_cli.tui.screens.clients.loyalty_card import CodeModal

                self.app.push_screen(CodeModal(_("The card is full!"), result.reward_code, result.reward or ""))
            self._request()

        if stamp.needs_pin:
            self.app.change_with_pin(Permission.desk, work, done, self._refused, title=_("A stamp needs your PIN"))
        else:
            self.app.change(Permission.desk, work, done, self._refused)

    def action_receipt(self) -> None:
        sale = self.ticket.sale if self.ticket is not None else None
        if sale is None:
            return
        try:
            from salon_cli.tui.screens.till.receipt import ReceiptScreen
        except ImportError:  # the receipt screen is another part of the desk (issue 28)
            self._refused(_("receipts are not on the dashboard yet: salon sale receipt {id}").format(id=sale.id))
            return
        self.app.push_screen(ReceiptScreen(sale.id))
