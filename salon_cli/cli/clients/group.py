"""The `salon client` group (`client_app`) and what its command modules share: who reads private notes.

The command modules (`profiles`, `records`, `search`) import this one and add their commands to
`client_app`; the package (`salon_cli/cli/clients/__init__.py`) imports them and registers the group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from salon_cli.cli.context import AppContext
from salon_cli.core.permissions import Permission

if TYPE_CHECKING:
    from salon_cli.services.salon.actors import Actor

client_app = typer.Typer(help="Clients: profiles, search, notes, tags, preferences.", no_args_is_help=True)


def note_reader(app: AppContext) -> Actor | None:
    """Who is reading, for private notes: only someone who proved it with their PIN."""
    if not app.settings.staff or app.settings.pin is None:
        return None
    return app.actor(Permission.desk)
