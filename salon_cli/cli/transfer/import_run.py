"""One `salon import ...` run: its options resolved (a mapping file under the command line), the file
read and handed to the import's service, and what happened said: the plan or the summary on stdout,
in words on stderr, the refused rows to --rejects, the mapping used to --save-mapping.

What is said counts the rows read and the rows used ("read 2,004 rows, used 1,998: ..."), and offers
`--skip-bad` only where it would help: faults in rows (not in the file's header or bytes), some rows
good, and `--skip-bad` not given already.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from salon_cli import launch
from salon_cli.cli.context import app_context
from salon_cli.cli.output import Format, emit, message
from salon_cli.cli.transfer import targets
from salon_cli.core.errors import InvalidInput
from salon_cli.core.permissions import Permission
from salon_cli.io.tabular import ImportRefused, parse_mapping, write_rejects

if TYPE_CHECKING:
    from salon_cli.io.tabular import SourceRows
    from salon_cli.services.transfer.imports import Outcome

SUMMARY_COLUMNS = ["rows_read", "rows_used", "created", "unchanged", "refused", "dry_run"]
PLAN_COLUMNS = ["row", "action", "record", "existing_id", "reason"]
_FAULTS_SHOWN = 50
_PROGRESS_FROM = 5000  # rows: smaller files are done before a bar would be read
# counts some imports add to their outcome, and how they are said
_MORE_COUNTS = {"updated": "{n} changed as the file says", "filled": "{n} named by their codes filled in"}


class ImportRun:
    """The options every import shares, resolved: mapping file under command-line options. `flags`
    are the command's own options (None: not given), which the mapping file may give too (a key of
    the file's that is not one of them is refused); `money` the command's fields of money, which one
    column may not be read as twice (`column_map`)."""

    def __init__(self, ctx: typer.Context, file: str, *, maps: list[str], mapping: Path | None, fmt: Format,
                 date_format: str | None = None, time_format: str | None = None, encoding: str | None = None,
                 decimal: str | None = None, dry_run: bool = False, skip_bad: bool = False,
                 rejects: Path | None = None, save_mapping: Path | None = None, force: bool = False,
                 money: Sequence[str] = (), flags: dict[str, Any] | None = None) -> None:
        from salon_cli.io import mapping_file

        self.app = app_context(ctx)
        self.rejects, self.save_mapping = rejects, save_mapping
        if skip_bad and not dry_run and rejects is None:
            if file == "-":
                raise InvalidInput("--skip-bad on stdin needs --rejects FILE for the refused rows")
            self.rejects = Path(file).with_name(Path(file).stem + ".rejected.csv")
        self._check_outputs(skip_bad and not dry_run, force)
        self.location = self.app.location()
        settings = mapping_file.load(mapping) if mapping is not None else mapping_file.MappingFile()
        given = flags or {}
        foreign = sorted(set(settings.flags) - set(given))
        if foreign:
            raise InvalidInput(f"--mapping {mapping}: {foreign[0]} is not an option of this import",
                               hint=f"take it out of the file ({', '.join(given) or 'this import keeps none'})")
        # the command's own options: the command line's, else the mapping file's; None is not given
        self.flags = {k: v if v is not None else settings.flags.get(k) for k, v in given.items()}
        self.mapping = parse_mapping(maps, base=settings.columns, apart=money)
        self.date_format = date_format or settings.date_format
        self.time_format = time_format or settings.time_format
        self.encoding = _with_bom(encoding or settings.encoding or "utf-8")
        self.decimal = decimal or settings.decimal_separator
        self.file, self.dry_run, self.skip_bad, self.fmt = file, dry_run, skip_bad, fmt
        self.source = "stdin" if file == "-" else Path(file).name

    def given(self) -> dict[str, Any]:
        """The command's own options that were given (on the command line or in the mapping file)."""
        return {k: v for k, v in self.flags.items() if v is not None}

    def _check_outputs(self, rejects: bool, force: bool) -> None:
        """Before the database is even opened: where --rejects and --save-mapping would write."""
        from salon_cli.io.mapping_file import is_mapping
        from salon_cli.io.output_files import is_rejects

        if rejects and self.rejects is not None:
            targets.check(self.app, self.rejects, option="--rejects", force=force, ours=is_rejects,
                          what="rejects file")
        if self.save_mapping is not None:
            if rejects and self.rejects is not None and os.path.abspath(self.rejects) == os.path.abspath(
                    self.save_mapping):
                raise InvalidInput(f"--save-mapping {self.save_mapping} is the rejects file too; nothing written")
            targets.check(self.app, self.save_mapping, option="--save-mapping", force=force, ours=is_mapping,
                          what="mapping file (one --save-mapping wrote)")

    def run(self, reader: Callable[..., SourceRows], permission: Permission,
            work: Callable[[Any, Any, SourceRows, Any], Outcome]) -> Outcome:
        """Read the rows, then `work(session, actor, rows, progress)`: read-only for a dry run, else
        in one committed transaction. Faults are listed on stderr before the error."""

        with launch.bulk():  # a quarter of a big import's time went to the collector (launch.py)
            return self._run(reader, permission, work)

    def _run(self, reader: Callable[..., SourceRows], permission: Permission,
             work: Callable[[Any, Any, SourceRows, Any], Outcome]) -> Outcome:
        rows = _read_rows(self.file, self.mapping, self.encoding, reader)
        self.rows = rows
        try:
            with _progress_bar(len(rows)) as progress:
                if self.dry_run:
                    actor = self.app.actor(permission)
                    return self.app.read(lambda session: work(session, actor, rows, progress))
                return self.app.change(permission, lambda session, actor: work(session, actor, rows, progress))
        except ImportRefused as exc:
            if exc.outcome is not None:
                emit(exc.outcome.plan, self.fmt, columns=PLAN_COLUMNS)
            _say_faults(exc.faults)
            if not self.skip_bad and not exc.of_file and exc.rows_left and exc.rows_read:
                exc.hint = (f"{exc.hint}, or import the rest with --skip-bad ({exc.rows_left:,} of "
                            f"{exc.rows_read:,} rows; the refused ones go to a rejects file)")
            raise

    def finish(self, outcome: Outcome, noun: str) -> None:
        """The plan (dry run) or the summary on stdout; what happened, in words, on stderr."""
        s = outcome.summary
        said = [f"{s.created:,} new {noun}{'' if s.created == 1 else 's'}",
                f"{s.unchanged:,} already here" + ("" if self.dry_run else " (left as they are)")]
        more = _more_counts(outcome)
        said += [_MORE_COUNTS.get(name, "{n} " + name).format(n=f"{n:,}") for name, n in more.items() if n]
        if s.refused:
            said.append(f"{s.refused:,} row{'' if s.refused == 1 else 's'} refused")
        rows = f"read {s.rows:,} row{'' if s.rows == 1 else 's'}, {'would use' if self.dry_run else 'used'} " \
               f"{s.rows_used:,}"
        if self.dry_run:
            emit(outcome.plan, self.fmt, columns=PLAN_COLUMNS)
            message(f"dry run, nothing written: {rows}: {', '.join(said)}")
            self._save_mapping(outcome)
            return
        message(f"imported {self.source}: {rows}: {', '.join(said)}")
        if outcome.refused and self.rejects is not None:
            _write_rejects(self.rejects, self.rows.header, outcome)
            message(f"the refused rows and why: {self.rejects} (fix them and import that file again)")
        self._save_mapping(outcome)
        record = {"rows_read": s.rows, "rows_used": s.rows_used, "created": s.created, "unchanged": s.unchanged,
                  "refused": s.refused, "dry_run": s.dry_run, **more}
        emit(record, self.fmt, one=True, columns=[*SUMMARY_COLUMNS, *more])

    def _save_mapping(self, outcome: Outcome) -> None:
        if self.save_mapping is None:
            return
        from salon_cli.cli.transfer import saved_mapping

        given = {"date_format": self.date_format, "time_format": self.time_format, "decimal_separator": self.decimal}
        mapping = saved_mapping.used(self.rows, outcome, given=given, flags=self.flags, encoding=self.encoding)
        saved_mapping.write(self.save_mapping, mapping, source=self.source, committed=not self.dry_run)


def _more_counts(outcome: Outcome) -> dict[str, int]:
    """Counts an import adds to its outcome or summary (`updated`, `filled`), by name."""
    found = {}
    for holder in (outcome, outcome.summary):
        for name in _MORE_COUNTS:
            value = getattr(holder, name, None)
            if isinstance(value, int) and not isinstance(value, bool):
                found[name] = value
    return found


def _with_bom(encoding: str) -> str:
    """UTF-8 means UTF-8 with or without a byte-order mark."""

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InvalidInput(f"encoding {encoding!r} is not known", hint="e.g. utf-8, latin-1, cp1252, utf-16") from None
    return "utf-8-sig" if name in ("utf-8", "utf-8-sig") else encoding


def _read_rows(file: str, mapping: dict[str, str], encoding: str, reader: Callable[..., SourceRows]) -> SourceRows:
    if file == "-":
        return reader(sys.stdin.buffer, mapping=mapping, encoding=encoding)
    try:
        stream = open(file, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror or exc}") from None
    with stream:
        return reader(stream, mapping=mapping, encoding=encoding)


def _say_faults(faults: list[Any]) -> None:
    """The error line names three faults; a longer list goes to stderr first, one a line."""
    if len(faults) <= 3:
        return
    for fault in faults[:_FAULTS_SHOWN]:
        message(f"  {fault}")
    if len(faults) > _FAULTS_SHOWN:
        message(f"  ... and {len(faults) - _FAULTS_SHOWN} more")


def _write_rejects(path: Path, header: list[str], outcome: Outcome) -> None:
    """The refused rows (file's own columns, plus `import_error`), via PATH.part moved into place:
    0600, or the mode PATH had (salon_cli/io/private_files.py)."""
    from salon_cli.io.private_files import open_replacement

    part = targets.part_of(path)
    try:
        with open_replacement(part, path) as out:
            write_rejects(out, header, outcome.refused)
        os.replace(part, path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        # the import is committed: say so rather than fail as if nothing happened
        message(f"warning: the import is done, but the refused rows could not be written to {path}: "
                f"{exc.strerror or exc}")


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback: a bar on stderr for a large file read at a terminal; else silent."""
    from salon_cli.services.transfer.imports import quietly

    if total < _PROGRESS_FROM or not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
        yield quietly
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    tasks: dict[str, Any] = {}
    with Progress(TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        def progress(phase: str, done: int, total_: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=max(total_, 1))
            bar.update(tasks[phase], completed=done, total=max(total_, 1))
        yield progress
