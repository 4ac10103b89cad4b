"""A report mailed now (`salon report day|staff|finance ... --email ADDRESS [--pdf]`), for cron: the
table the command prints in a pipe as the plain-text body, its PDF attached on request, sent at once
through the SMTP channel (`messages.channels.SmtpEmail`, the `SALON_SMTP_*` settings).

- The addresses are checked first (`emailing.check_address`; `a@x,b@y` or the option repeated): a bad
  one is exit 2 and nothing is sent.
- No mail server set up (`SALON_SMTP_HOST`, `SALON_SMTP_FROM`) is exit 2 as well, naming what is
  missing: it is the command's setup that is wrong, as a bad `SALON_SMTP_PORT` is (the channel says
  exit 2 for that); running it again will not help until someone sets it (exit 5 would tell cron
  that the mail server failed, which it did not).
- One message per address, so that a server refusing one address cannot leave it silently unsent
  among others. The mail server failing is exit 5; what it did not take is not recorded.
- Each message taken is audited (`report.emailed`: which report, its period, to whom, the PDF, the
  message id), by the staff member who ran it. Not through the outbox: a report is not a client's
  message, and a failed one is sent again by running the command again (cron), not days later.

The PDF: `report_pdf` on A4 for staff and finance; for `day`, the Z-report's own PDF (`zreport.pdf`,
80 mm wide, in the location's language), the one the dashboard saves and the printer prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, OutsideServiceFailed, RuleViolation
from salon_cli.db.engine import check_writable
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.messages.channels import (Attachment, Channel, OutgoingMessage, SendFailed, SmtpEmail,
                                                  Unconfigured)
from salon_cli.services.receipts import emailing, report_pdf, zreport
from salon_cli.services.receipts.words import language
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row

REPORTS = ("day", "staff", "finance")
TITLES = {"day": "Z-report", "staff": "Staff report", "finance": "Finance report"}


@dataclass(frozen=True)
class Mailed:
    report: str
    period: str
    to: str
    subject: str
    attachment: str | None  # the PDF's file name
    message_id: str


def addresses(given: Sequence[str]) -> list[str]:
    """The addresses of `--email` (repeated, or `a@x,b@y`), each checked, each once (exit 2 for a bad one)."""
    out: list[str] = []
    for item in given:
        for part in item.split(","):
            if not part.strip():
                raise InvalidInput(f"--email {item!r} has an empty address", hint="e.g. --email owner@example.com")
            address = emailing.check_address(part)
            if address.lower() not in {a.lower() for a in out}:
                out.append(address)
    return out


def mailer(env: Mapping[str, str]) -> SmtpEmail:
    """The SMTP channel of `env`; exit 2 naming the setting that is missing (or wrong)."""
    channel = SmtpEmail.from_env(env)
    if isinstance(channel, Unconfigured):
        missing = channel.reason.removeprefix("email: ")
        raise InvalidInput(f"--email needs a mail server: {missing}",
                           hint="set SALON_SMTP_HOST and SALON_SMTP_FROM (and SALON_SMTP_PORT, _TLS, _USER, "
                                "_PASSWORD as the server needs)")
    return channel


def period(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"


def subject(location: LocationView, report: str, first: date, last: date) -> str:
    """`Salón Centro · finance 2026-11-01..2026-11-30`."""
    return f"{location.name} · {report} {period(first, last)}"


def filename(location: LocationView, report: str, first: date, last: date) -> str:
    return f"{report}-{location.code}-{period(first, last)}.pdf"


def table_pdf(location: LocationView, report: str, first: date, last: date,
              tables: Sequence[report_pdf.Table]) -> Attachment:
    """A staff or finance report's tables as an A4 PDF."""
    made = clock.now().astimezone(location.tz)
    name = filename(location, report, first, last)
    data = report_pdf.document(
        location_name=location.name, title=TITLES.get(report, report), period=period(first, last), tables=tables,
        currency=location.currency, created=made, file_title=name.removesuffix(".pdf"),
        details=[f"{location.code} · {location.timezone} · made {made:%Y-%m-%d %H:%M}"])
    return Attachment(name, "application/pdf", data)


def day_pdf(session: Session, location: LocationView, report: dict[str, Any], lang: str | None = None) -> Attachment:
    """The day's Z-report as its PDF (80 mm), in the location's language unless `lang` (SALON_LANG) says.
    A blind report (an open day, no count committed, nobody with a manager's PIN) is refused (exit 1):
    the receipt's layout has no blind form, and money shown as 0.00 would be wrong figures."""
    if report.get("blind"):
        raise RuleViolation(f"the Z-report of {report['business_date']} is blind until its cash is counted: "
                            "no PDF of it yet",
                            hint="mail it without --pdf, count the drawer (close-day), or give a manager's --pin")
    chosen = language(policy_row(session, location).message_language, lang)
    day = date.fromisoformat(report["business_date"])
    return Attachment(f"z-report-{location.code}-{day.isoformat()}.pdf", "application/pdf",
                      zreport.pdf(report, location, chosen))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def send(engine: Engine, *, actor: Actor, location: LocationView, channel: Channel, report: str, first: date,
         last: date, body: str, to: Sequence[str], attachment: Attachment | None = None) -> list[Mailed]:
    """Mail `body` (and `attachment`) to each address now, then audit each message the server took.
    Exit 5 when the server did not take one; those it took are still audited and named."""
    if report not in REPORTS:
        raise InvalidInput(f"no report {report!r} to mail: {', '.join(REPORTS)}")
    check_writable(engine)  # the audit row must be writable before anything leaves
    title = subject(location, report, first, last)
    sent: list[Mailed] = []
    failed: list[str] = []
    for address in to:
        message = OutgoingMessage(outbox_id=0, channel="email", to=address, subject=title, body=body,
                                  sender_name=location.name, attachments=(attachment,) if attachment else ())
        try:
            message_id = channel.send(message)
        except SendFailed as exc:
            failed.append(f"{address} ({_one_line(str(exc))})")
            continue
        sent.append(Mailed(report, period(first, last), address, title,
                           attachment.filename if attachment else None, message_id))
    if sent:
        with UnitOfWork(engine) as uow:
            for mail in sent:
                audit.record(uow.session, actor=actor, action="report.emailed", entity="report", entity_id=None,
                             location_id=location.id,
                             after={"report": report, "first": first.isoformat(), "last": last.isoformat(),
                                    "to": mail.to, "subject": mail.subject, "attachment": mail.attachment,
                                    "message_id": mail.message_id})
            uow.commit()
    if failed:
        also = f"; it was sent to {', '.join(m.to for m in sent)}" if sent else ""
        raise OutsideServiceFailed(f"the mail server did not take the {report} report for {'; '.join(failed)}{also}",
                                   hint="check the address and SALON_SMTP_*, then run the command again")
    return sent
