"""`BookGrid`: the day's book as desks know it, a column per stylist and a row per slot.

A Line API widget (`ScrollView`): it paints only the lines on screen, so a day of 12 stylists and 150
appointments paints in a few milliseconds (benchmarks/tui.py). The stylists' names stay on the top line
and the times in the left gutter while the rows scroll. Stylists scroll sideways a whole column at a
time under the cursor (`◀` `▶` in the corner say more are there), each column as wide as the screen
allows, so no column is ever shown cut.

Each appointment is a block over its rows: a bar on its left edge, its client, service and state in
words (so the state reads without colour: NO_COLOR, a monochrome terminal), coloured by state with both
the text and the background set (readable on the dark and the light theme). Hours a stylist does not
work are shaded `░`; the current time is a `─` line across the free slots and `now` in the gutter.
The words are the desk's language (`state_word`); the times stay `HH:MM`, 24h, in any language: the
gutter is six columns wide and a block's first line is short.

Keys: the arrows move over slots and blocks (a block is one stop), Enter chooses (`SlotChosen` on a free
slot, `BlockChosen` on a block). `pick_up()` starts a move: the block follows the cursor across slots and
stylists, Enter drops it (`Dropped`), Escape puts it back. The grid holds no rule: the screen asks the
services and shows their refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from salon_cli.i18n import N_, _, formats
from salon_cli.services.book.grid import Grid, GridBlock

GUTTER = 6  # "09:15 "
COLUMN = 18  # the narrowest column: one separator and 17 characters of text
WIDEST = 34

BLOCK = {
    "booked": Style(color="white", bgcolor="dark_blue"),
    "late": Style(color="black", bgcolor="yellow", bold=True),
    "here": Style(color="black", bgcolor="cyan", bold=True),
    "in chair": Style(color="white", bgcolor="magenta", bold=True),
    "done": Style(color="black", bgcolor="green"),
    "no-show": Style(color="white", bgcolor="red", bold=True),
}
EDGE = Style(bold=True)
HEADER = Style(bold=True, underline=True)
GUTTER_STYLE = Style(dim=True)
SHADE = Style(dim=True)
NOW = Style(color="red", bold=True)
CURSOR = Style(reverse=True)
GHOST = Style(color="black", bgcolor="bright_white", bold=True)
# an appointment's state as the book and the grid name it (`services.book.board`), marked for the catalog:
# the state stays the English key, `state_word` says it in the desk's language
STATES = (N_("booked"), N_("late"), N_("here"), N_("in chair"), N_("done"), N_("no-show"), N_("late cancel"),
          N_("cancelled"))


def state_word(state: str) -> str:
    """'in chair' -> 'en servicio' (a state the catalog does not know is shown as it is)."""
    return _(state)


@dataclass(frozen=True)
class Cursor:
    column: int
    row: int


class BookGrid(ScrollView, can_focus=True):
    """The book of one day; `show(grid)` gives it the day to paint."""

    BINDINGS = [
        Binding("up", "move(0, -1)", N_("Up"), show=False),
        Binding("down", "move(0, 1)", N_("Down"), show=False),
        Binding("left", "move(-1, 0)", N_("Left"), show=False),
        Binding("right", "move(1, 0)", N_("Right"), show=False),
        Binding("pageup", "move(0, -8)", N_("Page up"), show=False),
        Binding("pagedown", "move(0, 8)", N_("Page down"), show=False),
        Binding("enter", "choose", N_("Open / book"), id="grid-choose"),
        Binding("escape", "put_back", N_("Put back"), show=False),
    ]

    class SlotChosen(Message):
        def __init__(self, staff: str, at: datetime) -> None:
            super().__init__()
            self.staff, self.at = staff, at

    class BlockChosen(Message):
        def __init__(self, appointment_id: int) -> None:
            super().__init__()
            self.appointment_id = appointment_id

    class Dropped(Message):
        def __init__(self, appointment_id: int, staff: str, at: datetime) -> None:
            super().__init__()
            self.appointment_id, self.staff, self.at = appointment_id, staff, at

    class MoveCancelled(Message):
        pass

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.grid: Grid | None = None
        self.cursor = Cursor(0, 0)
        self.moving: GridBlock | None = None
        self.first_column = 0  # the stylists scroll sideways by whole columns
        self._cells: dict[tuple[int, int], GridBlock] = {}
        self._labels: list[str] = []

    # -- data --------------------------------------------------------------------------------------

    def show(self, grid: Grid, *, keep: bool = True) -> None:
        """Paint `grid`. The cursor stays where it was on the same day, else goes to now (or the start)."""
        same_day = self.grid is not None and self.grid.day == grid.day and keep
        self.grid = grid
        self._cells = {(b.column, r): b for b in grid.blocks for r in range(b.first_row, b.first_row + b.rows)}
        self._labels = _labels(grid)
        self.virtual_size = Size(1, 1 + grid.rows)  # no sideways scroll bar: columns move whole
        if same_day:
            self.cursor = Cursor(min(self.cursor.column, max(0, len(grid.columns) - 1)), min(self.cursor.row, grid.rows - 1))
            self._follow()
        else:
            self.moving = None
            now = grid.now_row()
            self.cursor = Cursor(0, now or 0)
            self.first_column = 0
            self._now_near_top()
        self.refresh()

    def _now_near_top(self) -> None:
        """A new day opens with now (or the first row) two rows down, the slots before it above. It
        depends on nothing but the day (not on when the grid learns its size): every first paint of a
        day is the same."""
        self.set_scroll(None, max(0, self.cursor.row - 2))
        self._follow()

    def _layout(self) -> tuple[int, int]:
        """How many stylists fit on screen, and each one's width."""
        width = self.scrollable_content_region.width - GUTTER
        count = len(self.grid.columns) if self.grid else 1
        shown = max(1, min(count, width // COLUMN))
        return shown, max(COLUMN, min(WIDEST, width // shown)) if width >= COLUMN else max(4, width)

    def selected_block(self) -> GridBlock | None:
        return self._cells.get((self.cursor.column, self.cursor.row))

    def selected_slot(self) -> tuple[str, datetime] | None:
        if self.grid is None or not self.grid.columns:
            return None
        return self.grid.columns[self.cursor.column].code, self.grid.at(self.cursor.row)

    def go_to(self, appointment_id: int) -> bool:
        """Put the cursor on an appointment's block (after a booking or a move)."""
        for block in self.grid.blocks if self.grid else ():
            if block.appointment.id == appointment_id:
                self.cursor = Cursor(block.column, block.first_row)
                self._follow()
                self.refresh()
                return True
        return False

    def pick_up(self) -> GridBlock | None:
        block = self.selected_block()
        if block is not None:
            self.moving = block
            self.cursor = Cursor(block.column, block.first_row)
            self.refresh()
        return block

    # -- keys --------------------------------------------------------------------------------------

    def action_move(self, dx: int, dy: int) -> None:
        if self.grid is None or not self.grid.columns:
            return
        column = max(0, min(len(self.grid.columns) - 1, self.cursor.column + dx))
        row = self.cursor.row
        block = None if self.moving else self.selected_block()
        if dy > 0 and block is not None:  # a block is one stop
            row = block.first_row + block.rows - 1
        elif dy < 0 and block is not None:
            row = block.first_row
        row = max(0, min(self.grid.rows - 1, row + dy))
        landed = None if self.moving else self._cells.get((column, row))
        if landed is not None and dy != 0:
            row = landed.first_row
        self.cursor = Cursor(column, row)
        self._follow()
        self.refresh()

    def action_choose(self) -> None:
        if self.grid is None or not self.grid.columns:
            return
        staff, at = self.grid.columns[self.cursor.column].code, self.grid.at(self.cursor.row)
        if self.moving is not None:
            moving, self.moving = self.moving, None
            self.post_message(self.Dropped(moving.appointment.id, staff, at))
            self.refresh()
            return
        block = self.selected_block()
        if block is not None:
            self.post_message(self.BlockChosen(block.appointment.id))
        else:
            self.post_message(self.SlotChosen(staff, at))

    def action_put_back(self) -> None:
        if self.moving is not None:
            block, self.moving = self.moving, None
            self.cursor = Cursor(block.column, block.first_row)
            self._follow()
            self.refresh()
            self.post_message(self.MoveCancelled())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "put_back":
            return self.moving is not None  # Escape means "back" when nothing is being moved
        return True

    def _follow(self) -> None:
        """Scroll so that the cursor's slot is on screen beside the fixed names and times."""
        if self.grid is None:
            return
        width, height = self.scrollable_content_region.size
        if width <= 0 or height <= 0:
            return
        y = int(self.scroll_y)
        rows_shown = max(1, height - 1)
        span = self.moving.rows if self.moving else 1
        if self.cursor.row < y:
            y = self.cursor.row
        elif self.cursor.row + span > y + rows_shown:
            y = self.cursor.row + span - rows_shown
        shown, _ = self._layout()
        if self.cursor.column < self.first_column:
            self.first_column = self.cursor.column
        elif self.cursor.column >= self.first_column + shown:
            self.first_column = self.cursor.column - shown + 1
        self.first_column = max(0, min(self.first_column, len(self.grid.columns) - shown))
        self._scroll_rows(y)

    def _scroll_rows(self, y: int) -> None:
        """Scroll to row `y` now, bounded by the day's rows (which may not be laid out yet: the
        position is the same whenever the frame is painted, so every paint of a day is the same)."""
        height = self.scrollable_content_region.height
        if height > 1:  # before the grid knows its size, the position stands as asked
            y = min(y, self.virtual_size.height - height)
        self.set_scroll(None, max(0, y))

    def on_resize(self) -> None:
        self._follow()

    # -- painting ----------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        grid = self.grid
        if grid is None or width <= 0:
            return Strip.blank(max(0, width), self.rich_style)
        y_offset = int(self.scroll_y)
        shown, wide = self._layout()
        columns = range(self.first_column, min(len(grid.columns), self.first_column + shown))
        if y == 0:
            gutter, body = self._header(grid, columns, wide)
        else:
            row = y_offset + y - 1
            if row >= grid.rows:
                return Strip.blank(width, self.rich_style)
            gutter, body = self._row(grid, row, columns, wide)
        return Strip(gutter + body).extend_cell_length(width, self.rich_style).crop(0, width)

    def _header(self, grid: Grid, columns: range, wide: int) -> tuple[list[Segment], list[Segment]]:
        before = "◀" if columns.start > 0 else " "
        after = "▶" if columns.stop < len(grid.columns) else " "
        weekday = formats.weekday(grid.day, grid.location.currency, width="abbreviated")
        gutter = [Segment(f"{before}{weekday}{after}".ljust(GUTTER)[:GUTTER], HEADER)]
        body = []
        for i in columns:
            column = grid.columns[i]
            label = self._labels[i]
            if column.off:
                label = _("{name} · off").format(name=label)  # the reason is on its shaded column
            style = HEADER + CURSOR if i == self.cursor.column else HEADER
            body.append(Segment(" " + label[:wide - 2].ljust(wide - 1), style))
        return gutter, body

    def _row(self, grid: Grid, row: int, columns: range, wide: int) -> tuple[list[Segment], list[Segment]]:
        at = grid.at(row)
        now = grid.now_row() == row
        label = _("now▸ ") if now else f"{at:%H:%M} "
        gutter = [Segment(label.ljust(GUTTER)[:GUTTER], NOW if now else GUTTER_STYLE)]
        ghost = self._ghost_rows()
        body: list[Segment] = []
        for column in columns:
            on_cursor = column == self.cursor.column and (
                row == self.cursor.row if self.moving is None else row in ghost)
            if self.moving is not None and on_cursor:
                body.extend(self._ghost_cell(grid, row - self.cursor.row, wide))
                continue
            block = self._cells.get((column, row))
            if block is not None:
                body.extend(self._block_cell(block, row - block.first_row, wide,
                                             self.moving is None and column == self.cursor.column
                                             and block.first_row <= self.cursor.row < block.first_row + block.rows))
                continue
            working = grid.working(column, row)
            fill = " " if working else "░"
            off = grid.columns[column].off
            if off and row == self._first_row_shown():
                body.append(Segment("│", SHADE))
                body.append(Segment(_(" off: {reason}").format(reason=off)[:wide - 1].ljust(wide - 1, "░"),
                                    CURSOR if on_cursor else SHADE))
                continue
            style = SHADE
            if now and working:
                fill, style = "─", NOW
            text = fill * (wide - 1)
            if on_cursor:
                text, style = (_(" + book") if working else _(" (not working)")).ljust(wide - 1)[:wide - 1], CURSOR
            body.append(Segment("│", SHADE))
            body.append(Segment(text, style))
        return gutter, body

    def _first_row_shown(self) -> int:
        return int(self.scroll_y)

    def _ghost_rows(self) -> range:
        if self.moving is None:
            return range(0)
        return range(self.cursor.row, self.cursor.row + self.moving.rows)

    def _ghost_cell(self, grid: Grid, offset: int, wide: int) -> list[Segment]:
        assert self.moving is not None
        text = f"→ {grid.at(self.cursor.row):%H:%M} {self.moving.appointment.client}" if offset == 0 else \
            (_("Enter drops, Esc back") if offset == 1 else "")
        return [Segment("▌", GHOST), Segment(text[:wide - 1].ljust(wide - 1), GHOST)]

    def _block_cell(self, block: GridBlock, offset: int, wide: int, selected: bool) -> list[Segment]:
        appt = block.appointment
        tz = self.grid.location.tz if self.grid else None
        lines = _block_lines(block, f"{appt.starts_at.astimezone(tz):%H:%M}")
        text = lines[offset] if offset < len(lines) else ""
        style = BLOCK.get(block.state, Style(reverse=True))
        if selected:
            style = style + CURSOR
        if self.moving is not None and self.moving.appointment.id == appt.id:
            style = style + Style(dim=True, strike=True)
        return [Segment("▌", style + EDGE), Segment(text[:wide - 1].ljust(wide - 1), style)]


def _block_lines(block: GridBlock, start: str) -> list[str]:
    appt, state = block.appointment, state_word(block.state)
    if block.rows == 1:
        return [f"{appt.client} · {state}"]
    if block.rows == 2:
        return [f"{start} {appt.client}", f"{state} · {appt.service}"]
    return [f"{start} {appt.client}", appt.service, state]


def _labels(grid: Grid) -> list[str]:
    """Each stylist by first name ("Ana"); "Ana J." where two share it; the code where that is not enough."""
    def first(name: str, code: str) -> str:
        return name.split()[0] if name.split() else code

    def initial(name: str, code: str) -> str:
        words = name.split()
        return f"{words[0]} {words[1][0]}." if len(words) > 1 else code

    for label in (first, initial):
        names = [label(c.name, c.code) for c in grid.columns]
        if len(set(names)) == len(names):
            return names
    return [c.code for c in grid.columns]
