"""`SlotPicker`: the next free slots for the services and the stylist asked (`book.slots.free_slots`:
working hours and the book), as a list; picking one fills in the stylist and the time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from salon_cli.i18n import _
from salon_cli.tui.widgets.when_input import shown

COUNT = 6


class SlotPicker(Vertical):
    class Picked(Message):
        def __init__(self, picker: SlotPicker, starts_at: datetime, staff: str) -> None:
            super().__init__()
            self.picker, self.starts_at, self.staff = picker, starts_at, staff

        @property
        def control(self) -> SlotPicker:
            return self.picker

    def __init__(self, *, id: str | None = "slots") -> None:
        super().__init__(id=id)
        self.slots: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Label(_("Next free"), classes="picker-label")
        yield OptionList(id=f"{self.id}-list", classes="slot-options")

    def show_slots(self, slots: Sequence[Any], tz: ZoneInfo, currency: str = "") -> None:
        """`slots` are `FreeSlot(starts_at, staff)`s; the currency picks the dates' locale."""
        self.slots = list(slots)
        listed = self.query_one(OptionList)
        listed.clear_options()
        listed.add_options([Option(f"{shown(s.starts_at.astimezone(tz), currency)}  {s.staff}", id=str(i))
                            for i, s in enumerate(self.slots)])
        if self.slots:
            listed.highlighted = 0

    def say(self, text: str) -> None:
        listed = self.query_one(OptionList)
        listed.clear_options()
        listed.add_option(Option(text, disabled=True))
        self.slots = []

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            slot = self.slots[int(event.option.id)]
            self.post_message(self.Picked(self, slot.starts_at, slot.staff))
