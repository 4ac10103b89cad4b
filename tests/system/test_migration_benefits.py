"""Migration 0022 (issue 30's benefits): the seeded Gold and Black plans gain the photo gallery where
their benefits are still the ones `init` seeded; a plan a manager changed keeps its own. A downgrade
takes the gallery off the plans it gave it to. The policy's booking horizons arrive with their defaults
(180 and 365 days). Both databases.
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from cli_helpers import INIT, salon
from salon_cli.db import migrate
from salon_cli.db.engine import make_engine


def _alembic(engine, how: str, revision: str) -> None:
    from alembic import command

    with migrate.writer(engine).begin() as conn:
        getattr(command, how)(migrate.alembic_config(conn), revision)


def _benefits(engine) -> dict[str, list[str]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT code, benefits FROM membership_plan ORDER BY id")).all()
    return {code: json.loads(b) if isinstance(b, str) else b for code, b in rows}


def test_0022_gives_the_untouched_gold_and_black_the_gallery_and_takes_it_back(db_url, clock):
    assert salon(db_url, *INIT).code == 0
    engine = make_engine(db_url)
    _alembic(engine, "downgrade", "0021_client_record")
    assert _benefits(engine) == {"gold": ["priority_booking"], "black": ["priority_booking", "birthday_gift"],
                                 "vip": ["priority_booking", "birthday_gift", "photo_gallery"]}
    with engine.begin() as conn:  # a manager had changed Black: it keeps its own list
        conn.execute(sa.text("UPDATE membership_plan SET benefits = :b WHERE code = 'black'"),
                     {"b": json.dumps(["birthday_gift"])})
    _alembic(engine, "upgrade", "0022_benefits")
    assert _benefits(engine) == {"gold": ["priority_booking", "photo_gallery"], "black": ["birthday_gift"],
                                 "vip": ["priority_booking", "birthday_gift", "photo_gallery"]}
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT booking_horizon_days, priority_horizon_days FROM policy")).one() == (
            180, 365)
    _alembic(engine, "downgrade", "0021_client_record")
    assert _benefits(engine)["gold"] == ["priority_booking"]
    assert _benefits(engine)["black"] == ["birthday_gift"]
    _alembic(engine, "upgrade", "head")
    engine.dispose()
