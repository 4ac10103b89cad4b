"""The command palette (ctrl+p): every action of the app and of the screen on show, found by name, in the
desk's language (a binding's description is marked `N_` where it is defined and said here through `_`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from salon_cli.i18n import _


class SalonCommands(Provider):
    """The command palette (ctrl+p): every action of the app and of the screen on show, by name."""

    def _actions(self) -> Iterable[tuple[str, str, Callable[[], Any]]]:
        # `self.screen` is the screen the palette was opened on (`app.screen` is the palette itself by
        # now): its focused widget's keys, the screen's, then the app's, each action once
        seen = set()
        for target, bindings in self.screen._binding_chain:
            for binding in (b for group in bindings.key_to_bindings.values() for b in group):
                if not binding.description or not binding.show or binding.action in seen:
                    continue
                if target.check_action(binding.action.split("(")[0], ()) is False:
                    continue
                seen.add(binding.action)
                help_text = _("key: {key}").format(key=binding.key_display or self.app.get_key_display(binding))
                yield _(binding.description), help_text, partial(target.run_action, binding.action)

    async def discover(self) -> Hits:
        for name, help_text, run in self._actions():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
