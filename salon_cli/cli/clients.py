"""`salon client ...`: profiles, search, notes, tags, preferences."""

from __future__ import annotations

import typer

client_app = typer.Typer(help="Clients: profiles, search, notes, tags, preferences.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(client_app, name="client")
