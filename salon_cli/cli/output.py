"""Every command's output: `--format table|json|ndjson|csv` to stdout, messages to stderr.

Tables on a terminal are drawn by rich; piped (or with NO_COLOR) they are plain aligned text with no
colour and no box drawing. Money columns (`*_cents`) show in major units in tables only.

rich is imported only to draw on a terminal and `core.money` only for a money column: imports inside
functions keep `salon --help` light (DESIGN.md, lazy imports).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import typer

from salon_cli.io import tabular


class Format(StrEnum):
    table = "table"
    json = "json"
    ndjson = "ndjson"
    csv = "csv"


FORMAT_OPTION: Any = typer.Option(Format.table, "--format", "-f", help="table, json, ndjson or csv.")


def styled() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def message(text: str) -> None:
    """A note for the person at the keyboard (stderr, never mixed into data)."""
    print(text, file=sys.stderr)


def error(text: str, hint: str | None = None) -> None:
    print(f"error: {text}", file=sys.stderr)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)


def emit(
    items: Any,
    fmt: Format,
    *,
    one: bool = False,
    columns: Sequence[str] | None = None,
    tz: ZoneInfo | None = None,
    currency: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Write one record (`one=True`) or many. `columns` picks and orders what tables show; `headers` renames
    columns in tables only (`period` -> `service`: JSON and CSV keep the field names SPEC.md gives)."""
    rows: Iterable[dict[str, Any]] = tabular.records([items] if one else items, tz)
    out = sys.stdout
    if fmt is Format.json:
        tabular.write_json(rows, out, one=one)
    elif fmt is Format.ndjson:
        tabular.write_ndjson(rows, out)
    elif fmt is Format.csv:
        tabular.write_csv(rows, out, columns=list(columns) if columns else None)
    else:
        _table(list(rows), one=one, columns=columns, currency=currency, title=title, names=headers or {})
    out.flush()


def _cell(key: str, value: Any, currency: str | None) -> str:
    if value is None:
        return ""
    if key.endswith("_cents") and isinstance(value, int) and currency:
        from salon_cli.core.money import format_amount

        return format_amount(value, currency)
    if key.endswith("_bp") and isinstance(value, int):
        from salon_cli.core.money import format_percent

        return format_percent(value)
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    return tabular.csv_cell(value)


def _header(key: str, currency: str | None) -> str:
    if key.endswith("_cents") and currency:
        key = key[: -len("_cents")]
    elif key.endswith("_bp"):
        key = key[: -len("_bp")] + "_pct"
    return key


def _numeric(key: str, values: Iterable[Any]) -> bool:
    """A column of figures (counts, amounts, rates): right-aligned, so that units line up under units."""
    if key.endswith(("_cents", "_bp")):
        return True
    seen = [v for v in values if v is not None and v != ""]
    return bool(seen) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in seen)


def _table(rows: list[dict[str, Any]], *, one: bool, columns: Sequence[str] | None,
           currency: str | None, title: str | None, names: dict[str, str]) -> None:
    if one:
        record = rows[0] if rows else {}
        keys = [k for k in (columns or record.keys()) if k in record]
        body = [[_header(k, currency), _cell(k, record[k], currency)] for k in keys]
        headers: list[str] = []
        # a record's values are right-aligned when every one is a figure (a summary of amounts)
        right = [False, bool(keys) and all(record[k] is None or _numeric(k, [record[k]]) for k in keys)]
    else:
        keys = list(columns or (rows[0].keys() if rows else []))
        body = [[_cell(k, r.get(k), currency) for k in keys] for r in rows]
        headers = [names.get(k) or _header(k, currency) for k in keys]
        right = [_numeric(k, (r.get(k) for r in rows)) for k in keys]
    # money is printed without its sign in every cell: the currency is named once, under the table
    money = currency if any(k.endswith("_cents") for k in keys) else None
    if styled():
        _rich_table(headers, body, right, title=title, caption=f"amounts in {money}" if money else None)
        if not one and not rows:
            message("(no rows)")
        return
    lines = ([headers] if headers else []) + body
    widths = [max(len(cell) for cell in column) for column in zip(*lines)]
    for line in lines:
        cells = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(line, widths, right)]
        sys.stdout.write("  ".join(cells).rstrip() + "\n")
    if not one and not rows:
        message("(no rows)")


def _rich_table(headers: list[str], body: list[list[str]], right: list[bool], *, title: str | None,
                caption: str | None) -> None:
    """The table on a terminal, laid out as the plain one (two spaces between columns, no rules: the staff
    report's ten columns fit 120), with bold headers that never wrap, figures right-aligned, and long text
    folded inside its own column."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, caption=caption, show_header=bool(headers), header_style="bold",
                  box=None, pad_edge=False, caption_justify="right")
    names = headers or ["field", "value"]
    # never narrower than a header or a figure: a squeezed table would crop an amount ("94976.6")
    least = [max([len(h)] + [len(line[i]) for line in body if i < len(line)] if right[i] else [len(h)])
             for i, h in enumerate(names)]
    for h, figures, width in zip(names, right, least):
        table.add_column(h, justify="right" if figures else "left", no_wrap=figures, min_width=width,
                         overflow="fold")
    for line in body:
        table.add_row(*line)
    console = Console()
    if sum(least) + 2 * (len(least) - 1) > console.width:
        # too narrow even with text folded: drawn at its natural width (the terminal wraps the lines)
        # rather than cropping a figure
        natural = [max([len(h)] + [len(line[i]) for line in body if i < len(line)]) for i, h in enumerate(names)]
        console = Console(width=sum(natural) + 2 * len(natural))
    console.print(table)
