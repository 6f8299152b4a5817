"""The standby list (候补): joining, offers on a call-off, accepting, declining, expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from market.applications import service as application_service
from market.errors import Conflict, NotFound
from market.models import Application, Job, Standby, User
from market.standby import service as standby_service
from tests.factories import make_job, make_worker
from tests.market.service_helpers import events_after, hire, last_event_id, refused

H = timedelta(hours=1)


def _full_job(
    db: Session, *, instant: bool = True, start: datetime | None = None
) -> tuple[Job, User, Application]:
    """A one-place job, filled; returns the job, its hired worker and the hire."""
    job = make_job(db, headcount=1, instant=instant, start_at=start)
    worker = make_worker(db)
    application = hire(db, job=job, worker=worker, now=job.start_at - 48 * H)
    return job, worker, application


def _join(db: Session, job: Job, now: datetime) -> tuple[User, Standby]:
    worker = make_worker(db)
    entry = standby_service.standby_join(session=db, job_id=job.id or 0, worker=worker, now=now)
    return worker, entry


def _call_off(db: Session, application: Application, worker: User, now: datetime) -> None:
    application_service.application_cancel(
        session=db, application=application, user=worker, reason="家里有事", now=now
    )


def test_a_call_off_offers_the_place_to_the_first_on_the_list_and_holds_it(db: Session) -> None:
    job, hired, application = _full_job(db)
    t0 = job.start_at - 30 * H
    first, entry1 = _join(db, job, t0)
    _second, entry2 = _join(db, job, t0 + H)
    mark = last_event_id(db)
    _call_off(db, application, hired, t0 + 2 * H)
    assert (entry1.status, entry2.status) == ("offered", "waiting")
    assert entry1.offer_deadline == t0 + 4 * H  # two hours to answer
    offered = [e for e in events_after(db, mark) if e.kind == "standby.offered"]
    assert [(e.worker_id, e.payload["standby"]) for e in offered] == [(first.id, entry1.id)]
    # meanwhile the place is not free for anyone else
    someone = make_worker(db)
    refused(
        db,
        lambda: application_service.application_claim(
            session=db, job_id=job.id or 0, worker=someone, now=t0 + 3 * H
        ),
        Conflict,
        "The free place is being offered to a worker on the standby list",
    )
    application2 = standby_service.standby_accept(
        session=db, standby_id=entry1.id or 0, worker=first, now=t0 + 3 * H
    )
    assert application2.status == "confirmed" and entry1.status == "accepted"
    assert (job.confirmed_count, job.status) == (1, "filled")


def test_the_deadline_ends_an_hour_before_the_start(db: Session) -> None:
    job, hired, application = _full_job(db)
    _, entry = _join(db, job, job.start_at - 10 * H)
    _call_off(db, application, hired, job.start_at - 2 * H)
    assert entry.offer_deadline == job.start_at - H


def test_under_an_hour_before_the_start_the_place_is_open_to_all(db: Session) -> None:
    job, hired, application = _full_job(db)
    _, entry = _join(db, job, job.start_at - 10 * H)
    _call_off(db, application, hired, job.start_at - H / 2)
    assert entry.status == "waiting" and job.status == "open"


def test_declining_passes_the_offer_to_the_next(db: Session) -> None:
    job, hired, application = _full_job(db)
    t0 = job.start_at - 30 * H
    first, entry1 = _join(db, job, t0)
    _second, entry2 = _join(db, job, t0)
    _call_off(db, application, hired, t0 + H)
    standby_service.standby_decline(session=db, standby_id=entry1.id or 0, worker=first, now=t0 + H)
    assert (entry1.status, entry2.status) == ("declined", "offered")


def test_an_expired_offer_is_refused_and_the_sweep_passes_it_on(db: Session) -> None:
    job, hired, application = _full_job(db, instant=False)
    t0 = job.start_at - 30 * H
    first, entry1 = _join(db, job, t0)
    second, entry2 = _join(db, job, t0)
    _call_off(db, application, hired, t0)
    late = t0 + 2 * H
    refused(
        db,
        lambda: standby_service.standby_accept(
            session=db, standby_id=entry1.id or 0, worker=first, now=late
        ),
        Conflict,
        "This offer has run out; the place has gone to the next worker",
    )
    swept = standby_service.standby_sweep(session=db, now=late)
    assert (swept.expired, swept.offered) == (1, 1)
    assert (entry1.status, entry2.status) == ("expired", "offered")
    # a job the employer confirms by hand: the offer is taken on the posted terms
    taken = standby_service.standby_accept(
        session=db, standby_id=entry2.id or 0, worker=second, now=late
    )
    assert taken.status == "confirmed" and job.confirmed_count == 1


def test_the_sweep_closes_the_list_once_the_shift_started(db: Session) -> None:
    job, _hired, _application = _full_job(db)
    _, entry = _join(db, job, job.start_at - 10 * H)
    swept = standby_service.standby_sweep(session=db, now=job.start_at + H)
    assert swept.closed >= 1 and entry.status == "closed"


def test_bad_standby_requests_are_refused_and_write_nothing(db: Session) -> None:
    job, hired, _application = _full_job(db)
    t0 = job.start_at - 30 * H
    worker, entry = _join(db, job, t0)
    join = lambda w, j=job: standby_service.standby_join(  # noqa: E731
        session=db, job_id=j.id or 0, worker=w, now=t0
    )
    refused(db, lambda: join(worker), Conflict, "You are already on this job's standby list")
    refused(db, lambda: join(hired), Conflict, "You are already hired for this job")
    open_job, someone = make_job(db, headcount=2), make_worker(db)
    refused(
        db,
        lambda: join(someone, open_job),
        Conflict,
        "This job still has free places: claim it instead",
    )
    # a worker confirmed elsewhere at the same time cannot stand by for this shift
    busy = make_worker(db)
    other = make_job(db, headcount=1, start_at=job.start_at)
    hire(db, job=other, worker=busy, now=t0)
    refused(db, lambda: join(busy), Conflict, "You are already booked for another job at this time")
    refused(
        db,
        lambda: standby_service.standby_join(session=db, job_id=10**9, worker=worker, now=t0),
        NotFound,
        "Job not found",
    )
    stranger = make_worker(db)
    for call in (standby_service.standby_accept, standby_service.standby_decline):
        refused(
            db,
            lambda call=call: call(session=db, standby_id=entry.id or 0, worker=stranger, now=t0),
            NotFound,
            "Standby place not found",
        )
        refused(
            db,
            lambda call=call: call(session=db, standby_id=10**9, worker=worker, now=t0),
            NotFound,
            "Standby place not found",
        )
        refused(
            db,
            lambda call=call: call(session=db, standby_id=entry.id or 0, worker=worker, now=t0),
            Conflict,
            "There is no open offer here: the place was not offered to you",
        )


def test_leaving_while_offered_passes_the_offer_on(db: Session) -> None:
    job, hired, application = _full_job(db)
    t0 = job.start_at - 30 * H
    first, entry1 = _join(db, job, t0)
    _, entry2 = _join(db, job, t0)
    _call_off(db, application, hired, t0)
    standby_service.standby_leave(session=db, standby_id=entry1.id or 0, worker=first, now=t0)
    assert (entry1.status, entry2.status) == ("left", "offered")
    refused(
        db,
        lambda: standby_service.standby_leave(
            session=db, standby_id=entry1.id or 0, worker=first, now=t0
        ),
        Conflict,
        "You are no longer on this job's standby list",
    )


def test_suspending_a_worker_passes_their_offer_to_the_next(db: Session) -> None:
    from market.moderation import service as moderation_service
    from tests.factories import make_staff

    job, hired, application = _full_job(db)
    t0 = job.start_at - 30 * H
    first, entry1 = _join(db, job, t0)
    _, entry2 = _join(db, job, t0)
    _call_off(db, application, hired, t0)
    assert entry1.status == "offered"
    moderation_service.user_suspend(
        session=db, staff=make_staff(db), user=first, reason="冒用他人身份", now=t0
    )
    assert (entry1.status, entry2.status) == ("closed", "offered")
