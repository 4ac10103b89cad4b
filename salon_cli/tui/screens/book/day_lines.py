"""The Today screen's lines in words, in the desk's language: the title, the summary of the day's states,
the follow-ups due and the desk line (who is waiting, each stylist's next free slot). Pure: a board in,
text out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from salon_cli.i18n import _, formats, ngettext
from salon_cli.services.book.board import Board, BoardRow
from salon_cli.services.salon.locations import LocationView
from salon_cli.tui.widgets.book_grid import STATES


def day_title(location: LocationView, day: date, today: date) -> str:
    """'Salón Centro — Saturday, November 21, 2026' (marked when it is today), the location's locale."""
    text = f"{location.name} — {formats.day(day, location.currency, width='full')}"
    return _("{title}  (today)").format(title=text) if day == today else text


def _counted(state: str, n: int) -> str:
    """'3 booked' ('3 agendadas': a plural of its own for each state in Spanish)."""
    said = {"booked": ngettext("{n} booked", "{n} booked", n), "late": ngettext("{n} late", "{n} late", n),
            "here": ngettext("{n} here", "{n} here", n), "in chair": ngettext("{n} in chair", "{n} in chair", n),
            "done": ngettext("{n} done", "{n} done", n), "no-show": ngettext("{n} no-show", "{n} no-shows", n),
            "late cancel": ngettext("{n} late cancel", "{n} late cancels", n),
            "cancelled": ngettext("{n} cancelled", "{n} cancelled", n)}
    return said[state].format(n=n) if state in said else f"{n} {state}"


def status_summary(rows: Sequence[BoardRow]) -> str:
    """'12 appointments: 3 booked · 1 late · 2 here · 6 done'."""
    if not rows:
        return _("no appointments")
    counts = Counter(row.state for row in rows)
    order = [s for s in STATES if s in counts] + sorted(set(counts) - set(STATES))
    return (ngettext("{n} appointment: ", "{n} appointments: ", len(rows)).format(n=len(rows))
            + " · ".join(_counted(s, counts[s]) for s in order))


def due_note(count: int) -> str:
    """' · 3 follow-ups due (f)', when any are due today or overdue."""
    return ngettext(" · {n} follow-up due (f)", " · {n} follow-ups due (f)", count).format(n=count) if count else ""


def _short(name: str) -> str:
    """'Jimena Vázquez Gómez' -> 'Jimena V.' (the desk line has one row for everyone waiting)."""
    words = name.split()
    return f"{words[0]} {words[1][0]}." if len(words) > 1 else name


def desk_line(board: Board) -> str:
    """'Waiting (2): Ximena J. (ana), Pedro P. (beto)' and, on a line of its own, 'Next free: ana 11:15 · beto 12:30'
    (the times `HH:MM` as in the grid's gutter above it: one short line for every stylist)."""
    tz = board.location.tz
    parts = []
    if board.waiting:
        parts.append(_("Waiting ({n}): ").format(n=len(board.waiting)) + ", ".join(
            f"{_short(r.appointment.client)} ({r.appointment.staff})" for r in board.waiting))
    if board.next_free:
        parts.append(_("Next free: ") + " · ".join(
            f"{code} {at.astimezone(tz):%H:%M}" if at else _("{code} full").format(code=code)
            for code, at in board.next_free.items()))
    return "\n".join(parts) or " "
