"""`client stats` on a salon that moved in today (SQLite and PostgreSQL): every client row was written
today by the import, yet a client is new only when their first visit was in the last 30 days, active
with a visit in the last 30, churned with none in the last 90, all read from the imported visits.

The clock is Saturday 2026-11-21 11:00 in Mexico City.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from cli_helpers import INIT, OWNER, js, ok

DESK = ["--as", "sofia"]
CLIENTS = """\
first_name,last_name,external_code
Olga,Antigua,OLD1
Oscar,Lejano,OLD2
Nora,Reciente,NEW1
Nadia,Sinvisitas,NOVIS
"""
BOOKINGS = """\
external_id,client,service,staff,date,time,status,price
B-1,OLD1,corte,ana,2024-11-02,10:00,completed,300.00
B-2,OLD1,corte,ana,2026-11-11,10:00,completed,350.00
B-3,OLD2,corte,ana,2026-05-05,12:00,completed,320.00
B-4,NEW1,corte,ana,2026-11-16,16:00,completed,350.00
B-5,NEW1,corte,ana,2026-11-19,16:00,completed,350.00
B-6,NOVIS,corte,ana,2026-11-18,09:00,no_show,350.00
B-7,NOVIS,corte,ana,2026-11-28,09:00,booked,350.00
"""


def test_new_active_and_churned_come_from_the_imported_visits(db_url, clock, tmp_path):
    ok(db_url, *INIT)
    for args in (["staff", "add", "Sofía Muñoz", "--code", "sofia", "--role", "receptionist", "--pin", "3333"],
                 ["staff", "add", "Ana Díaz", "--code", "ana", "--role", "stylist", "--pin", "4444"],
                 ["service", "add", "Corte dama", "--code", "corte", "--duration", "45", "--price", "350"]):
        ok(db_url, *OWNER, *args)
    for name, text in (("clients", CLIENTS), ("appointments", BOOKINGS)):
        (tmp_path / f"{name}.csv").write_text(text)
        ok(db_url, *DESK, "import", name, str(tmp_path / f"{name}.csv"))
    ok(db_url, *DESK, "client", "add", "--first", "Dora", "--last", "Mostrador")  # on file today, not come yet
    listed = js(db_url, "client", "list")
    assert {c["created_at"][:10] for c in listed} == {"2026-11-21"}  # every row written today

    visits: dict[str, list[tuple[str, int]]] = {}
    for row in csv.DictReader(io.StringIO(BOOKINGS)):
        if row["status"] == "completed":
            visits.setdefault(row["client"], []).append((row["date"], int(Decimal(row["price"]) * 100)))
    # the file's own reading: new = first visit on or after 2026-10-22 (30 days back), active = last visit
    # then too, churned = last visit before 2026-08-23 (90 days back)
    firsts = {code: min(d for d, _ in v) for code, v in visits.items()}
    lasts = {code: max(d for d, _ in v) for code, v in visits.items()}
    spent = sum(cents for v in visits.values() for _, cents in v)
    stats = js(db_url, "client", "stats")
    assert (stats["total"], stats["new_30d"], stats["active_30d"], stats["churned_90d"]) == (
        5, sum(d >= "2026-10-22" for d in firsts.values()), sum(d >= "2026-10-22" for d in lasts.values()),
        sum(d < "2026-08-23" for d in lasts.values())) == (5, 1, 2, 1)
    # lifetime value and visits over the three clients who came: 167000 / 3 = 55666.67 -> 55667; 5 / 3
    assert (stats["avg_clv_cents"], stats["avg_visits"]) == ((2 * spent + 3) // 6, 1.67) == (55667, 1.67)
    assert [(t["name"], t["visits"], t["total_spent_cents"]) for t in stats["top_clients"]] == [
        ("Nora Reciente", 2, 70000), ("Olga Antigua", 2, 65000), ("Oscar Lejano", 1, 32000)]
