"""Duplicate candidates: same phone or e-mail, or names that sound alike with close birthdays."""

from __future__ import annotations

import json
from datetime import date

from cli_helpers import INIT, OWNER, salon
from salon_cli.db.engine import make_engine
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.clients import duplicates as client_duplicates


def test_duplicates_found_and_scored(db_url, clock):
    assert salon(db_url, *INIT).code == 0
    people = [
        ("Ximena", "Jiménez López", "1990-05-04", "+52 55 1111 2222", None),      # 1
        ("Jimena", "Giménez", "1990-05-04", None, None),                           # 2 sounds like 1, same birthday
        ("Carlos", "Hernández", "1985-01-10", None, "carlos@example.com"),          # 3
        ("Karlos", "Ernandes", "1985-01-12", None, None),                           # 4 sounds like 3, 2 days apart
        ("Carlos", "Hernández", "1960-03-03", None, None),                          # 5 same name, other person
        ("Ana", "Ruiz", None, "55 1111 2222", None),                                # 6 same phone as 1
        ("Anita", "Ruiz", None, None, "Carlos@Example.com"),                         # 7 same e-mail as 3
        ("Luis", "Jiménez López", "1992-08-08", None, None),                        # 8 sibling of 1: not a duplicate
    ]
    engine = make_engine(db_url)
    with UnitOfWork(engine) as uow:
        from salon_cli.services.clients import profiles as clients
        from salon_cli.services.salon import locations
        from salon_cli.services.salon.actors import SYSTEM

        loc = locations.resolve(uow.session, None)
        for first, last, born, phone, email in people:
            # add() refuses duplicate contacts: seed those straight into the table, as an old import would
            view = clients.add(uow.session, actor=SYSTEM, location=loc, first_name=first, last_name=last,
                               birthday=date.fromisoformat(born) if born else None)
            row = clients.get(uow.session, view.id)
            if phone:
                row.phone = clients.check_phone(phone, loc)[0]
            if email:
                row.email = email.lower()
            uow.session.add(row)
        uow.commit()
    with UnitOfWork(engine, write=False) as uow:
        found = {(p.client_id, p.duplicate_id): (p.score, p.reason) for p in client_duplicates.find(uow.session)}
        strict = client_duplicates.find(uow.session, min_score=90)
    engine.dispose()
    assert found == {
        (1, 6): (100, "same phone"),
        (3, 7): (100, "same e-mail"),
        (1, 2): (95, "names sound alike, same birthday"),
        (3, 4): (85, "names sound alike, birthdays 2 days apart"),
    }
    assert {(p.client_id, p.duplicate_id) for p in strict} == {(1, 6), (3, 7), (1, 2)}
    rows = json.loads(salon(db_url, "client", "duplicates", "-f", "json").stdout)
    assert rows[0]["score"] == 100 and {"client_id", "duplicate_id", "score", "reason"} <= set(rows[0])
    assert salon(db_url, "client", "duplicates", "--min-score", "101").code == 2
    assert salon(db_url, *OWNER, "client", "merge", "1", "2").code == 0
    after = {(r["client_id"], r["duplicate_id"]) for r in json.loads(salon(db_url, "client", "duplicates", "-f", "json").stdout)}
    assert (1, 2) not in after
