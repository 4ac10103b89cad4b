"""Where `salon export --output FILE` and `salon import --skip-bad --rejects FILE` may write (issue 26, item 14).

Never onto the live SQLite database or its -wal/-shm/-journal files, however the path is spelt (a
symlink, `x/../salon.db`, a hard link), not even with --force; onto an existing file only when it is a
previous export of the same kind (or a previous rejects file), or empty, unless --force. A refusal is
exit 2 with one `error:` line naming the path, and nothing is written: not the file, not its `.part`,
not the import. Rejects files are created 0600, as exports are.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from cli_helpers import INIT, OWNER, salon

DESK = ["--as", "lucia"]
EXPORTS = ("clients", "appointments", "sales", "sale-lines", "payments", "expenses", "loyalty", "audit")


@pytest.fixture
def shop(db_url, clock):
    assert salon(db_url, *INIT).code == 0
    run = salon(db_url, *DESK, "client", "add", "--first", "Ana", "--last", "Ruiz", "--phone", "+5215512345678")
    assert run.code == 0, run.stderr
    return db_url


@pytest.fixture
def private_umask():
    old = os.umask(0o022)  # the common umask: what salon creates must be 0600 anyway
    yield
    os.umask(old)


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _refused(run, named):
    assert run.code == 2, (run.code, run.stdout, run.stderr)
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], run.stderr
    assert "Traceback" not in run.stderr
    return lines[0]


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def _quiet():
    """Close what earlier in-process commands left open: SQLite then leaves its files alone."""
    import gc

    from salon_cli.db.engine import dispose_all

    gc.collect()
    dispose_all()


def _live_database(tmp_path):
    """The SQLite file of `sqlite_url` and its side files, each with its content's digest."""
    db = tmp_path / "salon.db"
    return {p: _digest(p) for p in (db, tmp_path / "salon.db-wal", tmp_path / "salon.db-shm",
                                     tmp_path / "salon.db-journal")}


def test_export_never_writes_onto_the_live_database_or_its_wal_and_shm_even_forced(sqlite_url, clock, tmp_path,
                                                                                   monkeypatch):
    assert salon(sqlite_url, *INIT).code == 0
    assert salon(sqlite_url, *DESK, "client", "add", "--first", "Ana", "--last", "Ruiz").code == 0
    (tmp_path / "x").mkdir()
    (tmp_path / "link.db").symlink_to(tmp_path / "salon.db")
    os.link(tmp_path / "salon.db", tmp_path / "hard.db")
    _quiet()
    (tmp_path / "salon.db-wal").write_bytes(b"")  # as SQLite may leave it between runs, or absent: both refused
    monkeypatch.chdir(tmp_path)
    before = _live_database(tmp_path)
    spellings = ["salon.db", "./x/../salon.db", str(tmp_path / "salon.db"), "link.db", "hard.db",
                 "salon.db-wal", "x/../salon.db-shm", "salon.db-journal"]
    for path in spellings:
        for force in ([], ["--force"]):
            for what in ("clients", "audit"):
                for fmt in ("csv", "json"):
                    run = salon(sqlite_url, "export", what, "-f", fmt, "--output", path, *force)
                    line = _refused(run, str(Path(path)))  # as typed, less a leading ./
                    assert "database" in line, line
                    assert _live_database(tmp_path) == before, (path, force)
                    assert not list(tmp_path.glob("*.part")) and not list((tmp_path / "x").iterdir())
    # the database is whole: its data reads back as before
    clients = json.loads(salon(sqlite_url, "export", "clients", "-f", "json").stdout)
    assert [c["first_name"] for c in clients] == ["Ana"]
    # a name beside it is fine
    assert salon(sqlite_url, "export", "clients", "--output", "salon.db.csv").code == 0


def test_a_private_export_refused_for_its_target_is_not_audited_as_done(sqlite_url, clock, tmp_path):
    assert salon(sqlite_url, *INIT).code == 0
    run = salon(sqlite_url, *OWNER, "export", "clients", "--include-private", "--output", str(tmp_path / "salon.db"))
    _refused(run, str(tmp_path / "salon.db"))
    audit = json.loads(salon(sqlite_url, "export", "audit", "-f", "json").stdout)
    assert "client.export_private" not in [row["action"] for row in audit]


def test_export_replaces_only_its_own_previous_export_unless_forced(shop, tmp_path):
    letter = tmp_path / "carta.txt"
    letter.write_text("Querida Ana,\nno me borres.\n", encoding="utf-8")
    for what in EXPORTS:
        for fmt in ("csv", "json", "ndjson"):
            out = tmp_path / f"{what}.{fmt}"
            first = salon(shop, *OWNER, "export", what, "-f", fmt, "--output", str(out))
            assert first.code == 0, first.stderr
            for again in ("csv", "json", "ndjson"):  # its own export, in any of its formats: replaced
                run = salon(shop, *OWNER, "export", what, "-f", again, "--output", str(out))
                assert run.code == 0, (what, fmt, again, run.stderr)
            # a stranger's file is kept
            run = salon(shop, *OWNER, "export", what, "-f", fmt, "--output", str(letter))
            line = _refused(run, str(letter))
            assert "--force" in line and f"{what.replace('-', ' ')} export" in line
            assert letter.read_text(encoding="utf-8") == "Querida Ana,\nno me borres.\n"
            assert not (tmp_path / "carta.txt.part").exists()
    # another export's file is not this export's: kept too
    for theirs in ("clients.csv", "clients.json", "clients.ndjson"):
        kept = _digest(tmp_path / theirs)
        run = salon(shop, *OWNER, "export", "payments", "--output", str(tmp_path / theirs))
        _refused(run, str(tmp_path / theirs))
        assert _digest(tmp_path / theirs) == kept
    # an empty file (mktemp) holds nothing to lose; a folder is never a file to replace
    empty = tmp_path / "tmp.XXXX"
    empty.touch()
    assert salon(shop, "export", "clients", "--output", str(empty)).code == 0
    assert empty.read_text(encoding="utf-8").startswith("id,first_name,")
    (tmp_path / "carpeta").mkdir()
    _refused(salon(shop, "export", "clients", "--output", str(tmp_path / "carpeta"), "--force"),
             str(tmp_path / "carpeta"))
    # --force replaces the stranger's file
    forced = salon(shop, "export", "clients", "-f", "json", "--output", str(letter), "--force")
    assert forced.code == 0, forced.stderr
    assert [c["first_name"] for c in json.loads(letter.read_text(encoding="utf-8"))] == ["Ana"]


def test_the_rule_is_in_the_help_of_every_export(shop):
    for what in EXPORTS:
        run = salon(None, "export", what, "--help")
        assert run.code == 0
        text = " ".join(run.stdout.split())
        assert "--force" in text and "--raw" in text, what
        assert "previous" in text and "database" in text, what


def _bad_rows(tmp_path):
    source = tmp_path / "nuevos.csv"
    source.write_text("first_name,last_name,birthday\nBea,Sol,1990-01-02\nCarla,Mar,not a day\n", encoding="utf-8")
    return source


def _count_clients(url):
    return len(json.loads(salon(url, "export", "clients", "-f", "json").stdout))


def test_import_rejects_never_land_on_the_database_or_a_strangers_file(sqlite_url, clock, tmp_path, monkeypatch):
    assert salon(sqlite_url, *INIT).code == 0
    source = _bad_rows(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").mkdir()
    _quiet()
    before = _live_database(tmp_path)
    for path in ("salon.db", "./x/../salon.db", "salon.db-wal", "salon.db-shm"):
        for force in ([], ["--force"]):
            run = salon(sqlite_url, *DESK, "import", "clients", str(source), "--skip-bad", "--rejects", path, *force)
            assert "database" in _refused(run, str(Path(path)))
            assert _live_database(tmp_path) == before
    assert _count_clients(sqlite_url) == 0  # refused before the import: nothing imported either


def test_import_rejects_replace_only_a_previous_rejects_file_unless_forced(db_url, clock, tmp_path, private_umask):
    assert salon(db_url, *INIT).code == 0
    source = _bad_rows(tmp_path)
    rejects = tmp_path / "nuevos.rejected.csv"
    done = salon(db_url, *DESK, "import", "clients", str(source), "--skip-bad", "-f", "json")
    assert done.code == 0, done.stderr
    assert _mode(rejects) == 0o600  # created private whatever the umask, as an export is
    assert rejects.read_text(encoding="utf-8").splitlines()[0] == "first_name,last_name,birthday,import_error"
    # a previous rejects file is replaced (the good row is here already: unchanged, the bad one refused again)
    again = salon(db_url, *DESK, "import", "clients", str(source), "--skip-bad", "-f", "json")
    assert again.code == 0, again.stderr
    # a stranger's file is kept, and the import does not run
    letter = tmp_path / "carta.csv"
    letter.write_text("nombre,telefono\nAna,555\n", encoding="utf-8")
    other = tmp_path / "otros.csv"
    other.write_text("first_name,last_name\nDora,Luz\nEva,\n", encoding="utf-8")
    run = salon(db_url, *DESK, "import", "clients", str(other), "--skip-bad", "--rejects", str(letter))
    line = _refused(run, str(letter))
    assert "--force" in line and "rejects" in line
    assert letter.read_text(encoding="utf-8") == "nombre,telefono\nAna,555\n"
    assert _count_clients(db_url) == 1
    # the input itself is not a rejects file either
    _refused(salon(db_url, *DESK, "import", "clients", str(source), "--skip-bad", "--rejects", str(source)),
             str(source))
    # --force replaces it, and keeps the mode the file had
    letter.chmod(0o640)
    forced = salon(db_url, *DESK, "import", "clients", str(source), "--skip-bad", "--rejects", str(letter), "--force")
    assert forced.code == 0, forced.stderr
    assert letter.read_text(encoding="utf-8").splitlines()[0].endswith(",import_error") and _mode(letter) == 0o640
    # a dry run writes no rejects file, so it checks none
    assert salon(db_url, *DESK, "import", "clients", str(other), "--skip-bad", "--dry-run",
                 "--rejects", str(source)).code == 0
    assert "--force" in " ".join(salon(None, "import", "clients", "--help").stdout.split())
