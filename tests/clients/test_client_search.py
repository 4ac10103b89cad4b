"""Client search on SQLite and PostgreSQL: names by sound and with slips, phone digits, e-mail
prefixes, merged clients hidden, the index kept up to date, and `salon client search`."""

from __future__ import annotations

import importlib.util
import json
import random
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from salon_cli.core.phonetics import name_tokens, sound_code
from salon_cli.core.text import name_key
from salon_cli.db.models import Client, ClientSearchKey, ClientTag
from salon_cli.services.clients.search import ClientHit, index_client, keys_for, reindex_all, search

NOW = datetime(2026, 11, 21, 17, 0, tzinfo=timezone.utc)

# The intended clients, and what a receptionist may type for each: spellings that sound the
# same, and one slip (a letter dropped, swapped or doubled).
PLANTED: dict[tuple[str, str], list[str]] = {
    ("Ximena", "Jiménez"): ["Jimena Gimenez", "Ximena Jimenes", "Ximena Jmenez", "Xiemna Jiménez", "jimena jimenes"],
    ("Rosa", "Vázquez"): ["Rosa Basquez", "Rosa Vasques", "Rosa Vazquz", "Rsoa Vázquez", "ROSA VAZQUEZ"],
    ("Carlos", "Hernández"): ["Carlos Ernandes", "Carlos Hernadez", "Carlos Hrenandez", "Carlos Hernanddez",
                              "Karlos Hernández", "Hernández Carlos"],
    ("Lucía", "Yáñez"): ["Llanes", "Lucia Llanes", "Lusia Yanes", "Yanez"],
    ("María", "González"): ["Maria Gonsales", "María Gonzales", "Mraia González", "Maria Gonzalezz"],
    ("Catherine", "Smith"): ["Katherine Smith", "Catherine Smiht", "Catherine Smitth", "Catherin Smith"],
    ("Steven", "Brown"): ["Stephen Brown", "Steven Bron", "Stevn Brown", "Stephen Browne"],
    ("Guillermo", "Quintero"): ["Gillermo Kintero", "Guillermo Qintero"],
    ("Yolanda", "Rodríguez"): ["Llolanda Rodrigues", "Yolanda Rodirguez"],
    ("Cecilia", "Phillips"): ["Sesilia Filips", "Cecilia Philips"],
    ("Sarah", "Thompson"): ["Sara Tomson", "Sarah Thomspon"],
}


def _bench_module():
    """The benchmark's name generator: realistic Spanish and English names, skewed frequencies."""
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "client_search.py"
    spec = importlib.util.spec_from_file_location("client_search_benchmark", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _codes(first: str, last: str) -> set[str]:
    return {sound_code(w) for w in name_tokens(f"{first} {last}")}


def _row(first: str, last: str, n: int, **more) -> dict:
    return {"first_name": first, "last_name": last, "name_key": name_key(first, last), "created_at": NOW,
            "phone": more.get("phone", f"+5255{n:08d}"), "email": more.get("email", f"c{n}@example.com"),
            **{k: v for k, v in more.items() if k not in ("phone", "email")}}


def _add(session: Session, first: str, last: str, **fields) -> Client:
    client = Client(first_name=first, last_name=last, name_key=name_key(first, last), created_at=NOW, **fields)
    session.add(client)
    session.flush()
    index_client(session, client)
    return client


@pytest.fixture
def book(engine):
    """10,000 generated clients plus the planted ones (no generated client sounds like a
    planted one, nor carries the surname of Lucía Yáñez, asked for by surname alone)."""
    population = _bench_module().Population(random.Random(3))
    planted_codes = [_codes(*name) for name in PLANTED]
    rows, n = [], 0
    while len(rows) < 10_000:
        first, last = population.name()
        codes = _codes(first, last)
        if any(p <= codes for p in planted_codes) or sound_code("Yáñez") in codes:
            continue
        rows.append(_row(first, last, n))
        n += 1
    with Session(engine) as session:
        session.execute(sa.insert(Client), rows)
        ids = {}
        for first, last in PLANTED:
            n += 1
            ids[first, last] = session.execute(
                sa.insert(Client).values(**_row(first, last, n)).returning(Client.id)).scalar_one()
        assert reindex_all(session) == 10_000 + len(PLANTED)
        session.commit()
    return ids


def test_phonetic_and_typo_queries_find_the_intended_client_first(engine, book):
    wrong = []
    with Session(engine) as session:
        for name, queries in PLANTED.items():
            for query in queries:
                hits = search(session, query, limit=5)
                if not hits or hits[0].id != book[name]:
                    wrong.append((query, name, [(h.first_name, h.last_name, h.score) for h in hits[:3]]))
    assert not wrong, "\n".join(map(str, wrong))


def test_hits_carry_the_client_record_and_a_score(engine, book):
    with Session(engine) as session:
        hits = search(session, "Jimena Gimenez", limit=10)
    first = hits[0]
    assert isinstance(first, ClientHit)
    assert (first.first_name, first.last_name, first.matched_on) == ("Ximena", "Jiménez", "name")
    assert first.phone and first.email and first.tags == () and first.no_show_count == 0
    assert 0 < first.score < 100  # sounds the same, not spelled the same
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 100 for s in scores)
    assert len(hits) == 10


def test_half_typed_words_find_clients_as_the_receptionist_types(engine, book):
    with Session(engine) as session:
        assert any(h.last_name == "Jiménez" for h in search(session, "ximena jim"))
        assert search(session, "ximena jim")[0].id == book["Ximena", "Jiménez"]
        assert search(session, "carlos hern")[0].id == book["Carlos", "Hernández"]
        assert all(h.score > 0 for h in search(session, "hern"))
        assert search(session, "x") and search(session, "ste")


def test_the_index_stays_small(engine, book):
    with Session(engine) as session:
        rows = session.execute(sa.select(sa.func.count()).select_from(ClientSearchKey)).scalar_one()
    assert rows / (10_000 + len(PLANTED)) < 9
    assert len(keys_for("María Guadalupe", "Hernández López")) <= 2 * 4 + 6


def test_phone_by_any_run_of_digits(engine):
    with Session(engine) as session:
        ana = _add(session, "Ana", "Ruiz", phone="+525512345678")
        _add(session, "Eva", "Soto", phone="+525598765432")
        for query in ["5512345678", "1234", "345", "+52 55 1234 5678", "(55) 1234-5678"]:
            hits = search(session, query)
            assert [h.id for h in hits] == [ana.id], query
            assert hits[0].matched_on == "phone"
        assert search(session, "+525512345678")[0].score == 100
        assert search(session, "12") == []  # fewer than three digits: no phone search
        assert search(session, "000") == []


def test_email_by_prefix(engine):
    with Session(engine) as session:
        ana = _add(session, "Ana", "Ruiz", email="ana.ruiz@example.com")
        anabel = _add(session, "Anabel", "Mora", email="anabel@example.net")
        _add(session, "Eva", "Soto", email="axb_c@example.com")
        assert [h.id for h in search(session, "ana.ruiz@")] == [ana.id]
        assert [h.id for h in search(session, "ana.r")] == [ana.id]
        assert search(session, "ANA.RUIZ@EXAMPLE.COM")[0].score == 100
        assert {h.id for h in search(session, "ana")} >= {ana.id, anabel.id}  # names and e-mails
        assert search(session, "a_b") == []  # '_' is a letter here, not a LIKE wildcard
        assert search(session, "ruiz@") == []  # a prefix, not anywhere


def test_merged_clients_never_show(engine):
    with Session(engine) as session:
        keep = _add(session, "Ximena", "Jiménez", phone="+525511112222", email="xj@example.com")
        dup = _add(session, "Jimena", "Giménez", phone="+525533334444", email="jimena@example.com")
        assert {h.id for h in search(session, "jimena gimenez")} == {keep.id, dup.id}
        dup.merged_into_id = keep.id
        session.add(dup)
        index_client(session, dup)
        assert [h.id for h in search(session, "jimena gimenez")] == [keep.id]
        assert search(session, "33334444") == [] and search(session, "jimena@") == []
        assert reindex_all(session) == 1
        assert [h.id for h in search(session, "Jimena Giménez")] == [keep.id]


def test_index_client_after_a_rename_updates_results(engine):
    with Session(engine) as session:
        client = _add(session, "Rosa", "Vázquez")
        assert search(session, "rosa basquez")[0].id == client.id
        client.first_name, client.last_name = "Rosalía", "Quintero"
        session.add(client)
        index_client(session, client)
        assert search(session, "rosa basquez") == []
        assert search(session, "rosalia kintero")[0].id == client.id
        stored = session.execute(sa.select(ClientSearchKey.key).where(ClientSearchKey.client_id == client.id)).scalars()
        assert set(stored) == {key for _, key in keys_for("Rosalía", "Quintero")}


def test_tags_and_flags_come_with_the_hit(engine):
    with Session(engine) as session:
        client = _add(session, "Lucía", "Yáñez", birthday=date(1990, 4, 12), no_show_count=3, deposit_required=True)
        session.add_all([ClientTag(client_id=client.id, tag="vip"), ClientTag(client_id=client.id, tag="color")])
        session.flush()
        hit = search(session, "llanes")[0]
    assert (hit.id, hit.tags, hit.birthday, hit.no_show_count, hit.deposit_required) == (
        client.id, ("color", "vip"), date(1990, 4, 12), 3, True)


def test_nothing_to_search_for(engine):
    with Session(engine) as session:
        _add(session, "Ana", "Ruiz")
        assert search(session, "") == [] and search(session, "   ") == [] and search(session, "--") == []
        assert search(session, "ana", limit=0) == []


# -- the command ----------------------------------------------------------------------------------


def test_cli_search_prints_clients_with_their_score(engine, db_url):
    import salon_cli.cli.clients.search  # noqa: F401  (adds `client search` to client_app)
    from cli_helpers import salon

    with Session(engine) as session:
        ximena = _add(session, "Ximena", "Jiménez", phone="+525512345678", email="xj@example.com")
        _add(session, "Rosa", "Vázquez", phone="+525598765432")
        session.add(ClientTag(client_id=ximena.id, tag="vip"))
        session.commit()
        ximena_id = ximena.id

    run = salon(db_url, "client", "search", "jimena gimenez", "-f", "json")
    assert run.code == 0, run.stderr
    rows = json.loads(run.stdout)
    assert rows == [{
        "id": ximena_id, "first_name": "Ximena", "last_name": "Jiménez", "phone": "+525512345678",
        "email": "xj@example.com", "birthday": None, "tags": ["vip"], "no_show_count": 0,
        "deposit_required": False, "score": 96.0, "matched_on": "name",
    }]

    run = salon(db_url, "client", "search", "5512")
    assert run.code == 0
    assert run.stdout.splitlines()[0].split() == ["id", "first_name", "last_name", "phone", "email",
                                                  "birthday", "tags", "score"]
    assert run.stdout.splitlines()[1].split()[:3] == [str(ximena_id), "Ximena", "Jiménez"]

    run = salon(db_url, "client", "search", "nadie aqui", "-f", "ndjson")
    assert (run.code, run.stdout) == (0, "")

    run = salon(db_url, "client", "search", "  ")
    assert run.code == 2 and run.stderr.startswith("error: nothing to search for")
