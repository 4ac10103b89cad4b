"""The `salon client` group (`client_app`) and what its command modules share: who reads private notes.

The command modules (`profiles`, `notes`, `follow_ups`, `records`, `photos`, `erasure`, `search`) import this one and add their commands to
`client_app`; the package (`salon_cli/cli/clients/__init__.py`) imports them and registers the group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from salon_cli.cli.context import AppContext
from salon_cli.cli.output import message
from salon_cli.core.permissions import Permission

if TYPE_CHECKING:
    from salon_cli.services.salon.actors import Actor

client_app = typer.Typer(help="Clients: profiles, search, notes, tags, preferences.", no_args_is_help=True)


def note_reader(app: AppContext) -> Actor | None:
    """Who is reading, for private notes: only someone who proved it with their PIN."""
    if not app.settings.staff or app.settings.pin is None:
        return None
    return app.actor(Permission.desk)


def say_hidden(count: int, reader: Actor | None) -> None:
    """On stderr: how many private notes were left out, and how to see them."""
    if count:
        how = "" if reader else " (--as CODE --pin PIN)"
        message(f"{count} private note{'s' if count > 1 else ''} not shown: for the owner, managers "
                f"and the note's author{how}")
