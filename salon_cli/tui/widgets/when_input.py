"""`WhenInput`: a date and time typed the way people say them ("tomorrow 16", "viernes 16:00",
"fri 4pm", "2026-12-11 16:00"), read by `core.spoken_time.parse_when` on the location's clock as the
receptionist types; under it, what was understood ("Fri Dec 11, 2026 4:00 PM", in the desk's language
and the location's locale: `i18n.formats`) or why not, in words. What the form puts in the box itself
(`set_at`) stays `YYYY-MM-DD HH:MM`, which reads back the same in any language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from salon_cli.core import clock
from salon_cli.core.errors import SalonError
from salon_cli.i18n import _, formats
from salon_cli.tui.words import describe


def shown(at: datetime, currency: str = "") -> str:
    """'Fri Dec 11, 2026 4:00 PM' / 'vie 11 dic 2026 4:00 p.m.' (`at` on the location's clock already;
    the currency picks the locale: es + MXN is es_MX)."""
    return (f"{formats.weekday(at.date(), currency, width='abbreviated')} {formats.day(at.date(), currency)} "
            f"{formats.clock_time(at, currency)}")


class WhenInput(Vertical):
    class Changed(Message):
        def __init__(self, field: WhenInput) -> None:
            super().__init__()
            self.field = field

        @property
        def control(self) -> WhenInput:
            return self.field

    def __init__(self, value: str = "", *, id: str | None = "when") -> None:
        super().__init__(id=id, classes="picker")
        self._initial = value
        self.tz: ZoneInfo | None = None
        self.at: datetime | None = None  # aware, on the location's clock; None: nothing valid typed
        self.error: str | None = None
        self.currency = ""  # the location's: the locale of the dates shown

    def compose(self) -> ComposeResult:
        with Horizontal(classes="picker-row"):
            yield Label(_("When"), classes="picker-label")
            yield Input(value=self._initial, placeholder=_("tomorrow 16, fri 4pm, viernes 16:00, 2026-12-11 16:00"),
                        classes="picker-input", compact=True, select_on_focus=False)
        yield Static("", classes="picker-note", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def focus(self, scroll_visible: bool = True) -> WhenInput:
        self.input.focus(scroll_visible)
        return self

    def set_zone(self, tz: ZoneInfo, currency: str = "") -> None:
        self.tz, self.currency = tz, currency
        self.read_text(self.input.value)

    def set_at(self, at: datetime) -> None:
        """Fill in an instant (a free slot picked, a prefill)."""
        text = f"{at.astimezone(self.tz):%Y-%m-%d %H:%M}" if self.tz else f"{at:%Y-%m-%d %H:%M}"
        self.input.value = text
        self.read_text(text)

    def read_text(self, text: str) -> None:
        note = self.query_one(".picker-note", Static)
        before = self.at
        self.at, self.error = None, None
        if not text.strip():
            note.update(_("a day and a time, as you would say them"))
            note.set_class(False, "error")
        elif self.tz is None:
            note.update("…")
        else:
            from salon_cli.core.spoken_time import parse_when

            try:
                self.at = parse_when(text, clock.now().astimezone(self.tz), what=_("time"))
            except SalonError as exc:
                self.error = describe(exc)
                note.update(self.error)
                note.set_class(True, "error")
            else:
                note.update(f"✓ {shown(self.at, self.currency)}")
                note.set_class(False, "error")
        if self.at != before:
            self.post_message(self.Changed(self))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.read_text(event.value)
