"""The help screen (F1): what each key does on the screen below it, and everywhere."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

INTRO = """salon — the front desk

Sign in with s (your code and PIN): desk actions are recorded under your name. Actions only a
manager may do (waive a penalty, refund, adjust points, re-open a day) ask for a manager's code
and PIN every time. ctrl+p opens the command palette: every action, by name. Changes made at
other desks (or by cron) show within a few seconds. Escape goes back; q quits.
"""


def _keys(bindings: list[Binding | tuple[str, ...]]) -> list[str]:
    lines = []
    for b in bindings:
        if isinstance(b, Binding) and b.description:
            lines.append(f"  {(b.key_display or b.key):<10} {b.description}")
    return lines


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close", id="close-help")]

    def __init__(self, below: object = None) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        below = self.below
        lines = [INTRO, "On this screen:"]
        lines += _keys(list(getattr(below, "BINDINGS", []))) or ["  (nothing special)"]
        lines += ["", "Everywhere:"] + _keys(list(self.app.BINDINGS)) + ["  ctrl+p     Command palette"]
        with VerticalScroll(id="dialog"):
            yield Static("\n".join(lines), markup=False)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
