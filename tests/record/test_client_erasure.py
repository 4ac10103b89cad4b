"""`salon client erase` (issue 30): the person leaves every table, file and export; the money stays.

The salon of `tests/shop.py` (IVA 16 % included), Saturday 2026-11-21 in Mexico City. Ximena Jiménez gets
everything a client can have: a second phone and e-mail, an address, an emergency contact, an import's
code and a saved card; notes (one private), a tag, preferences and a preferred stylist, a follow-up, a logged
call, the confirmation of her booking in the outbox, a VIP membership (paid, then cancelled) with a photo
(a real PNG), a desk sale paid in cash (points earned), an imported receipt that names her and a Stripe
event that quotes her e-mail. Pedro Páramo shares her phone (a family's number stays on his card).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from cli_helpers import salon as cli
from salon_cli.db.models import Client, ClientPhoto, Outbox, Sale, StripeEvent
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.record import erasure
from shop import make_shop

MARCO = ["--as", "marco", "--pin", "2222"]
SOFIA = ["--as", "sofia", "--pin", "2222"]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
EXTRA = dict(phone2="+525598765432", email2="ximena.trabajo@example.com", street="Calle Luna 12", city="Coyoacán",
             postal_code="04000", country="MX", occupation="arquitecta", emergency_name="Rosa Quintanal",
             emergency_phone="+525511112222", external_code="XJ-7781", gender="female")
# what must be found nowhere once she is erased
TRACES = ("Ximena", "Jiménez", "xime@example.com", "5512345678", "ximena.trabajo@example.com", "5598765432",
          "Rosa Quintanal", "Calle Luna", "XJ-7781")


def _run(db_url, *args):
    run = cli(db_url, *args)
    assert run.code == 0, (args, run.stderr)
    return run


def _do(engine, fn):
    with UnitOfWork(engine) as uow:
        result = fn(uow.session)
        uow.commit()
    return result


def media_root() -> Path:
    return Path(os.environ["SALON_HOME"]) / "media"


@pytest.fixture
def ximena(engine, salon, clock, db_url, tmp_path):
    """The shop, with Ximena's whole record; returns (shop, photo files)."""
    from salon_cli.services.record import photos
    from salon_cli.services.memberships import subscriptions
    from salon_cli.services.till import membership_fees, sales, tenders, tickets

    shop = make_shop(engine, taxes=["IVA:16%:inclusive"])
    x = shop.ximena

    def profile(s):
        row = s.get(Client, x)
        for key, value in EXTRA.items():
            setattr(row, key, value)
        row.phone_raw = "55 1234 5678"
        row.birthday = __import__("datetime").date(1990, 5, 4)
        s.add(row)
        pedro = s.get(Client, shop.pedro)
        pedro.phone = row.phone  # the family's phone
        s.add(pedro)
    _do(engine, profile)

    _run(db_url, *SOFIA, "client", "note", str(x), "Ximena prefiere tinte sin amoniaco", "--type", "technical")
    _run(db_url, *MARCO, "client", "note", str(x), "Ximena Jiménez debe 200 de la vez pasada", "--private")
    _run(db_url, *SOFIA, "client", "tag", str(x), "vip")
    _run(db_url, *SOFIA, "client", "prefs", str(x), "--channel", "email", "--staff", "ana",
         "--requests", "Ximena quiere té")
    _run(db_url, *SOFIA, "client", "follow-up", str(x), "--on", "2026-12-01", "--note", "Llamar a Ximena: prueba")
    _run(db_url, *SOFIA, "client", "log-comm", str(x), "--channel", "phone", "--purpose", "follow_up",
         "--message", "Hablé con Ximena Jiménez al 55 1234 5678")

    png = tmp_path / "despues.png"
    png.write_bytes(PNG)

    def gallery(s):
        membership_fees.subscribe(s, actor=shop.marco, location=shop.loc, client_id=x, plan_code="vip",
                                  pay_method="cash")
        view = photos.add_photo(s, actor=shop.marco, media_root=media_root(), client_id=x, source=png,
                                caption="Ximena después del balayage")
        subscriptions.cancel(s, actor=shop.marco, location=shop.loc, client_id=x, reason="se muda", now=True)
        return view
    photo = _do(engine, gallery)

    def paid(s):
        sale = tickets.create(s, actor=shop.sofia, location=shop.loc, client_id=x)
        sales.add_service(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, service="corte", staff="ana")
        sales.add_product(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, product="shampoo")
        tenders.pay(s, actor=shop.sofia, location=shop.loc, sale_id=sale.id, method="cash")
        imported = tickets.create(s, actor=shop.sofia, location=shop.loc, client_id=x)
        sales.add_service(s, actor=shop.sofia, location=shop.loc, sale_id=imported.id, service="tinte", staff="beto")
        tenders.pay(s, actor=shop.sofia, location=shop.loc, sale_id=imported.id, method="card")
        row = s.get(Sale, imported.id)
        row.external_id, row.source = "R-350", {"receipt": "R-350", "clients": ["Ximena Jiménez", "XJ-7781"],
                                                 "amount": "800.00"}
        s.add(row)
        s.add(StripeEvent(id="evt_3PqX7781", type="charge.succeeded", status="applied", source="webhook",
                          received_at=clock.now(), payload={"data": {"object": {"receipt_email": "xime@example.com",
                                                                              "billing_details": {"name": "Ximena Jiménez"}}}}))
    _do(engine, paid)
    return shop, [media_root() / photo.path]


def _traces(engine, spare: int | None = None) -> list[tuple[str, str, str]]:
    """(table, column, trace) for every text or JSON cell that still holds one of TRACES (but the client
    `spare`'s own row: Pedro's card keeps the family's phone)."""
    found = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                kind = column.type.impl if isinstance(column.type, sa.types.TypeDecorator) else column.type
                if not isinstance(kind, sa.String | sa.JSON):
                    continue
                for trace in TRACES:
                    forms = {trace, json.dumps(trace)[1:-1]}  # SQLite's JSON text escapes accents
                    spared = [table.c.id != spare] if table.name == "client" and spare else []
                    hit = conn.execute(sa.select(sa.func.count()).select_from(table).where(*spared, sa.or_(
                        *(sa.func.lower(sa.cast(column, sa.Text)).like(f"%{f.lower()}%") for f in forms)))).scalar()
                    if hit:
                        found.append((table.name, column.name, trace))
    return found


def _totals(db_url):
    preview = json.loads(_run(db_url, *MARCO, "close-day", "--preview", "-f", "json").stdout)
    preview.pop("generated_at", None)
    revenue = json.loads(_run(db_url, *MARCO, "report", "revenue", "-f", "json").stdout)
    return preview, revenue


def test_erasure_leaves_no_trace_and_every_total(engine, db_url, ximena):
    shop, files = ximena
    x = shop.ximena
    assert all(f.read_bytes() == PNG for f in files)
    assert {t for _, _, t in _traces(engine)} == set(TRACES)  # the search sees them before
    with UnitOfWork(engine, write=False) as uow:
        assert uow.session.exec(sa.select(sa.func.count()).select_from(Outbox).where(Outbox.client_id == x)).one()[0]
    before = _totals(db_url)

    done = json.loads(_run(db_url, *MARCO, "client", "erase", str(x), "--reason", "lo pidió por correo",
                           "-f", "json").stdout)
    assert done["client_id"] == x and done["photo_files"] == 1
    assert done["deleted"]["client_note"] == 2 and done["deleted"]["client_photo"] == 1

    # (1) not in any text or JSON column of any table
    assert _traces(engine, spare=shop.pedro) == []
    # (2) no photo file, no folder of hers
    assert not any(f.exists() for f in files)
    assert not (media_root() / "clients" / str(x)).exists()
    # (3) nor in any export
    for what in ("clients", "appointments", "sales", "audit"):
        private = ["--include-private"] if what == "clients" else []
        records = json.loads(_run(db_url, *MARCO, "export", what, "--format", "json", *private).stdout)
        out = json.dumps([r for r in records if not (what == "clients" and r["id"] == shop.pedro)], ensure_ascii=False)
        for trace in TRACES:
            assert trace.lower() not in out.lower() and json.dumps(trace)[1:-1].lower() not in out.lower(), (what, trace)
    # (4) every total as it was
    assert _totals(db_url) == before

    shown = json.loads(_run(db_url, *MARCO, "client", "show", str(x), "-f", "json").stdout)
    assert (shown["first_name"], shown["last_name"], shown["phone"], shown["email"]) == (
        "Erased", f"client #{x}", None, None)
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        row = s.get(Client, x)
        assert row.erased_at is not None and row.birthday is None and not row.marketing_consent
        assert row.stripe_customer_id is None and row.external_code is None
        assert s.get(Client, shop.pedro).phone == "+525512345678"  # the family's phone stays on Pedro's card
        sales = s.exec(sa.select(Sale).where(Sale.client_id == x)).scalars().all()
        assert len(sales) == 3 and s.exec(sa.select(sa.func.count()).select_from(ClientPhoto)).one()[0] == 0
        for msg in s.exec(sa.select(Outbox).where(Outbox.client_id == x)).scalars():
            assert msg.recipient is None and msg.body == "[erased]" and msg.status != "queued"
    # audited, with the reason and who, without what was erased
    audit = json.loads(_run(db_url, *MARCO, "audit", "--entity", "client", "--id", str(x), "-f", "json").stdout)
    [row] = [a for a in audit if a["action"] == "client.erase"]
    assert row["actor"] == "marco" and row["after"]["reason"] == "lo pidió por correo"
    # gone from search, duplicates, birthdays and win-back
    for query in ("Erased", f"client #{x}", "5512345678"):
        hits = json.loads(_run(db_url, *SOFIA, "client", "search", query, "-f", "json").stdout)
        assert x not in [h["id"] for h in hits]
    dupes = json.loads(_run(db_url, *MARCO, "client", "duplicates", "--min-score", "0", "-f", "json").stdout)
    assert all(x not in (d["client_id"], d["duplicate_id"]) for d in dupes)
    win = json.loads(_run(db_url, *MARCO, "client", "win-back", "--inactive-days", "1", "-f", "json").stdout)
    assert x not in [w["id"] for w in win]
    # erasing twice is refused
    again = cli(db_url, *MARCO, "client", "erase", str(x), "--reason", "otra vez")
    assert again.code == 1 and "already erased" in again.stderr


def test_refusals_change_nothing(engine, db_url, salon, clock):
    from salon_cli.db.models import Appointment
    from salon_cli.services.book import penalties
    from salon_cli.services.till import membership_fees

    shop = make_shop(engine)
    x = shop.ximena

    def unchanged():
        with UnitOfWork(engine, write=False) as uow:
            row = uow.session.get(Client, x)
            return row.first_name == "Ximena" and row.erased_at is None and row.email == "xime@example.com"

    receptionist = cli(db_url, *SOFIA, "client", "erase", str(x), "--reason", "pidió")
    assert receptionist.code == 3 and receptionist.stderr.startswith("error: ")
    assert cli(db_url, *MARCO, "client", "erase", str(x), "--reason", "  ").code == 2
    missing = cli(db_url, *MARCO, "client", "erase", "999", "--reason", "pidió")
    assert missing.code == 1 and "no client 999" in missing.stderr
    _do(engine, lambda s: membership_fees.subscribe(s, actor=shop.marco, location=shop.loc, client_id=x,
                                                    plan_code="gold", pay_method="cash"))
    member = cli(db_url, *MARCO, "client", "erase", str(x), "--reason", "pidió")
    assert member.code == 1 and "active membership" in member.stderr and "hint:" in member.stderr
    assert unchanged()

    def owes(s):
        from salon_cli.services.memberships import subscriptions

        subscriptions.cancel(s, actor=shop.marco, location=shop.loc, client_id=x, reason="baja", now=True)
        appt = s.get(Appointment, shop.appt)
        return penalties.create(s, actor=shop.marco, location=shop.loc, appt=appt, kind="no_show",
                                amount_cents=17500, service="corte").id
    penalty = _do(engine, owes)
    owed = cli(db_url, *MARCO, "client", "erase", str(x), "--reason", "pidió")
    assert owed.code == 1 and f"pending penalty ({penalty})" in owed.stderr
    assert unchanged()
    _run(db_url, *MARCO, "penalty", "waive", str(penalty), "--reason", "primera vez")
    _run(db_url, *MARCO, "client", "erase", str(x), "--reason", "pidió")
    assert not unchanged()


def test_every_table_of_a_client_has_a_fate():
    """A new table that refers to `client` must be deleted, emptied or kept on erasure (and scrubbed anyway)."""
    fates = {m.__table__.name for m in erasure.DELETED} | erasure.EMPTIED | erasure.KEPT
    refers = {t.name for t in SQLModel.metadata.sorted_tables
              if any(fk.column.table.name == "client" for c in t.columns for fk in c.foreign_keys)}
    assert refers <= fates, refers - fates


def test_needles_are_whole_words():
    pattern = erasure._pattern(["Ana", "350", "+525512345678"])
    assert pattern.sub("#", "Banana, Ana. ana y 350.00 y 350 y +525512345678") == "Banana, #. # y 350.00 y # y #"
    assert re.fullmatch(r"\[erased\]", erasure._replace("XJ-7781", ["XJ-7781"]))
