"""Run only by tests/system/test_database_sweep.py (its name is not test_*: never collected by itself).
A worker that dies holding PostgreSQL databases: one from the pool (at head) and one throwaway."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url


@pytest.mark.postgres
def test_dies_holding_its_databases(pg_url, request):
    head = request.getfixturevalue("head_postgres")
    Path(os.environ["LEAKY_WORKER_NOTE"]).write_text(f"{make_url(pg_url).database}\n{head}\n")
    os._exit(1)  # no teardown, no sessionfinish: the worker is gone


def test_the_run_goes_on():
    assert True
