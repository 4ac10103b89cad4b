"""How fast the book by stylist (`BookGrid`, issue 27) paints a full day, beside the list it replaced.

Run: .venv/bin/python benchmarks/book_grid.py [--stylists 12] [--appointments 150] [--runs 30]

The day: a SQLite file made by `salon init`'s service, six services, `--stylists` stylists with a split
shift each (09:00-14:00, 15:00-20:00) set through the hours service, and `--appointments` booked for
today through the booking service itself (every hour check and overlap check run), spread over the
stylists (booked at 08:00, before the day starts). "Now" is then Saturday 2026-11-21 11:00 in Mexico City.

Figures, each a median of `--runs` after one warm-up, in one process on a warm engine:

  1. the grid's data: `services.book.grid.grid(...)` (the read the screen's worker runs);
  2. the paint, after the data is loaded, at 160x50 and 80x24 in a headless Pilot session:
     `BookGrid.show(grid)` and every line on screen rendered (`render_line` for each row of the
     region: what the compositor asks of a Line API widget), timed in the app's own thread;
  3. beside it, the same measure for the list view it replaced (the Today `DataTable` filled with the
     same appointments and its visible lines rendered): the reference of the same run.

Target: the grid paints a day of 12 stylists and 150 appointments in under 100 ms (median).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ZONE = ZoneInfo("America/Mexico_City")
AS_OF = datetime(2026, 11, 21, 11, 0, tzinfo=ZONE).astimezone(timezone.utc)
SERVICES = (("corte", "Corte", 45, 35000), ("tinte", "Tinte", 90, 80000), ("peinado", "Peinado", 30, 25000),
            ("barba", "Barba", 15, 15000), ("mani", "Manicure", 60, 30000), ("facial", "Facial", 60, 60000))
TARGET_MS = 100.0


def build(url: str, *, stylists: int, appointments: int) -> None:
    from salon_cli.db import migrate
    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.book import appointments as booking
    from salon_cli.services.clients import profiles
    from salon_cli.services.salon import catalog, hours, staff
    from salon_cli.services.salon.actors import Actor
    from salon_cli.services.salon.setup import initialise

    engine = make_engine(url)
    migrate.upgrade(engine)
    init = initialise(engine, location_code="centro", location_name="Salón Centro", timezone="America/Mexico_City",
                      currency="MXN", owner_name="Lucía Hernández", owner_code="lucia", owner_pin="1234")
    owner = Actor(id=init.owner.id, code=init.owner.code, name=init.owner.name, role=init.owner.role, verified=True)
    loc = init.location
    codes = [f"s{i:02d}" for i in range(stylists)]
    with UnitOfWork(engine) as uow:
        s = uow.session
        for code, name, minutes, cents in SERVICES:
            catalog.add_service(s, actor=owner, location=loc, name=name, duration_min=minutes, price_cents=cents, code=code)
        week = {d: "09:00-20:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
        hours.set_opening(s, actor=owner, location=loc, days=week, closed=["sun"])
        for i, code in enumerate(codes):
            staff.add(s, actor=owner, location=loc, name=f"Estilista {i:02d} Pérez", code=code, role="stylist", pin="4444")
            hours.set_staff_hours(s, actor=owner, location=loc, who=code,
                                  days={d: "09:00-14:00,15:00-20:00" for d in week})
        clients = [profiles.add(s, actor=owner, location=loc, first_name=f"Cliente{n}", last_name="García").id
                   for n in range(appointments)]
        uow.commit()
    day = AS_OF.astimezone(ZONE).date()
    free = {code: datetime.combine(day, datetime.min.time(), ZONE) + timedelta(hours=9) for code in codes}
    with UnitOfWork(engine) as uow:
        for n in range(appointments):
            code = codes[n % stylists]
            service = SERVICES[n % len(SERVICES)]
            start = free[code]
            if start.hour == 13 and start.minute + service[2] > 60 or start.hour == 14:
                start = start.replace(hour=15, minute=0)
            booking.book_appointment(uow.session, actor=owner, location=loc, client_id=clients[n], services=[service[0]],
                                     staff=code, at=f"{start:%Y-%m-%d %H:%M}", allow_overlap=True,
                                     allow_outside_hours=True)
            free[code] = start + timedelta(minutes=service[2])
        uow.commit()
    engine.dispose()


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


async def paint(url: str, size: tuple[int, int], runs: int) -> dict[str, list[float]]:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.book import board, grid as book_grid
    from salon_cli.services.salon import locations
    from salon_cli.tui.screens.book import today
    from salon_cli.tui.widgets.book_grid import BookGrid

    engine = make_engine(url)
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        day_grid = book_grid.grid(uow.session, location=loc)
        day_board = board.board(uow.session, location=loc)

    class Bench(App[None]):
        def compose(self) -> ComposeResult:
            yield BookGrid(id="grid")
            yield DataTable(id="book", cursor_type="row")

    out: dict[str, list[float]] = {"grid": [], "list": []}
    app = Bench()
    async with app.run_test(size=size) as pilot:
        widget, table = app.query_one(BookGrid), app.query_one(DataTable)
        table.add_columns(*today.COLUMNS)
        await pilot.pause()
        for run in range(runs + 1):
            t0 = time.perf_counter()
            widget.show(day_grid, keep=False)
            widget._now_near_top()
            lines = [widget.render_line(y) for y in range(widget.scrollable_content_region.height)]
            if run:
                out["grid"].append(time.perf_counter() - t0)
            else:  # what was painted, once: the figure is of a real day, not of blank lines
                text = "\n".join(line.text for line in lines)
                blocks = text.count("▌")
                assert blocks > 20, text
                print(f"  {size[0]}x{size[1]}: {len(lines)} lines painted, {blocks} block cells on screen; the first "
                      f"rows:\n" + "\n".join("    " + line.text.rstrip() for line in lines[:4]), flush=True)
            t0 = time.perf_counter()
            table.clear()
            for row in day_board.rows:
                appt = row.appointment
                table.add_row(f"{appt.starts_at:%H:%M}", row.state, appt.client, appt.staff, appt.service,
                              str(appt.price_cents), key=str(appt.id))
            table._update_dimensions(table._new_rows)
            for y in range(table.scrollable_content_region.height):
                table.render_line(y)
            if run:
                out["list"].append(time.perf_counter() - t0)
            await pilot.pause()
    engine.dispose()
    return out


def data_ms(url: str, runs: int) -> list[float]:
    from salon_cli.db.engine import make_engine
    from salon_cli.db.uow import UnitOfWork
    from salon_cli.services.book import grid as book_grid
    from salon_cli.services.salon import locations

    engine = make_engine(url)
    times = []
    with UnitOfWork(engine, write=False) as uow:
        loc = locations.resolve(uow.session, None)
        for run in range(runs + 1):
            t0 = time.perf_counter()
            book_grid.grid(uow.session, location=loc)
            if run:
                times.append(time.perf_counter() - t0)
    engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stylists", type=int, default=12)
    parser.add_argument("--appointments", type=int, default=150)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from salon_cli.core import clock
    from salon_cli.core.clock import FixedClock

    clock.set_clock(FixedClock(AS_OF - timedelta(hours=3)))
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/grid.db"
        t0 = time.perf_counter()
        build(url, stylists=args.stylists, appointments=args.appointments)
        clock.set_clock(FixedClock(AS_OF))
        print(f"built: {args.stylists} stylists, {args.appointments} appointments today in {time.perf_counter() - t0:.1f} s",
              flush=True)
        print(f"the grid's data (grid service), median of {args.runs}: {median_ms(data_ms(url, args.runs)):.1f} ms")
        for size in ((160, 50), (80, 24)):
            figures = asyncio.run(paint(url, size, args.runs))
            grid, listed = median_ms(figures["grid"]), median_ms(figures["list"])
            verdict = "met" if grid < TARGET_MS else "NOT MET"
            print(f"paint at {size[0]}x{size[1]}, median of {args.runs}: grid {grid:.1f} ms   "
                  f"(the list view, same rows: {listed:.1f} ms; ratio {grid / listed:.2f}x)   "
                  f"target < {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
