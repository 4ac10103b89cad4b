"""What an import says (issue 29, point 11), on SQLite and PostgreSQL (`db_url`): the rows read and the
rows used, in the summary record and on stderr, and `--skip-bad` offered only where it would help
(faults in rows, some rows good, `--skip-bad` not given already); never for a fault of the file
itself, nor when every row is refused.

The clock is Saturday 2026-11-21 11:00 in Mexico City; the policy has IVA 16 % included in prices.
"""

from __future__ import annotations

import json

import pytest

from cli_helpers import salon, small_salon

DESK = ["--as", "sofia"]
SUMMARY = ("rows_read", "rows_used", "created", "unchanged", "refused", "dry_run")
CLIENTS = (  # five rows: one already here (by phone), two with an e-mail that is none
    "first_name,last_name,phone,email\n"
    "Ana,López,5512345678,\n"
    "Beto,Gómez,,beto@example.com\n"
    "Carla,Ruiz,,carla(at)example.com\n"
    "Dora,Sol,5587654321,\n"
    "Elsa,Paz,,elsa@\n"
)
RECEIPTS = (  # receipt A-1 has a row whose amount is none: with it, A-1's other row is left out too
    "receipt,date,staff,description,amount\n"
    "A-1,2026-11-03,ana,Corte dama,350.00\n"
    "A-1,2026-11-03,ana,Shampoo,diez\n"
    "A-2,2026-11-04,ana,Corte dama,350.00\n"
)


def _ok(run):
    assert run.code == 0, run.stderr
    return run


@pytest.fixture
def salon_url(db_url, clock):
    small_salon(db_url)
    _ok(salon(db_url, *DESK, "client", "add", "--first", "Ana", "--last", "López", "--phone", "5512345678"))
    return db_url


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _lines(stderr):
    return [line for line in stderr.splitlines() if line.strip()]


def test_rows_read_and_used_and_skip_bad_offered_when_some_rows_are_good(salon_url, tmp_path):
    source = _file(tmp_path, "clientes.csv", CLIENTS)
    refused = ("row 4 column email: email 'carla(at)example.com' is not an e-mail address; "
               "row 6 column email: email 'elsa@' is not an e-mail address")
    for dry in ([], ["--dry-run"]):
        run = salon(salon_url, *DESK, "import", "clients", source, *dry)
        assert run.code == 2
        assert _lines(run.stderr)[-2:] == [
            f"error: import refused, nothing written: {refused} (read 5 rows, 2 refused)",
            "hint: fix those rows and run it again, or import the rest with --skip-bad (3 of 5 rows; the refused "
            "ones go to a rejects file)"]

    dry = salon(salon_url, *DESK, "import", "clients", source, "--dry-run", "--skip-bad", "-f", "json")
    assert [(p["row"], p["action"]) for p in json.loads(_ok(dry).stdout)] == [
        (2, "match"), (3, "create"), (4, "refuse"), (5, "create"), (6, "refuse")]
    assert _lines(dry.stderr) == ["dry run, nothing written: read 5 rows, would use 3: 2 new clients, 1 already here, "
                                  "2 rows refused"]

    done = _ok(salon(salon_url, *DESK, "import", "clients", source, "--skip-bad", "-f", "json"))
    summary = json.loads(done.stdout)
    assert {k: summary[k] for k in SUMMARY} == {"rows_read": 5, "rows_used": 3, "created": 2, "unchanged": 1,
                                                "refused": 2, "dry_run": False}
    assert _lines(done.stderr) == [
        "imported clientes.csv: read 5 rows, used 3: 2 new clients, 1 already here (left as they are), 2 rows refused",
        f"the refused rows and why: {tmp_path / 'clientes.rejected.csv'} (fix them and import that file again)"]


def test_skip_bad_is_not_offered_where_it_would_not_help(salon_url, tmp_path):
    # receipts: A-1 goes with its bad row, A-2 is good: one row of three would come in
    receipts = _file(tmp_path, "tickets.csv", RECEIPTS)
    run = salon(salon_url, *DESK, "import", "sales", receipts)
    assert run.code == 2 and "(read 3 rows, 2 refused)" in run.stderr
    assert "or import the rest with --skip-bad (1 of 3 rows;" in run.stderr
    dry = _ok(salon(salon_url, *DESK, "import", "sales", receipts, "--skip-bad", "--dry-run"))
    assert _lines(dry.stderr) == ["dry run, nothing written: read 3 rows, would use 1: 1 new sale, 0 already here, "
                                  "2 rows refused"]

    # every row in the receipt at fault: nothing --skip-bad could import
    only_a1 = _file(tmp_path, "a1.csv", "\n".join(RECEIPTS.splitlines()[:3]) + "\n")
    run = salon(salon_url, *DESK, "import", "sales", only_a1)
    assert run.code == 2 and "(read 2 rows, 2 refused)" in run.stderr and "--skip-bad" not in run.stderr
    assert _lines(run.stderr)[-1] == "hint: fix those rows and run it again"

    # every client row refused
    bad = _file(tmp_path, "bad.csv", "first_name,email\nAna,x@\nBeto,y@\n")
    run = salon(salon_url, *DESK, "import", "clients", bad, "--dry-run")
    assert run.code == 2 and "(read 2 rows, 2 refused)" in run.stderr and "--skip-bad" not in run.stderr

    # a fault of the file itself (an unknown column): no row can come in, with or without --skip-bad
    unknown = _file(tmp_path, "colour.csv", "first_name,colour\nAna,red\n")
    for skip in ([], ["--skip-bad"]):
        run = salon(salon_url, *DESK, "import", "clients", unknown, *skip)
        assert run.code == 2 and _lines(run.stderr) == [
            "error: import refused, nothing written: row 1 column colour: unknown column",
            "hint: fix the file (or map its columns with --map SRC=field) and run it again"]
    exported = json.loads(_ok(salon(salon_url, *DESK, "export", "clients", "-f", "json")).stdout)
    assert [c["first_name"] for c in exported] == ["Ana"]
    assert json.loads(_ok(salon(salon_url, *DESK, "export", "sales", "-f", "json")).stdout) == []
