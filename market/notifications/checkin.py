"""Check-in open (可以签到了): on the shift's day, a hired worker is told they may check in.

The day's attendance code works from local midnight of the shift's day
(market/work/codes.py), but a word at midnight helps no one: the worker is told 30 minutes
before the start (LEAD), or at that midnight for a shift starting just after it. The
message is urgent (the shift is about to start: quiet hours let it through) and links to
the shift's check-in page.

Scheduled like the shift reminders (market/notifications/reminders.py): each pass writes
the ones now due as outbox events (`checkin.open`) in the transaction that stamps
`shift_reminder.checkin_open_at`, under an advisory lock on PostgreSQL, so a restart
neither loses nor repeats one and one replica writes each. Only a hire still confirmed on a
job not cancelled is told: a hire called off before then never is, and one called off
between the stamp and the notification is dropped when the notification is made.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col

from market.applications.events import application_event
from market.db import try_xact_lock
from market.i18n import local
from market.models import Job
from market.notifications import reminders as reminder_service
from market.notifications.models import ShiftReminder
from market.types import utcnow

KIND = "checkin.open"
CHECKIN_LOCK = 0x6C675F636B696E6F  # "lg_ckino"
LEAD = timedelta(minutes=30)


def checkin_opens_at(job: Job) -> datetime:
    """When a hired worker is told check-in is open: 30 minutes before, on the shift's day."""
    midnight = local(job.start_at).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(job.start_at - LEAD, midnight)


def checkin_open_send(*, session: Session, now: datetime | None = None) -> list[int]:
    """Write the check-in-open notices now due: the application id of each."""
    now = now or utcnow()
    if not try_xact_lock(session, CHECKIN_LOCK):
        return []
    rows = reminder_service.confirmed_hires(
        session,
        col(Job.start_at) <= now + LEAD,
        col(Job.end_at) > now,  # a pass after a long pause still tells a running shift
        col(ShiftReminder.checkin_open_at).is_(None),
    )
    sent = []
    for application, job, reminder in rows:
        if checkin_opens_at(job) > now:
            continue  # a shift just after midnight: the code works from then
        reminder = reminder or ShiftReminder(application_id=application.id or 0)
        reminder.checkin_open_at = now
        session.add(reminder)
        application_event(session, application, job, KIND)
        sent.append(application.id or 0)
    session.flush()
    return sent
