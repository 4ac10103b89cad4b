"""The dashboard's language: chosen as the app loads, before the first screen composes, from `SALON_LANG`
(es, en), else the location's `message_language` (`salon_cli.i18n`); the process's language is given
back as the app unmounts (one process, several apps: the tests). Textual's own words the desk sees (the
palette's system commands and placeholders, the ctrl+c hint) are said in it too."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from salon_cli import i18n
from salon_cli.core.errors import SalonError
from salon_cli.db.uow import UnitOfWork
from salon_cli.i18n import N_, _

# Textual's own words the desk sees, for the catalog: the system commands of the palette (ctrl+p), its
# placeholder, the palette's key in the footer (DeskFooter translates it). Said through `_` where shown.
TEXTUAL_WORDS = (
    N_("Theme"), N_("Change the current theme"),
    N_("Quit"), N_("Quit the application as soon as possible"),
    N_("Keys"), N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"), N_("Minimize the widget and restore to normal size"),
    N_("Maximize"), N_("Maximize the focused widget"),
    N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen"),
    N_("palette"), N_("Open the command palette"), N_("Search for commands…"), N_("Search for themes…"),
)


class DeskLanguage:
    """Mixed into `SalonApp` (which gives `engine`, `_location`, `_language_given` and Textual's App)."""

    def on_load(self) -> None:
        """The language, before the first screen composes (`get_default_screen`)."""
        self._language_before = i18n.active()
        self.language = self._language_given or self.choose_language()
        i18n.use(self.language)

    def on_unmount(self) -> None:
        # the process's language as it was before the app (one process, several apps: the tests)
        i18n.use(getattr(self, "_language_before", i18n.active()))

    def choose_language(self) -> str:
        """`SALON_LANG` (es or en; anything else is refused, `ValueError`), else the location's message
        language. A database that cannot be read leaves the choice to SALON_LANG or Spanish: the first
        screen's own read says what is wrong."""
        from salon_cli.settings import Settings

        override = Settings.from_env().language
        if override:
            return i18n.choose(None, override)
        from salon_cli.services.salon.policy import row as policy_row

        try:
            with UnitOfWork(self.engine, write=False) as uow:
                chosen = policy_row(uow.session, self._location(uow.session)).message_language
        except (SalonError, SQLAlchemyError):
            chosen = None
        return i18n.choose(chosen)

    def get_system_commands(self, screen: Any) -> Any:
        """Textual's commands in the palette (theme, quit, keys, screenshot), in the desk's language."""
        for command in super().get_system_commands(screen):
            yield command._replace(title=_(command.title), help=_(command.help))

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    def search_themes(self) -> None:
        """The theme list (the palette's Theme), its placeholder in the desk's language."""
        from textual.command import CommandPalette
        from textual.theme import ThemeProvider

        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…")))

    def action_help_quit(self) -> None:
        """ctrl+c (it copies; it does not quit): which key quits, in the desk's language."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(_("Press [b]{key}[/b] to quit the app").format(key=key),
                            title=_("Do you want to quit?"))
                return
