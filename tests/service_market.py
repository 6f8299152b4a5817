"""A small market built through the services, in every job and application state.

People come from the factories (they have no invariants of their own); every job and
application change goes through `market`, so each has its events. Fault and invariant
tests corrupt or stress it and ask `market.invariants.check_all` what broke.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from market.applications import service as application_service
from market.db import session_scope
from market.events import outbox as outbox
from market.jobs import service as job_service
from market.jobs.schemas import JobCreate
from market.models import Application, Job, User
from market.moderation import service as moderation_service
from tests.factories import YANTAI, make_employer, make_staff, make_worker

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Market:
    """Ids of the rows the corruptions below aim at."""

    full_job: int  # headcount 2, both slots confirmed (workers a and b)
    overlapping_job: int  # a applied before being hired on full_job; c declined; d re-applied
    open_job: int  # instant, headcount 3: b's claim was the hire; c called off
    cancelled_job: int  # a's hire cancelled with the job; d withdrew before; hidden by staff
    past_job: int  # completed: c a no-show, d's hire completed
    a: int
    b: int
    c: int
    d: int


def job_post(
    session: Session,
    employer: User,
    start: datetime,
    headcount: int = 2,
    *,
    instant: bool = False,
    now: datetime | None = None,
) -> Job:
    """An eight-hour painting job, posted through the service."""
    data = JobCreate(
        trade="painter",
        title="刷墙",
        lat=YANTAI[0] + 0.01,
        lon=YANTAI[1] + 0.01,
        address="烟台市芝罘区南大街",
        district="芝罘区",
        start_at=start,
        end_at=start + 8 * HOUR,
        headcount=headcount,
        wage=300,
        instant=instant,
    )
    return job_service.job_post(session=session, employer=employer, data=data, now=now)


def build_market(engine: Engine) -> Market:
    """People from the factories; every job and application change through the services."""
    now = datetime.now(UTC).replace(microsecond=0)
    tomorrow = (now + timedelta(days=1)).replace(hour=1, minute=0, second=0)
    with session_scope(engine) as s:
        boss, staff = make_employer(s), make_staff(s)
        a, b, c, d = (make_worker(s) for _ in range(4))

        def job(
            start: datetime, headcount: int, *, instant: bool = False, at: datetime = now
        ) -> Job:
            return job_post(s, boss, start, headcount, instant=instant, now=at)

        def claim(job: Job, worker: User, at: datetime = now) -> Application:
            return application_service.application_claim(
                session=s, job_id=job.id or 0, worker=worker, now=at
            ).application

        def confirm(application: Application, at: datetime = now) -> None:
            application_service.application_confirm(
                session=s, application=application, employer=boss, now=at
            )

        def cancel(application: Application, user: User) -> None:
            application_service.application_cancel(
                session=s, application=application, user=user, reason="有事", now=now
            )

        full, overlapping = job(tomorrow, 2), job(tomorrow + HOUR, 2)
        claim(overlapping, a)  # before the hire below: applying never clashes
        for worker in (a, b):
            confirm(claim(full, worker))
        application_service.application_decline(
            session=s, application=claim(overlapping, c), employer=boss, now=now
        )
        cancel(claim(overlapping, d), d)
        claim(overlapping, d)

        open_job = job(tomorrow + 48 * HOUR, 3, instant=True)
        claim(open_job, b)
        cancel(claim(open_job, c), c)

        cancelled = job(tomorrow + 72 * HOUR, 2)
        confirm(claim(cancelled, a))
        cancel(claim(cancelled, d), d)
        job_service.job_cancel(session=s, job=cancelled, reason="天气原因", now=now)
        moderation_service.job_hide(session=s, staff=staff, job=cancelled, reason="重复发布")

        posted = now - 72 * HOUR
        past = job(now - 48 * HOUR, 2, at=posted)
        no_show, hire = claim(past, c, posted), claim(past, d, posted)
        confirm(no_show, posted)
        confirm(hire, posted)
        application_service.application_no_show(
            session=s, application=no_show, employer=boss, now=now
        )
        job_service.job_complete(session=s, job=past, now=now)
        ids = [x.id or 0 for x in (full, overlapping, open_job, cancelled, past, a, b, c, d)]
    assert outbox.number_pending(engine=engine)  # the relay's numbers are checked too
    return Market(*ids)
