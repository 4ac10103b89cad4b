"""`send-reminders`: queue what has come due at a location, then send what the outbox holds.

What comes due, at `as_of` (cron runs it every 5 minutes):
- a reminder for each booked appointment at the client's timing: `24h` and/or `1h` before its start
  (`both`; `none`: nothing; no choice made: 24h), once its time has come and while the appointment has
  not started. When both have come due by the same run (cron stopped for a while), only the 1h one
  goes. An appointment booked after a reminder's time gets no such reminder (its confirmation said the
  same a moment before). A moved appointment is reminded of its new time;
- a birthday greeting on the client's birthday (29 February: the 28th in other years), to clients who
  gave marketing consent and whose home is this location (or who have none), once a year;
- a win-back offer, when the policy asks for one (`win_back_days` > 0), to consenting clients whose last
  visit here was that many days ago (up to 30 days more) and who have nothing booked: once per lapse.

Run twice, or twice at once, it ends as run once: the job is single-instance (a run while another holds
the lock exits 4), every message has a unique key in the database, and a message is taken for sending
by an UPDATE that only one sender can win.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from salon_cli.core import clock
from salon_cli.core.days import business_date
from salon_cli.core.message_text import quiet_until
from salon_cli.db.models import Appointment, Client, ClientPref, Outbox
from salon_cli.db.uow import UnitOfWork
from salon_cli.services.salon import jobs
from salon_cli.services.messages import sending as message_sending
from salon_cli.services.salon.actors import SYSTEM, Actor
from salon_cli.services.messages.channels import Channel, Unconfigured
from salon_cli.services.clients.insights import birthdays
from salon_cli.services.salon.locations import LocationView
from salon_cli.services.messages.outbox import Draft, MessageView, outbox_views, queue
from salon_cli.services.salon.policy import row as policy_row

JOB = "send-reminders"
LEADS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}
TIMINGS: dict[str, tuple[str, ...]] = {"24h": ("24h",), "1h": ("1h",), "both": ("24h", "1h"), "none": ()}
WIN_BACK_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Step:
    """What happened to one message in a run, or would in a dry run: queue (queued, not due yet),
    send, retry (the provider may take it later), fail, skip (with the reason), wait (quiet hours)."""

    action: str
    message: MessageView


@dataclass(frozen=True)
class ReminderReport:
    """One location's run: what was (or, dry, would be) queued and sent."""

    location: str
    as_of: datetime
    dry_run: bool
    queued: int
    sent: int
    retried: int
    failed: int
    skipped: int
    waiting: int  # due but held by the quiet hours
    recovered: int
    quiet_until: datetime | None
    job_run_id: int | None
    steps: list[Step] = field(default_factory=list)


def _stamp(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y%m%dT%H%MZ")


def due_reminders(session: Session, location: LocationView, as_of: datetime) -> list[Draft]:
    """Reminders whose time has come for appointments that have not started (read through the
    location/status/start index: at most a day of the book)."""
    query = (select(Appointment, ClientPref.reminder)
             .outerjoin(ClientPref, col(ClientPref.client_id) == Appointment.client_id)
             .where(Appointment.location_id == location.id, Appointment.status == "booked",
                    col(Appointment.client_id).is_not(None), col(Appointment.starts_at) > as_of,
                    col(Appointment.starts_at) <= as_of + max(LEADS.values()))
             .order_by(col(Appointment.starts_at), col(Appointment.id)))
    drafts = []
    for appt, timing in session.exec(query):
        due_leads = [(appt.starts_at - LEADS[lead], lead) for lead in TIMINGS.get(timing or "24h", ())
                     if appt.created_at <= appt.starts_at - LEADS[lead] <= as_of]
        if not due_leads:
            continue
        # both due at once (the job did not run for a while): only the nearer one, never two in a row
        due, lead = max(due_leads)
        drafts.append(Draft(template="reminder", client_id=appt.client_id or 0, due=due, appointment=appt,
                            lead=lead, dedupe_key=f"reminder:appointment:{appt.id}:{lead}:{_stamp(appt.starts_at)}"))
    return drafts


def due_birthdays(session: Session, location: LocationView, as_of: datetime) -> list[Draft]:
    today = business_date(as_of, location.tz)
    found = [b for b in birthdays(session, location=location, days=0, today=today) if b.marketing_consent]
    if not found:
        return []
    homes = dict(session.exec(select(col(Client.id), col(Client.home_location_id))
                              .where(col(Client.id).in_([b.id for b in found]))).all())
    start_of_day = datetime.combine(today, datetime.min.time(), tzinfo=location.tz)
    return [Draft(template="birthday", client_id=b.id, due=max(start_of_day, as_of),
                  dedupe_key=f"birthday:client:{b.id}:{today.year}")
            for b in found if homes.get(b.id) in (None, location.id)]


def due_win_backs(session: Session, location: LocationView, as_of: datetime, days: int) -> list[Draft]:
    """Consenting clients whose last visit here (a completed appointment) was `days` to `days + 30`
    days ago, with nothing booked since."""
    if days <= 0:
        return []
    since, until = as_of - timedelta(days=days) - WIN_BACK_WINDOW, as_of - timedelta(days=days)
    later = aliased(Appointment)
    came_back = sa.exists().where(later.client_id == Appointment.client_id, later.location_id == location.id,
                                  col(later.status).in_(("completed", "booked", "checked_in", "in_service")),
                                  later.starts_at >= until)
    query = (select(col(Appointment.client_id), sa.func.max(Appointment.starts_at))
             .join(Client, col(Client.id) == Appointment.client_id)
             .where(Appointment.location_id == location.id, Appointment.status == "completed",
                    col(Appointment.starts_at) >= since, col(Appointment.starts_at) < until,
                    col(Client.marketing_consent), col(Client.merged_into_id).is_(None), ~came_back)
             .group_by(col(Appointment.client_id)))
    drafts = []
    for client_id, last in session.exec(query):
        last_day = business_date(last, location.tz)
        drafts.append(Draft(template="win_back", client_id=client_id, due=as_of, last_visit=last_day,
                            dedupe_key=f"win_back:client:{client_id}:{last_day.isoformat()}"))
    return drafts


def due_now(session: Session, location: LocationView, as_of: datetime) -> list[Draft]:
    policy = policy_row(session, location)
    return [*due_reminders(session, location, as_of), *due_birthdays(session, location, as_of),
            *due_win_backs(session, location, as_of, policy.win_back_days)]


def _dry_run(session: Session, location: LocationView, as_of: datetime,
             channels: Mapping[str, Channel | Unconfigured]) -> tuple[list[MessageView], list[Step]]:
    """What a run would do now, read only: the messages it would queue, and the fate of each due one."""
    planned = queue(session, location=location, drafts=due_now(session, location, as_of), actor=SYSTEM, dry_run=True)
    policy = policy_row(session, location)
    quiet = quiet_until(as_of, location.tz, policy.quiet_hours_start_min, policy.quiet_hours_end_min)
    steps = [Step("skip" if m.status == "skipped" else "queue", m) for m in planned
             if m.status == "skipped" or m.send_after > as_of]
    rows = [session.get(Outbox, i) for i in message_sending.due_ids(session, location.id, as_of)]
    due = [(r, outbox_views(session, [r.id or 0])[0]) for r in rows if r is not None]
    due += [(None, m) for m in planned if m.status == "queued" and m.send_after <= as_of]
    for row, message in due:
        channel = channels.get(message.channel)
        if quiet is not None:
            steps.append(Step("wait", replace(message, error=f"quiet hours until {quiet.isoformat()}")))
            continue
        reason = message_sending.not_wanted(session, row, as_of, location.tz) if row is not None else None
        reason = reason or (channel.reason if isinstance(channel, Unconfigured) else None)
        steps.append(Step("skip", replace(message, error=reason)) if reason else Step("send", message))
    return planned, steps


def _tally(steps: list[Step], action: str) -> int:
    return sum(1 for s in steps if s.action == action)


def run(engine: Engine, *, location: LocationView, channels: Mapping[str, Channel | Unconfigured],
        as_of: datetime | None = None, dry_run: bool = False, actor: Actor = SYSTEM) -> ReminderReport:
    """One location's run of the job (raises `Busy`, exit 4, while another run holds the lock).
    A dry run reads only: no lock, no job run, nothing written or sent."""
    as_of = as_of or clock.now()
    if dry_run:
        with UnitOfWork(engine, write=False) as uow:
            planned, steps = _dry_run(uow.session, location, as_of, channels)
        return ReminderReport(
            location=location.code, as_of=as_of, dry_run=True, queued=sum(m.status == "queued" for m in planned),
            sent=_tally(steps, "send"), retried=0, failed=0, skipped=_tally(steps, "skip"),
            waiting=_tally(steps, "wait"), recovered=0, quiet_until=None, job_run_id=None, steps=steps)
    found: dict[str, Any] = {}

    def work() -> dict[str, Any]:
        with UnitOfWork(engine) as uow:
            queued = queue(uow.session, location=location, drafts=due_now(uow.session, location, as_of), actor=actor)
            uow.commit()
        tally = message_sending.send_due(engine, location=location, as_of=as_of, channels=channels, actor=actor)
        found.update(queued=queued, tally=tally)
        return {"as_of": as_of.isoformat(), "queued": sum(m.status == "queued" for m in queued),
                "sent": len(tally.sent), "retried": len(tally.retried), "failed": len(tally.failed),
                "skipped": sum(m.status == "skipped" for m in queued) + len(tally.skipped),
                "waiting": tally.waiting, "recovered": tally.recovered}

    run_view = jobs.run_steps(engine, job=JOB, location_id=location.id, work=work, run_by=actor.run_by)
    queued, tally = found["queued"], found["tally"]
    outcomes = {**{i: "send" for i in tally.sent}, **{i: "retry" for i in tally.retried},
                **{i: "fail" for i in tally.failed}, **{i: "skip" for i in tally.skipped}}
    with UnitOfWork(engine, write=False) as uow:
        rows = {m.id: m for m in outbox_views(uow.session, list(outcomes))}
    steps = [Step("skip" if m.status == "skipped" else "queue", m) for m in queued if m.id not in outcomes]
    steps += [Step(action, rows[i]) for i, action in outcomes.items() if i in rows]
    counts = run_view.counts
    return ReminderReport(
        location=location.code, as_of=as_of, dry_run=False, queued=counts["queued"], sent=counts["sent"],
        retried=counts["retried"], failed=counts["failed"], skipped=counts["skipped"], waiting=counts["waiting"],
        recovered=counts["recovered"], quiet_until=tally.quiet_until, job_run_id=run_view.id, steps=steps)
