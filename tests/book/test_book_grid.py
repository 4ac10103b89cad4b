"""The book of one day as a grid (`services/book/grid.py`), on SQLite and PostgreSQL: a column per stylist
who works that day (and anyone booked), shaded where they do not work, rows on the policy's slot across
the opening hours, each appointment a block in its state's words.

The salon is `tests/shop.py`'s: now is Saturday 2026-11-21 11:00 in Mexico City; appointment 1 is
Ximena's corte (45 min) with ana at 12:00; ana and beto are stylists.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from salon_cli.db.uow import UnitOfWork
from salon_cli.services.book import appointments, grid as book_grid, status
from salon_cli.services.salon import hours, time_off
from shop import OWNER, make_shop


@pytest.fixture
def shop(engine, salon):
    return make_shop(engine)


def _grid(engine, shop, day=None):
    with UnitOfWork(engine, write=False) as uow:
        return book_grid.grid(uow.session, location=shop.loc, day=day)


def _change(engine, fn):
    with UnitOfWork(engine) as uow:
        out = fn(uow.session)
        uow.commit()
    return out


def test_no_hours_set_the_day_runs_nine_to_eight_and_everyone_works(engine, shop):
    g = _grid(engine, shop)
    assert [c.code for c in g.columns] == ["ana", "beto"]
    assert (g.slot_min, g.rows) == (15, 44)  # 09:00-20:00 in quarters
    assert g.at(0).astimezone(shop.loc.tz).time() == time(9, 0)
    (block,) = g.blocks
    assert (block.column, block.first_row, block.rows, block.state) == (0, 12, 3, "booked")
    assert g.block_at(0, 14) is block and g.block_at(0, 15) is None and g.block_at(1, 12) is None
    assert g.now_row() == 8  # 11:00
    assert all(g.working(0, r) for r in range(g.rows))


def test_hours_split_shift_time_off_and_the_policy_slot(engine, shop):
    def setup(s):
        hours.set_opening(s, actor=OWNER, location=shop.loc, days={"sat": "10:00-18:00"})
        hours.set_staff_hours(s, actor=OWNER, location=shop.loc, who="ana", days={"sat": "10:00-13:00,15:00-18:00"})
        time_off.add_time_off(s, actor=OWNER, location=shop.loc, who="beto", first_day=date(2026, 11, 21),
                              last_day=date(2026, 11, 22), reason="holiday")

    _change(engine, setup)
    g = _grid(engine, shop)
    assert [(c.code, c.off) for c in g.columns] == [("ana", None), ("beto", "holiday")]
    assert g.at(0).astimezone(shop.loc.tz).time() == time(10, 0) and g.rows == 32
    at = {g.at(r).astimezone(shop.loc.tz).strftime("%H:%M"): r for r in range(g.rows)}
    assert g.working(0, at["12:45"]) and not g.working(0, at["13:00"]) and not g.working(0, at["14:45"])
    assert g.working(0, at["15:00"]) and not any(g.working(1, r) for r in range(g.rows))


def test_cancelled_visits_free_their_slot_and_late_ones_say_so(engine, shop, clock):
    clock.advance(hours=1, minutes=20)  # 12:20: ana's 12:00 is past its grace and not marked
    assert _grid(engine, shop).blocks[0].state == "late"
    _change(engine, lambda s: status.cancel(s, actor=shop.sofia, location=shop.loc, appointment_id=shop.appt,
                                            by_salon=True))
    assert _grid(engine, shop).blocks == ()


def test_a_visit_outside_the_opening_hours_widens_the_day(engine, shop):
    _change(engine, lambda s: appointments.book_appointment(
        s, actor=OWNER, location=shop.loc, client_id=shop.pedro, services=["corte"], staff="beto",
        at="2026-11-22 20:30"))
    g = _grid(engine, shop, day=date(2026, 11, 22))
    assert g.now_row() is None
    last = g.at(g.rows - 1).astimezone(shop.loc.tz)
    assert last == datetime(2026, 11, 22, 21, 0, tzinfo=shop.loc.tz)
    assert [(b.appointment.staff, b.rows) for b in g.blocks] == [("beto", 3)]


def test_a_block_covers_every_row_its_visit_touches(engine, shop):
    """10:35-11:20 touches the rows of 10:30, 10:45, 11:00 and 11:15: none of them may look free."""
    _change(engine, lambda s: appointments.book_appointment(
        s, actor=OWNER, location=shop.loc, client_id=shop.pedro, services=["corte"], staff="beto",
        at="2026-11-22 10:35"))
    g = _grid(engine, shop, day=date(2026, 11, 22))
    (block,) = g.blocks
    first = g.at(block.first_row).astimezone(shop.loc.tz)
    assert (first.strftime("%H:%M"), block.rows) == ("10:30", 4)
    assert g.block_at(1, block.first_row + 3) is block and g.block_at(1, block.first_row + 4) is None
