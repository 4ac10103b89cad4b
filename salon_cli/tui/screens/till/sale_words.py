"""The till's words at the desk, in the desk's language: how a payment was made (`method_words`, and the
checkout's shorter `method_short`), a payment's or a refund's status (`payment_status`), a sale's status
(`status_words`, and counted: `status_count`). Shared by the checkout, the day's sales and a sale's detail.

The tables are made at import, so their words are only marked (`N_`) and said through `_` when shown;
an unknown code is shown as it is, its underscores made spaces."""

from __future__ import annotations

from collections.abc import Callable

from salon_cli.i18n import N_, _, ngettext

METHOD = {"gift_card": N_("gift card"), "stripe": N_("Stripe card"), "card": N_("card"), "cash": N_("cash"),
          "transfer": N_("transfer"), "credit": N_("membership credit"), "points": N_("points"),
          "unknown": N_("unknown")}
# the checkout's payments, beside its totals, say them shorter
METHOD_SHORT = {**METHOD, "stripe": N_("stripe"), "credit": N_("credit")}

PAYMENT_STATUS = {"pending": N_("pending"), "succeeded": N_("succeeded"), "failed": N_("failed"),
                  "cancelled": N_("cancelled")}

SALE_STATUS = {"draft": N_("draft"), "open": N_("open"), "paid": N_("paid"),
               "partially_refunded": N_("partially refunded"), "refunded": N_("refunded"), "void": N_("void")}

# '2 open', '7 paid': a status counted (Spanish agrees in number: 2 abiertas)
STATUS_COUNT: dict[str, Callable[[int], str]] = {
    "open": lambda n: ngettext("{n} open", "{n} open", n),
    "paid": lambda n: ngettext("{n} paid", "{n} paid", n),
    "partially_refunded": lambda n: ngettext("{n} partially refunded", "{n} partially refunded", n),
    "refunded": lambda n: ngettext("{n} refunded", "{n} refunded", n),
    "void": lambda n: ngettext("{n} void", "{n} void", n),
}


def _said(table: dict[str, str], code: str) -> str:
    return _(table[code]) if code in table else code.replace("_", " ")


def method_words(method: str) -> str:
    """'gift card', 'Stripe card', 'membership credit' (the sales list, a sale's detail, a refund)."""
    return _said(METHOD, method)


def method_short(method: str) -> str:
    """'cash', 'stripe', 'credit' (the checkout's payments)."""
    return _said(METHOD_SHORT, method)


def payment_status(status: str) -> str:
    return _said(PAYMENT_STATUS, status)


def status_words(status: str) -> str:
    """A sale's status: 'open', 'partially refunded'."""
    return _said(SALE_STATUS, status)


def status_count(status: str, n: int) -> str:
    """'2 open' (a status the table does not know: '2 <status>')."""
    counted = STATUS_COUNT.get(status)
    return counted(n).format(n=n) if counted else f"{n} {status_words(status)}"
