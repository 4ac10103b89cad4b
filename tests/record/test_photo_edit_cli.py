"""Issue 30: a client's photos can be deleted (row and file) and re-captioned (audited), and a file is a photo
by its content, not its name. On SQLite and PostgreSQL.

The salon is `tests/shop.py`'s: Ximena (1) has the VIP plan (its gallery) here; Pedro (2) has none.
"""

from __future__ import annotations

import os

import pytest
from sqlmodel import col, select

from cli_helpers import SOFIA, js, ok
from cli_helpers import salon as cli
from salon_cli.db.models import AuditLog, ClientPhoto
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.memberships import subscriptions
from salon_cli.services.salon import locations
from salon_cli.services.till import membership_fees
from shop import OWNER, make_shop

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32)
GIF = b"GIF89a\x01\x00\x01\x00" + bytes(16)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(32)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(32)
HEIF = b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1miaf" + bytes(32)


@pytest.fixture
def desk(engine, salon, db_url):
    shop = make_shop(engine)
    with UnitOfWork(engine) as uow:
        membership_fees.subscribe(uow.session, actor=OWNER, location=shop.loc, client_id=shop.ximena, plan_code="vip")
        uow.commit()
    return db_url


def _media() -> str:
    return os.path.join(os.environ["SALON_HOME"], "media")


def _rows(engine):
    with UnitOfWork(engine, write=False) as uow:
        return [(p.id, p.client_id, p.path, p.caption) for p in uow.session.exec(select(ClientPhoto))]


def _audit(engine, action):
    with UnitOfWork(engine, write=False) as uow:
        return [(a.actor, a.entity_id, a.before, a.after) for a in uow.session.exec(
            select(AuditLog).where(AuditLog.action == action).order_by(col(AuditLog.id)))]


def test_a_file_is_a_photo_by_its_content_not_its_name(desk, engine, tmp_path):
    kept = {}
    for name, body, suffix in (("a.jpg", JPEG, ".jpg"), ("b.txt", PNG, ".png"), ("c.jpeg", GIF, ".gif"),
                               ("d", WEBP, ".webp"), ("e.png", HEIC, ".heic"), ("f.HEIC", HEIF, ".heif")):
        (tmp_path / name).write_bytes(body)
        view = js(desk, *SOFIA, "client", "photo", "add", "1", str(tmp_path / name))
        assert view["path"].startswith("clients/1/") and view["path"].endswith(suffix), (name, view)
        kept[view["path"]] = body
    for path, body in kept.items():  # copied as they were
        with open(os.path.join(_media(), path), "rb") as fh:
            assert fh.read() == body
    # a .jpg that holds text, an empty .png, a PDF named .heic, an AVIF, a BMP: refused, naming what they hold
    (tmp_path / "notes.jpg").write_text("hola, esto no es una foto\n")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "doc.heic").write_bytes(b"%PDF-1.7\n" + bytes(20))
    (tmp_path / "pic.heic").write_bytes(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + bytes(8))
    (tmp_path / "old.jpg").write_bytes(b"BM\x36\x00\x0c\x00\x00\x00\x00\x00\xff\xfe")
    expected = {
        "notes.jpg": "error: notes.jpg is not a photo: it holds text ('hola, esto no es una fot')",
        "empty.png": "error: empty.png is not a photo: it is empty",
        "doc.heic": "error: doc.heic is not a photo: it is a PDF document",
        "pic.heic": "error: pic.heic is not a photo: it is a media file of brand 'avif', not a HEIC photo",
        "old.jpg": "error: old.jpg is not a photo: it is a BMP image, which is not kept",
    }
    for name, line in expected.items():
        refused = cli(desk, *SOFIA, "client", "photo", "add", "1", str(tmp_path / name))
        assert refused.code == 2, (name, refused.stderr)
        assert refused.stderr.splitlines() == [
            line, "hint: a photo is a JPEG, PNG, GIF, WebP or HEIC file (by its content; the name does not matter)"]
    assert len(_rows(engine)) == 6
    assert sorted(os.listdir(os.path.join(_media(), "clients", "1"))) == sorted(p.split("/")[-1] for p in kept)


def test_a_caption_is_changed_and_audited_with_before_and_after(desk, engine, tmp_path):
    (tmp_path / "antes.jpg").write_bytes(JPEG)
    photo = js(desk, *SOFIA, "client", "photo", "add", "1", str(tmp_path / "antes.jpg"), "--caption", "antes")
    changed = js(desk, *SOFIA, "client", "photo", "caption", "1", str(photo["id"]), "  después   del balayage ")
    assert (changed["id"], changed["caption"]) == (photo["id"], "después del balayage")
    assert [p["caption"] for p in js(desk, "client", "photo", "list", "1")] == ["después del balayage"]
    assert _audit(engine, "client.photo_caption") == [
        ("sofia", 1, {"photo_id": photo["id"], "caption": "antes"},
         {"photo_id": photo["id"], "caption": "después del balayage"})]
    cleared = js(desk, *SOFIA, "client", "photo", "caption", "1", str(photo["id"]), "")
    assert cleared["caption"] is None
    # too long (exit 2), no such photo or another client's (exit 1), a wrong PIN (exit 3): nothing changes
    long = cli(desk, *SOFIA, "client", "photo", "caption", "1", str(photo["id"]), "x" * 256)
    assert (long.code, long.stderr.splitlines()[0]) == (2, "error: a caption is at most 255 characters (this one has 256)")
    missing = cli(desk, *SOFIA, "client", "photo", "caption", "1", "99", "x")
    assert (missing.code, missing.stderr.splitlines()[0]) == (1, "error: client 1 has no photo 99")
    other = cli(desk, *SOFIA, "client", "photo", "caption", "2", str(photo["id"]), "x")
    assert (other.code, other.stderr.splitlines()[0]) == (1, f"error: client 2 has no photo {photo['id']}")
    wrong = cli(desk, "--as", "sofia", "--pin", "9999", "client", "photo", "caption", "1", str(photo["id"]), "x")
    assert wrong.code == 3
    assert [r[3] for r in _rows(engine)] == [None]
    assert len(_audit(engine, "client.photo_caption")) == 2


def test_delete_removes_the_row_and_its_file(desk, engine, tmp_path):
    (tmp_path / "a.jpg").write_bytes(JPEG)
    (tmp_path / "b.png").write_bytes(PNG)
    first = js(desk, *SOFIA, "client", "photo", "add", "1", str(tmp_path / "a.jpg"), "--caption", "uno")
    second = js(desk, *SOFIA, "client", "photo", "add", "1", str(tmp_path / "b.png"))
    target = os.path.join(_media(), first["path"])
    assert os.path.isfile(target)
    wrong = cli(desk, "--as", "sofia", "--pin", "9999", "client", "photo", "delete", "1", str(first["id"]))
    assert wrong.code == 3 and os.path.isfile(target) and len(_rows(engine)) == 2
    other = cli(desk, *SOFIA, "client", "photo", "delete", "2", str(first["id"]))
    assert other.code == 1 and os.path.isfile(target)
    gone = ok(desk, *SOFIA, "client", "photo", "delete", "1", str(first["id"]), "-f", "json")
    assert gone.stderr.strip() == f"photo {first['id']} of client 1 deleted"
    assert not os.path.exists(target)
    assert os.path.isfile(os.path.join(_media(), second["path"]))
    assert [r[0] for r in _rows(engine)] == [second["id"]]
    assert _audit(engine, "client.photo_delete") == [
        ("sofia", 1, {"photo_id": first["id"], "path": first["path"], "caption": "uno"}, None)]
    again = cli(desk, *SOFIA, "client", "photo", "delete", "1", str(first["id"]))
    assert (again.code, again.stderr.splitlines()[0]) == (1, f"error: client 1 has no photo {first['id']}")


def test_a_lapsed_member_s_photo_can_be_deleted_but_not_recaptioned(desk, engine, tmp_path):
    (tmp_path / "a.jpg").write_bytes(JPEG)
    photo = js(desk, *SOFIA, "client", "photo", "add", "1", str(tmp_path / "a.jpg"))
    with UnitOfWork(engine) as uow:
        subscriptions.cancel(uow.session, actor=OWNER, location=locations.resolve(uow.session, None),
                             client_id=1, reason="se muda", now=True)
        uow.commit()
    refused = cli(desk, *SOFIA, "client", "photo", "caption", "1", str(photo["id"]), "x")
    assert refused.code == 1 and "photo gallery" in refused.stderr
    ok(desk, *SOFIA, "client", "photo", "delete", "1", str(photo["id"]))
    assert _rows(engine) == [] and not os.path.exists(os.path.join(_media(), photo["path"]))
