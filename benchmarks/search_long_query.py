"""How client search copes with a long query (issue 26, item 16): the sound code, the codes one slip
away, and the whole search at 1,000, 2,000 and 10,000 characters, each beside a reference timed in the
same run.

Run: .venv/bin/python benchmarks/search_long_query.py [--clients 10000] [--db URL]

The reference is the code before the fix: `OldCodes` of tests/core/test_phonetics_linear.py (the
tests' oracle, loaded from there) with no bound on the query. Before, the search coded each of the
~10 n spellings one slip from an n-letter word from scratch (n^2 steps), and nothing cut the query.
Now a spelling's code is read again only around its slip, and `search` reads at most `MAX_QUERY`
characters (services/clients/search.py), so a long query costs what a short one does.

Three parts:
- `sound_code` of a word of n letters (names run together), now and before: both linear.
- `codes_one_slip_away` of such a word, now and before. Its answer alone is about 10 n codes of n
  letters (at 10,000 letters some gigabytes), so it is timed up to 2,000 letters; search never asks
  for it on more than MAX_QUERY letters.
- `search()` through the service on a book of `--clients` generated clients (a fresh SQLite file, or
  the empty PostgreSQL database `--db`): one long word, and long text of names and spaces, beside a
  short query ('ximena jimenez'), and beside the code before (old codes, no bound) on 1,000
  characters; "no bound" shows the new codes alone with the bound lifted.
Times are the median of `--repeat` runs (one run for the code before, which takes seconds).
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

HERE = Path(__file__).resolve().parent
NAMES = ("jimenez", "stephens", "guillermo", "chavez", "phillips", "llanes", "xochitl", "munoz", "thompson",
         "accion", "quintero", "yanez", "christopher", "maria", "hernandez", "garcia")


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def word(n: int, seed: int = 7) -> str:
    """n letters of names run together (every rule, at every position)."""
    rng, out = random.Random(seed), ""
    while len(out) < n:
        out += rng.choice(NAMES)
    return out[:n]


def words(n: int, seed: int = 7) -> str:
    """n characters of names and spaces."""
    rng, out = random.Random(seed), ""
    while len(out) < n:
        out += rng.choice(NAMES) + " "
    return out[:n]


def timed(work: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def show(what: str, seconds: float, reference: float | None = None, against: str = "") -> None:
    ratio = f"   {seconds / reference:8.2f}x {against}" if reference else ""
    print(f"  {what:<44} {seconds * 1000:10.1f} ms{ratio}", flush=True)


@contextmanager
def before_the_fix(search_module: Any, name_index: Any, old: Any, *, codes: bool) -> Iterator[None]:
    """No bound on the query; with `codes`, also the old codes one slip away."""
    bound, slips = search_module.MAX_QUERY, name_index.codes_one_slip_away
    search_module.MAX_QUERY = sys.maxsize
    if codes:
        name_index.codes_one_slip_away = old.codes_one_slip_away
    try:
        yield
    finally:
        search_module.MAX_QUERY, name_index.codes_one_slip_away = bound, slips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--db", help="an EMPTY PostgreSQL database (default: a fresh SQLite file)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from salon_cli.core import phonetics

    old = _load("phonetics_oracle", HERE.parent / "tests" / "core" / "test_phonetics_linear.py").OldCodes()
    old.rules = dict(old.rules)  # a plain table: the tests' one counts its reads, which takes time

    print("sound_code of a word of n letters")
    for n in (1_000, 2_000, 10_000, 100_000):
        w = word(n)
        assert phonetics.sound_code(w) == old.sound_code(w)
        before = timed(lambda: old.sound_code(w), args.repeat)
        show(f"{n:,} letters", timed(lambda: phonetics.sound_code(w), args.repeat), before, "the code before, same n")

    print("codes_one_slip_away of a word of n letters")
    reference = None
    for n in (250, 500, 1_000, 2_000):
        w = word(n)
        now = timed(lambda: phonetics.codes_one_slip_away(w), max(1, args.repeat // 2))
        if n <= 1_000:
            start = time.perf_counter()
            assert old.codes_one_slip_away(w) == phonetics.codes_one_slip_away(w)
            before = time.perf_counter() - start
            reference = reference or before
            show(f"{n:,} letters, the code before", before)
        show(f"{n:,} letters", now, reference, "the code before on 250 letters")

    client_search = _load("client_search_benchmark", HERE / "client_search.py")
    from sqlmodel import Session

    from salon_cli.db.engine import make_engine
    from salon_cli.services.clients import name_index, search as search_module

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'long.db'}"
        print(f"search() on {args.clients:,} generated clients, {url.split('@')[-1] if args.db else 'SQLite file'}",
              flush=True)
        client_search.build(url, args.clients, 11)
        engine = make_engine(url)
        with Session(engine) as session:
            def ask(query: str) -> Callable[[], Any]:
                return lambda: search_module.search(session, query, limit=10)

            ask("warm up")()
            short = timed(ask("ximena jimenez"), args.repeat)
            show("'ximena jimenez' (the reference)", short)
            with before_the_fix(search_module, name_index, old, codes=True):
                before = timed(ask(word(1_000)), 1)
            show("one word of 1,000 letters, the code before", before, short, "the short query")
            with before_the_fix(search_module, name_index, old, codes=False):
                show("one word of 1,000 letters, no bound", timed(ask(word(1_000)), 1), short, "the short query")
            for n in (1_000, 2_000, 10_000):
                show(f"one word of {n:,} letters", timed(ask(word(n)), args.repeat), short, "the short query")
                show(f"{n:,} characters of names", timed(ask(words(n)), args.repeat), short, "the short query")
        engine.dispose()


if __name__ == "__main__":
    main()
