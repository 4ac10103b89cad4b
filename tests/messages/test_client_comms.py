from __future__ import annotations

import pytest
from sqlmodel import select

from salon_cli.core import clock as clock_module
from salon_cli.core.errors import InvalidInput, NotFound
from salon_cli.core.text import name_key
from salon_cli.db.models import AuditLog, Client
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.messages import comms as client_comms
from salon_cli.services.salon import locations
from salon_cli.services.salon.actors import Actor

DESK = Actor(id=1, code="lucia", name="Lucía", role="owner")


def test_log_and_list_comms(engine, salon, clock):
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        c = Client(first_name="Ana", last_name="Ruiz", name_key=name_key("Ana", "Ruiz"), created_at=clock_module.now())
        uow.session.add(c)
        uow.session.flush()
        client_comms.log_comm(uow.session, actor=DESK, location=loc, client_id=c.id, channel="phone",
                              purpose="follow-up", message="Llamada: todo bien con el tinte")
        clock.advance(minutes=5)
        client_comms.log_comm(uow.session, actor=DESK, location=loc, client_id=c.id, channel="WhatsApp",
                              purpose="reminder", message="Te esperamos mañana a las 10")
        uow.commit()
        cid = c.id
    with UnitOfWork(engine, write=False) as uow:
        rows = client_comms.comms(uow.session, client_id=cid)
        assert [(r.channel, r.purpose) for r in rows] == [("whatsapp", "reminder"), ("phone", "follow_up")]
        assert rows[0].staff_id == 1 and rows[0].status == "logged"
        assert len(uow.session.exec(select(AuditLog).where(AuditLog.action == "client.log_comm")).all()) == 2


def test_bad_input_is_refused(engine, salon):
    with UnitOfWork(engine) as uow:
        loc = locations.resolve(uow.session, None)
        for kw, err in [(dict(channel="fax", purpose="other", message="x"), InvalidInput),
                        (dict(channel="sms", purpose="gossip", message="x"), InvalidInput),
                        (dict(channel="sms", purpose="other", message="  "), InvalidInput)]:
            with pytest.raises(err):
                client_comms.log_comm(uow.session, actor=DESK, location=loc, client_id=1, **kw)
        with pytest.raises(NotFound):
            client_comms.log_comm(uow.session, actor=DESK, location=loc, client_id=999, channel="sms",
                                  purpose="other", message="x")
