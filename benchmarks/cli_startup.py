"""How long the command line takes to start: `salon --help`, `salon --version`, one completion TAB and two
read commands on a demo salon, beside a bare `python -c pass` and `python -c "import sqlmodel"` (issues 11
and 31: `--help` in 100 ms or less, a TAB in 150 ms or less, once the first has kept its answer).

Run: .venv/bin/python benchmarks/cli_startup.py [--runs 15] [--db sqlite|postgres] [--server URL]

The read commands run on a demo salon built by `salon demo` (300 clients, a month of history) on a
SQLite file in a temporary folder, or on a throwaway PostgreSQL database created on `--server` and
dropped afterwards: `salon client search garcia` (the search service, its caches cold) and `salon appt
list` (today's book). Each command is a fresh process; printed are the median and best wall time in
milliseconds, and each median over `python -c pass` and over `import sqlmodel` (the floor any command
that reads the database through the data layer pays). It is a figure, not a test: the lazy-import rule
itself is checked by tests/system/test_import_hygiene.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
NOW = "2026-11-21T10:00:00-06:00"


def measure(argv: list[str], runs: int, env: dict[str, str], before=None) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--server", default=PG_SERVER, help=f"PostgreSQL server for --db postgres ({PG_SERVER})")
    args = parser.parse_args()
    salon = [sys.executable, "-m", "salon_cli"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SALON_NOW": NOW, "SALON_HOME": tmp}  # its own cache of help pages and the tree
        kept = Path(tmp) / "cache"
        tab = {**env, "_SALON_COMPLETE": "complete_bash", "COMP_WORDS": "salon report revenue --by ", "COMP_CWORD": "4"}
        pg_name = None
        if args.db == "sqlite":
            url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        else:
            import psycopg
            from sqlalchemy.engine import make_url

            pg_name = f"salon_bench_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(args.server, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{pg_name}"')
            url = make_url(args.server).set(database=pg_name).render_as_string(hide_password=False)
        try:
            subprocess.run([*salon, "--db", url, "demo"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=True, env=env)
            cases = {
                "python -c pass": [sys.executable, "-c", "pass"],
                'python -c "import sqlmodel"': [sys.executable, "-c", "import sqlmodel"],
                "salon --version": [*salon, "--version"],
                "salon --help": [*salon, "--help"],
                "salon staff add --help": [*salon, "staff", "add", "--help"],
                "TAB: report revenue --by": [*salon],
                "salon client search garcia": [*salon, "--db", url, "client", "search", "garcia"],
                "salon appt list": [*salon, "--db", url, "appt", "list"],
            }
            measure(cases["salon appt list"], 2, env)  # warm the bytecode cache
            print(f"{args.db}; {runs_note(args.runs)}")
            print("help pages and TAB: as kept after the first time (salon_cli/quick), and '(first)': the same")
            print("with nothing kept, the command tree loaded (each run starts with the cache emptied)")
            print(f"{'command':<30}{'median ms':>10}{'best ms':>10}{'/ pass':>8}{'/ sqlmodel':>11}")
            figures = {}
            empty = lambda: shutil.rmtree(kept, ignore_errors=True)  # noqa: E731
            runs = [(name, argv, None) for name, argv in cases.items()]
            runs[4:4] = [("salon --help (first)", cases["salon --help"], empty)]
            runs.append(("TAB (first)", cases["TAB: report revenue --by"], empty))
            for name, argv, before in runs:
                measure(argv, 1, tab if name.startswith("TAB") else env)  # what is kept, kept
                figures[name] = measure(argv, args.runs, tab if name.startswith("TAB") else env, before)
                median, best = figures[name]
                bare = figures["python -c pass"][0]
                floor = figures.get('python -c "import sqlmodel"')
                over = f"{median / floor[0]:>10.2f}x" if floor else f"{'':>11}"
                print(f"{name:<30}{median:>10.1f}{best:>10.1f}{median / bare:>7.1f}x{over}")
        finally:
            if pg_name:
                import psycopg

                with psycopg.connect(args.server, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def runs_note(runs: int) -> str:
    return f"{runs} runs each, each a fresh process"


if __name__ == "__main__":
    main()
