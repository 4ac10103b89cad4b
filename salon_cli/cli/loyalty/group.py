"""The `salon loyalty` group and its sub-groups; the command modules of the package add their commands."""

from __future__ import annotations

import typer

loyalty_app = typer.Typer(help="Loyalty cards: points, stamps, tiers, rewards and redemption codes.", no_args_is_help=True)
program_app = typer.Typer(help="The loyalty program's rules (one for the whole business).", no_args_is_help=True)
rewards_app = typer.Typer(help="What points buy.", no_args_is_help=True)
loyalty_app.add_typer(program_app, name="program")
loyalty_app.add_typer(rewards_app, name="rewards")
