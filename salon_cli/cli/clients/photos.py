"""`salon client photo add | list | caption | delete`: before-and-after photos, thin over
`services.record.photos`.

Imports inside commands keep `salon --help` light (DESIGN.md, lazy imports)."""

from __future__ import annotations

from pathlib import Path

import typer

from salon_cli.cli.clients.group import client_app
from salon_cli.cli.context import app_context
from salon_cli.cli.output import FORMAT_OPTION, Format, emit, message
from salon_cli.core.permissions import Permission

photo_app = typer.Typer(help="Before-and-after photos (a membership benefit).", no_args_is_help=True)
client_app.add_typer(photo_app, name="photo")

PHOTO_COLUMNS = ["id", "created_at", "path", "caption"]


@photo_app.command("add")
def photo_add(
    ctx: typer.Context,
    client_id: int = typer.Argument(...),
    file: Path = typer.Argument(..., help="A JPEG, PNG, GIF, WebP or HEIC photo (by its content, whatever its "
                                          "name); it is copied into SALON_HOME/media."),
    caption: str | None = typer.Option(None, "--caption"),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Keep a photo of a client's look (clients whose membership includes the gallery).

    The file must be an image by its content: a .jpg that holds text is refused (exit 2), a photo with
    the wrong extension is kept with the right one.

    Example: salon --as ana client photo add 42 ~/fotos/balayage.jpg --caption "después"
    """
    from salon_cli.services.record import photos as client_photos

    app = app_context(ctx)
    loc = app.location()
    media = app.settings.home / "media"
    view = app.change(Permission.desk, lambda session, actor: client_photos.add_photo(
        session, actor=actor, media_root=media, client_id=client_id, source=file, caption=caption))
    emit(view, fmt, one=True, columns=PHOTO_COLUMNS, tz=loc.tz)


@photo_app.command("list")
def photo_list(ctx: typer.Context, client_id: int = typer.Argument(...), fmt: Format = FORMAT_OPTION) -> None:
    """A client's photos, newest first (paths are relative to SALON_HOME/media).

    Example: salon client photo list 42
    """
    from salon_cli.services.record import photos as client_photos

    app = app_context(ctx)
    loc = app.location()
    rows = app.read(lambda session: client_photos.list_photos(session, client_id=client_id))
    emit(rows, fmt, columns=PHOTO_COLUMNS, tz=loc.tz)


@photo_app.command("caption")
def photo_caption(
    ctx: typer.Context,
    client_id: int = typer.Argument(...),
    photo_id: int = typer.Argument(..., help="The photo (salon client photo list ID)."),
    text: str = typer.Argument(..., help="The new caption (\"\" removes it)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Change a photo's caption (audited, with the caption before and after).

    Example: salon --as ana client photo caption 42 1 "balayage, 3 semanas después"
    """
    from salon_cli.services.record import photos as client_photos

    app = app_context(ctx)
    loc = app.location()
    view = app.change(Permission.desk, lambda session, actor: client_photos.set_caption(
        session, actor=actor, client_id=client_id, photo_id=photo_id, caption=text))
    emit(view, fmt, one=True, columns=PHOTO_COLUMNS, tz=loc.tz)


@photo_app.command("delete")
def photo_delete(
    ctx: typer.Context,
    client_id: int = typer.Argument(...),
    photo_id: int = typer.Argument(..., help="The photo (salon client photo list ID)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Delete a photo: its record and its file under SALON_HOME/media (audited).

    Works even after the client's membership has lapsed (their photos can always go).

    Example: salon --as ana client photo delete 42 1
    """
    from salon_cli.services.record import photos as client_photos

    app = app_context(ctx)
    loc = app.location()
    media = app.settings.home / "media"
    view = app.change(Permission.desk, lambda session, actor: client_photos.delete_photo(
        session, actor=actor, media_root=media, client_id=client_id, photo_id=photo_id))
    emit(view, fmt, one=True, columns=PHOTO_COLUMNS, tz=loc.tz)
    message(f"photo {photo_id} of client {client_id} deleted")
