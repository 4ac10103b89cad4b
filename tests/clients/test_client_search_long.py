"""Long queries (issue 26, item 16): the search reads at most `MAX_QUERY` characters, cut between
words where it can, says so, and finds what the query's first words find, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlmodel import Session

from salon_cli.core.text import name_key
from salon_cli.db.models import Client
from salon_cli.services.clients import name_index
from salon_cli.services.clients.search import MAX_QUERY, bound_query, index_client, search

NOW = datetime(2026, 11, 21, 17, 0, tzinfo=timezone.utc)
PAIR = "ximena jimenez "  # 15 characters


def test_the_bound_is_a_hundred_characters():
    assert MAX_QUERY == 100


def test_a_short_query_is_left_alone():
    assert bound_query("  ximena jim") == ("ximena jim", None, True)
    assert bound_query("ximena jimenez ") == ("ximena jimenez", None, False)  # the last word is done
    exact = "a" * 100
    assert bound_query(exact) == (exact, None, True)
    assert bound_query(" " * 500 + "ximena") == ("ximena", None, True)  # spaces around do not count


def test_a_long_query_is_cut_between_words():
    cut = bound_query(PAIR * 20)  # 300 characters, 40 words
    assert cut.text == (PAIR * 6 + "ximena")  # 96: 'jimenez' would end past 100
    assert len(cut.text) <= MAX_QUERY and not cut.typing  # every word kept was finished
    assert cut.warning == "query cut to 100 characters; the last 27 words were ignored"
    cut = bound_query("a" * 100 + " b")  # the bound falls between two words: nothing of the first is lost
    assert (cut.text, cut.warning) == ("a" * 100, "query cut to 100 characters; the last word was ignored")


def test_a_word_longer_than_the_bound_is_cut_in_the_middle():
    cut = bound_query("x" * 2_000)
    assert cut.text == "x" * 100 and cut.typing  # only its start is known: searched as a start
    assert cut.warning == "query cut to 100 characters; only the start of a 2000-character word was searched"
    cut = bound_query("x" * 150 + " ximena jimenez")
    assert cut.text == "x" * 100
    assert cut.warning == ("query cut to 100 characters; only the start of a 150-character word was searched, "
                           "and the last 2 words were ignored")


def _add(session: Session, first: str, last: str, n: int) -> Client:
    client = Client(first_name=first, last_name=last, name_key=name_key(first, last), created_at=NOW,
                    phone=f"+5255{n:08d}", email=f"c{n}@example.com")
    session.add(client)
    session.flush()
    index_client(session, client)
    return client


@pytest.fixture
def clients(engine) -> dict[str, int]:
    with Session(engine) as session:
        ids = {f"{first} {last}": _add(session, first, last, n).id for n, (first, last) in enumerate([
            ("Ximena", "Jiménez"), ("Jimena", "Vázquez"), ("Rosa", "Jiménez"), ("Carlos", "Hernández"),
            ("Ximena", "Ibáñez"), ("Xóchitl", "Ramos")])}
        session.commit()
    return ids


@pytest.mark.parametrize("long", [
    PAIR * 134,  # 2,010 characters of the name said again and again
    PAIR + "x" * 2_000,  # the name, then a pasted 2,000-character word
    PAIR + "lorem ipsum dolor " * 112,  # the name, then 2,000 characters of other words
    " " * 1_000 + PAIR * 2 + " " * 1_000,  # spaces around do not count
], ids=["repeated", "then-a-long-word", "then-other-words", "spaces-around"])
def test_a_long_query_finds_what_its_start_finds(engine, clients, long, monkeypatch):
    spoken = []
    real = name_index.codes_one_slip_away
    monkeypatch.setattr(name_index, "codes_one_slip_away", lambda word: spoken.append(word) or real(word))
    with Session(engine) as session:
        hits = search(session, long, limit=5)
        short = search(session, "Ximena Jiménez", limit=5)
    assert len(long) > 1_000
    assert hits and hits[0].id == short[0].id == clients["Ximena Jiménez"]
    assert all(len(word) <= MAX_QUERY for word in spoken)  # the phonetic work is bounded


def test_a_single_2000_character_word_finishes(engine, clients):
    with Session(engine) as session:
        assert search(session, "x" * 2_000) == []
        assert search(session, "ximena" * 340)[:1] == []  # 2,040 characters: no one is called that
        assert search(session, "5" * 2_000) == []  # all digits: a phone search on the first 100
        assert search(session, "a@" * 1_000) == []  # an e-mail search on the first 100


def test_cli_search_warns_on_stderr_and_keeps_stdout_data(db_url, engine, clients):
    import salon_cli.cli.clients.search  # noqa: F401  (adds `client search` to client_app)
    from cli_helpers import salon

    run = salon(db_url, "client", "search", PAIR + "lorem ipsum dolor " * 112, "-f", "json")
    assert run.code == 0, run.stderr
    # 'ximena jimenez' and 4 x 'lorem ipsum dolor' and 'lorem ipsum' (98 characters) of 338 words
    assert run.stderr == "warning: query cut to 100 characters; the last 322 words were ignored\n"
    rows = json.loads(run.stdout)
    assert rows[0]["id"] == clients["Ximena Jiménez"]

    run = salon(db_url, "client", "search", "x" * 2_000)
    assert run.code == 0 and run.stdout.split() == ["id", "first_name", "last_name", "phone", "email", "birthday",
                                                    "tags", "score"]
    assert run.stderr.startswith("warning: query cut to 100 characters; only the start of a 2000-character word")

    run = salon(db_url, "client", "search", "Ximena Jiménez", "-f", "json")
    assert run.code == 0 and run.stderr == ""
    assert f"first {MAX_QUERY} characters" in salon_cli.cli.clients.search.search.__doc__  # --help says so
    assert json.loads(run.stdout)[0]["id"] == clients["Ximena Jiménez"]
