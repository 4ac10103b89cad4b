"""A receipt e-mailed to the client: queued in the outbox, in the same transaction as its audit row,
with the receipt's text as the body and its PDF attached (the outbox keeps it in the payload, base64;
the SMTP channel adds it as a MIME part).

The outbox holds it as a `receipt` (migration 0019), with no appointment, so no rule of sending holds
it back (`sending.not_wanted` looks only at appointment messages that name one). `payload["receipt"]`
says which sale and refund it is.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from salon_cli.core import clock
from salon_cli.core.errors import InvalidInput, RuleViolation
from salon_cli.db.models import Outbox
from salon_cli.services.messages.channels import Attachment
from salon_cli.services.receipts import pdf, text
from salon_cli.services.receipts.content import Receipt
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import Actor
from salon_cli.services.salon.locations import LocationView

RECEIPT_TEMPLATE = "receipt"
BODY_MAX = 4000


@dataclass(frozen=True)
class Queued:
    outbox_id: int
    to: str
    sale_id: int
    refund_id: int | None


def check_address(address: str) -> str:
    value = address.strip()
    name, at, domain = value.rpartition("@")
    if not at or not name or "." not in domain or any(c.isspace() for c in value) or len(value) > 254:
        raise InvalidInput(f"{address!r} is not an e-mail address", hint="e.g. --email ximena@example.com")
    return value


def filename(receipt: Receipt) -> str:
    tail = f"-refund-{receipt.refund_id}" if receipt.refund_id is not None else ""
    return f"sale-{receipt.sale_id}{tail}.pdf"


def receipt_pdf(receipt: Receipt) -> bytes:
    return pdf.document(text.rows(receipt), title=filename(receipt).removesuffix(".pdf"), created=receipt.at)


def recipient(receipt: Receipt, to: str | None) -> str:
    """Where it goes: the address given, else the client's; a refusal (exit 1) when there is none."""
    if receipt.client_id is None:
        raise RuleViolation(f"sale {receipt.sale_id} has no client: an e-mailed receipt goes to a client",
                            hint=f"save it instead: salon sale receipt {receipt.sale_id} --pdf FILE")
    if to:
        return check_address(to)
    if not receipt.client_email:
        raise RuleViolation(f"{receipt.client or 'the client'} has no e-mail address",
                            hint=f"give one: salon sale receipt {receipt.sale_id} --email ADDRESS")
    return receipt.client_email


def queue(session: Session, *, actor: Actor, location: LocationView, receipt: Receipt, to: str | None = None) -> Queued:
    """Queue the receipt to the client's e-mail (or `to`), audited `receipt.emailed`."""
    address = recipient(receipt, to)
    say = text.speaker(receipt)
    first = receipt.client.split(" ")[0] if receipt.client else ""
    greeting = say["greeting"].format(name=first) if first else say["greeting_anonymous"]
    subject = say["subject_refund" if receipt.kind == "refund" else "subject"].format(
        location=location.name, sale=receipt.sale_id)
    body = f"{greeting}\n\n{text.text(receipt)}"[:BODY_MAX]
    now = clock.now()
    row = Outbox(
        dedupe_key=f"receipt:sale:{receipt.sale_id}:{receipt.refund_id or 0}:{uuid.uuid4().hex[:16]}",
        location_id=location.id, client_id=receipt.client_id or 0, template=RECEIPT_TEMPLATE, purpose="service",
        channel="email", recipient=address, language=receipt.language, subject=subject[:200], body=body,
        payload={"receipt": {"kind": receipt.kind, "sale_id": receipt.sale_id, "refund_id": receipt.refund_id},
                 "attachments": [Attachment(filename(receipt), "application/pdf", receipt_pdf(receipt)).to_payload()]},
        status="queued", send_after=now, next_attempt_at=now, attempts=0, created_at=now, created_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="message.queue", entity="outbox", entity_id=row.id,
                 location_id=location.id, after={"template": "receipt", "client_id": receipt.client_id,
                                                 "channel": "email", "status": "queued", "dedupe_key": row.dedupe_key})
    audit.record(session, actor=actor, action="receipt.emailed", entity="sale", entity_id=receipt.sale_id,
                 location_id=location.id, after={"kind": receipt.kind, "refund_id": receipt.refund_id,
                                                 "outbox_id": row.id, "to": address})
    return Queued(outbox_id=row.id or 0, to=address, sale_id=receipt.sale_id, refund_id=receipt.refund_id)
