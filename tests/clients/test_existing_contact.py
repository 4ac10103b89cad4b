"""`clients.at_desk`: the new-client form finds who is here already (contact, then name)."""

from __future__ import annotations

import pytest

from salon_cli.core.errors import Conflict
from salon_cli.db.models import Client
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.clients import at_desk, profiles
from salon_cli.services.clients.profiles import ClientView
from shop import OWNER, make_shop


@pytest.fixture
def shop(engine, salon, clock):
    return make_shop(engine)  # Ximena Jiménez, 55 1234 5678, xime@example.com; Pedro Páramo


def _contact(engine, shop, phone=None, email=None):
    with UnitOfWork(engine, write=False) as uow:
        return at_desk.existing_contact(uow.session, phone=phone, email=email, location=shop.loc)


def _likely(engine, first, last, limit=5):
    with UnitOfWork(engine, write=False) as uow:
        return at_desk.likely_duplicates(uow.session, first=first, last=last, limit=limit)


@pytest.mark.parametrize("phone", ["5512345678", "55 1234 5678", "(55) 1234-5678", "+52 55 1234 5678"])
def test_the_same_phone_however_typed(engine, shop, phone):
    found = _contact(engine, shop, phone=phone)
    assert isinstance(found, ClientView) and found.id == shop.ximena and found.phone == "+525512345678"


@pytest.mark.parametrize("email", ["xime@example.com", "  XIME@Example.COM "])
def test_the_same_email(engine, shop, email):
    assert _contact(engine, shop, email=email).id == shop.ximena


@pytest.mark.parametrize("phone, email", [
    (None, None), ("", ""), ("5599999999", None), (None, "other@example.com"), ("55", None), ("abc", "not-an-email"),
])
def test_no_one_or_not_a_contact_yet(engine, shop, phone, email):
    assert _contact(engine, shop, phone=phone, email=email) is None


def test_the_phone_is_asked_first(engine, shop):
    with UnitOfWork(engine) as uow:
        other = profiles.add(uow.session, actor=OWNER, location=shop.loc, first_name="Ana", last_name="Ruiz",
                             email="ana@example.com")
        uow.commit()
    assert _contact(engine, shop, phone="5512345678", email="ana@example.com").id == shop.ximena
    assert _contact(engine, shop, phone="5599999999", email="ana@example.com").id == other.id


def test_a_merged_client_is_no_one(engine, shop):
    with UnitOfWork(engine) as uow:
        row = uow.session.get(Client, shop.ximena)
        row.merged_into_id = shop.pedro
        uow.session.add(row)
        uow.commit()
    assert _contact(engine, shop, phone="5512345678") is None


def test_what_it_finds_is_what_clients_add_refuses(engine, shop):
    for phone, email in (("55 1234 5678", None), (None, "XIME@example.com")):
        assert _contact(engine, shop, phone=phone, email=email).id == shop.ximena
        with UnitOfWork(engine) as uow, pytest.raises(Conflict, match=f"client {shop.ximena}"):
            profiles.add(uow.session, actor=OWNER, location=shop.loc, first_name="X", last_name="J",
                         phone=phone, email=email)


@pytest.mark.parametrize("first, last", [
    ("Ximena", "Jiménez"), ("ximena", "jimenez"), ("Jimena", "Giménez"), ("Ximena", "Jimenes"), ("Ximnea", "Jiménez"),
])
def test_likely_duplicates_by_the_search_scoring(engine, shop, first, last):
    found = _likely(engine, first, last)
    assert [c.id for c in found][:1] == [shop.ximena] and all(isinstance(c, ClientView) for c in found)


def test_likely_duplicates_leaves_out_other_people_and_keeps_the_limit(engine, shop):
    assert _likely(engine, "Rosa", "Martínez") == []
    assert _likely(engine, "", "  ") == []
    with UnitOfWork(engine) as uow:
        for _ in range(4):
            profiles.add(uow.session, actor=OWNER, location=shop.loc, first_name="Ximena", last_name="Jiménez")
        uow.commit()
    assert len(_likely(engine, "Ximena", "Jiménez", limit=3)) == 3
    assert len(_likely(engine, "Ximena", "Jiménez")) == 5
    assert shop.pedro not in [c.id for c in _likely(engine, "Ximena", "Jiménez", limit=10)]
