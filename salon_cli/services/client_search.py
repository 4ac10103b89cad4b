"""Finding a client as the receptionist types: the look-up keys kept beside each client.

Interface used by the client services: `index_client(session, client)` after a client is created
or renamed, `search(session, query, limit=...)` for the search box and `client search`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from salon_cli.core.text import fold
from salon_cli.db.models import Client, ClientSearchKey


def keys_for(first_name: str, last_name: str) -> set[tuple[str, str]]:
    """(kind, key) pairs for a client's names; kind 'tok' is a folded name token."""
    return {("tok", token[:40]) for token in fold(f"{first_name} {last_name}").split()}


def index_client(session: Session, client: Client) -> None:
    """Replace the client's look-up keys (call after add, rename and merge)."""
    assert client.id is not None
    session.execute(sa.delete(ClientSearchKey).where(col(ClientSearchKey.client_id) == client.id))
    for kind, key in sorted(keys_for(client.first_name, client.last_name)):
        session.add(ClientSearchKey(key=key, client_id=client.id, kind=kind))
    session.flush()
