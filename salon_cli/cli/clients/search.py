"""`salon client search QUERY`: the receptionist's first question, answered from the terminal.

Added to `client_app` when the `salon_cli.cli.clients` package imports this module. Imports inside
the command keep `salon --help` light (DESIGN.md, lazy imports): the search service (and the database
libraries) load when the command runs.
"""

from __future__ import annotations

import typer

from salon_cli.cli.clients.group import client_app
from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.errors import InvalidInput

SEARCH_COLUMNS = ["id", "first_name", "last_name", "phone", "email", "birthday", "tags", "score"]


@client_app.command("search")
def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="A name (typos and sound-alike spellings welcome), 3+ digits of a "
                                          "phone, or the start of an e-mail."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=200, help="At most this many clients."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Find clients by name, phone digits or e-mail, best match first, each with its score (0-100).

    Names forgive accents, a slip and other spellings of the same sound: Jiménez ~ Giménez, Vázquez ~ Basquez.
    Only the first 100 characters are searched (a warning says what was left out).

    Example: salon client search "jimena gimenez" --limit 5 -f json
    """
    from salon_cli.services.clients import search as client_search

    if not query.strip():
        raise InvalidInput("nothing to search for", hint="give a name, 3 or more phone digits, or an e-mail")
    hits = app_context(ctx).read(lambda session: client_search.search(session, query, limit=limit))
    warning = client_search.bound_query(query).warning  # the cut `search` made, told on stderr
    if warning:
        message(f"warning: {warning}")
    emit(hits, fmt, columns=SEARCH_COLUMNS)
