"""Merging duplicates moves every dependent row, keeps the duplicate as a pointer, and is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from salon_cli.core import clock as clock_module
from salon_cli.core.errors import NotPermitted, RuleViolation
from salon_cli.core.text import name_key
from salon_cli.db.models import (
    Appointment, AuditLog, Client, ClientNote, ClientPhoto, ClientPref, ClientSearchKey, ClientTag,
    Communication, GiftCard, Outbox, Penalty, Sale,
)
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import catalog, locations
from salon_cli.services.record import merge as client_merge
from salon_cli.services.clients import search as client_search
from salon_cli.services.salon.actors import SYSTEM, Actor

MANAGER = Actor(id=1, code="lucia", name="Lucía", role="owner")


def _client(session, first, last, **kw):
    row = Client(first_name=first, last_name=last, name_key=name_key(first, last), created_at=clock_module.now(), **kw)
    session.add(row)
    session.flush()
    client_search.index_client(session, row)
    return row


@pytest.fixture
def pair(engine, salon):
    """Two records of the same person, each with its own history."""
    with UnitOfWork(engine) as uow:
        s = uow.session
        loc = locations.resolve(s, None)
        service = catalog.add_service(s, actor=SYSTEM, location=loc, name="Corte", duration_min=30, price_cents=30000)
        keep = _client(s, "Ximena", "Jiménez", phone="+525512345678", no_show_count=1)
        dup = _client(s, "Jimena", "Giménez", email="xime@example.com", no_show_count=1, deposit_required=True)
        now = clock_module.now()
        for who, n in ((keep, 1), (dup, 3)):
            for i in range(n):
                s.add(Appointment(location_id=loc.id, client_id=who.id, staff_id=1, service_id=service.id,
                                  starts_at=now - timedelta(days=i + 1), ends_at=now - timedelta(days=i + 1) + timedelta(minutes=30),
                                  status="completed", price_cents=30000, created_at=now))
        late = Appointment(location_id=loc.id, client_id=dup.id, staff_id=1, service_id=service.id,
                           starts_at=now - timedelta(days=9), ends_at=now - timedelta(days=9) + timedelta(minutes=30),
                           status="no_show", price_cents=30000, created_at=now)
        s.add(late)
        s.flush()
        s.add(Penalty(location_id=loc.id, appointment_id=late.id, client_id=dup.id, kind="no_show",
                      amount_cents=15000, created_at=now))
        s.add(ClientNote(client_id=dup.id, body="alergia al amoniaco", type="medical", private=True, created_at=now))
        s.add(ClientNote(client_id=dup.id, body="prefiere café", type="preference", created_at=now))
        s.add(Communication(client_id=dup.id, channel="sms", purpose="reminder", body="hola", created_at=now))
        s.add(Outbox(dedupe_key="birthday:client:dup", location_id=loc.id, client_id=dup.id, template="birthday",
                     purpose="promotion", channel="email", recipient="xime@example.com", language="es", body="¡Feliz!",
                     status="sent", send_after=now, created_at=now))
        s.add(ClientPhoto(client_id=dup.id, path="clients/2/a.jpg", created_at=now))
        s.add_all([ClientTag(client_id=keep.id, tag="vip"), ClientTag(client_id=dup.id, tag="vip"),
                   ClientTag(client_id=dup.id, tag="color")])
        s.add(ClientPref(client_id=dup.id, channel="whatsapp", reminder="both", updated_at=now))
        sale = Sale(location_id=loc.id, client_id=dup.id, status="paid", business_date=now.date(), created_at=now)
        s.add(sale)
        s.flush()
        s.add(GiftCard(code="GC-TEST-0001", location_id=loc.id, client_id=dup.id, initial_cents=50000,
                       balance_cents=50000, status="active", sale_id=sale.id, created_at=now))
        dup.stripe_customer_id, dup.stripe_payment_method_id = "cus_dup", "pm_dup"
        s.add(dup)
        uow.commit()
        return keep.id, dup.id


def _count(session, model, client_id):
    return session.exec(select(sa.func.count()).select_from(model).where(model.client_id == client_id)).one()


def test_merge_moves_every_dependent_row(engine, pair):
    keep_id, dup_id = pair
    models = (Appointment, Penalty, ClientNote, Communication, ClientPhoto, Sale, GiftCard, Outbox)
    with UnitOfWork(engine, write=False) as uow:
        before = {m.__tablename__: (_count(uow.session, m, keep_id), _count(uow.session, m, dup_id)) for m in models}
    assert before == {"appointment": (1, 4), "penalty": (0, 1), "client_note": (0, 2), "communication": (0, 1),
                      "client_photo": (0, 1), "sale": (0, 1), "gift_card": (0, 1), "outbox": (0, 1)}
    with UnitOfWork(engine) as uow:
        result = client_merge.merge(uow.session, actor=MANAGER, keep_id=keep_id, duplicate_id=dup_id)
        uow.commit()
    assert result.moved == {"appointment": 4, "penalty": 1, "client_note": 2, "communication": 1, "client_photo": 1,
                            "sale": 1, "gift_card": 1, "outbox": 1, "client_tag": 1, "client_pref": 1,
                            "client_preferred_staff": 0, "loyalty_account": 0, "membership": 0,
                            "client_follow_up": 0, "promotion": 0, "promotion_use": 0, "referral": 0,
                            "waitlist_entry": 0}
    with UnitOfWork(engine, write=False) as uow:
        s = uow.session
        after = {m.__tablename__: (_count(s, m, keep_id), _count(s, m, dup_id)) for m in models}
        assert after == {name: (k + d, 0) for name, (k, d) in before.items()}
        assert sorted(s.exec(select(ClientTag.tag).where(ClientTag.client_id == keep_id)).all()) == ["color", "vip"]
        assert _count(s, ClientTag, dup_id) == 0
        assert s.get(ClientPref, keep_id).channel == "whatsapp" and s.get(ClientPref, dup_id) is None
        keep, dup = s.get(Client, keep_id), s.get(Client, dup_id)
        assert dup.merged_into_id == keep_id
        assert (keep.no_show_count, keep.deposit_required, keep.email) == (2, True, "xime@example.com")
        assert dup.email is None and _count(s, ClientSearchKey, dup_id) == 0
        assert (keep.stripe_customer_id, keep.stripe_payment_method_id) == ("cus_dup", "pm_dup")  # the saved card follows
        log = s.exec(select(AuditLog).where(AuditLog.action == "client.merge")).one()
        assert log.actor == "lucia" and log.after["merged_id"] == dup_id and log.after["moved"]["appointment"] == 4


def test_merge_refusals_change_nothing(engine, pair):
    keep_id, dup_id = pair
    with UnitOfWork(engine) as uow:
        with pytest.raises(RuleViolation, match="into itself"):
            client_merge.merge(uow.session, actor=MANAGER, keep_id=keep_id, duplicate_id=keep_id)
        with pytest.raises(NotPermitted):
            client_merge.merge(uow.session, actor=Actor(id=9, code="sofia", name="S", role="receptionist"),
                               keep_id=keep_id, duplicate_id=dup_id)
    with UnitOfWork(engine) as uow:
        client_merge.merge(uow.session, actor=MANAGER, keep_id=keep_id, duplicate_id=dup_id)
        uow.commit()
    with UnitOfWork(engine) as uow:
        with pytest.raises(RuleViolation, match="already merged"):
            client_merge.merge(uow.session, actor=MANAGER, keep_id=keep_id, duplicate_id=dup_id)
        with pytest.raises(RuleViolation, match="keep that one instead"):
            client_merge.merge(uow.session, actor=MANAGER, keep_id=dup_id, duplicate_id=keep_id)


def test_every_table_that_points_at_a_client_is_handled_by_merge():
    import salon_cli.db.models  # noqa: F401

    handled = {m.__tablename__ for m in client_merge.MOVED} | client_merge.SPECIAL
    pointing = {
        table.name for table in SQLModel.metadata.tables.values()
        for fk in table.foreign_keys if fk.column.table.name == "client" and table.name != "client"
    }
    assert pointing == handled


def test_merge_and_comms_from_the_command_line(db_url, clock):
    import json

    from cli_helpers import INIT, OWNER, salon

    assert salon(db_url, *INIT).code == 0
    for first in ("Ximena", "Jimena"):
        assert salon(db_url, *OWNER, "client", "add", "--first", first, "--last", "Jiménez").code == 0
    assert salon(db_url, *OWNER, "client", "log-comm", "2", "--channel", "phone", "--purpose", "follow_up",
                 "--message", "Llamó para confirmar").code == 0
    no_pin = salon(db_url, "--as", "lucia", "client", "merge", "1", "2")
    assert no_pin.code == 3
    merged = salon(db_url, *OWNER, "client", "merge", "1", "2", "-f", "json")
    assert merged.code == 0, merged.stderr
    assert json.loads(merged.stdout)["moved"]["communication"] == 1
    rows = json.loads(salon(db_url, "client", "comms", "1", "-f", "json").stdout)
    assert [r["purpose"] for r in rows] == ["follow_up"]
    assert salon(db_url, *OWNER, "client", "merge", "1", "2").code == 1
    photo = salon(db_url, *OWNER, "client", "photo", "list", "1")
    assert photo.code == 1 and "photo gallery" in photo.stderr
