"""The drawer at the desk, as the one looking may see it: today's movements (float, cash in, cash out),
the day's expenses paid from the drawer, and the drawer's running figure (the cash expected in it now).

The running figure is the Z-report's own `expected_cash_cents` (`zreport.figures`, through
`day_close.preview` for a look): never worked out here. Who may see it is the blind count's rule
(`counts`): before a count of the day's open close is committed, only a manager or the owner who proved
it with a PIN (`counts.sees_cash`); anyone once a count is committed; a closed day shows its stored
figure. Everyone else gets `expected_cash_cents` None.

- `look` is a manager's request to see it (a PIN, `Permission.cash_expected`), in a unit of work that
  commits: the look is kept as the close's preview keeps one (`counts.reveal`, via "preview": the
  column's check allows `preview` and `report` only), so the count that follows is marked as made after
  the expected cash was shown.
- `load` reads the drawer again for the same `viewer` (the screen that was shown the figure refreshing
  it after a movement): the look was kept once, when it was asked for; a viewer who may not see the
  figure (or none) gets it blind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from salon_cli.core.errors import NotPermitted
from salon_cli.services.closing import counts, day_close, expenses, zreport
from salon_cli.services.closing import drawer as cash_drawer
from salon_cli.services.closing.drawer import CashMovementView
from salon_cli.services.closing.expenses import ExpenseView
from salon_cli.services.salon import business_days
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView


@dataclass(frozen=True)
class DrawerView:
    day: date
    closed: bool
    movements: list[CashMovementView]
    expenses: list[ExpenseView]  # paid from the drawer (cash), void ones too, newest first
    float_cents: int
    in_cents: int
    out_cents: int
    cash_expenses_cents: int  # recorded (not void) cash expenses
    expected_cash_cents: int | None  # None: not for this viewer's eyes before the count
    counted: bool  # a count of the day's open close is committed: the figure is no secret any more


def load(session: Session, *, location: LocationView, viewer: Actor | None = None) -> DrawerView:
    """Today's drawer; its running figure only if `viewer` may see it (no look is kept)."""
    return _drawer(session, location, viewer, keep_look=False)


def look(session: Session, *, actor: Actor, location: LocationView) -> DrawerView:
    """A manager's (or the owner's) look at the running figure, proved with a PIN: kept, audited."""
    if not counts.sees_cash(actor):
        raise NotPermitted(
            f"{actor.code} ({actor.role}) may not see the drawer's expected cash before it is counted",
            hint="a manager or the owner, with a PIN, sees it; the count at the close shows it to everyone")
    return _drawer(session, location, actor, keep_look=True)


def _drawer(session: Session, location: LocationView, viewer: Actor | None, *, keep_look: bool) -> DrawerView:
    day = business_days.today(location)
    sums = cash_drawer.totals(session, location.id, day)
    spent = [e for e in expenses.list_expenses(session, location=location, first=day, last=day, include_void=True)
             if e.paid_from == "cash"]
    closed = day_close.closed_row(session, location.id, day)
    expected: int | None
    if closed is not None:
        counted, expected = True, closed.expected_cash_cents
    else:
        made = counts.of_close(session, location.id, day, counts.open_revision(session, location.id, day))
        counted = bool(made)
        if keep_look and viewer is not None:
            expected = day_close.preview(session, actor=viewer, location=location, day=day)["expected_cash_cents"]
        elif counted or counts.sees_cash(viewer):
            expected = zreport.figures(session, location, day)["expected_cash_cents"]
        else:
            expected = None
    return DrawerView(
        day=day, closed=closed is not None, movements=cash_drawer.movements(session, location=location, day=day),
        expenses=spent, float_cents=sums["float_cents"], in_cents=sums["in_cents"], out_cents=sums["out_cents"],
        cash_expenses_cents=sum(e.amount_cents for e in spent if e.status == "recorded"),
        expected_cash_cents=expected, counted=counted)
