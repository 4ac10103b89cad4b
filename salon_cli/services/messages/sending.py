"""Sending what the outbox holds: each due message once, retried with back-off, never lost.

A message is taken in a short transaction of its own (`queued` -> `sending`, one more attempt, with its
audit row), handed to its channel with no transaction open (a slow mail server never holds the
database's write lock), and its outcome recorded in another: `sent` with the provider's id; back to
`queued` with the next try 2, 4, 8 ... minutes later (at most 2 hours) when the provider may take it
later; `failed` when it never will or after the last try; `skipped` with the reason when its channel
has no settings, or when it is no longer wanted (the appointment was cancelled, moved or has begun,
the client withdrew consent or chose no reminders).

Taking a message is an UPDATE that only succeeds while it is still `queued` and due, so two senders at
once never both send it. Taken, it holds a lease of 15 minutes (its `next_attempt_at`; a send gives up
after 30 seconds): a run that dies between taking and recording leaves it `sending`, and a run after
the lease puts it back in the queue. That one message may then go twice: the only case where it can,
and preferred to losing it. A sender still at work is never taken over, lock or no lock.
Nothing is sent in the location's quiet hours: due messages wait for their end.

An e-mailed confirmation or reminder carries the visit as `invite.ics` (`invites`), built as it is
taken: the event `salon appt ics` writes at that moment. SMS and WhatsApp carry the text alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.message_text import (
    ABOUT_AN_APPOINTMENT, MAX_ATTEMPTS, PROMOTIONS, local_when, outside_quiet_hours, quiet_until, retry_delay,
)
from salon_cli.db.models import Appointment, Outbox, Penalty
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import audit
from salon_cli.services.salon.actors import SYSTEM, Actor
from salon_cli.services.messages import invites
from salon_cli.services.messages.channels import Attachment, Channel, OutgoingMessage, RetryLater, SendFailed, Unconfigured
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.messages.outbox import contacts
from salon_cli.services.salon.policy import row as policy_row

_BATCH = 200
LEASE = timedelta(minutes=15)


@dataclass
class SendTally:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    recovered: int = 0
    waiting: int = 0  # due, held by the quiet hours
    quiet_until: datetime | None = None


def due_ids(session: Session, location_id: int, as_of: datetime, *, limit: int | None = None) -> list[int]:
    query = (select(col(Outbox.id)).where(Outbox.location_id == location_id, Outbox.status == "queued",
                                          col(Outbox.next_attempt_at) <= as_of)
             .order_by(col(Outbox.next_attempt_at), col(Outbox.id)))
    return list(session.exec(query.limit(limit) if limit else query).all())


def not_wanted(session: Session, message: Outbox, as_of: datetime, tz: ZoneInfo) -> str | None:
    """Why a queued message should no longer go (None: it should)."""
    person = contacts(session, [message.client_id]).get(message.client_id)
    if person is None or person.merged:
        return "the client was merged into another"
    if message.template in PROMOTIONS and not person.marketing_consent:
        return "the client no longer gives marketing consent"
    if message.template in ABOUT_AN_APPOINTMENT and message.appointment_id is not None:
        if person.reminder == "none":
            return "the client chose no reminders"
        appt = session.get(Appointment, message.appointment_id)
        if appt is None or appt.status != "booked":
            return f"appointment {message.appointment_id} is {appt.status.replace('_', ' ') if appt else 'gone'}"
        if (message.payload or {}).get("starts_at") not in (None, appt.starts_at.isoformat()):
            return f"appointment {appt.id} was moved to {local_when(appt.starts_at, tz, 'en')}"
        if appt.starts_at <= as_of:
            return f"appointment {appt.id} has already started"
    if message.penalty_id is not None:
        penalty = session.get(Penalty, message.penalty_id)
        if penalty is None or penalty.status in ("waived", "paid"):
            return f"penalty {message.penalty_id} was {penalty.status if penalty else 'removed'}"
    return None


def _set(session: Session, message: Outbox, actor: Actor, action: str, **values: object) -> None:
    before = {k: getattr(message, k) for k in ("status", "attempts", "next_attempt_at", "error")}
    for key, value in values.items():
        setattr(message, key, value)
    message.updated_at = clock.now()
    session.add(message)
    session.flush()
    audit.record(session, actor=actor, action=action, entity="outbox", entity_id=message.id,
                 location_id=message.location_id, before=before,
                 after={k: getattr(message, k) for k in ("status", "attempts", "next_attempt_at", "error",
                                                          "provider_id", "sent_at")})


def recover(session: Session, location_id: int, as_of: datetime, actor: Actor) -> int:
    """Messages a dead run left `sending`, their lease over, go back to the queue."""
    stuck = session.exec(select(Outbox).where(Outbox.location_id == location_id, Outbox.status == "sending",
                                              col(Outbox.next_attempt_at) <= as_of).with_for_update()).all()
    for message in stuck:
        _set(session, message, actor, "message.recover", status="queued", next_attempt_at=as_of,
             error="the run sending it stopped before it knew the outcome; it goes again")
    return len(stuck)


def _take(engine: Engine, message_id: int, as_of: datetime, location: LocationView,
          channels: Mapping[str, Channel | Unconfigured], actor: Actor, tally: SendTally) -> tuple[Channel, OutgoingMessage, int] | None:
    """Take one due message for sending (None: skipped here, or another sender took it)."""
    with UnitOfWork(engine) as uow:
        session = uow.session
        taken = session.execute(
            sa.update(Outbox).where(col(Outbox.id) == message_id, Outbox.status == "queued",
                                    col(Outbox.next_attempt_at) <= as_of)
            .values(status="sending", attempts=Outbox.attempts + 1, next_attempt_at=as_of + LEASE,
                    updated_at=clock.now())
            .returning(col(Outbox.id)), execution_options={"synchronize_session": False}).scalars().all()
        if not taken:
            return None
        message = session.get(Outbox, message_id, populate_existing=True)
        assert message is not None
        reason = not_wanted(session, message, as_of, location.tz)
        channel = channels.get(message.channel)
        if reason is None and isinstance(channel, Unconfigured):
            reason = channel.reason
        if reason is None and channel is None:
            reason = f"{message.channel}: no such channel"
        if reason is not None or message.recipient is None:
            _set(session, message, actor, "message.skip", status="skipped", attempts=message.attempts - 1,
                 next_attempt_at=None, error=(reason or "no address")[:500])
            uow.commit()
            tally.skipped.append(message_id)
            return None
        audit.record(session, actor=actor, action="message.send", entity="outbox", entity_id=message_id,
                     location_id=location.id, after={"status": "sending", "attempts": message.attempts})
        attached = tuple(Attachment.from_payload(a) for a in (message.payload or {}).get("attachments") or ())
        if message.channel == "email" and message.template in invites.CARRIED_BY and message.appointment_id is not None:
            # the visit as the book has it now: a moved visit's reminder carries its new time and SEQUENCE
            attached += (invites.attachment(session, location, message.appointment_id),)
        outgoing = OutgoingMessage(outbox_id=message_id, channel=message.channel, to=message.recipient,
                                   subject=message.subject, body=message.body, sender_name=location.name,
                                   attachments=attached)
        attempts = message.attempts
        uow.commit()
    assert not isinstance(channel, Unconfigured) and channel is not None
    return channel, outgoing, attempts


def _record(engine: Engine, message_id: int, attempts: int, as_of: datetime, location: LocationView,
            quiet: tuple[int, int], actor: Actor, provider_id: str | None, problem: SendFailed | None,
            tally: SendTally) -> None:
    with UnitOfWork(engine) as uow:
        session = uow.session
        message = session.get(Outbox, message_id, with_for_update=True)
        if message is None or (message.status, message.attempts) != ("sending", attempts):
            # its lease ran out and a later run took it back: the outcome is that run's to record
            return
        if problem is None:
            _set(session, message, actor, "message.sent", status="sent", provider_id=(provider_id or "")[:128] or None,
                 sent_at=clock.now(), next_attempt_at=None, error=None)
            tally.sent.append(message_id)
        elif isinstance(problem, RetryLater) and attempts < MAX_ATTEMPTS:
            retry_at = outside_quiet_hours(as_of + retry_delay(attempts), location.tz, *quiet)
            _set(session, message, actor, "message.retry", status="queued", next_attempt_at=retry_at,
                 error=str(problem)[:500])
            tally.retried.append(message_id)
        else:
            gave_up = f" (gave up after {attempts} tries)" if isinstance(problem, RetryLater) else ""
            _set(session, message, actor, "message.failed", status="failed", next_attempt_at=None,
                 error=f"{problem}{gave_up}"[:500])
            tally.failed.append(message_id)
        uow.commit()


def send_due(engine: Engine, *, location: LocationView, as_of: datetime,
             channels: Mapping[str, Channel | Unconfigured], actor: Actor = SYSTEM) -> SendTally:
    """Send the location's due messages (hold the job's lock around this: `reminders.run`)."""
    tally = SendTally()
    with UnitOfWork(engine) as uow:
        policy = policy_row(uow.session, location)
        quiet = (policy.quiet_hours_start_min, policy.quiet_hours_end_min)
        tally.recovered = recover(uow.session, location.id, as_of, actor)
        uow.commit()
    tally.quiet_until = quiet_until(as_of, location.tz, *quiet)
    if tally.quiet_until is not None:
        with UnitOfWork(engine, write=False) as uow:
            tally.waiting = len(due_ids(uow.session, location.id, as_of))
        return tally
    seen: set[int] = set()
    while True:
        with UnitOfWork(engine, write=False) as uow:
            batch = [i for i in due_ids(uow.session, location.id, as_of, limit=_BATCH + len(seen)) if i not in seen]
        if not batch:
            return tally
        for message_id in batch:
            seen.add(message_id)
            taken = _take(engine, message_id, as_of, location, channels, actor, tally)
            if taken is None:
                continue
            _hand_over(engine, message_id, taken, as_of, location, quiet, actor, tally)


def _hand_over(engine: Engine, message_id: int, taken: tuple[Channel, OutgoingMessage, int], as_of: datetime,
               location: LocationView, quiet: tuple[int, int], actor: Actor, tally: SendTally) -> None:
    """Give a taken message to its channel (no transaction open) and record the outcome."""
    channel, outgoing, attempts = taken
    provider_id, problem = None, None
    try:
        provider_id = channel.send(outgoing)
    except SendFailed as exc:
        problem = exc
    except Exception as exc:  # a provider library's surprise: keep the message, try it again later
        problem = RetryLater(f"{type(exc).__name__}: {exc}")
    _record(engine, message_id, attempts, as_of, location, quiet, actor, provider_id, problem, tally)


def send_now(engine: Engine, *, message_id: int, location: LocationView,
             channels: Mapping[str, Channel | Unconfigured], actor: Actor, as_of: datetime | None = None) -> SendTally:
    """Send one queued message at once, quiet hours or not (a receipt for the client at the desk). It is
    taken and recorded as `send_due` does: one that fails stays queued for the next run, or is `failed`."""
    tally = SendTally()
    as_of = as_of or clock.now()
    with UnitOfWork(engine, write=False) as uow:
        policy = policy_row(uow.session, location)
        quiet = (policy.quiet_hours_start_min, policy.quiet_hours_end_min)
    taken = _take(engine, message_id, as_of, location, channels, actor, tally)
    if taken is not None:
        _hand_over(engine, message_id, taken, as_of, location, quiet, actor, tally)
    return tally

