"""A manager's report (`salon report staff|finance ... --email --pdf`) as an A4 PDF, with fpdf2: the
salon's name, the report and its period, where it is and the currency, then each table under its
heading, split over pages with its headings repeated.

The tables are the ones the command shows (`Table`: a title, the records, the columns; `one` for a
single record, drawn as label and value). Money (`*_cents`) is in major units exactly as the JSON's
integers (`core.money.format_amount`, as the command's tables), the currency named once in the header.
A table wider than a portrait page turns the page to landscape; wider still, its columns share the
page's width and their cells wrap. The font is the receipts' (`pdf.new_document`), so every character
of a name prints where the machine has a TrueType font.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from salon_cli.core.money import format_amount
from salon_cli.io import tabular
from salon_cli.services.receipts import pdf as pdf_out

if TYPE_CHECKING:
    from fpdf import FPDF

CREATOR = "salon report"
MARGIN_MM = 15.0
NAME_PT = 14.0
TITLE_PT = 11.0
SMALL_PT = 8.0
HEADING_PT = 10.0
CELL_PT = 8.5
PAD_MM = 1.6  # left and right of a cell's text
CHAR_EM = 0.62  # a character of the monospaced fonts (DejaVu Sans Mono 0.602 em, Courier 0.6), with room
PT_MM = 25.4 / 72
PORTRAIT_TEXT_MM = 210.0 - 2 * MARGIN_MM  # a table wider than this turns the page


@dataclass(frozen=True)
class Table:
    title: str | None
    items: Any  # records: dataclasses or dicts (one record with `one`)
    columns: Sequence[str] | None = None  # which and in which order (default: every key of the first)
    one: bool = False


def heading(key: str) -> str:
    """A column's heading: `revenue_cents` -> `revenue`, `average_ticket_cents` -> `average ticket`."""
    return key.removesuffix("_cents").replace("_", " ")


def cell(key: str, value: Any, currency: str) -> str:
    if value is None:
        return ""
    if key.endswith("_cents") and isinstance(value, int) and not isinstance(value, bool):
        return format_amount(value, currency)
    if isinstance(value, float):
        return f"{value:g}"
    return tabular.csv_cell(value)


Grid = tuple[list[str], list[list[str]], list[str]]  # headings, rows of text, alignment per column


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _grid(table: Table, currency: str) -> Grid:
    """(headings, rows of text, alignment per column) of a table; a single record is label and value."""
    records = list(tabular.records([table.items] if table.one else table.items))
    keys = list(table.columns or (records[0].keys() if records else []))
    if table.one:
        record = records[0] if records else {}
        shown = [k for k in keys if k in record and not isinstance(record[k], (list, dict))]
        return [], [[heading(k), cell(k, record[k], currency)] for k in shown], ["LEFT", "RIGHT"]
    align = ["RIGHT" if any(_numeric(r.get(k)) for r in records) and all(
        r.get(k) is None or _numeric(r.get(k)) for r in records) else "LEFT" for k in keys]
    return [heading(k) for k in keys], [[cell(k, r.get(k), currency) for k in keys] for r in records], align


def _widths(heads: list[str], body: list[list[str]]) -> list[float]:
    """Each column as wide as its longest cell (a heading may wrap at its spaces), in mm: the fonts are
    monospaced, so characters tell the width before the page is chosen."""
    columns = len(heads) or (len(body[0]) if body else 0)
    chars = [0] * columns
    for i, text in enumerate(heads):
        chars[i] = max(len(word) for word in text.split() or [""])
    for line in body:
        for i, text in enumerate(line):
            chars[i] = max(chars[i], len(text))
    return [n * CHAR_EM * CELL_PT * PT_MM + 2 * PAD_MM for n in chars]


def _draw(pdf: FPDF, family: str, title: str | None, grid: Grid) -> None:
    heads, body, align = grid
    if title:
        pdf.set_font(family, "B", HEADING_PT)
        pdf.cell(w=0, h=6, text=pdf_out.shown(title, family), new_x="LMARGIN", new_y="NEXT")
    if not body:
        pdf.set_font(family, "", CELL_PT)
        pdf.cell(w=0, h=5, text="(no rows)", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        return
    widths = _widths(heads, body)
    pdf.set_font(family, "", CELL_PT)
    with pdf.table(width=min(sum(widths), pdf.epw), col_widths=tuple(widths), align="LEFT", text_align=tuple(align),
                   borders_layout="HORIZONTAL_LINES" if heads else "NONE", first_row_as_headings=bool(heads),
                   line_height=4.2, padding=(0.6, PAD_MM)) as drawn:
        for line in ([heads] if heads else []) + body:
            row = drawn.row()
            for text in line:
                row.cell(pdf_out.shown(text, family))
    pdf.ln(5)


def document(*, location_name: str, title: str, period: str, tables: Sequence[Table], currency: str,
             details: Sequence[str] = (), created: datetime | None = None,
             font: tuple[str, str] | None | bool = True, file_title: str | None = None) -> bytes:
    """The report on A4: `location_name`, `title` and `period` at the top, `details` (where, when made)
    and the currency under them, then the tables. `font`: as `pdf.new_document` takes it."""
    grids = [(table.title, _grid(table, currency)) for table in tables]
    needed = max((sum(_widths(heads, body)) for _, (heads, body, _) in grids if body), default=0.0)
    pdf, family = pdf_out.new_document(page="A4", orientation="L" if needed > PORTRAIT_TEXT_MM else "P",
                                       title=file_title or title,
                                       created=created, font=font, creator=CREATOR)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_MM)
    pdf.add_page()
    pdf.set_font(family, "B", NAME_PT)
    pdf.cell(w=0, h=7, text=pdf_out.shown(location_name, family), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", TITLE_PT)
    pdf.cell(w=0, h=6, text=pdf_out.shown(f"{title} · {period}", family), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", SMALL_PT)
    for line in [*details, f"amounts in {currency}"]:
        pdf.cell(w=0, h=4.5, text=pdf_out.shown(line, family), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for title_, grid in grids:
        _draw(pdf, family, title_, grid)
    return bytes(pdf.output())
