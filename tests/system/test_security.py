"""SECURITY.md, tested: private file modes, secrets kept out of every output and every row, the
webhook on loopback, and the PostgreSQL roles exactly as SECURITY.md writes them."""

from __future__ import annotations

import json
import os
import re
import stat
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from cli_helpers import INIT, OWNER, salon
from message_standins import MailServer, free_port
from salon_cli.core import clock as clock_module
from salon_cli.core.redact import redact_url
from salon_cli.core.text import name_key
from salon_cli.db import migrate
from salon_cli.db.engine import make_engine
from salon_cli.db.models import Client
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.record import photos as client_photos
from salon_cli.services.salon.actors import Actor
from salon_cli.services.till import membership_fees

ROOT = Path(__file__).resolve().parents[2]
DESK = Actor(id=1, code="lucia", name="Lucía", role="owner")

SMTP_PASSWORD = "smtp-Pa55-7f3e91aa"
TWILIO_TOKEN = "twilio-tok-0c4d82a1"
STRIPE_KEY = "sk_test_51Kq7Q2w9ZsecretStripeKey"
WEBHOOK_SECRET = "whsec_hook5ecretK3y77zz"
DB_PASSWORD = "pg-Pa55-e1d2c3b4"
SECRETS = (SMTP_PASSWORD, TWILIO_TOKEN, STRIPE_KEY, STRIPE_KEY[-12:], WEBHOOK_SECRET, DB_PASSWORD)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The most common umask (022): what salon creates must be private anyway."""
    old = os.umask(0o022)
    yield
    os.umask(old)


# ----------------------------------------------------------------------------- files


def test_a_new_sqlite_database_and_the_folders_made_for_it_are_private(tmp_path, loose_umask):
    (tmp_path / "shared").mkdir(mode=0o755)
    path = tmp_path / "shared" / "salon" / "data" / "salon.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as conn:  # an open connection keeps the WAL and shared-memory files
        conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar()
        assert {p.name: mode(p) for p in path.parent.iterdir()} == {
            "salon.db": 0o600, "salon.db-wal": 0o600, "salon.db-shm": 0o600}
    engine.dispose()
    assert mode(path.parent) == mode(path.parent.parent) == 0o700
    assert mode(tmp_path / "shared") == 0o755  # it existed: not ours to change


def test_the_default_database_in_salon_home_is_private(tmp_path, clock, loose_umask):
    home = tmp_path / "home"  # SALON_HOME (conftest); it does not exist yet
    assert not home.exists()
    run = salon(None, *INIT)
    assert run.code == 0, run.stderr
    assert mode(home) == 0o700 and mode(home / "salon.db") == 0o600
    assert "open to other users" not in run.stderr


def test_an_existing_database_keeps_its_mode_and_an_open_one_is_named(sqlite_url, clock):
    path = Path(make_url(sqlite_url).database)
    assert salon(sqlite_url, *INIT).code == 0
    path.chmod(0o640)  # shared with a group on purpose: fine, said nothing
    quiet = salon(sqlite_url, "staff", "list")
    assert quiet.code == 0 and quiet.stderr == "" and mode(path) == 0o640
    path.chmod(0o644)
    loud = salon(sqlite_url, "staff", "list", "-f", "json")
    assert loud.code == 0
    assert loud.stderr.splitlines() == [f"warning: {path} is open to other users of this machine (mode 644)",
                                        f"hint: chmod 600 {path}"]
    assert [s["code"] for s in json.loads(loud.stdout)] == ["lucia"]  # data on stdout as ever
    assert mode(path) == 0o644  # never changed behind the owner's back


def test_a_client_photo_and_its_folders_are_private(engine, salon, tmp_path, loose_umask):
    source = tmp_path / "antes.jpg"
    source.write_bytes(b"\xff\xd8\xff photo")
    source.chmod(0o644)
    media = tmp_path / "media"
    with UnitOfWork(engine) as uow:
        c = Client(first_name="Ana", last_name="Ruiz", name_key=name_key("Ana", "Ruiz"), created_at=clock_module.now())
        uow.session.add(c)
        uow.session.flush()
        membership_fees.subscribe(uow.session, actor=DESK, location=salon.location, client_id=c.id, plan_code="vip")
        first = client_photos.add_photo(uow.session, actor=DESK, media_root=media, client_id=c.id, source=source)
        (media / "clients").chmod(0o750)  # loosened by hand: the next photo does not change it
        second = client_photos.add_photo(uow.session, actor=DESK, media_root=media, client_id=c.id, source=source)
        uow.commit()
    for view in (first, second):
        photo = media / view.path
        assert photo.read_bytes() == b"\xff\xd8\xff photo" and mode(photo) == 0o600
    assert mode(media) == mode(media / "clients" / str(c.id)) == 0o700
    assert mode(media / "clients") == 0o750


def test_an_export_file_is_private_and_one_shared_on_purpose_stays_shared(sqlite_url, clock, tmp_path, loose_umask):
    assert salon(sqlite_url, *INIT).code == 0
    out = tmp_path / "clientes.csv"
    for what in ("clients", "appointments", "sales", "payments", "expenses"):
        out.unlink(missing_ok=True)
        run = salon(sqlite_url, *OWNER, "export", what, "--output", str(out))
        assert run.code == 0, run.stderr
        assert mode(out) == 0o600, what  # not the umask's 0644
    out.chmod(0o640)  # shared with the bookkeeper's group on purpose: a new export (of the same kind) keeps that
    assert salon(sqlite_url, *OWNER, "export", "expenses", "--output", str(out)).code == 0
    assert mode(out) == 0o640

    victim = tmp_path / "victim.txt"  # a link planted where the export writes its part file
    victim.write_text("keep me")
    planted = tmp_path / "ventas.csv.part"
    planted.symlink_to(victim)
    run = salon(sqlite_url, *OWNER, "export", "sales", "--output", str(tmp_path / "ventas.csv"))
    assert run.code == 0, run.stderr
    assert victim.read_text() == "keep me" and not planted.exists()
    assert mode(tmp_path / "ventas.csv") == 0o600 and not (tmp_path / "ventas.csv").is_symlink()


# ----------------------------------------------------------------------------- secrets


def test_database_passwords_are_never_shown():
    assert redact_url("postgresql://bob:s3cr:et@db.example:5432/salon") == "postgresql://bob:***@db.example:5432/salon"
    assert redact_url("bob:s3cret@db/salon") == "bob:***@db/salon"
    assert redact_url("postgresql://bob@db/salon?sslmode=require&password=x1") == (
        "postgresql://bob@db/salon?sslmode=require&password=***")
    assert redact_url("sqlite:////var/lib/salon/salon.db") == "sqlite:////var/lib/salon/salon.db"
    dead = free_port()
    for url, code, said in (
        (f"mysql://bob:{DB_PASSWORD}@db.example/salon", 2, "error: database URL 'mysql://bob:***@db.example/salon' "
                                                           "is not SQLite or PostgreSQL (psycopg)"),
        (f"bob:{DB_PASSWORD}@db.example/salon", 2, "error: database URL 'bob:***@db.example/salon' is not valid"),
        (f"postgresql://bob:{DB_PASSWORD}@127.0.0.1:{dead}/salon", 1, f'port {dead} failed: Connection refused'),
        (f"postgresql://bob:{DB_PASSWORD}@127.0.0.1:port/salon", 1, "error: "),
    ):
        run = salon(url, "client", "list")
        assert run.code == code and said in run.stderr, run.stderr
        assert DB_PASSWORD not in run.stdout + run.stderr


def _dump(url: str) -> str:
    """Every value of every table, as text."""
    from sqlmodel import SQLModel

    engine = make_engine(url)
    parts = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                parts.append(f"{table.name}: " + " | ".join(f"{k}={v}" for k, v in row._mapping.items()
                                                           if (table.name, k) != ("staff", "pin_hash")))
    engine.dispose()
    return "\n".join(parts)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # a test server on loopback
def test_secrets_never_reach_output_logs_or_rows(db_url, clock, monkeypatch, twilio, stripe_standin):
    if db_url.startswith("postgresql"):  # the test server trusts local connections: any password will do
        db_url = make_url(db_url).set(password=DB_PASSWORD).render_as_string(hide_password=False)
    dead = free_port()
    stripe_standin.api_key = "sk_test_theRightOne1234"
    env = {"SALON_SMTP_HOST": "127.0.0.1", "SALON_SMTP_PORT": str(dead), "SALON_SMTP_TLS": "none",
           "SALON_SMTP_USER": "citas@salon.example", "SALON_SMTP_PASSWORD": SMTP_PASSWORD,
           "SALON_SMTP_FROM": "citas@salon.example",
           **twilio.env(), "SALON_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
           "SALON_STRIPE_API_KEY": STRIPE_KEY, "SALON_STRIPE_API_BASE": stripe_standin.url,
           "SALON_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    said: list[str] = []

    def run(*args: str, code: int = 0):
        result = salon(db_url, *args)
        said.extend((result.stdout, result.stderr))
        assert result.code == code, (args, result.stderr)
        return result

    init = run(*INIT, "-f", "json")
    assert json.loads(init.stdout)["database"] == (db_url if db_url.startswith("sqlite") else db_url.split("@")[-1])
    for args in (("service", "add", "Corte", "--duration", "45", "--price", "350", "--code", "corte"),
                 ("staff", "add", "Ana", "--code", "ana", "--role", "stylist", "--pin", "2222"),
                 ("client", "add", "--first", "Ximena", "--last", "Jiménez", "--email", "xime@example.com"),
                 ("client", "prefs", "1", "--channel", "email"),
                 ("client", "add", "--first", "Pedro", "--last", "Soto", "--phone", "+52 55 1234 5678"),
                 ("client", "prefs", "2", "--channel", "sms"),
                 ("appt", "book", "--client", "1", "--service", "corte", "--staff", "ana", "--at", "2026-11-23 10:00"),
                 ("appt", "book", "--client", "2", "--service", "corte", "--staff", "ana", "--at", "2026-11-23 11:00")):
        run(*OWNER, *args)

    # the mail server is down and Twilio refuses the token: both kept for later, with the reason
    first = run("send-reminders", "-f", "json", code=5)
    assert json.loads(first.stdout)["retried"] == 2
    assert "Connection refused" in first.stderr and "Twilio 401" in first.stdout
    # the server is back but refuses the login
    server = MailServer(login=("citas@salon.example", "the-right-password"))
    server.start()
    try:
        monkeypatch.setenv("SALON_SMTP_PORT", str(server.port))
        clock.advance(minutes=5)
        second = run("send-reminders", "-f", "json", code=5)
        assert "SMTP login refused: 535" in second.stderr and server.logins == ["citas@salon.example"]
    finally:
        server.stop()
    sync = run("stripe", "sync", code=5)  # a key Stripe does not accept
    assert sync.stderr.startswith("error: Stripe refused: the API key was not accepted (Invalid API Key provided: "
                                  "sk_test_****")
    for args in (("outbox", "-f", "json"), ("jobs", "-f", "json"), ("client", "comms", "1", "-f", "json"),
                 ("stripe", "events", "-f", "json"), ("staff", "list", "-f", "json"),
                 ("export", "clients"), ("export", "appointments", "--format", "json"), ("export", "sales"),
                 ("export", "payments"), ("export", "expenses")):
        run(*OWNER, *args)
    audit = run(*OWNER, "audit", "--limit", "1000", "-f", "json")
    assert "staff.add" in [a["action"] for a in json.loads(audit.stdout)]
    errors = sorted(m["error"][:23] for m in json.loads(run("outbox", "-f", "json").stdout))
    assert errors == ["SMTP login refused: 535", "Twilio 401: 20003 Authe"]

    output, rows = "\n".join(said), _dump(db_url)
    assert "SMTP login refused" in rows and "Twilio 401" in rows
    for secret in SECRETS:
        assert secret not in output, secret
        assert secret not in rows, secret
    # PIN hashes: only in staff.pin_hash (left out of the dump above), never printed or exported
    assert "scrypt$" not in output and "scrypt$" not in rows and "pin_hash" not in output and "pin_hash" not in rows


def test_the_webhook_listens_on_loopback_and_logs_no_secret(sqlite_url):
    from salon_cli.web.stripe_webhook import make_server

    engine = make_engine(sqlite_url)
    lines: list[str] = []
    server = make_server(engine, port=0, secret=WEBHOOK_SECRET, log=lines.append)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert server.server_address[0] == "127.0.0.1"
        request = urllib.request.Request(server.url, data=b'{"id": "evt_1", "object": "event"}', method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Stripe-Signature": f"t=1,v1={'0' * 64}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 400
    finally:
        server.shutdown()
        server.server_close()
    assert len(lines) == 1 and " POST /stripe/webhook 400 refused: " in lines[0]
    open_server = make_server(engine, host="0.0.0.0", port=0, secret=WEBHOOK_SECRET, log=lines.append)
    open_server.server_close()
    assert lines[-1].startswith("warning: listening on 0.0.0.0, not only on this machine")
    assert not any(WEBHOOK_SECRET in line for line in lines)
    engine.dispose()


# ----------------------------------------------------------------------------- SQL


def test_no_value_is_formatted_into_sql():
    """The review of SECURITY.md, kept true: every f-string that builds SQL is one of the known places,
    which put only identifiers and constants of our own into the text."""
    sql = re.compile(r"""f["'][^"'\n]*\b(SELECT|INSERT|UPDATE|DELETE|COPY|ANALYZE|PRAGMA|BEGIN)\b""")
    found = set()
    for path in (ROOT / "salon_cli").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if sql.search(line):
                found.add(str(path.relative_to(ROOT)))
    assert found == {"salon_cli/db/bulk.py", "salon_cli/db/engine.py", "salon_cli/services/salon/business_days.py",
                     "salon_cli/services/clients/name_index.py", "salon_cli/services/demo/sales.py"}


# ----------------------------------------------------------------------------- PostgreSQL roles


def _sql_blocks() -> list[str]:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", text, re.S)


def _statements(block: str) -> list[str]:
    return [s.strip() for s in block.split(";") if s.strip()]


@pytest.mark.postgres
def test_the_postgresql_roles_of_security_md_run_a_salon(pg_url, clock, tmp_path):
    import psycopg

    tag = uuid.uuid4().hex[:8]
    names = {"salon_owner": f"sec_owner_{tag}", "salon_app": f"sec_app_{tag}", "salon_report": f"sec_report_{tag}",
             "salon": f"sec_salon_{tag}"}

    def local(sql: str) -> str:
        return re.sub(r"\b(salon_owner|salon_app|salon_report|salon)\b", lambda m: names[m.group(1)], sql)

    def url(role: str | None, driver: str = "postgresql+psycopg") -> str:
        u = make_url(pg_url).set(drivername=driver, database=names["salon"])
        return (u.set(username=names[role], password=None) if role else u).render_as_string(hide_password=False)

    admin = make_url(pg_url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    once, in_database, after_upgrade = _sql_blocks()
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            for statement in _statements(once):
                conn.execute(local(statement))
        with psycopg.connect(url(None, "postgresql"), autocommit=True) as conn:
            for statement in _statements(in_database):
                conn.execute(local(statement))
        assert salon(url("salon_owner"), "db", "upgrade").code == 0
        with psycopg.connect(url("salon_owner", "postgresql"), autocommit=True) as conn:
            for statement in _statements(after_upgrade):
                conn.execute(local(statement))

        app = url("salon_app")
        csv = "first_name,last_name,phone\n" + "".join(f"Cliente{i},Prueba,+52 55 1000 {i:04d}\n" for i in range(60))
        for args in (INIT,
                     (*OWNER, "service", "add", "Corte", "--duration", "45", "--price", "350", "--code", "corte"),
                     (*OWNER, "staff", "add", "Ana", "--code", "ana", "--role", "stylist", "--pin", "2222"),
                     (*OWNER, "client", "add", "--first", "Ximena", "--last", "Jiménez"),
                     (*OWNER, "client", "note", "1", "alergia al tinte", "--type", "medical", "--private"),
                     (*OWNER, "appt", "book", "--client", "1", "--service", "corte", "--staff", "ana",
                      "--at", "2026-11-21 12:00"),
                     (*OWNER, "checkout", "1", "--pay", "cash"),
                     (*OWNER, "close-day", "--counted-cash", "350")):
            done = salon(app, *args)
            assert done.code == 0, (args, done.stderr)
        source = tmp_path / "clientes.csv"
        source.write_text(csv, encoding="utf-8")
        imported = salon(app, *OWNER, "import", "clients", str(source), "-f", "json")
        assert imported.code == 0, imported.stderr
        assert salon(app, "db", "upgrade").code == 0  # at head: nothing to do, nothing refused

        with psycopg.connect(url("salon_app", "postgresql"), autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM client").fetchone() == (61,)
            assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 10
            for refused in ("UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log",
                            "UPDATE alembic_version SET version_num = 'x'", "CREATE TABLE mine (i int)",
                            "DROP TABLE client"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(refused)
        with psycopg.connect(url("salon_report", "postgresql"), autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM sale").fetchone() == (1,)
            assert conn.execute("SELECT code FROM staff ORDER BY id").fetchall() == [("lucia",), ("ana",)]
            assert conn.execute("SELECT type, private FROM client_note").fetchall() == [("medical", True)]
            for refused in ("SELECT pin_hash FROM staff", "SELECT * FROM staff", "SELECT body FROM client_note",
                            "INSERT INTO expense (amount_cents) VALUES (1)", "DELETE FROM client"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(refused)
    finally:
        from salon_cli.db.engine import dispose_all

        dispose_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{names["salon"]}" WITH (FORCE)')
            for role in ("salon_owner", "salon_app", "salon_report"):
                conn.execute(f'DROP ROLE IF EXISTS "{names[role]}"')
