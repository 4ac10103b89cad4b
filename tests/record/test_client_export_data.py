"""`salon client export-data` (issue 30, the right of access): one JSON document of everything held about a
client, equal to what the services return, on SQLite and PostgreSQL; `--output` checked as exports are.

The salon of `tests/shop.py` (IVA 16 % included). Ximena: two notes (one private), a tag, preferences, a
follow-up, a logged call, a VIP membership (paid) with a photo, a cut and a shampoo paid in cash then 100.00
refunded, points earned and voided; her booking of 12:00 with its confirmation in the outbox.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from cli_helpers import salon as cli
from salon_cli.db.uow import UnitOfWork
from shop import make_shop

MARCO = ["--as", "marco", "--pin", "2222"]
SOFIA = ["--as", "sofia", "--pin", "2222"]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _run(db_url, *args):
    run = cli(db_url, *args)
    assert run.code == 0, (args, run.stderr)
    return run


def _do(engine, fn):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session)
        uow.commit()
    return result


@pytest.fixture
def story(engine, salon, clock, db_url, tmp_path):
    from salon_cli.services.record import photos
    from salon_cli.services.till import membership_fees, sales, tenders, tickets

    shop = make_shop(engine, taxes=["IVA:16%:inclusive"])
    x = str(shop.ximena)
    _run(db_url, *SOFIA, "client", "note", x, "Prefiere tinte sin amoniaco", "--type", "technical")
    _run(db_url, *MARCO, "client", "note", x, "Debe 200 de la vez pasada", "--private")
    _run(db_url, *SOFIA, "client", "tag", x, "vip")
    _run(db_url, *SOFIA, "client", "prefs", x, "--channel", "email", "--staff", "ana", "--requests", "Té verde")
    _run(db_url, *SOFIA, "client", "follow-up", x, "--on", "2026-12-01", "--note", "Resultado de la prueba")
    _run(db_url, *SOFIA, "client", "log-comm", x, "--channel", "phone", "--purpose", "follow_up",
         "--message", "Confirmó su cita")
    png = tmp_path / "despues.png"
    png.write_bytes(PNG)

    def money(s):
        membership_fees.subscribe(s, actor=shop.marco, location=shop.loc, client_id=shop.ximena, plan_code="vip",
                                  pay_method="cash")
        photos.add_photo(s, actor=shop.marco, media_root=Path(os.environ["SALON_HOME"]) / "media",
                         client_id=shop.ximena, source=png, caption="después")
        sale = tickets.create(s, actor=shop.sofia, location=shop.loc, client_id=shop.ximena)
        sales.add_service(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, service="corte", staff="ana")
        sales.add_product(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, product="shampoo")
        tenders.pay(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="cash")
        return sale.id
    sale_id = _do(engine, money)
    clock.advance(minutes=30)
    _do(engine, lambda s: tenders.refund(s, actor=shop.marco, location=shop.loc, sale_id=sale_id,
                                         amount_cents=10000, reason="shampoo devuelto"))
    return shop


def test_export_data_round_trips(engine, db_url, story):
    from salon_cli.db.models import Client, ClientFollowUp
    from salon_cli.services.clients import notes as client_notes
    from salon_cli.services.clients.profiles import tags_of
    from salon_cli.services.loyalty import cards
    from salon_cli.services.messages import comms
    from salon_cli.services.record import photos
    from salon_cli.services.till import sale_views

    shop = story
    x = shop.ximena
    doc = json.loads(_run(db_url, *MARCO, "client", "export-data", str(x)).stdout)
    assert doc["format"] == "salon client data" and doc["version"] == 1
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        row = s.get(Client, x)
        assert {k: doc["client"][k] for k in ("id", "first_name", "last_name", "phone", "email")} == {
            "id": x, "first_name": row.first_name, "last_name": row.last_name, "phone": row.phone, "email": row.email}
        assert doc["tags"] == list(tags_of(s, [x])[x])
        seen = client_notes.notes(s, client_id=x, reader=shop.marco).notes
        assert sorted((n["id"], n["body"], n["private"]) for n in doc["notes"]) == sorted(
            (n.id, n.body, n.private) for n in seen)
        assert any(n["private"] for n in doc["notes"]) and {n["author"] for n in doc["notes"]} == {"sofia", "marco"}
        assert doc["preferences"]["requests"] == "Té verde" and doc["preferences"]["channel"] == "email"
        assert [p["staff"] for p in doc["preferred_stylists"]] == ["ana"]
        [follow] = s.exec(__import__("sqlmodel").select(ClientFollowUp).where(ClientFollowUp.client_id == x)).all()
        assert [(f["id"], f["note"], f["due_on"]) for f in doc["follow_ups"]] == [
            (follow.id, follow.note, follow.due_on.isoformat())]
        assert [a["id"] for a in doc["appointments"]] == [shop.appt] and doc["appointments"][0]["items"]
        assert len(doc["sales"]) == 2  # the membership's fee and the cut
        for sale in doc["sales"]:
            view = sale_views.view(s, sale["id"], shop.loc)
            assert (sale["total_cents"], sale["subtotal_cents"], sale["tax_cents"], sale["status"]) == (
                view.total_cents, view.subtotal_cents, view.tax_cents, view.status)
            assert sorted(line["id"] for line in sale["lines"]) == sorted(line.id for line in view.lines)
            assert sorted((p["id"], p["amount_cents"]) for p in sale["payments"]) == sorted(
                (p.id, p.amount_cents) for p in view.payments)
        assert [r["amount_cents"] for r in doc["refunds"]] == [10000]
        card = cards.card(s, x)
        [account] = doc["loyalty"]["accounts"]
        assert (account["points"], account["lifetime_points"]) == (card.points, card.lifetime_points)
        assert sorted(e["id"] for e in doc["loyalty"]["entries"]) == sorted(e.id for e in cards.history(s, x))
        assert sum(e["points"] for e in doc["loyalty"]["entries"]) == card.points
        assert [m["status"] for m in doc["memberships"]] == ["active"] and doc["memberships"][0]["periods"]
        logged = comms.comms(s, client_id=x)
        assert sorted(c["id"] for c in doc["communications"]) == sorted(c.id for c in logged if c.source == "log")
        assert sorted(m["id"] for m in doc["messages"]) == sorted(c.id for c in logged if c.source == "outbox")
        assert [(p["path"], p["caption"]) for p in doc["photos"]] == [
            (p.path, p.caption) for p in photos.list_photos(s, client_id=x)]
        assert doc["penalties"] == [] and doc["referrals"] == [] and doc["gift_cards"] == []
    # the reading is audited, without its content
    audit = json.loads(_run(db_url, *MARCO, "audit", "--entity", "client", "--id", str(x), "-f", "json").stdout)
    [read] = [a for a in audit if a["action"] == "client.export_data"]
    assert read["actor"] == "marco" and "Debe 200" not in json.dumps(read)


def test_export_data_to_a_file(engine, db_url, story, tmp_path):
    x = str(story.ximena)
    out = tmp_path / "ximena.json"
    run = _run(db_url, *MARCO, "client", "export-data", x, "--output", str(out))
    assert run.stdout == "" and f"written to {out}" in run.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    first = json.loads(out.read_text(encoding="utf-8"))
    assert first["client"]["id"] == story.ximena
    _run(db_url, *MARCO, "client", "export-data", x, "--output", str(out))  # our own file: replaced
    other = tmp_path / "notes.txt"
    other.write_text("mine")
    refused = cli(db_url, *MARCO, "client", "export-data", x, "--output", str(other))
    assert refused.code == 2 and "not a previous client data export" in refused.stderr
    assert other.read_text() == "mine"
    if db_url.startswith("sqlite"):
        database = cli(db_url, *MARCO, "client", "export-data", x, "--output", db_url.removeprefix("sqlite:///"),
                       "--force")
        assert database.code == 2 and "database" in database.stderr
    _run(db_url, *MARCO, "client", "export-data", x, "--output", str(other), "--force")
    assert json.loads(other.read_text(encoding="utf-8"))["client"]["id"] == story.ximena


def test_export_data_needs_a_manager(engine, db_url, story):
    receptionist = cli(db_url, *SOFIA, "client", "export-data", str(story.ximena))
    assert receptionist.code == 3 and receptionist.stdout == ""
    missing = cli(db_url, *MARCO, "client", "export-data", "999")
    assert missing.code == 1 and "no client 999" in missing.stderr
