"""What every `salon import` shares: its outcome, the plan a dry run shows, and `--skip-bad`.

An import checks every row before it writes (DESIGN.md rule 8). By default one fault refuses the
whole file. With `skip_bad`, the rows at fault (for receipts: every row of a receipt with a row at
fault) are left out with their reasons and the check runs again on the rest, until what is left is
clean: a row can be refused because of a row refused before it (a duplicate of it, say), never
because of a row that is imported. Faults of the file itself (a missing or unknown column, bad
bytes) refuse it whatever the option says.

The outcome counts the rows read and the rows used (`ImportSummary.rows_used`), and says how the
file was read (`Outcome.settings`: the formats found or given, in the keys of a mapping file), so
that a dry run can write the mapping for the next import (`--save-mapping`). A refusal counts them
too (`ImportRefused.counted`): the interface offers `--skip-bad` only when some rows are good.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from salon_cli.core.errors import InvalidInput
from salon_cli.io.tabular import Fault, ImportRefused, SourceRow

Progress = Callable[[str, int, int], None]  # (phase, done, total): "checking" or "writing"


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    created: int
    unchanged: int
    dry_run: bool
    refused: int = 0

    @property
    def rows_used(self) -> int:
        """The rows imported or found already here: every row read but those refused."""
        return self.rows - self.refused


@dataclass(frozen=True)
class Created:
    """A service or staff member `create_missing` made (or, dry, would make); `pin` for new staff."""

    kind: str
    code: str
    name: str
    pin: str | None = None


@dataclass(frozen=True)
class Planned:
    """A row's fate in a dry run: `create`, `match` (already here: `existing_id` when known) or `refuse`."""

    row: int
    action: str
    record: str
    existing_id: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Outcome:
    summary: ImportSummary
    created: tuple[Created, ...] = ()
    plan: tuple[Planned, ...] = ()  # a dry run's rows (or receipts), in file order
    refused: tuple[tuple[SourceRow, str], ...] = ()  # the rows left out, with their reasons
    # how the file was read, as a mapping file keeps it: date_format, time_format, decimal_separator
    # (found in the file or given), amount_before_tax (sales), status (appointments), default_duration
    # (services); `run_import(settings=...)` fills it
    settings: Mapping[str, Any] = field(default_factory=dict)


def quietly(phase: str, done: int, total: int) -> None:
    """No progress shown."""


def ticking(progress: Progress, phase: str, total: int, every: int = 2000) -> Callable[[int], None]:
    """A callback for a loop: tells `progress` every `every` items and at the end."""
    def tick(done: int) -> None:
        if done % every == 0 or done == total:
            progress(phase, done, total)
    return tick


def record_id(text: str, what: str) -> int:
    """A record's id as our export writes it, kept by `--keep-ids`."""
    text = text.strip()
    if not text:
        raise InvalidInput(f"--keep-ids needs each {what}'s id", hint="as salon export writes them")
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise InvalidInput(f"{what} id {text!r} is not a whole number from 1 to {2**31 - 1}")
    return int(text)


def settings_of(shape: Any, rows: Sequence[SourceRow], **flags: Any) -> dict[str, Any]:
    """How a file was read, for `run_import(settings=...)`, from its `Formats` (appt_import_rows:
    `date_pattern`, `time_pattern`, `date_has_time`, `decimal`) and the import's own `flags`: the
    time pattern only when the file has times apart from its dates (else it was never used)."""
    times = not shape.date_has_time and any(r.values.get("time") for r in rows)
    return {"date_format": shape.date_pattern, "time_format": shape.time_pattern if times else None,
            "decimal_separator": shape.decimal, **flags}


def run_import(run: Callable[[Sequence[SourceRow]], Outcome], rows: Sequence[SourceRow], *, skip_bad: bool,
               dry_run: bool, group_of: Callable[[SourceRow], str | None] | None = None,
               group_word: str = "receipt", settings: Mapping[str, Any] | None = None) -> Outcome:
    """`run(rows)`; with `skip_bad` (or for a dry run's plan) the rows at fault are left out and
    `run` is tried on the rest. A dry run without `skip_bad` that found faults still raises them,
    after the caller has had the plan: `ImportRefused.outcome` carries it. `settings`: how the file
    was read (into `Outcome.settings`, over what `run` put there; values None are left out). A refusal
    counts the rows read and
    those without fault (`ImportRefused.counted`)."""
    used = {k: v for k, v in (settings or {}).items() if v is not None}
    if not (skip_bad or dry_run):
        try:
            outcome = run(rows)
        except ImportRefused as exc:
            _count(exc, rows, group_of)
            raise
        return replace(outcome, settings={**outcome.settings, **used}) if used else outcome
    refused: dict[int, str] = {}
    all_faults: list[Fault] = []
    remaining = list(rows)
    while True:
        try:
            outcome = run(remaining)
            break
        except ImportRefused as exc:
            if any(f.row is None or f.row <= 1 for f in exc.faults):
                raise  # the file itself is at fault: nothing to skip
            all_faults += exc.faults
            reasons: dict[int, list[str]] = {}
            for fault in exc.faults:
                assert fault.row is not None
                reasons.setdefault(fault.row, []).append(f"{fault.column}: {fault.problem}" if fault.column
                                                         else fault.problem)
            refused.update({n: "; ".join(r) for n, r in reasons.items()})
            if group_of is not None:
                _refuse_groups(remaining, refused, reasons, group_of, group_word)
            remaining = [r for r in remaining if r.number not in refused]
    by_number = {r.number: r for r in rows}
    summary = replace(outcome.summary, rows=len(rows), refused=len(refused))
    plan = outcome.plan
    if dry_run:
        plan = tuple(sorted((*plan, *(Planned(n, "refuse", _describe(by_number[n]), reason=reason)
                                      for n, reason in refused.items())), key=lambda p: p.row))
    outcome = replace(outcome, summary=summary, plan=plan, settings={**outcome.settings, **used},
                      refused=tuple((by_number[n], reason) for n, reason in sorted(refused.items())))
    if refused and not skip_bad:
        error = ImportRefused(sorted(all_faults, key=lambda f: f.row or 0))
        error.outcome = outcome
        error.counted(len(rows), len(rows) - len(refused))
        raise error
    return outcome


def _count(error: ImportRefused, rows: Sequence[SourceRow], group_of: Callable[[SourceRow], str | None] | None) -> None:
    """The rows read and those `--skip-bad` would keep at most (no fault, not in a receipt with one),
    without checking again: a row refused only because of another refused row is counted as kept."""
    if error.of_file:
        return
    reasons: dict[int, list[str]] = {}
    for fault in error.faults:
        reasons.setdefault(fault.row or 0, []).append(fault.problem)
    refused = dict.fromkeys(reasons, "")
    if group_of is not None:
        _refuse_groups(rows, refused, reasons, group_of, "")
    error.counted(len(rows), sum(1 for r in rows if r.number not in refused))


def _refuse_groups(rows: Sequence[SourceRow], refused: dict[int, str], reasons: dict[int, list[str]],
                   group_of: Callable[[SourceRow], str | None], word: str) -> None:
    """Every row of a group (a receipt) with a row at fault is refused with it."""
    bad_groups: dict[str, int] = {}
    for row in rows:
        key = group_of(row)
        if key and row.number in reasons:
            bad_groups.setdefault(key, row.number)
    for row in rows:
        key = group_of(row)
        if key in bad_groups and row.number not in refused:
            refused[row.number] = f"{word} {key} has a refused row ({bad_groups[key]})"


def _describe(row: SourceRow) -> str:
    """A refused row in a few words: its first values."""
    shown = [" ".join(c.split()) for c in row.cells if c.strip()][:3]
    return " · ".join(shown)[:80]
