"""The standby list's invariants: lists the services wrote are healthy, each corruption is named.

Corruptions are written straight with SQL, as a bug or a hand edit would. The services'
own lists include a worker hired on the job other than through an offer: they leave it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from market.applications import service as application_service
from market.db import session_scope
from market.errors import Invalid
from market.invariants import check_all
from market.jobs import service as job_service
from market.jobs.schemas import JobUpdate
from market.models import Application, Job, Standby, User
from market.standby import invariants as standby_invariants
from market.types import utcnow
from tests.factories import make_job, make_worker
from tests.market.service_helpers import hire, refused
from tests.market.standby.test_service import H, _call_off, _join


def _found(db: Session) -> list[str]:
    db.flush()
    return [v for check in standby_invariants.CHECKS for v in check(db)]


def _set(db: Session, entry: Standby, **values: object) -> None:
    db.execute(update(Standby).where(col(Standby.id) == entry.id).values(**values))
    db.expire_all()


def _hire_of(db: Session, job: Job) -> Application:
    """The job's one confirmed application."""
    return db.exec(
        select(Application).where(Application.job_id == job.id, Application.status == "confirmed")
    ).one()


def _offered(db: Session) -> tuple[Job, Standby, Standby, datetime]:
    """A two-place job, full, one hire called off: the first of two waiting is offered it.
    Returns the job, the offered and the waiting entry, and a time the offer is live."""
    job = make_job(db, headcount=2, instant=True)
    t0 = job.start_at - 30 * H
    hires = [(w, hire(db, job=job, worker=w, now=t0)) for w in (make_worker(db), make_worker(db))]
    _, first = _join(db, job, t0 + H)
    _, second = _join(db, job, t0 + 2 * H)
    _call_off(db, hires[0][1], hires[0][0], t0 + 3 * H)
    assert (first.status, second.status, job.confirmed_count) == ("offered", "waiting", 1)
    return job, first, second, t0 + 4 * H


def test_lists_the_services_wrote_are_healthy_and_offers_hold_the_headcount(db: Session) -> None:
    job, _, _, live = _offered(db)
    assert _found(db) == []
    refused(
        db,
        lambda: job_service.job_update(session=db, job=job, data=JobUpdate(headcount=1), now=live),
        Invalid,
        "{hired} workers are hired and {held} places are offered to the standby list; "
        "headcount cannot be lower",
    )


def test_a_waiting_worker_who_claims_a_place_open_to_all_leaves_the_list(db: Session) -> None:
    job = make_job(db, headcount=1, instant=True)
    hired = make_worker(db)
    application = hire(db, job=job, worker=hired, now=job.start_at - 48 * H)
    worker, entry = _join(db, job, job.start_at - 10 * H)
    _call_off(db, application, hired, job.start_at - H / 2)  # too late to offer: open to all
    assert entry.status == "waiting"
    claim = application_service.application_claim(
        session=db, job_id=job.id or 0, worker=worker, now=job.start_at - H / 3
    )
    assert claim.application.status == "confirmed"
    assert (entry.status, entry.application_id) == ("accepted", claim.application.id)
    assert _found(db) == []


def test_an_offered_worker_who_claims_directly_no_longer_holds_a_place(db: Session) -> None:
    job, first, second, live = _offered(db)
    worker = db.get_one(User, first.worker_id)
    claim = application_service.application_claim(
        session=db, job_id=job.id or 0, worker=worker, now=live
    )
    assert claim.application.status == "confirmed"
    assert (first.status, second.status, job.status) == ("accepted", "waiting", "filled")
    assert _found(db) == []


def test_an_entry_missing_what_its_status_needs_is_named(db: Session) -> None:
    job, first, second, _ = _offered(db)
    other = make_worker(db)
    _set(db, first, offer_deadline=None)
    _set(db, second, status="accepted", decided_at=job.start_at, application_id=None)
    stray = Standby(job_id=job.id or 0, worker_id=other.id or 0, status="accepted")
    stray.decided_at, stray.application_id = job.start_at, _hire_of(db, job).id  # not theirs
    db.add(stray)
    db.flush()
    found = _found(db)
    for entry in (first, second, stray):
        assert any(f"standby entry {entry.id} of worker {entry.worker_id}" in v for v in found)
    assert len(found) == 3


def test_two_live_offers_for_one_free_place_are_named(db: Session) -> None:
    job, first, second, live = _offered(db)
    deadline = utcnow() + H  # live when the check runs, as the check reads the clock
    _set(db, first, offer_deadline=deadline)
    _set(db, second, status="offered", offered_at=live, offer_deadline=deadline)
    assert _found(db) == [
        f"job {job.id}: 2 standby offers are live for 1 free places "
        "(a place is offered to one worker at a time)"
    ]


def test_a_hired_worker_still_waiting_on_the_list_is_named(db: Session) -> None:
    job, _, _, live = _offered(db)
    hired_id = _hire_of(db, job).worker_id
    db.add(Standby(job_id=job.id or 0, worker_id=hired_id, status="waiting", created_at=live))
    found = _found(db)
    assert len(found) == 1 and found[0].startswith(f"job {job.id}: worker {hired_id} is hired")


def test_check_invariants_runs_the_standby_checks(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as db:
        job, first, _, _ = _offered(db)
        entry_id, job_id = first.id, job.id
    before = check_all(engine=fresh_engine)  # (the factory's job has no job.posted event)
    with session_scope(fresh_engine) as db:
        db.execute(update(Standby).where(col(Standby.id) == entry_id).values(offered_at=None))
    [violation] = [v for v in check_all(engine=fresh_engine) if v not in before]
    assert violation.startswith(f"job {job_id}: standby entry {entry_id} ")
