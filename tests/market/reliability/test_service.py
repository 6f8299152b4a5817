"""Strikes: which call-offs and no-shows count, when they expire, and appeals against them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from market.applications import service as application_service
from market.errors import Conflict, NotFound
from market.jobs import service as job_service
from market.models import Application, Job, Strike, User
from market.reliability import service as reliability
from tests.factories import make_job, make_staff, make_worker
from tests.market.service_helpers import events_after, hire, last_event_id, refused

H = timedelta(hours=1)


def _hired(db: Session, worker: User, *, start: datetime | None = None) -> tuple[Job, Application]:
    job = make_job(db, headcount=2, start_at=start)
    return job, hire(db, job=job, worker=worker, now=job.start_at - 48 * H)


def _call_off(db: Session, job: Job, application: Application, by: User, before: timedelta) -> None:
    application_service.application_cancel(
        session=db, application=application, user=by, reason="病了", now=job.start_at - before
    )


def _no_show(db: Session, job: Job, application: Application) -> None:
    employer = db.get_one(User, job.employer_id)
    application_service.application_no_show(
        session=db, application=application, employer=employer, now=job.start_at + H
    )


def _completed(db: Session, worker: User, start: datetime) -> None:
    job, _ = _hired(db, worker, start=start)
    job_service.job_complete(session=db, job=job, now=job.start_at + 9 * H)


def test_a_worker_calling_off_under_12_hours_before_the_start_gets_a_strike(db: Session) -> None:
    worker = make_worker(db)
    job, application = _hired(db, worker)
    mark = last_event_id(db)
    _call_off(db, job, application, worker, 11 * H)
    record = reliability.get_worker_record(session=db, worker_id=worker.id or 0)
    assert [(s.strike.kind, s.strike.hours_before, s.state) for s in record.strikes] == [
        ("late_cancel", 11.0, "active")
    ]
    assert record.active == 1 and record.strikes[0].clean_shifts_left == 3
    assert [e.kind for e in events_after(db, mark)][-1] == "strike.recorded"


def test_an_early_call_off_or_the_employers_call_off_is_no_strike(db: Session) -> None:
    worker, other = make_worker(db), make_worker(db)
    job, application = _hired(db, worker)
    _call_off(db, job, application, worker, 13 * H)
    job2, application2 = _hired(db, other)
    _call_off(db, job2, application2, db.get_one(User, job2.employer_id), 1 * H)
    counts = reliability.active_strike_counts(
        session=db, worker_ids=[worker.id or 0, other.id or 0]
    )
    assert counts == {worker.id: 0, other.id: 0}


def test_a_no_show_is_a_strike_that_expires_after_three_clean_shifts(db: Session) -> None:
    worker = make_worker(db)
    job, application = _hired(db, worker)
    _no_show(db, job, application)
    for day in (2, 3):
        _completed(db, worker, job.start_at + day * 24 * H)
    strike = reliability.get_worker_record(session=db, worker_id=worker.id or 0).strikes[0]
    assert (strike.strike.kind, strike.clean_shifts, strike.clean_shifts_left) == ("no_show", 2, 1)
    assert strike.state == "active"
    _completed(db, worker, job.start_at + 4 * 24 * H)
    record = reliability.get_worker_record(session=db, worker_id=worker.id or 0)
    assert record.strikes[0].state == "expired" and record.active == 0
    assert reliability.active_strike_counts(session=db, worker_ids=[worker.id or 0]) == {
        worker.id: 0
    }


def test_shifts_before_the_strike_do_not_make_it_expire(db: Session) -> None:
    worker = make_worker(db)
    job, application = _hired(db, worker)
    for day in (2, 3, 4):
        _completed(db, worker, job.start_at - day * 24 * H)
    _no_show(db, job, application)
    assert reliability.get_worker_record(session=db, worker_id=worker.id or 0).active == 1


def _strike(db: Session) -> tuple[User, Strike]:
    worker = make_worker(db)
    job, application = _hired(db, worker)
    _no_show(db, job, application)
    return worker, reliability.get_worker_record(session=db, worker_id=worker.id or 0).strikes[
        0
    ].strike


def test_an_upheld_appeal_voids_the_strike_and_tells_the_worker(db: Session) -> None:
    worker, strike = _strike(db)
    appeal = reliability.appeal_file(
        session=db, strike_id=strike.id or 0, worker=worker, text="我去了，老板记错了"
    )
    assert [a.appeal.id for a in reliability.list_open_appeals(session=db)][-1] == appeal.id
    staff = make_staff(db)
    mark = last_event_id(db)
    reliability.appeal_decide(
        session=db, appeal_id=appeal.id or 0, staff=staff, upheld=True, reason="签到记录为证"
    )
    assert (appeal.status, appeal.decided_by, appeal.decision_reason) == (
        "upheld",
        staff.id,
        "签到记录为证",
    )
    record = reliability.get_worker_record(session=db, worker_id=worker.id or 0)
    assert record.strikes[0].state == "voided" and record.active == 0
    [event] = events_after(db, mark)
    assert (event.kind, event.worker_id, event.payload["outcome"]) == (
        "strike.appeal_decided",
        worker.id,
        "upheld",
    )


def test_a_rejected_appeal_keeps_the_strike(db: Session) -> None:
    worker, strike = _strike(db)
    appeal = reliability.appeal_file(session=db, strike_id=strike.id or 0, worker=worker, text="x")
    reliability.appeal_decide(
        session=db, appeal_id=appeal.id or 0, staff=make_staff(db), upheld=False, reason="无证据"
    )
    record = reliability.get_worker_record(session=db, worker_id=worker.id or 0)
    assert record.active == 1 and not record.strikes[0].can_appeal
    assert appeal.id not in [a.appeal.id for a in reliability.list_open_appeals(session=db)]


def test_bad_appeals_are_refused_and_write_nothing(db: Session) -> None:
    worker, strike = _strike(db)
    stranger = make_worker(db)
    refused(
        db,
        lambda: reliability.appeal_file(
            session=db, strike_id=strike.id or 0, worker=stranger, text="x"
        ),
        NotFound,
        "Strike not found",
    )
    refused(
        db,
        lambda: reliability.appeal_file(session=db, strike_id=10**9, worker=worker, text="x"),
        NotFound,
        "Strike not found",
    )
    appeal = reliability.appeal_file(session=db, strike_id=strike.id or 0, worker=worker, text="x")
    refused(
        db,
        lambda: reliability.appeal_file(
            session=db, strike_id=strike.id or 0, worker=worker, text="y"
        ),
        Conflict,
        "You have already appealed this strike",
    )
    staff = make_staff(db)
    reliability.appeal_decide(
        session=db, appeal_id=appeal.id or 0, staff=staff, upheld=False, reason="r"
    )
    refused(
        db,
        lambda: reliability.appeal_decide(
            session=db, appeal_id=appeal.id or 0, staff=staff, upheld=True, reason="r"
        ),
        Conflict,
        "This appeal has already been decided",
    )
    refused(
        db,
        lambda: reliability.appeal_decide(
            session=db, appeal_id=10**9, staff=staff, upheld=True, reason="r"
        ),
        NotFound,
        "Appeal not found",
    )
