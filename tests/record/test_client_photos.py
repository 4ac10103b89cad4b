from __future__ import annotations

import pytest

from salon_cli.core import clock as clock_module
from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.core.text import name_key
from salon_cli.db.models import Client
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.memberships import plans as membership_plans
from salon_cli.services.record import photos as client_photos
from salon_cli.services.salon.actors import Actor
from salon_cli.services.till import membership_fees

DESK = Actor(id=1, code="lucia", name="Lucía", role="owner")


def test_media_paths_never_leave_the_folder(tmp_path):
    root = tmp_path / "media"
    assert client_photos.media_path(root, "clients/3/a.jpg") == (root / "clients/3/a.jpg").resolve()
    for bad in ("../salon.db", "clients/../../x.jpg", "/etc/passwd"):
        with pytest.raises(InvalidInput, match="leaves the media folder"):
            client_photos.media_path(root, bad)


def test_photos_are_refused_without_a_gallery_membership(engine, salon, tmp_path):
    photo = tmp_path / "antes.jpg"
    photo.write_bytes(b"\xff\xd8\xff")
    with UnitOfWork(engine) as uow:
        c = Client(first_name="Ana", last_name="Ruiz", name_key=name_key("Ana", "Ruiz"), created_at=clock_module.now())
        uow.session.add(c)
        uow.session.flush()
        # a plan without the gallery (the seeded Gold has it since 0022: take it off)
        membership_plans.update_plan(uow.session, actor=DESK, location=salon.location, code="gold",
                                     benefits=["priority_booking"])
        for plan in (None, "gold"):  # no membership, then one whose plan has no gallery
            if plan:
                membership_fees.subscribe(uow.session, actor=DESK, location=salon.location, client_id=c.id, plan_code=plan)
            with pytest.raises(RuleViolation, match="photo gallery"):
                client_photos.add_photo(uow.session, actor=DESK, media_root=tmp_path / "media", client_id=c.id,
                                        source=photo)
            with pytest.raises(RuleViolation, match="photo gallery"):
                client_photos.list_photos(uow.session, client_id=c.id)
    assert not (tmp_path / "media").exists()


def test_with_the_gallery_a_photo_is_copied_into_media(engine, salon, tmp_path):
    photo = tmp_path / "despues.PNG"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n....")
    (tmp_path / "notes.txt").write_text("x")
    with UnitOfWork(engine) as uow:
        c = Client(first_name="Ana", last_name="Ruiz", name_key=name_key("Ana", "Ruiz"), created_at=clock_module.now())
        uow.session.add(c)
        uow.session.flush()
        # the VIP plan (as seeded) includes the gallery
        membership_fees.subscribe(uow.session, actor=DESK, location=salon.location, client_id=c.id, plan_code="vip")
        view = client_photos.add_photo(uow.session, actor=DESK, media_root=tmp_path / "media", client_id=c.id,
                                       source=photo, caption="después del balayage")
        with pytest.raises(InvalidInput, match="not a photo"):
            client_photos.add_photo(uow.session, actor=DESK, media_root=tmp_path / "media", client_id=c.id,
                                    source=tmp_path / "notes.txt")
        uow.commit()
        listed = client_photos.list_photos(uow.session, client_id=c.id)
    assert view.path.startswith(f"clients/{c.id}/") and view.path.endswith(".png")
    assert (tmp_path / "media" / view.path).read_bytes() == b"\x89PNG\r\n\x1a\n...."
    assert [p.caption for p in listed] == ["después del balayage"]
