"""Terminal charts in plain Unicode: a horizontal bar chart and a sparkline (pure Python, no colour).

The CLI draws them only on a terminal (`output.styled()`), never into a pipe. Bar lengths are worked
out in integers (eighths of a cell), so the same figures always draw the same bars.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

_EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")
_FULL = "█"
_NEGATIVE = "░"
_SPARKS = "▁▂▃▄▅▆▇█"


def bar(value: int, top: int, width: int) -> str:
    """A bar for `value` on a scale where `top` fills `width` cells (eighth-cell steps; negatives shaded)."""
    if top <= 0 or value == 0:
        return ""
    eighths = (2 * abs(value) * width * 8 + top) // (2 * top)  # half up
    if value < 0:
        return _NEGATIVE * max(1, (eighths + 7) // 8)
    whole, part = divmod(eighths, 8)
    return _FULL * whole + _EIGHTHS[part] or _EIGHTHS[1]


def bar_chart(items: Sequence[tuple[str, int]], *, width: int = 40,
              show: Callable[[int], str] = str) -> list[str]:
    """One line per item: label, value (as `show` writes it) and its bar, the largest filling `width`."""
    if not items:
        return []
    top = max(abs(v) for _, v in items)
    labels = [label for label, _ in items]
    values = [show(v) for _, v in items]
    lw, vw = max(len(s) for s in labels), max(len(s) for s in values)
    return [f"{label.ljust(lw)}  {text.rjust(vw)}  {bar(v, top, width)}".rstrip()
            for label, text, (_, v) in zip(labels, values, items)]


def sparkline(values: Sequence[float | int | None]) -> str:
    """One character per value from ▁ (0 or the least) to █ (the most); a blank for a missing value."""
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
            out.append(_SPARKS[0])
        else:
            out.append(_SPARKS[min(len(_SPARKS) - 1, int((v - low) * (len(_SPARKS) - 1) / span + 0.5))])
    return "".join(out)
