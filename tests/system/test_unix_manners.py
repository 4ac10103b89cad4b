"""Issue 31: the command line behaves as a Unix user expects.

- A closed pipe ends `salon` as it ends `cat`: no message, killed by SIGPIPE (status 141 in the shell,
  which `set -o pipefail` reports), never exit 1 ("refused" in SPEC.md).
- A `--db` in a folder that does not exist is exit 2 naming the path, and nothing is created; a missing
  SQLite file is created only by `init`, `demo` and `db upgrade`, never by a command that uses one.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cli_helpers import INIT, salon

pytestmark = pytest.mark.skipif(not hasattr(__import__("signal"), "SIGPIPE"), reason="no SIGPIPE on this system")


def _many_clients(db_url: str, n: int = 2000) -> None:
    from salon_cli.core import clock
    from salon_cli.core.text import name_key
    from salon_cli.db.engine import make_engine
    from salon_cli.db.models import Client
    from salon_cli.db.uow import UnitOfWork

    engine = make_engine(db_url)
    with UnitOfWork(engine) as uow:
        for i in range(n):
            uow.session.add(Client(first_name=f"Cliente{i}", last_name="Prueba", name_key=name_key(f"Cliente{i}", "Prueba"),
                                   created_at=clock.now()))
        uow.commit()
    engine.dispose()


def test_a_closed_pipe_ends_salon_as_it_ends_cat(db_url, clock):
    assert salon(db_url, *INIT).code == 0
    _many_clients(db_url)  # more than a pipe's buffer, so the writer meets the closed end
    for args in (["export", "clients"], ["export", "clients", "-f", "ndjson"], ["client", "list", "--limit", "2000"]):
        line = " ".join([sys.executable, "-m", "salon_cli", "--db", f"'{db_url}'", *args])
        proc = subprocess.run(["bash", "-o", "pipefail", "-c", f"{line} | head -1 > /dev/null; "
                               "echo \"${PIPESTATUS[0]}\" >&2"],
                              capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
        assert proc.stderr.strip() == "141", (args, proc.stderr)  # nothing else on stderr: no message
    whole = subprocess.run([sys.executable, "-m", "salon_cli", "--db", db_url, "export", "clients"],
                           capture_output=True, text=True, timeout=120)
    assert whole.returncode == 0 and whole.stdout.count("\n") == 2001  # read to the end: done, 0


def test_a_db_in_a_folder_that_does_not_exist_is_exit_2_and_creates_nothing(tmp_path):
    missing = tmp_path / "no" / "such" / "folder" / "salon.db"
    run = salon(f"sqlite:///{missing}", "client", "list")
    assert run.code == 2
    assert run.stderr.splitlines()[0] == f"error: --db: there is no folder {missing.parent} for the database {missing}"
    assert not (tmp_path / "no").exists()


def test_a_missing_file_is_created_only_by_init_demo_and_db_upgrade(tmp_path):
    path = tmp_path / "salon.db"
    url = f"sqlite:///{path}"
    for args in (["client", "list"], ["staff", "list"], ["db", "current"], ["db", "check"], ["export", "clients"]):
        run = salon(url, *args)
        assert (run.code, run.stderr.splitlines()[0]) == (1, f"error: there is no database at {path}"), args
        assert not path.exists(), args
    assert salon(url, "db", "upgrade").code == 0 and path.exists()
    path.unlink()
    assert salon(url, *INIT).code == 0 and path.exists()
    assert salon(url, "staff", "list").code == 0
    other = tmp_path / "demo.db"
    assert salon(f"sqlite:///{other}", "demo", "--clients", "20", "--days", "2").code == 0 and other.exists()


def test_the_default_database_is_not_made_by_a_command_that_uses_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SALON_HOME", str(tmp_path / "home"))
    run = salon(None, "staff", "list")
    assert run.code == 1 and run.stderr.startswith("error: salon is not initialised here")
    assert not (tmp_path / "home").exists()
