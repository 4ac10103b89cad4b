"""The footer of every screen, its keys' descriptions in the desk's language.

A screen's `BINDINGS` are made when its class is (English, marked with `N_`); the footer says each
description through `_` when it draws the keys, so one process can show Spanish and then English."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from salon_cli.i18n import _


class DeskFooter(Footer):
    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = _(widget.description)
                if widget.tooltip:
                    widget.tooltip = _(str(widget.tooltip))
            yield widget
