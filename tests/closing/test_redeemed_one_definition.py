"""Issue 26, item 5: `report day` and `report loyalty` share one definition of points redeemed.

A voided code gave its points back; the Z-report still counted them (2,000 where the loyalty report
said 1,500). The salon is `tests/shop.py`'s; marco is the manager (PIN 2222).
"""

from __future__ import annotations

import pytest

from cli_helpers import MARCO, OWNER, SOFIA, js
from shop import make_shop




@pytest.fixture
def desk(engine, salon, db_url):
    make_shop(engine)
    return db_url


def test_a_voided_code_is_not_redeemed_in_either_report(desk):
    js(desk, *OWNER, "loyalty", "adjust", "1", "--points", "5000", "--reason", "paper card")
    small = js(desk, *OWNER, "loyalty", "rewards", "add", "50 off", "--points", "500", "--kind", "discount_amount",
               "--value", "50")
    large = js(desk, *OWNER, "loyalty", "rewards", "add", "150 off", "--points", "1500",
               "--kind", "discount_amount", "--value", "150")
    voided = js(desk, *SOFIA, "loyalty", "redeem", "1", str(small["id"]))["code"]
    js(desk, *SOFIA, "loyalty", "void", voided)
    kept = js(desk, *SOFIA, "loyalty", "redeem", "1", str(large["id"]))["code"]
    js(desk, *SOFIA, "checkout", "1", "--redeem", kept, "--pay", "cash")
    day = js(desk, *MARCO, "report", "day", "--date", "2026-11-21")
    loyalty = js(desk, *MARCO, "report", "loyalty", "--from", "2026-11-21", "--to", "2026-11-21")
    assert day["points_redeemed"] == loyalty["points_redeemed"] == 1500
    assert day["points_issued"] == loyalty["points_issued"]
    closed = js(desk, *MARCO, "close-day", "--counted-cash", "200")
    assert closed["points_redeemed"] == 1500
