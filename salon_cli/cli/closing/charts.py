"""Terminal charts: a horizontal bar chart and a sparkline (pure Python, no colour).

On a terminal they are drawn in Unicode blocks, to an eighth of a cell; with `plain=True` (NO_COLOR, a
pipe, TERM=dumb: `output.styled()` is false) in ASCII (`#` a whole cell, `-` shading a negative bar,
`_.:-=+*#` for the sparkline), so that a report read in `less` or a mail keeps its chart. Bar lengths
are worked out in integers, so the same figures always draw the same bars.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

_EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")
_FULL = "█"
_NEGATIVE = "░"
_SPARKS = "▁▂▃▄▅▆▇█"
_PLAIN_FULL, _PLAIN_NEGATIVE, _PLAIN_SPARKS = "#", "-", "_.:-=+*#"


def bar(value: int, top: int, width: int, *, plain: bool = False) -> str:
    """A bar for `value` on a scale where `top` fills `width` cells (eighth-cell steps, or whole cells when
    `plain`; negatives shaded; any value that is not 0 shows at least a sliver)."""
    if top <= 0 or value == 0:
        return ""
    eighths = (2 * abs(value) * width * 8 + top) // (2 * top)  # half up
    if value < 0:
        return (_PLAIN_NEGATIVE if plain else _NEGATIVE) * max(1, (eighths + 7) // 8)
    if plain:
        return _PLAIN_FULL * max(1, (eighths + 4) // 8)
    whole, part = divmod(eighths, 8)
    return _FULL * whole + _EIGHTHS[part] or _EIGHTHS[1]


def bar_chart(items: Sequence[tuple[str, int]], *, width: int = 40,
              show: Callable[[int], str] = str, plain: bool = False) -> list[str]:
    """One line per item: label, value (as `show` writes it) and its bar, the largest filling `width`."""
    if not items:
        return []
    top = max(abs(v) for _, v in items)
    labels = [label for label, _ in items]
    values = [show(v) for _, v in items]
    lw, vw = max(len(s) for s in labels), max(len(s) for s in values)
    return [f"{label.ljust(lw)}  {text.rjust(vw)}  {bar(v, top, width, plain=plain)}".rstrip()
            for label, text, (_, v) in zip(labels, values, items)]


def sparkline(values: Sequence[float | int | None], *, plain: bool = False) -> str:
    """One character per value from ▁ (0 or the least) to █ (the most), `_` to `#` when `plain`; a blank
    for a missing value."""
    sparks = _PLAIN_SPARKS if plain else _SPARKS
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    low, high = min(min(known), 0), max(known)
    span = high - low
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif span <= 0:
            out.append(sparks[0])
        else:
            out.append(sparks[min(len(sparks) - 1, int((v - low) * (len(sparks) - 1) / span + 0.5))])
    return "".join(out)
