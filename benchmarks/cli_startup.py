"""How long `salon --help` and `salon --version` take, beside a bare `python -c pass`.

Run: .venv/bin/python benchmarks/cli_startup.py [--runs 15]
Prints the median and best wall time of each, in milliseconds. It is a figure, not a test: the
lazy-import rule itself is checked by tests/test_import_hygiene.py.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def measure(argv: list[str], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "salon --version": [sys.executable, "-m", "salon_cli", "--version"],
        "salon --help": [sys.executable, "-m", "salon_cli", "--help"],
        "salon staff add --help": [sys.executable, "-m", "salon_cli", "staff", "add", "--help"],
    }
    measure(cases["salon --help"], 2)  # warm the bytecode cache
    print(f"{'command':<26}{'median ms':>10}{'best ms':>10}   ({runs} runs each)")
    for name, argv in cases.items():
        median, best = measure(argv, runs)
        print(f"{name:<26}{median:>10.1f}{best:>10.1f}")


if __name__ == "__main__":
    main()
