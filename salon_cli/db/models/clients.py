"""Clients and what the desk keeps about them: tags, notes, preferences, search keys, communications,
photos (the saved card for off-session charges lives on `client`)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from salon_cli.db.models.base import TableModel, _in, _utc
from salon_cli.db.types import JSONType

__all__ = [
    "Client", "ClientTag", "ClientNote", "ClientPref", "ClientSearchKey", "Communication", "ClientPhoto",
    "ClientFollowUp", "ClientPreferredStaff", "FOLLOW_UP_STATUSES", "GENDERS",
]

GENDERS = ("female", "male", "non_binary", "other")  # or unset

FOLLOW_UP_STATUSES = ("open", "done", "cancelled")


class Client(TableModel, table=True):
    """A client of the chain (clients are shared by every location)."""

    id: int | None = Field(default=None, primary_key=True)
    first_name: str = Field(max_length=80)
    last_name: str = Field(default="", max_length=80)
    phone: str | None = Field(default=None, max_length=20, index=True)  # E.164
    phone_raw: str | None = Field(default=None, max_length=40)  # as it was typed
    email: str | None = Field(default=None, max_length=254, index=True)  # lower-cased
    birthday: date | None = None
    gender: str | None = Field(default=None, max_length=16)  # one of GENDERS, or unset
    street: str | None = Field(default=None, max_length=255)
    city: str | None = Field(default=None, max_length=80)
    state: str | None = Field(default=None, max_length=80)
    postal_code: str | None = Field(default=None, max_length=16)
    country: str | None = Field(default=None, max_length=2)  # ISO 3166-1 alpha-2
    phone2: str | None = Field(default=None, max_length=20)  # E.164
    email2: str | None = Field(default=None, max_length=254)
    occupation: str | None = Field(default=None, max_length=80)
    emergency_name: str | None = Field(default=None, max_length=120)
    emergency_phone: str | None = Field(default=None, max_length=20)  # E.164
    external_code: str | None = Field(default=None, max_length=64, index=True)  # from an import
    marketing_consent: bool = False
    no_show_count: int = 0
    deposit_required: bool = False
    merged_into_id: int | None = Field(default=None, foreign_key="client.id")
    home_location_id: int | None = Field(default=None, foreign_key="location.id")
    # a saved card for off-session charges (no-show and late-cancel penalties)
    stripe_customer_id: str | None = Field(default=None, max_length=64)
    stripe_payment_method_id: str | None = Field(default=None, max_length=64)
    # "first last" folded (lower case, no accents): sorting and prefix look-ups without Python scans
    name_key: str = Field(default="", max_length=170, index=True)
    created_at: datetime = _utc()
    updated_at: datetime | None = _utc(default=None, nullable=True)
    # erased at the client's request (`client erase`): the person is gone, the row stays anonymous so
    # that the sales, payments, visits and points on it keep every total true
    erased_at: datetime | None = _utc(default=None, nullable=True)


class ClientTag(TableModel, table=True):
    __tablename__ = "client_tag"

    client_id: int = Field(foreign_key="client.id", primary_key=True)
    tag: str = Field(max_length=40, primary_key=True, index=True)


class ClientNote(TableModel, table=True):
    __tablename__ = "client_note"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    type: str = Field(default="general", max_length=16)  # general|technical|medical|preference|complaint
    body: str = Field(max_length=4000)
    private: bool = False
    author_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc()
    edited_at: datetime | None = _utc(default=None, nullable=True)  # `client note-edit`: the last edit
    edited_by_id: int | None = Field(default=None, foreign_key="staff.id")


class ClientPref(TableModel, table=True):
    __tablename__ = "client_pref"

    client_id: int = Field(foreign_key="client.id", primary_key=True)
    channel: str | None = Field(default=None, max_length=16)  # sms | email | whatsapp
    reminder: str = Field(default="24h", max_length=8)  # 24h | 1h | both | none
    preferred_services: list[str] = Field(default_factory=list, sa_type=JSONType)  # service codes
    requests: str | None = Field(default=None, max_length=1000)
    language: str | None = Field(default=None, max_length=2)  # es | en (None: the location's)
    updated_at: datetime = _utc()


class ClientPreferredStaff(TableModel, table=True):
    """A client's preferred stylists, in order (1 first: the one the booking form offers)."""

    __tablename__ = "client_preferred_staff"

    client_id: int = Field(foreign_key="client.id", primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    position: int = 1


class ClientSearchKey(TableModel, table=True):
    """Look-up keys of a client's names (folded tokens, phonetic codes and their neighbours),
    so that a search finds its candidates through an index instead of scanning every client."""

    __tablename__ = "client_search_key"

    key: str = Field(max_length=40, primary_key=True)
    client_id: int = Field(foreign_key="client.id", primary_key=True, index=True)
    kind: str = Field(max_length=8, primary_key=True)


class Communication(TableModel, table=True):
    """A message to or from a client (sent by the salon or logged by hand)."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    channel: str = Field(max_length=16)  # sms | email | whatsapp | phone | in_person
    purpose: str = Field(max_length=32)  # reminder | marketing | follow_up | ...
    status: str = Field(default="logged", max_length=16)  # logged | queued | sent | failed
    body: str = Field(default="", max_length=4000)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    sent_at: datetime | None = _utc(default=None, nullable=True)
    created_at: datetime = _utc()


class ClientPhoto(TableModel, table=True):
    __tablename__ = "client_photo"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    path: str = Field(max_length=500)  # relative to SALON_HOME/media
    caption: str | None = Field(default=None, max_length=255)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc()


class ClientFollowUp(TableModel, table=True):
    """Something to do about a client on a day: call back, a patch test's result, a colour touch-up due."""

    __tablename__ = "client_follow_up"
    __table_args__ = (
        sa.CheckConstraint(_in("status", FOLLOW_UP_STATUSES), name="status"),
        sa.Index("ix_client_follow_up_status_due", "status", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    due_on: date  # the location's local day
    note: str = Field(max_length=1000)
    status: str = Field(default="open", max_length=12)
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _utc()
    closed_at: datetime | None = _utc(default=None, nullable=True)
    closed_by_id: int | None = Field(default=None, foreign_key="staff.id")
