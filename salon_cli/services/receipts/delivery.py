"""A receipt printed or e-mailed, each time audited (`receipt.printed`, `receipt.emailed`): a reprint is
doing it again.

Both take the engine and use short transactions of their own, so that no database lock is held while
a printer or a mail server answers:

- print: the receipt is read and drawn (`escpos_out.to_bytes`), the bytes go to the location's printer,
  and only then is the print audited. A printer that cannot be reached is exit 5, nothing audited.
- e-mail: the message is queued with its audit row and committed, then sent at once
  (`messages.sending.send_now`). When the mail server fails it stays queued (send-reminders tries
  again) and the caller hears exit 5. With no e-mail settings at all nothing is queued (exit 5).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from salon_cli.core.errors import OutsideServiceFailed, SalonError
from salon_cli.db.models import Outbox
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.messages import sending
from salon_cli.services.messages.channels import Channel, Unconfigured
from salon_cli.services.receipts import content, emailing, escpos_out, text
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.salon.policy import row as policy_row


@dataclass(frozen=True)
class Printed:
    sale_id: int
    refund_id: int | None
    kind: str
    printer: str
    bytes: int


@dataclass(frozen=True)
class Emailed:
    sale_id: int
    refund_id: int | None
    outbox_id: int
    to: str
    status: str  # sent


def read(session: Session, location: LocationView, sale_id: int, refund_id: int | None = None,
         lang: str | None = None) -> content.Receipt:
    return content.build(session, location, sale_id, refund_id=refund_id, lang=lang)


def printer(session: Session, location: LocationView) -> escpos_out.PrinterSpec:
    """The location's receipt printer (exit 1 when it has none)."""
    return escpos_out.printer_of(policy_row(session, location).receipt_printer)


def print_receipt(engine: Engine, *, actor: Actor, location: LocationView, sale_id: int, refund_id: int | None = None,
                  lang: str | None = None, protected: Sequence[Path] = ()) -> Printed:
    """Print the receipt on the location's printer, then audit it."""
    with UnitOfWork(engine, write=False) as uow:
        receipt = read(uow.session, location, sale_id, refund_id, lang)
        spec = printer(uow.session, location)
    payload = escpos_out.to_bytes(text.rows(receipt))
    escpos_out.send(spec, payload, protected=protected)
    with UnitOfWork(engine) as uow:
        escpos_out.record_printed(uow.session, actor=actor, location=location, entity="sale", entity_id=sale_id,
                       printer=str(spec), size=len(payload), kind=receipt.kind, refund_id=refund_id)
        uow.commit()
    return Printed(sale_id, refund_id, receipt.kind, str(spec), len(payload))


def email_receipt(engine: Engine, *, actor: Actor, location: LocationView, sale_id: int, refund_id: int | None = None,
                  to: str | None = None, lang: str | None = None,
                  channels: Mapping[str, Channel | Unconfigured]) -> Emailed:
    """Queue the receipt to the client's e-mail (or `to`) with its PDF, then send it at once."""
    channel = channels.get("email")
    with UnitOfWork(engine, write=False) as uow:  # a refusal (no sale, no address) before any setup question
        emailing.recipient(read(uow.session, location, sale_id, refund_id, lang), to)
    if channel is None or isinstance(channel, Unconfigured):
        why = channel.reason if channel is not None else "email: no such channel"
        raise OutsideServiceFailed(f"{why}; the receipt was not e-mailed",
                                   hint="set SALON_SMTP_HOST and SALON_SMTP_FROM (README: e-mail), "
                                        f"or save it: salon sale receipt {sale_id} --pdf FILE")
    with UnitOfWork(engine) as uow:
        receipt = read(uow.session, location, sale_id, refund_id, lang)
        queued = emailing.queue(uow.session, actor=actor, location=location, receipt=receipt, to=to)
        uow.commit()
    tally = sending.send_now(engine, message_id=queued.outbox_id, location=location, channels=channels, actor=actor)
    if queued.outbox_id not in tally.sent:
        with UnitOfWork(engine, write=False) as uow:
            row = uow.session.get(Outbox, queued.outbox_id)
            status, error = (row.status, row.error) if row is not None else ("gone", None)
        later = ("it stays queued: salon send-reminders sends it again" if status == "queued"
                 else f"the message is {status}")
        raise OutsideServiceFailed(f"the receipt to {queued.to} could not be sent now ({error or 'no answer'}); {later}",
                                   hint="see: salon outbox --status queued")
    return Emailed(sale_id, refund_id, queued.outbox_id, queued.to, "sent")


def by_policy(engine: Engine, *, actor: Actor, location: LocationView, sale_id: int,
              channels: Mapping[str, Channel | Unconfigured], lang: str | None = None,
              protected: Sequence[Path] = ()) -> list[str]:
    """The location's ways out for a sale just paid (`policy.receipt_via`: print, email; `screen` is the
    desk's own `p`), each tried and said in words: a printer out of paper or a client with no e-mail
    never undoes a paid sale, it is told to the desk."""
    with UnitOfWork(engine, write=False) as uow:
        ways = {w.strip() for w in (policy_row(uow.session, location).receipt_via or "").split(",")}
    said = []
    if "print" in ways:
        try:
            printed = print_receipt(engine, actor=actor, location=location, sale_id=sale_id, lang=lang,
                                    protected=protected)
            said.append(f"receipt printed on {printed.printer}")
        except SalonError as exc:
            said.append(f"receipt not printed: {exc.message}")
    if "email" in ways:
        try:
            sent = email_receipt(engine, actor=actor, location=location, sale_id=sale_id, lang=lang, channels=channels)
            said.append(f"receipt e-mailed to {sent.to}")
        except SalonError as exc:
            said.append(f"receipt not e-mailed: {exc.message}")
    return said
