"""Forms a fast typist can fill without looking: Tab, Shift+Tab and Enter move between fields at once.

Textual hands every key to the widget focused when the app reads it, but a screen's own bindings (Tab
moves focus) run later, when the key comes back up from that widget. Keys typed quickly after a Tab are
then read while the first field still has the focus, and land there. As priority bindings these three
move the focus when the app reads them (`Screen.set_focus` is immediate), so each key after them goes to
the field the typist meant. Enter on anything but a text field (a button, a list, a checkbox) is left to it.
"""

from __future__ import annotations

from textual.actions import SkipAction
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Button, Input, Static


class TypesAhead(Screen):  # type: ignore[type-arg]
    """Mixed into a form's screen (before ModalScreen) whose fields are inside `#dialog`.
    `submitted(field)` is what Enter in a text field does: by default the next field, then `action_save`
    from the last one. A form holds its fields (`hold`) while its save runs."""

    BINDINGS = [
        Binding("tab", "next_field", show=False, priority=True),
        Binding("shift+tab", "previous_field", show=False, priority=True),
        Binding("enter", "enter", show=False, priority=True),
    ]

    _busy = False
    _held_focus = None

    def hold(self, busy: bool) -> None:
        """While a save is on its way the fields take no keys: what is typed meanwhile (the code and PIN
        of a sign-in about to be asked) is dropped, never typed into the form. Then the focus is back."""
        self._busy = busy
        found = self.query("#dialog")  # a form with a body of its own (the booking form) only keeps the flag
        dialog = found.first() if found else None
        if busy:
            self._held_focus = self.focused
            if dialog is not None:
                dialog.disabled = True
            return
        if dialog is not None:
            dialog.disabled = False
        if self._held_focus is not None:
            self.set_focus(self._held_focus)
            self._held_focus = None

    def on_screen_resume(self) -> None:
        # back from a sign-in that was cancelled or refused: no change is on its way, the fields are free
        if self._busy and getattr(self.app, "desk", None) is None:
            self.hold(False)

    def action_next_field(self) -> None:
        if not self._is_top():
            raise SkipAction()
        self.focus_next()

    def action_previous_field(self) -> None:
        if not self._is_top():
            raise SkipAction()
        self.focus_previous()

    def action_enter(self) -> None:
        if not self._is_top() or not isinstance(self.focused, Input):
            raise SkipAction()
        self.submitted(self.focused)

    def _is_top(self) -> bool:
        return self.app.screen is self

    def submitted(self, field: Input) -> None:
        inputs = list(self.query(Input))
        if field is inputs[-1]:
            self.action_save()  # type: ignore[attr-defined]
        else:
            self.set_focus(inputs[inputs.index(field) + 1])

    # what every such form does with its buttons and its error line (`#dialog-error`, hidden while empty)

    def form_button(self, event: Button.Pressed) -> None:
        """A form's `on_button_pressed` calls this (a handler here would run too, under the form's own):
        "ok" saves, any other button closes the form with nothing."""
        event.stop()
        if event.button.id == "ok":
            self.action_save()  # type: ignore[attr-defined]
        else:
            self.dismiss(None)  # type: ignore[attr-defined]

    def action_cancel(self) -> None:
        self.dismiss(None)  # type: ignore[attr-defined]

    def say(self, text: str) -> None:
        error = self.query_one("#dialog-error", Static)
        error.update(text)
        error.set_class(not text, "empty")
