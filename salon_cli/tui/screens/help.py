"""The help screen (F1): what each key does on the screen below it, and everywhere, in the desk's language
(each binding's description through `_`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from salon_cli.i18n import N_, _
from salon_cli.tui.words import role_name

INTRO = N_("""salon — the front desk

Sign in with s (your code and PIN): desk actions are recorded under your name. Actions only a
manager may do (waive a penalty, refund, adjust points, re-open a day) ask for a manager's code
and PIN every time. ctrl+p opens the command palette: every action, by name. Changes made at
other desks (or by cron) show within a few seconds. Escape goes back; q quits.
""")


def _keys(bindings: list[Binding | tuple[str, ...]]) -> list[str]:
    lines = []
    for b in bindings:
        if isinstance(b, Binding) and b.description:
            lines.append(f"  {(b.key_display or b.key):<10} {_(b.description)}")
    return lines


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", N_("Close"), id="close-help")]

    def __init__(self, below: object = None) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        below = self.below
        lines = [_(INTRO), _("On this screen:")]
        lines += _keys(list(getattr(below, "BINDINGS", []))) or ["  " + _("(nothing special)")]
        lines += ["", _("Everywhere:")] + _keys(list(self.app.BINDINGS))
        lines += [f"  {'ctrl+p':<10} " + _("Command palette")]
        if getattr(self.app, "demo", False):
            lines += ["", *demo_staff_lines()]
        with VerticalScroll(id="dialog"):
            yield Static("\n".join(lines), markup=False)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)


def demo_staff_lines() -> list[str]:
    """The demo salon's people, to sign in with (`s`): code, PIN, name and role."""
    from salon_cli.services.demo.team import OWNER, TEAM

    people = [OWNER, *(member for member, _, _ in TEAM)]
    return [_("The demo's staff (sign in with s, then the code and the PIN):"),
            *("  " + _("{code:<10} PIN {pin}   {name} ({role})").format(code=p.code, pin=p.pin, name=p.name,
                                                                      role=role_name(p.role)) for p in people)]


class DemoWelcome(ModalScreen[None]):
    """Shown once, when `salon tui --demo` has just built the demo: who can sign in, and how."""

    BINDINGS = [Binding("escape,enter,f1", "dismiss", N_("Start"), id="close-welcome")]

    def compose(self) -> ComposeResult:
        lines = [_("The demo salon is ready: a month of history, today's book and the next two weeks."), "",
                 *demo_staff_lines(), "", _("F1 shows these again. Enter to start.")]
        with VerticalScroll(id="dialog"):
            yield Static("\n".join(lines), markup=False)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
