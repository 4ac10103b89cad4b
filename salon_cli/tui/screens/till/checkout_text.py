"""What the checkout screen shows of a sale, as text: the lines table's columns, the totals block, one
line per payment (a deposit said so), the discount's label, the change due after cash, the state line
and the keys it leaves (`state_words`), and what the client brings (`offers_text`, with the key that
applies each). Pure functions of a `SaleView` and the services' `Offers`; the figures are the services'.

Figures under a heading that names the currency (the lines, the totals, the payments beside them) are
the locale's plain figure (`formats.amount`); money in a sentence is `formats.money`."""

from __future__ import annotations

from rich.text import Text

from salon_cli.i18n import N_, _, formats, ngettext
from salon_cli.services.checkout.client_offers import Offers
from salon_cli.services.till.sale_views import PaymentView, SaleView
from salon_cli.tui.screens.till.sale_words import method_short, payment_status, status_words

# fixed widths: the table fits 80 columns and lays out the same on every render (the names are the
# columns' keys; their headers are said through `_`)
COLUMNS = ((N_("Line"), 34), (N_("Staff"), 8), (N_("Qty"), 4), (N_("Amount"), 10), (N_("Total"), 10))


def totals_text(sale: SaleView, tip_cents: int) -> str:
    """The sale's figures, right-aligned, in the location's currency."""
    money = sale.currency
    rows = [(_("Subtotal"), sale.subtotal_cents), (discount_label(sale), -sale.discount_cents),
            (_("Tax (in prices)") if _inclusive(sale) else _("Tax"), sale.tax_cents), (_("Total"), sale.total_cents),
            (_("Paid"), sale.paid_cents)]
    if sale.tip_cents:
        rows.append((_("Tips paid"), sale.tip_cents))
    if tip_cents and sale.status in ("open", "draft"):
        rows.append((_("Tip (next payment)"), tip_cents))
    rows.append((_("Balance"), sale.balance_cents))
    width = max(len(formats.amount(v, money)) for _name, v in rows)
    return _("Totals ({currency})").format(currency=money) + "\n" + "\n".join(
        f"{name:<19}{formats.amount(v, money):>{width}}" for name, v in rows)


def discount_label(sale: SaleView) -> str:
    """'Discount 10%' / 'Discount' (an amount, or none) / 'Discount 10%+promo' / 'Discount + promo' (a
    promotion's lines are part of the sale's discount)."""
    promo = any(line.kind == "discount" for line in sale.lines)
    if sale.discount_kind == "pct":
        pct = f"{sale.discount_value / 100:g}"
        return (_("Discount {pct}%+promo") if promo else _("Discount {pct}%")).format(pct=pct)
    return _("Discount + promo") if promo and sale.discount_kind else _("Promotions") if promo else _("Discount")


def _inclusive(sale: SaleView) -> bool:
    return any(t.get("inclusive") for line in sale.lines for t in line.taxes)


def payment_line(p: PaymentView, money: str) -> str:
    """'cash 700.00 + tip 50.00 (handed 1,000.00, change 250.00)' / 'stripe 300.00 failed: declined' /
    'deposit · cash 200.00'."""
    text = (_("deposit") + " · " if p.purpose == "deposit" else "") + \
        f"{method_short(p.method)} {formats.amount(p.amount_cents, money)}"
    if p.tip_cents:
        text += " + " + _("tip {amount}").format(amount=formats.amount(p.tip_cents, money))
    if p.tendered_cents is not None:
        text += " " + _("(handed {handed}, change {change})").format(
            handed=formats.amount(p.tendered_cents, money), change=formats.amount(p.change_cents, money))
    if p.status != "succeeded":
        text += f" {payment_status(p.status)}" + (f": {p.failure_reason}" if p.failure_reason else "")
    return text


def last_change(sale: SaleView) -> int | None:
    """The change due on the newest payment, when it was cash handed over."""
    done = [p for p in sale.payments if p.status == "succeeded"]
    if done and done[-1].method == "cash" and done[-1].tendered_cents is not None:
        return done[-1].change_cents
    return None


def state_words(sale: SaleView, *, desk_sale: bool, back_to_card: bool) -> tuple[str, str]:
    """The state line under the money and the keys line below it: (state, summary)."""
    money = sale.currency
    balance = formats.money(sale.balance_cents, money)
    if sale.status == "draft":
        keys = _("a add · o promo · 1 cash · 2 card · 3 stripe")
        if desk_sale:
            keys += " · " + _("G gift card · M membership")
        return _("Draft · total {balance} · kept once something is added or paid").format(balance=balance), keys
    if sale.status == "open":
        return (_("Sale {id} · open · balance {balance}").format(id=sale.id, balance=balance),
                _("1 cash · 2 card · 3 stripe — pay several times to split"))
    if sale.status == "paid":
        change = last_change(sale)
        state = _("Paid · sale {id} · {total}").format(id=sale.id, total=formats.money(sale.total_cents, money))
        if change is not None:
            state += " · " + _("change {amount}").format(amount=formats.money(change, money))
        # not Enter: a second Enter after typing the cash must not hide the change
        back = _("p receipt · Escape: back to {place}").format(
            place=_("the client's card") if back_to_card else _("the book"))
        return state, back
    return (_("Sale {id} · {status}").format(id=sale.id, status=status_words(sale.status)),
            _("nothing to take on this sale"))


def offers_text(offers: Offers | None, client: str, money: str, *, choose: bool = False) -> Text:
    """What the client brings, a few short lines, each thing with the key that applies it (`choose`: the
    client may still be chosen, with C)."""
    out = Text()
    if offers is None:
        out.append(client or _("No client"), style="bold")
        out.append(": " + _("nothing of a client's to apply (points, credits, codes)")
                   + (" · " + _("C chooses the client") if choose else ""), style="dim")
        return out
    out.append(client or _("client {id}").format(id=offers.client_id), style="bold")
    head = []
    if offers.deposit_cents:
        head.append(_("deposit {amount} paid").format(amount=formats.money(offers.deposit_cents, money)))
    m = offers.membership
    if m is not None:
        if m.status == "paused":
            head.append(_("{plan} (paused: no discount or credits)").format(plan=m.plan_name))
        else:
            head.append(ngettext("{plan} {pct}% off, {n} credit (c)", "{plan} {pct}% off, {n} credits (c)",
                                 m.credits_remaining).format(plan=m.plan_name, pct=f"{m.discount_bp / 100:g}",
                                                             n=m.credits_remaining))
    if offers.points or offers.rewards:
        head.append(ngettext("{points} point", "{points} points", offers.points).format(points=f"{offers.points:,}"))
    if offers.stamp is not None:
        stamp = offers.stamp
        head.append(_("stamped today: {stamps} of {target}").format(stamps=stamp.stamps, target=stamp.target)
                    if stamp.given_today and stamp.stamps else
                    _("stamp {next} of {target} (k)").format(next=stamp.next, target=stamp.target))
    if head:
        out.append(": " + " · ".join(head))
    due: list[tuple[str, str]] = []
    if len(offers.penalties) == 1:
        p = offers.penalties[0]
        fee = _("no-show fee {amount} open (f)") if p.kind == "no_show" else _("late-cancel fee {amount} open (f)")
        due.append((fee.format(amount=formats.money(p.amount_cents, money)), "bold yellow"))
    elif offers.penalties:
        n = len(offers.penalties)
        due.append((ngettext("{n} open penalty, {amount} (f)", "{n} open penalties, {amount} (f)", n).format(
            n=n, amount=formats.money(sum(p.amount_cents for p in offers.penalties), money)), "bold yellow"))
    if len(offers.gift_cards) == 1:
        card = offers.gift_cards[0]
        due.append((_("gift card {code} {amount} (g)").format(code=card.code,
                                                              amount=formats.money(card.balance_cents, money)), ""))
    elif offers.gift_cards:
        n = len(offers.gift_cards)
        due.append((ngettext("{n} gift card, {amount} (g)", "{n} gift cards, {amount} (g)", n).format(
            n=n, amount=formats.money(sum(c.balance_cents for c in offers.gift_cards), money)), ""))
    for i, (text, style) in enumerate(due):
        out.append("\n" if i == 0 else " · ")
        out.append(text, style=style)
    usable = [p for p in offers.promos if p.why_not is None]
    if offers.promos:
        n = len(offers.promos)
        out.append("\n" + (_("promo code {code}: {text} (o)").format(code=usable[0].code, text=usable[0].text)
                           if len(usable) == 1 else
                           ngettext("{n} promo code, {usable} usable here (o)",
                                    "{n} promo codes, {usable} usable here (o)", n).format(n=n, usable=len(usable))))
    rewards = [c for c in offers.codes if c.pays_cents] + [r for r in offers.rewards if r.pays_cents]
    if offers.codes or offers.rewards:
        best = max(rewards, key=lambda c: c.pays_cents) if rewards else None
        n = len(offers.codes)
        parts = [ngettext("{n} code", "{n} codes", n).format(n=n)] if n else []
        if offers.rewards:
            parts.append(ngettext("{n} reward for points", "{n} rewards for points",
                                  len(offers.rewards)).format(n=len(offers.rewards)))
        line = ", ".join(parts) + " (r): "
        line += _("{reward} pays {amount}").format(reward=best.reward, amount=formats.money(best.pays_cents, money)) \
            if best else _("none pays on this ticket")
        out.append("\n" + line)
    return out
