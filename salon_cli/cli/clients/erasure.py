"""`salon client erase | export-data`: a client's rights over their data (erasure, access).

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer

from salon_cli.cli.clients.group import client_app
from salon_cli.cli.context import AppContext, app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message

ERASE_COLUMNS = ["client_id", "erased_at", "merged_ids", "deleted", "emptied", "scrubbed", "photo_files"]


@client_app.command("erase")
def erase(
    ctx: typer.Context,
    client_id: int = typer.Argument(..., help="The client to erase."),
    reason: str = typer.Option(..., "--reason", help="Why (the client's request, how it came); kept in the audit."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Erase a client at their request (manager or owner PIN): names, contacts, notes, photos and their files,
    preferences, follow-ups and messages' bodies go, and the person's name, phone and e-mail are scrubbed from
    every other row; visits, sales, payments, refunds, points and memberships stay on an anonymous client, so
    every total stays true. Refused while a penalty is pending or a membership is active or paused.
    It cannot be undone: export the client's data first if they asked for it (salon client export-data).

    Example: salon --as marco --pin 2222 client erase 12 --reason "asked by e-mail on 2026-12-01"
    """
    from salon_cli.services.record import erasure

    app = app_context(ctx)
    loc = app.location()
    media = app.settings.home / "media"
    result = app.change(erasure.PERMISSION, lambda session, actor: erasure.erase(
        session, actor=actor, client_id=client_id, reason=reason, media_root=media))
    message(f"client {client_id} erased")
    emit(result, fmt, one=True, columns=ERASE_COLUMNS, tz=loc.tz)


def _is_client_data(head: str) -> bool:
    """A previous `client export-data` file (it starts with its format's name)."""
    from salon_cli.services.record.client_data import FORMAT

    return head.lstrip().startswith("{") and f'"format": "{FORMAT}"' in head[:200]


@client_app.command("export-data")
def export_data(
    ctx: typer.Context,
    client_id: int = typer.Argument(..., help="The client whose data to give."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the JSON to FILE (0600) instead of stdout. "
                                                                   "An existing FILE is replaced only when it is a "
                                                                   "previous export-data file or empty; never the "
                                                                   "salon's database."),
    force: bool = typer.Option(False, "--force", help="Let --output replace an existing file that is not a previous "
                                                      "export-data file (never the salon's database)."),
) -> None:
    """Everything held about one client as one JSON document (the right of access; manager or owner PIN, since it
    holds every note, private ones too): profile, tags, preferences, notes, follow-ups, appointments, sales with
    lines and payments, refunds, loyalty, memberships, penalties, messages, photos, referrals.

    Example: salon --as marco --pin 2222 client export-data 12 --output ximena.json
    """
    from salon_cli.services.record import client_data

    app = app_context(ctx)
    app.location()
    if output is not None:
        _check_target(app, output, force=force)
    document = app.change(client_data.PERMISSION, lambda session, actor: client_data.export_data(
        session, actor=actor, client_id=client_id))
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    _write(output, text)
    message(f"client {client_id}'s data written to {output}")


def _part(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def _check_target(app: AppContext, path: Path, *, force: bool) -> None:
    """`io.output_files`' checks, as `salon export --output` makes them (cli/transfer/targets.py, an area this
    one may not import): never the SQLite database or its side files, an existing file only when ours."""
    from salon_cli.db.engine import normalize_url, sqlite_path
    from salon_cli.io import output_files

    url = normalize_url(app.settings.database_url)
    database = sqlite_path(url) if url.startswith("sqlite") else None
    output_files.check_target(path, option="--output", protected=output_files.database_files(database),
                              ours=_is_client_data, what="client data export", force=force, beside=[_part(path)])


def _write(path: Path, text: str) -> None:
    from salon_cli.core.errors import InvalidInput
    from salon_cli.io.private_files import open_replacement

    part = _part(path)
    try:
        with open_replacement(part, path) as out:
            out.write(text)
        os.replace(part, path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise InvalidInput(f"--output {path}: {exc.strerror or exc}; nothing written") from None
