"""`client search PERA01` finds the client whose code in another system it is, in any case, first (score
100, `matched_on` "external_code"), beside the e-mail and phone hits the same text makes; merged clients
never; through the column's index (SQLite's plan says so), not a scan. SQLite and PostgreSQL (`db_url`)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from cli_helpers import salon as run
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.clients import profiles, search as client_search
from salon_cli.services.salon import locations
from shop import OWNER


def test_a_client_is_found_by_their_external_code_in_any_case(db_url, salon, engine):
    with UnitOfWork(engine) as uow:
        s, loc = uow.session, locations.resolve(uow.session, None)
        ids = {who: profiles.add(s, actor=OWNER, location=loc, first_name=first, last_name=last, **more).id
               for who, first, last, more in (
                   ("ana", "Ana", "Peral", {"external_code": "PERA01"}),
                   ("pedro", "Pedro", "Gil", {"email": "pera01@example.com"}),
                   ("luis", "Luis", "Mil", {"external_code": "1001"}),
                   ("rosa", "Rosa", "Vela", {"phone": "5510010000"}),
                   ("old", "Olga", "Duplicada", {"external_code": "OLD9"}))}
        s.execute(sa.text("UPDATE client SET merged_into_id = :into WHERE id = :old"),
                  {"into": ids["ana"], "old": ids["old"]})
        uow.commit()
    with UnitOfWork(engine) as uow:
        def found(query):
            return [(h.id, h.score, h.matched_on) for h in client_search.search(uow.session, query)]

        assert found("PERA01") == found("pera01") == found(" Pera01 ") == [
            (ids["ana"], 100.0, "external_code"), (ids["pedro"], 95.0, "email")]
        assert found("1001")[:2] == [(ids["luis"], 100.0, "external_code"), (ids["rosa"], found("1001")[1][1], "phone")]
        assert found("1001")[1][1] < 100
        assert found("OLD9") == [] and found("PERA0") == [(ids["pedro"], found("PERA0")[0][1], "email")]
        if uow.session.get_bind().dialect.name == "sqlite":  # one index probe a keystroke, whatever the clients
            plan = " ".join(str(r[-1]) for r in uow.session.execute(
                sa.text("EXPLAIN QUERY PLAN " + client_search._EXTERNAL.text.replace(":codes", "(:a, :b)")),
                {"a": "PERA01", "b": "pera01", "most": 10}))
            assert "USING INDEX ix_client_external_code" in plan, plan
    [hit, *_] = json.loads(run(db_url, "client", "search", "pera01", "-f", "json").stdout)
    assert (hit["id"], hit["first_name"], hit["score"], hit["matched_on"]) == (ids["ana"], "Ana", 100.0, "external_code")
