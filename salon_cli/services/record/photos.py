"""Before-and-after photos, kept under SALON_HOME/media, for clients whose membership includes them.

A file is a photo by its content, never its name: JPEG, PNG, GIF, WebP or HEIC/HEIF by their first
bytes (`sniff`). A `.jpg` holding text is refused, naming what it holds; a photo named `.txt` is kept
with the extension of what it is. Deleting a photo removes its row and then its file; a caption can be
changed. Both are audited. Deleting needs no gallery (the client may have left the plan: their photos
can still go); the rest is for clients whose membership includes the gallery.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, NotFound, RuleViolation
from salon_cli.db.models import Client, ClientPhoto
from salon_cli.io.private_files import create_private_file, make_private_dirs
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.memberships.subscriptions import has_benefit

MAX_BYTES = 20 * 1024 * 1024
MAX_CAPTION = 255
GALLERY_BENEFIT = "photo_gallery"
KINDS = "JPEG, PNG, GIF, WebP or HEIC"
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})
_HEAD = 64


@dataclass(frozen=True)
class PhotoView:
    id: int
    client_id: int
    path: str
    caption: str | None
    created_at: datetime


def gallery_allowed(session: Session, client_id: int) -> bool:
    """True when the client's active membership's plan lists the photo gallery among its benefits
    (VIP, as seeded). A paused, cancelled or expired membership closes the gallery; the photos stay."""
    return has_benefit(session, client_id, GALLERY_BENEFIT)


def sniff(head: bytes) -> str | None:
    """The extension a file's first bytes say it is (".jpg", ".png", ".gif", ".webp", ".heic", ".heif"),
    or None when they are no photo of ours."""
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return ".gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    if head[4:8] == b"ftyp" and len(head) >= 12:
        size = max(16, min(int.from_bytes(head[:4], "big"), len(head)))
        major = head[8:12]
        brands = {major} | {head[i:i + 4] for i in range(16, size - 3, 4)}  # the compatible brands
        if major in _HEIC_BRANDS or (major not in _HEIF_BRANDS and brands & _HEIC_BRANDS):
            return ".heic"
        if brands & _HEIF_BRANDS and major[:3] != b"avi":
            return ".heif"
    return None


def found(head: bytes) -> str:
    """What a file that is no photo holds, in a few words, for the refusal."""
    if not head:
        return "it is empty"
    for magic, what in ((b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (or an office document)"),
                        (b"II*\x00", "a TIFF image, which is not kept"), (b"MM\x00*", "a TIFF image, which is not kept"),
                        (b"\x7fELF", "a program")):
        if head.startswith(magic):
            return f"it is {what}"
    if head[4:8] == b"ftyp":
        return f"it is a media file of brand {head[8:12].decode('ascii', 'replace')!r}, not a HEIC photo"
    text = _text(head)
    if text is not None:
        return f"it holds text ({' '.join(text.split())[:24]!r})"
    if head.startswith(b"BM"):
        return "it is a BMP image, which is not kept"
    return f"its content starts {head[:8].hex(' ').upper()}, which is no {KINDS} image"


def _text(head: bytes) -> str | None:
    """The bytes as text when they are (UTF-8, a character cut at the end forgiven), else None."""
    for cut in range(4):
        try:
            text = head[:len(head) - cut].decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue
        return text if text and all(ch.isprintable() or ch in "\t\r\n\f" for ch in text) else None
    return None


def media_path(media_root: Path, relative: str) -> Path:
    """The file a stored path names, refusing anything that would leave the media folder."""
    root = media_root.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise InvalidInput(f"photo path {relative!r} leaves the media folder")
    return target


def add_photo(session: Session, *, actor: Actor, media_root: Path, client_id: int, source: Path,
              caption: str | None = None) -> PhotoView:
    client = session.get(Client, client_id)
    if client is None or client.merged_into_id is not None:
        raise NotFound(f"no client {client_id}")
    if not gallery_allowed(session, client_id):
        raise RuleViolation(f"client {client_id} has no membership that includes the photo gallery",
                            hint="photos are a membership benefit (VIP)")
    if not source.is_file():
        raise InvalidInput(f"{source} is not a file")
    if source.stat().st_size > MAX_BYTES:
        raise InvalidInput(f"{source.name} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    with source.open("rb") as fh:
        head = fh.read(_HEAD)
    suffix = sniff(head)
    if suffix is None:
        raise InvalidInput(f"{source.name} is not a photo: {found(head)}",
                           hint=f"a photo is a {KINDS} file (by its content; the name does not matter)")
    caption = _caption(caption)
    relative = f"clients/{client_id}/{uuid.uuid4().hex}{suffix}"
    target = media_path(media_root, relative)
    make_private_dirs(target.parent)  # photos of people: 0700 folders, 0600 files
    create_private_file(target)
    shutil.copyfile(source, target)  # into the file just made: it keeps its mode
    row = ClientPhoto(client_id=client_id, path=relative, caption=(caption or None), staff_id=actor.id,
                      created_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="client.photo_add", entity="client", entity_id=client_id,
                 after={"photo_id": row.id, "path": relative})
    return _view(row)


def delete_photo(session: Session, *, actor: Actor, media_root: Path, client_id: int, photo_id: int) -> PhotoView:
    """The photo's row, then its file (last: a failed commit after it leaves a row naming a missing file,
    never a photo the salon said it deleted)."""
    row = _photo(session, client_id, photo_id)
    view = _view(row)
    target = media_path(media_root, row.path)
    session.delete(row)
    session.flush()
    audit.record(session, actor=actor, action="client.photo_delete", entity="client", entity_id=client_id,
                 before={"photo_id": photo_id, "path": view.path, "caption": view.caption})
    target.unlink(missing_ok=True)
    return view


def set_caption(session: Session, *, actor: Actor, client_id: int, photo_id: int, caption: str | None) -> PhotoView:
    """A photo's caption changed (empty text: none)."""
    row = _photo(session, client_id, photo_id)
    if not gallery_allowed(session, client_id):
        raise RuleViolation(f"client {client_id} has no membership that includes the photo gallery",
                            hint="photos are a membership benefit (VIP); a photo can still be deleted")
    before = row.caption
    row.caption = _caption(caption)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="client.photo_caption", entity="client", entity_id=client_id,
                 before={"photo_id": photo_id, "caption": before}, after={"photo_id": photo_id, "caption": row.caption})
    return _view(row)


def _photo(session: Session, client_id: int, photo_id: int) -> ClientPhoto:
    if session.get(Client, client_id) is None:
        raise NotFound(f"no client {client_id}")
    row = session.get(ClientPhoto, photo_id, with_for_update=True)
    if row is None or row.client_id != client_id:
        raise NotFound(f"client {client_id} has no photo {photo_id}", hint=f"see: salon client photo list {client_id}")
    return row


def _caption(text: str | None) -> str | None:
    caption = " ".join((text or "").split()) or None
    if caption is not None and len(caption) > MAX_CAPTION:
        raise InvalidInput(f"a caption is at most {MAX_CAPTION} characters (this one has {len(caption)})")
    return caption


def _view(row: ClientPhoto) -> PhotoView:
    return PhotoView(id=row.id or 0, client_id=row.client_id, path=row.path, caption=row.caption,
                     created_at=row.created_at)


def list_photos(session: Session, *, client_id: int) -> list[PhotoView]:
    if not gallery_allowed(session, client_id):
        raise RuleViolation(f"client {client_id} has no membership that includes the photo gallery",
                            hint="photos are a membership benefit (VIP)")
    rows = session.exec(select(ClientPhoto).where(ClientPhoto.client_id == client_id)
                        .order_by(col(ClientPhoto.created_at).desc()))
    return [_view(r) for r in rows]
