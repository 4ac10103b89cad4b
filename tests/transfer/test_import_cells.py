"""Cells a database cannot hold (issue 26, item 17): a NUL character (PostgreSQL refuses it; it used to
end an import with a driver error naming no row) and a value longer than its column. The import is
refused, exit 2, naming the row and the column; nothing written, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlmodel import func, select

from cli_helpers import INIT, OWNER, salon as cli
from salon_cli.db.engine import make_engine
from salon_cli.db.models import AuditLog, Client, Service
from salon_cli.db.uow import UnitOfWork


def _count(db_url: str, model) -> int:
    with UnitOfWork(make_engine(db_url), write=False) as uow:
        return uow.session.exec(select(func.count()).select_from(model)).one()


def test_a_nul_and_a_10000_character_name_are_refused_naming_row_and_column(db_url, clock, tmp_path):
    assert cli(db_url, *INIT).code == 0
    audits = _count(db_url, AuditLog)
    path = tmp_path / "clientes.csv"
    path.write_text("first_name,last_name,phone\n"
                    "Ana,López,5512345678\n"
                    "Bea,Ló\x00pez,5512345679\n"
                    f"{'C' * 10_000},Ruiz,5512345670\n", encoding="utf-8")
    done = cli(db_url, *OWNER, "import", "clients", str(path))
    assert done.code == 2, done.stderr
    error = done.stderr.splitlines()[0]
    assert error.startswith("error: import refused, nothing written: ")
    assert r"row 3 column last_name: holds a NUL character (\x00)" in error
    assert _count(db_url, Client) == 0 and _count(db_url, AuditLog) == audits
    # the NUL row put right, the long name is named too
    path.write_text(path.read_text(encoding="utf-8").replace("\x00", ""), encoding="utf-8")
    done = cli(db_url, *OWNER, "import", "clients", str(path))
    assert done.code == 2, done.stderr
    assert "row 4 column first_name: first name is longer than 80 characters" in done.stderr.splitlines()[0]
    assert _count(db_url, Client) == 0


def test_a_nul_in_any_import_is_named(db_url, clock, tmp_path):
    assert cli(db_url, *INIT).code == 0
    path = tmp_path / "servicios.csv"
    path.write_text("code,name,duration_min,price\ncorte,Cor\x00te,30,100\n", encoding="utf-8")
    done = cli(db_url, *OWNER, "import", "services", str(path), "--dry-run")
    assert done.code == 2, done.stderr
    assert r"row 2 column name: holds a NUL character (\x00)" in done.stderr.splitlines()[0]
    assert _count(db_url, Service) == 0
