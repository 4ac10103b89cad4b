"""`salon loyalty ...` and `salon expire-points`.

The group is `group.loyalty_app`; importing the command modules here adds their commands to it, and
`register` puts the group on the root.
"""

from __future__ import annotations

import typer

from salon_cli.cli.loyalty import cards, referrals, rewards  # noqa: F401  (their commands join loyalty_app)
from salon_cli.cli.loyalty.cards import expire_points
from salon_cli.cli.loyalty.group import loyalty_app


def register(root: typer.Typer) -> None:
    root.add_typer(loyalty_app, name="loyalty")
    root.command("expire-points")(expire_points)
