"""`salon client ...`: profiles, tags and preferences (`profiles`), notes (`notes`), follow-ups
(`follow_ups`), what happens around a profile (`records`: merges, messages, the timeline, duplicates,
saved cards), photos (`photos`), erasure and the right of access (`erasure`) and search (`search`).

The group itself is `group.client_app`; importing the command modules here adds their commands to it,
in the order `salon client --help` lists them, and `register` puts the group on the root.
"""

from __future__ import annotations

import typer

from salon_cli.cli.clients import profiles, follow_ups, notes, records, photos, search, erasure  # noqa: F401  (their commands join client_app)
from salon_cli.cli.clients.group import client_app


def register(root: typer.Typer) -> None:
    root.add_typer(client_app, name="client")
