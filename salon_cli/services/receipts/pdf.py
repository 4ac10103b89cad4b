"""Receipts (and Z-reports) as PDF, with fpdf2: the rows of `text` on a page 80 mm wide, as long as
the receipt, in a monospaced font so the 42 columns stay aligned.

fpdf2's core fonts know Latin-1 only. A TrueType monospaced font of the system is embedded when one is
found (DejaVu Sans Mono, Liberation Mono, Consolas, Menlo): every character prints as it is, € and —
included. Without one, Courier is used and what Latin-1 lacks is spelled in it (€ -> EUR, — -> -,
curly quotes -> straight ones, other letters without their marks, else ?).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from salon_cli.services.receipts.text import Row

if TYPE_CHECKING:
    from fpdf import FPDF

PAGE_WIDTH_MM = 80.0
MARGIN_MM = 4.0
FONT_PT = 8.0
TITLE_PT = 11.0
LINE_MM = 3.6
TITLE_LINE_MM = 5.2
CREATOR = "salon receipt"

FONT_CANDIDATES = (  # (regular, bold)
    ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSansMono.ttf", "/usr/share/fonts/dejavu/DejaVuSansMono-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSansMono.ttf", "/usr/share/fonts/TTF/DejaVuSansMono-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf"),
    ("C:/Windows/Fonts/consola.ttf", "C:/Windows/Fonts/consolab.ttf"),
    ("/System/Library/Fonts/Supplemental/Courier New.ttf", "/System/Library/Fonts/Supplemental/Courier New Bold.ttf"),
)

_SPELLED = {"€": "EUR", "—": "-", "–": "-", "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"',
            "…": "...", "•": "*", "\u2009": " ", "\u202f": " ", "\u2212": "-"}


@cache
def system_font() -> tuple[str, str] | None:
    """A monospaced TrueType font of this machine (regular, bold), or None."""
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file():
            return regular, bold if Path(bold).is_file() else regular
    return None


def latin1(text: str) -> str:
    """`text` in what Courier can show: Latin-1, the rest spelled out or marked ?."""
    out = []
    for ch in text:
        if ch in _SPELLED:
            out.append(_SPELLED[ch])
            continue
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(bare if bare and bare.isascii() else "?")
    return "".join(out)


def new_document(*, page: str | tuple[float, float], title: str, orientation: str = "P",
                 created: datetime | None = None, font: tuple[str, str] | None | bool = True,
                 creator: str = CREATOR) -> tuple[FPDF, str]:
    """An fpdf2 document in mm with its metadata set and its font chosen: (the document, the family).
    `font`: True looks for a system font ("receipt"), None forces Courier (its text goes through
    `latin1`, see `shown`), a (regular, bold) pair of paths names one. The receipts and the mailed
    reports (`report_pdf`) both start here."""
    from fpdf import FPDF

    chosen = system_font() if font is True else font or None
    pdf = FPDF(orientation=orientation, unit="mm", format=page)
    pdf.set_title(title)
    pdf.set_creator(creator)
    pdf.set_producer(creator)
    if created is not None:
        pdf.set_creation_date(created)
    if isinstance(chosen, tuple):
        pdf.add_font("receipt", "", chosen[0])
        pdf.add_font("receipt", "B", chosen[1])
        return pdf, "receipt"
    return pdf, "Courier"


def shown(text: str, family: str) -> str:
    """`text` as the family can show it: as it is in a TrueType font, else through `latin1`."""
    return latin1(text) if family == "Courier" else text


def document(rows: Sequence[Row], *, title: str, created: datetime | None = None,
             font: tuple[str, str] | None | bool = True) -> bytes:
    """The rows on one page 80 mm wide. `font`: as `new_document` takes it."""
    height = 2 * MARGIN_MM + 2 + sum(TITLE_LINE_MM if r.style == "title" else LINE_MM for r in rows)
    pdf, family = new_document(page=(PAGE_WIDTH_MM, max(height, 60.0)), title=title, created=created, font=font)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    for row in rows:
        text = shown(row.text, family)
        bold = "B" if row.style in ("title", "bold") else ""
        pdf.set_font(family, bold, TITLE_PT if row.style == "title" else FONT_PT)
        pdf.cell(w=0, h=TITLE_LINE_MM if row.style == "title" else LINE_MM, text=text,
                 align="C" if row.style in ("title", "center") else "L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def is_pdf_of_ours(head: str) -> bool:
    """A PDF this module wrote (its creator says so): `--pdf FILE` replaces one without --force."""
    return head.startswith("%PDF-") and f"/Creator ({CREATOR})" in head
