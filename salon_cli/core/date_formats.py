"""Dates and times as other systems export them: read with a strftime pattern, or find the pattern.

Values are normalised before `datetime.strptime` so that the C locale reads them: 'p. m.' and
'pm' become 'PM', and English or Spanish month names ('ene', 'agosto', 'Sept') become the English
abbreviation that `%b` reads. `setlocale` is never called.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from functools import lru_cache

from salon_cli.core.days import check_day
from salon_cli.core.errors import InvalidInput

DATE_PATTERNS = (
    "%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y",
    "%m-%d-%Y", "%d %b %Y", "%b %d, %Y", "%d/%b/%Y", "%d-%b-%Y",
)
TIME_PATTERNS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p", "%I:%M:%S%p", "%I %p", "%I%p")
DATETIME_PATTERNS = tuple(dict.fromkeys((
    "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S",
    *(f"{d} {t}" for d in DATE_PATTERNS for t in TIME_PATTERNS),
)))

_SAMPLE = 32  # distinct values tried first, to rank the patterns
_EXAMPLES = {"--date-format": "%m/%d/%Y", "--time-format": '"%I:%M %p"'}

_MONTHS = {
    name: abbr
    for abbr, names in (
        ("Jan", "jan january ene enero"), ("Feb", "feb february febrero"), ("Mar", "mar march marzo"),
        ("Apr", "apr april abr abril"), ("May", "may mayo"), ("Jun", "jun june junio"),
        ("Jul", "jul july julio"), ("Aug", "aug august ago agosto"),
        ("Sep", "sep sept september set septiembre setiembre"), ("Oct", "oct october octubre"),
        ("Nov", "nov november noviembre"), ("Dec", "dec december dic diciembre"),
    )
    for name in names.split()
}
_MERIDIEM = re.compile(r"(?<![^\W\d_])([ap])\.?\s?m\b\.?", re.IGNORECASE)
# a month's abbreviating dot goes too ('5 ene. 2026'), but not a dot between fields ('05.ene.2026')
_WORD = re.compile(r"[^\W\d_]+(?:\.(?=\s|$))?")


def normalise(text: str) -> str:
    """'3:50:00 p. m.' -> '3:50:00 PM'; '5 Ene. 2026' -> '5 Jan 2026'."""
    plain = " ".join(text.split())
    plain = _MERIDIEM.sub(lambda m: m.group(1).upper() + "M", plain)
    return _WORD.sub(lambda m: _MONTHS.get(m.group().rstrip(".").lower(), m.group()), plain)


def parse_datetime(text: str, pattern: str, *, what: str = "date", option: str = "--date-format") -> datetime:
    found = _parsed(text or "", pattern)
    if isinstance(found, datetime):
        check_day(found.date(), what=f"{what} {text.strip()}")  # 9999-12-31 could become no instant
        return found
    if found == "empty":
        raise InvalidInput(f"{what} is empty")
    example = _EXAMPLES.get(option, "%m/%d/%Y")
    raise InvalidInput(f"{what} {text!r} does not match the {what} format {pattern}",
                       hint=f"give the file's format with {option}, e.g. {example}")


@lru_cache(maxsize=131072)
def _parsed(text: str, pattern: str) -> datetime | str:
    """A file's dates and times repeat: each distinct one is read once. Room for every second of a
    day (86,400 times as a file writes them to the second) and years of dates: a smaller cache thrashed
    on a 100,000-line export with times to the second, reading most of them again."""
    plain = normalise(text)
    if not plain:
        return "empty"
    try:
        return datetime.strptime(plain, pattern)
    except ValueError:
        return "no match"


def parse_date(text: str, pattern: str, *, what: str = "date", option: str = "--date-format") -> date:
    return parse_datetime(text, pattern, what=what, option=option).date()


def parse_time(text: str, pattern: str, *, what: str = "time", option: str = "--time-format") -> time:
    return parse_datetime(text, pattern, what=what, option=option).time()


def detect_date_format(values: Iterable[str], *, what: str = "date", option: str = "--date-format") -> str | None:
    """The pattern of DATE_PATTERNS that reads most of `values`; see `_detect`."""
    return _detect(values, DATE_PATTERNS, datetime.date, what, option)


def detect_time_format(values: Iterable[str], *, what: str = "time", option: str = "--time-format") -> str | None:
    """The pattern of TIME_PATTERNS that reads most of `values`; see `_detect`."""
    return _detect(values, TIME_PATTERNS, datetime.time, what, option)


def detect_datetime_format(values: Iterable[str], *, what: str = "date", option: str = "--date-format") -> str | None:
    """The pattern of DATETIME_PATTERNS that reads most of `values`; see `_detect`."""
    return _detect(values, DATETIME_PATTERNS, lambda at: at, what, option)



def _detect(values: Iterable[str], patterns: tuple[str, ...], keep: Callable[[datetime], object],
            what: str, option: str) -> str | None:
    """The pattern that reads the most values (blank ones aside), the earlier on a tie; None when
    none reads any. `InvalidInput` when two patterns tie and read one value as different dates."""
    counts: Counter[str] = Counter()
    written: dict[str, str] = {}  # to name a value as the file has it
    for value, n in Counter(values).items():  # values repeat heavily: read each once
        plain = normalise(value or "")
        if plain:
            counts[plain] += n
            written.setdefault(plain, value.strip())
    total = sum(counts.values())
    # Trying the likeliest patterns first finds a high count early, so the others stop at once.
    sample = list(counts)[:_SAMPLE]
    order = sorted(range(len(patterns)), key=lambda k: -sum(_read(s, patterns[k]) is not None for s in sample))
    best, readings = 0, {}  # readings: pattern index -> (count, value -> what it read)
    for k in order:
        read: dict[str, object] = {}
        missed = 0
        for plain, n in counts.items():
            at = _read(plain, patterns[k])
            if at is None:
                missed += n
                if total - missed < best:
                    break
            else:
                read[plain] = keep(at)
        else:
            best = max(best, total - missed)
            readings[k] = (total - missed, read)
    tied = sorted(k for k, (count, _) in readings.items() if count == best and best)
    for i, a in enumerate(tied):
        for b in tied[i + 1:]:
            _refuse_disagreement(patterns[a], readings[a][1], patterns[b], readings[b][1], written, what, option)
    return patterns[tied[0]] if tied else None


def _read(plain: str, pattern: str) -> datetime | None:
    try:
        return datetime.strptime(plain, pattern)
    except ValueError:
        return None


def _refuse_disagreement(a: str, read_a: dict[str, object], b: str, read_b: dict[str, object],
                         written: dict[str, str], what: str, option: str) -> None:
    for plain, first in read_a.items():
        other = read_b.get(plain)
        if other is not None and other != first:
            raise InvalidInput(
                f"the {what}s are ambiguous: {written[plain]!r} reads as {first} ({a}) or {other} ({b})",
                hint=f"give the file's format with {option} {_quoted(a)} or {option} {_quoted(b)}")


def _quoted(pattern: str) -> str:
    return f'"{pattern}"' if " " in pattern else pattern
