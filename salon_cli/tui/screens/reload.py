"""Screens that show data and reload it: the app's poll tells the screen on show that something
changed; the screens beneath it (the book under a checkout, the card under a PIN modal) are only
marked stale, and reload as they come back to the top."""

from __future__ import annotations


class ReloadsWhenBack:
    """Mixed into a Screen that has `data_changed()`: a change seen while another screen was on top
    is read again when this one is shown again (Textual sends ScreenResume then)."""

    stale: bool = False

    def on_screen_resume(self) -> None:
        if self.stale:
            self.stale = False
            self.data_changed()  # type: ignore[attr-defined]
