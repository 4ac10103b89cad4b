"""What every picker shares: a labelled `Input`, the `OptionList` of what the typed text matches under
it (shown while the picker has the focus), and a line that says what is picked or what is wrong.

Up and down move the highlight while the cursor stays in the box; Enter picks. Enter never waits for
an answer: the form moves the focus on at once (keys typed fast land in the next field) and hands the
picker the text once the box has read every key typed before the Enter (`submitted`); when the matches
are not in yet, the pick is made when they come. A picker that must ask (no match, several) says so
under the box and takes the focus back, unless the receptionist has typed on in the next field.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from salon_cli.i18n import N_


class Picker(Vertical):
    """A labelled box whose options the subclass fills from a service."""

    BINDINGS = [
        Binding("down", "move(1)", N_("Next"), show=False),
        Binding("up", "move(-1)", N_("Previous"), show=False),
    ]

    class Changed(Message):
        """What the picker holds changed (the form re-reads its checks and free slots)."""

        def __init__(self, picker: Picker) -> None:
            super().__init__()
            self.picker = picker

        @property
        def control(self) -> Picker:
            return self.picker

    def __init__(self, label: str, *, placeholder: str = "", value: str = "", id: str | None = None) -> None:
        super().__init__(id=id, classes="picker")
        self.label = label
        self.placeholder = placeholder
        self._initial = value
        self.listed_for: str | None = None
        self._shown: str | None = value  # text the picker put in the box itself: not typing, nothing to match

    def compose(self) -> ComposeResult:
        with Horizontal(classes="picker-row"):
            yield Label(self.label, classes="picker-label")
            yield Input(value=self._initial, placeholder=self.placeholder, classes="picker-input", compact=True,
                        select_on_focus=False)
        options = OptionList(classes="picker-options")
        options.can_focus = False  # the cursor stays in the box; up and down move the highlight
        options.display = False
        yield options
        yield Static("", classes="picker-note", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    def focus(self, scroll_visible: bool = True) -> Picker:
        self.input.focus(scroll_visible)
        return self

    # -- what the subclass fills in ----------------------------------------------------------------

    @property
    def pending(self) -> bool:
        """Enter was pressed and the pick waits for an answer (the form books when it comes)."""
        return False

    def typed(self, text: str) -> None:
        """The text in the box changed by typing."""

    def submitted(self, text: str) -> None:
        """Enter in the box, with the text it holds; the form has moved the focus on already."""

    def chosen(self, option_id: str) -> None:
        """An option was picked (Enter on the highlight, or a click)."""

    # -- plumbing ----------------------------------------------------------------------------------

    def show_text(self, text: str) -> None:
        """Put `text` in the box as the picker's own (what was picked), not as typing."""
        self._shown = text
        self.input.value = text
        self.input.cursor_position = len(text)

    def set_options(self, options: Sequence[tuple[str, str]]) -> None:
        self.listed_for = self.input.value  # the text the options match (typing may be ahead of them)
        listed = self.options
        listed.clear_options()
        listed.add_options([Option(text, id=key) for key, text in options])
        if options:
            listed.highlighted = 0
        self._show_options()

    def _show_options(self) -> None:
        """The options are on show while the box has the focus (and there are some)."""
        self.options.display = self.input.has_focus and self.options.option_count > 0

    def on_descendant_focus(self) -> None:
        self._show_options()

    def on_descendant_blur(self) -> None:
        self._show_options()

    def highlighted_id(self) -> str | None:
        listed = self.options
        if listed.highlighted is None or listed.option_count == 0:
            return None
        return listed.get_option_at_index(listed.highlighted).id

    def note(self, text: str, *, error: bool = False) -> None:
        line = self.query_one(".picker-note", Static)
        line.update(text)
        line.set_class(error, "error")

    def advance(self) -> None:
        """Move on to the form's next field (after a click on an option)."""
        go = getattr(self.screen, "field_after", None)
        if callable(go):
            go(self)
        else:
            self.screen.focus_next()

    def ask_here(self) -> None:
        """Take the focus back to ask, unless the next field has been typed in already."""
        focused = self.screen.focused
        if focused is self.input or not isinstance(focused, Input) or focused.value:
            return
        self.screen.set_focus(self.input)

    def changed(self) -> None:
        self.post_message(self.Changed(self))

    def action_move(self, step: int) -> None:
        listed = self.options
        if listed.option_count:
            current = listed.highlighted if listed.highlighted is not None else -1
            listed.highlighted = max(0, min(listed.option_count - 1, current + step))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != self.input.value:
            return  # typing has gone on since: its own message follows
        if event.value != self._shown:
            self._shown = None
            self.typed(event.value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.chosen(event.option.id)
