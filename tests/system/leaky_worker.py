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


@pytest.mark.postgres
def test_the_worker_that_replaces_it_names_its_database_for_the_same_run(pg_url):
    """The run goes on in a new worker (the outer test counts this one passed), and what it makes carries
    the same run's mark: the controller's sweep would find it too."""
    assert f"_{os.environ['SALON_TEST_RUN']}_" in (make_url(pg_url).database or "")
