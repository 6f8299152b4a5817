"""Shift reminders: 12 hours and 2 hours before a confirmed shift, and the worker's one-tap
"I'm coming" (确认到岗).

Each pass of the notification loop writes the reminders now due as outbox events
(`shift.reminder`), which become notifications like any other event; the 2-hour one is
urgent and goes through quiet hours. The stamps in `shift_reminder` commit with the events:
on PostgreSQL an advisory lock lets one replica remind at a time, and a restart picks up
where the stamps say.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from market.applications.events import application_event
from market.db import try_xact_lock
from market.errors import N_, Conflict, NotFound
from market.models import Application, ApplicationStatus, Job, JobStatus, User
from market.notifications.models import ShiftReminder
from market.types import utcnow

REMIND_LOCK = 0x6C675F72656D6E64  # "lg_remnd"
EARLY, LATE = timedelta(hours=12), timedelta(hours=2)


def confirmed_hires(
    session: Session, *conditions: ColumnElement[bool]
) -> Sequence[tuple[Application, Job, ShiftReminder | None]]:
    """Hires still confirmed on jobs still on, with their reminder stamps, soonest first."""
    return session.exec(
        select(Application, Job, ShiftReminder)
        .join(Job, col(Job.id) == col(Application.job_id))
        .join(
            ShiftReminder,
            col(ShiftReminder.application_id) == col(Application.id),
            isouter=True,
        )
        .where(
            Application.status == ApplicationStatus.confirmed,
            col(Job.status).in_((JobStatus.open, JobStatus.filled)),
            *conditions,
        )
        .order_by(col(Job.start_at), col(Application.id))
    ).all()


def reminders_send(*, session: Session, now: datetime | None = None) -> list[tuple[int, int]]:
    """Write the reminders now due: (application id, hours before) of each."""
    now = now or utcnow()
    if not try_xact_lock(session, REMIND_LOCK):
        return []
    rows = confirmed_hires(
        session,
        col(Job.start_at) > now,
        col(Job.start_at) <= now + EARLY,
        col(ShiftReminder.reminded_2h_at).is_(None),
    )
    sent = []
    for application, job, reminder in rows:
        reminder = reminder or ShiftReminder(application_id=application.id or 0)
        late = job.start_at - now <= LATE
        if not late and reminder.reminded_12h_at is not None:
            continue
        hours = 2 if late else 12
        if late:
            reminder.reminded_2h_at = now
        reminder.reminded_12h_at = reminder.reminded_12h_at or now
        session.add(reminder)
        coming = reminder.coming_at is not None
        application_event(session, application, job, "shift.reminder", hours=hours, coming=coming)
        sent.append((application.id or 0, hours))
    session.flush()
    return sent


def shift_coming(
    *, session: Session, application: Application, worker: User, now: datetime | None = None
) -> ShiftReminder:
    """The worker confirms they are coming to their confirmed shift (a repeated tap is fine)."""
    now = now or utcnow()
    if application.worker_id != worker.id:
        raise NotFound(N_("Application not found"))
    job = session.get(Job, application.job_id)
    if application.status != ApplicationStatus.confirmed or job is None or job.start_at <= now:
        raise Conflict(N_("Only a hire whose shift is still to come can be confirmed"))
    reminder = session.get(ShiftReminder, application.id) or ShiftReminder(
        application_id=application.id or 0
    )
    if reminder.coming_at is None:
        reminder.coming_at = now
        session.add(reminder)
        application_event(session, application, job, "shift.coming")
    return reminder


def coming_of(*, session: Session, application_ids: Sequence[int]) -> dict[int, datetime]:
    """When each of these hires' workers confirmed they are coming (absent: not yet)."""
    if not application_ids:
        return {}
    rows = session.exec(
        select(ShiftReminder).where(
            col(ShiftReminder.application_id).in_(list(application_ids)),
            col(ShiftReminder.coming_at).is_not(None),
        )
    ).all()
    return {r.application_id: r.coming_at for r in rows if r.coming_at is not None}
