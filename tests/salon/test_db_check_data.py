"""`salon db check --data` (issue 31): the clients' stored phones that phonenumbers does not find valid
(accepted before the country plans were checked, or moved in by a migration as written), listed with
why; exit 1 when there is one, 0 when none; nothing is rewritten. Both databases.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from cli_helpers import INIT, OWNER, js, ok, salon
from salon_cli.db.engine import make_engine


def _phones(db_url: str) -> list[tuple]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, phone, phone2, emergency_phone FROM client ORDER BY id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_db_check_data_lists_the_invalid_phones_and_changes_nothing(db_url, engine, clock):
    ok(db_url, *INIT)
    ana = js(db_url, *OWNER, "client", "add", "--first", "Ana", "--last", "Ruiz", "--phone", "55 1234 5678")["id"]
    eva = js(db_url, *OWNER, "client", "add", "--first", "Eva", "--last", "Sanz", "--phone", "+34 612 34 56 78",
             "--phone2", "55 2222 3333")["id"]
    leo = js(db_url, *OWNER, "client", "add", "--first", "Leo", "--last", "Paz", "--phone", "55 8765 4321")["id"]
    clean = salon(db_url, "db", "check", "--data")
    assert clean.code == 0, clean.stderr
    assert clean.stderr.splitlines() == ["schema at head (0023_location_country)",
                                         "data: every stored phone is a valid number"]
    assert clean.stdout == ""
    assert json.loads(ok(db_url, "db", "check", "--data", "-f", "json").stdout) == []

    # what the hand-made tables accepted, and what a migration moved in as written
    with engine.begin() as conn:
        for client_id, column, value in ((ana, "phone", "+15551234567"), (eva, "phone2", "+5215522223333"),
                                         (eva, "emergency_phone", "55 12 ab"), (leo, "phone", "+5255876543")):
            conn.execute(sa.text(f"UPDATE client SET {column} = :v WHERE id = :id"), {"v": value, "id": client_id})
    before = _phones(db_url)

    run = salon(db_url, "db", "check", "--data", "-f", "json")
    assert run.code == 1
    assert run.stderr.splitlines() == [
        "schema at head (0023_location_country)",
        "error: 4 stored phones of 3 clients are not valid",
        "hint: correct each with: salon client edit ID --phone ... (or --phone2, --emergency-phone)"]
    assert json.loads(run.stdout) == [
        {"id": ana, "name": "Ana Ruiz", "field": "phone", "phone": "+15551234567",
         "reason": "is not a valid +1 number: its area code or range is not in the country's plan"},
        {"id": eva, "name": "Eva Sanz", "field": "phone2", "phone": "+5215522223333",
         "reason": "is not stored in E.164: the number is +525522223333"},
        {"id": eva, "name": "Eva Sanz", "field": "emergency_phone", "phone": "55 12 ab",
         "reason": "is not in E.164 (no + and country code)"},
        {"id": leo, "name": "Leo Paz", "field": "phone", "phone": "+5255876543",
         "reason": "has 8 digits after +52; numbers there have 10"},
    ]
    assert _phones(db_url) == before  # reported, never rewritten

    table = salon(db_url, "db", "check", "--data")
    assert table.code == 1
    assert "+15551234567" in table.stdout and "Eva Sanz" in table.stdout and "reason" in table.stdout
    # without --data: the schema only, as before
    assert salon(db_url, "db", "check").code == 0
    # corrected by hand, the check passes
    for client_id, args in ((ana, ["--phone", "55 1111 2222"]), (eva, ["--phone2", "", "--emergency-phone", ""]),
                            (leo, ["--phone", "55 8765 4321"])):
        ok(db_url, *OWNER, "client", "edit", str(client_id), *args)
    assert salon(db_url, "db", "check", "--data").code == 0
