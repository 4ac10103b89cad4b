"""Before-and-after photos, kept under SALON_HOME/media, for clients whose membership includes them."""

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

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic"})
MAX_BYTES = 20 * 1024 * 1024
GALLERY_BENEFIT = "photo_gallery"


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
    if source.suffix.lower() not in IMAGE_SUFFIXES:
        raise InvalidInput(f"{source.name} is not a photo ({', '.join(sorted(IMAGE_SUFFIXES))})")
    if source.stat().st_size > MAX_BYTES:
        raise InvalidInput(f"{source.name} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    relative = f"clients/{client_id}/{uuid.uuid4().hex}{source.suffix.lower()}"
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
    return PhotoView(id=row.id or 0, client_id=client_id, path=relative, caption=row.caption, created_at=row.created_at)


def list_photos(session: Session, *, client_id: int) -> list[PhotoView]:
    if not gallery_allowed(session, client_id):
        raise RuleViolation(f"client {client_id} has no membership that includes the photo gallery",
                            hint="photos are a membership benefit (VIP)")
    rows = session.exec(select(ClientPhoto).where(ClientPhoto.client_id == client_id)
                        .order_by(col(ClientPhoto.created_at).desc()))
    return [PhotoView(id=r.id or 0, client_id=r.client_id, path=r.path, caption=r.caption, created_at=r.created_at)
            for r in rows]
