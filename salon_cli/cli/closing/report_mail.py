"""`--email ADDRESS [--pdf]` and `--last day|week|month` of `salon report day|staff|finance`: a report
mailed now instead of printed, for cron. Thin: `services.receipts.report_mail` checks the addresses and
the mail server, makes the PDF, sends and audits; this holds the options, captures the table the command
prints in a pipe (the same code draws both, so the body is that table to the character) and prints what
was sent on stdout, in `--format` (`>/dev/null` in a crontab keeps the mail cron sends for errors only).

Imports inside functions keep `salon --help` light (DESIGN.md, lazy imports).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import typer

from salon_cli.cli.output import Format, emit
from salon_cli.core.errors import InvalidInput

if TYPE_CHECKING:
    from salon_cli.cli.context import AppContext
    from salon_cli.services.salon.actors import Actor
    from salon_cli.services.salon.locations import LocationView

EMAIL_OPTION: Any = typer.Option(
    None, "--email", metavar="ADDRESS",
    help="Mail the report to ADDRESS now instead of printing it (repeat it, or a,b): its table in the body. "
         "stdout then lists what was sent. The server: SALON_SMTP_HOST, _FROM, _PORT, _TLS, _USER, _PASSWORD.")
PDF_OPTION: Any = typer.Option(False, "--pdf", help="With --email: attach the report as a PDF (the same figures).")
LAST_OPTION: Any = typer.Option(
    None, "--last", help="The whole day, ISO week (Monday to Sunday) or month before today (the location's), for cron.")

SENT_COLUMNS = ["report", "period", "to", "subject", "attachment", "message_id"]
Section = tuple[str | None, Any, Sequence[str] | None, bool]  # title, records, columns, one record


@dataclass(frozen=True)
class Sending:
    to: list[str]
    pdf: bool
    channel: Any  # services.messages.channels.SmtpEmail


def prepare(email: Sequence[str] | None, pdf: bool) -> Sending | None:
    """None without --email. Else the addresses and the mail server, checked before anything is read:
    --pdf alone, a bad address or no mail server set up is exit 2."""
    if pdf and not email:
        raise InvalidInput("--pdf attaches the report to a mail: it needs --email ADDRESS",
                           hint="e.g. --email owner@example.com --pdf")
    if not email:
        return None
    import os

    from salon_cli.services.receipts import report_mail

    return Sending(report_mail.addresses(email), pdf, report_mail.mailer(os.environ))


def check_last(unit: Any, date_: str | None, from_: str | None, to: str | None) -> None:
    if unit is not None and (date_ or from_ or to):
        raise InvalidInput("--last is a whole period of its own: not with --date, --from or --to")


def previous(first: date, last: date, unit: Any) -> tuple[date, date]:
    """(first, last) as given, or with --last the period before `first` (today, when no dates were given)."""
    if unit is None:
        return first, last
    from salon_cli.core.periods import previous as before

    return before(first, str(getattr(unit, "value", unit)))


def captured(draw: Callable[[], None]) -> str:
    """What `draw` prints, as in a pipe (no terminal: plain aligned text); a note such as `(no rows)` too."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        draw()
    return buffer.getvalue()


def mail(app: AppContext, location: LocationView, sending: Sending, report: str, first: date, last: date, *,
         draw: Callable[[], None], fmt: Format, tables: Sequence[Section] = (),
         z_report: dict[str, Any] | None = None, actor: Actor | None = None) -> None:
    """Mail the report: the body is what `draw` prints; with --pdf, the Z-report's PDF (`z_report`) or
    the `tables` on A4. Then what was sent, on stdout."""
    from salon_cli.core.permissions import Permission
    from salon_cli.services.receipts import report_mail, report_pdf

    who = actor or app.actor(Permission.reports_view)
    body = captured(draw)
    attachment = None
    if sending.pdf and z_report is not None:
        attachment = app.read(lambda s: report_mail.day_pdf(s, location, z_report, app.settings.language))
    elif sending.pdf:
        attachment = report_mail.table_pdf(location, report, first, last,
                                           [report_pdf.Table(t, items, cols, one) for t, items, cols, one in tables])
    sent = report_mail.send(app.engine, actor=who, location=location, channel=sending.channel, report=report,
                            first=first, last=last, body=body, to=sending.to, attachment=attachment)
    emit(sent, fmt, columns=SENT_COLUMNS)
