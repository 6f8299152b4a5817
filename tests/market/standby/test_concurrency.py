"""The standby list under real concurrency (threads, real commits, SQLite and PostgreSQL).

Offered workers accept while others claim the same places, and an accept races the sweep
that expires its offer: the held places go to the offered workers only, no job gets more
hires than its headcount, and the invariant check stays clean.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from market.applications import service as application_service
from market.db import session_scope
from market.errors import Conflict
from market.invariants import check_all
from market.jobs import service as job_service
from market.jobs.schemas import JobCreate
from market.models import Job, Standby, User
from market.standby import service as standby_service
from tests.concurrency import all_at_once
from tests.factories import job_body, make_employer, make_worker
from tests.market.service_helpers import hire


def _post(s: Session, headcount: int) -> Job:
    """A job posted through the service (so its outbox starts with `job.posted`)."""
    body = job_body(headcount=headcount, instant=True)
    return job_service.job_post(
        session=s, employer=make_employer(s), data=JobCreate.model_validate(body)
    )


H = timedelta(hours=1)
HELD = "The free place is being offered to a worker on the standby list"


def _outcome(result: object) -> str:
    return result.message if isinstance(result, Conflict) else type(result).__name__


def test_offered_workers_get_the_held_places_while_others_claim_them(fresh_engine: Engine) -> None:
    places = 3
    with session_scope(fresh_engine) as s:
        job = _post(s, places)
        t0 = job.start_at - 30 * H
        hired = [make_worker(s) for _ in range(places)]
        hires = [hire(s, job=job, worker=w, now=t0) for w in hired]
        waiting = [make_worker(s) for _ in range(places)]
        entries = [
            standby_service.standby_join(session=s, job_id=job.id or 0, worker=w, now=t0).id or 0
            for w in waiting
        ]
        for application, worker in zip(hires, hired, strict=True):
            application_service.application_cancel(
                session=s, application=application, user=worker, reason="病了", now=t0
            )
        claimers = [make_worker(s) for _ in range(2 * places)]
        job_id = job.id or 0
    now = t0 + H

    def race(i: int) -> object:
        with session_scope(fresh_engine) as s:
            if i < places:
                return standby_service.standby_accept(
                    session=s, standby_id=entries[i], worker=waiting[i], now=now
                ).status
            return application_service.application_claim(
                session=s, job_id=job_id, worker=claimers[i - places], now=now
            ).application.status

    outcomes = all_at_once(3 * places, race)
    assert outcomes[:places] == ["confirmed"] * places
    # held while the offers run, full once they are taken: never a claimer's
    assert set(map(_outcome, outcomes[places:])) <= {HELD, "This job is full"}
    with Session(fresh_engine) as s:
        assert s.get_one(Job, job_id).confirmed_count == places
    assert check_all(engine=fresh_engine) == []


def test_an_accept_racing_the_sweep_of_its_expiry_ends_one_way_only(fresh_engine: Engine) -> None:
    jobs = 6
    with session_scope(fresh_engine) as s:
        setup: list[tuple[int, int, User, int]] = []
        for _ in range(jobs):
            job = _post(s, 1)
            t0 = job.start_at - 30 * H
            worker = make_worker(s)
            application = hire(s, job=job, worker=worker, now=t0)
            first, second = make_worker(s), make_worker(s)
            entry1 = standby_service.standby_join(
                session=s, job_id=job.id or 0, worker=first, now=t0
            )
            entry2 = standby_service.standby_join(
                session=s, job_id=job.id or 0, worker=second, now=t0
            )
            application_service.application_cancel(
                session=s, application=application, user=worker, reason="x", now=t0
            )
            assert entry1.offer_deadline is not None
            setup.append((entry1.id or 0, entry2.id or 0, first, job.id or 0))
        deadline = entry1.offer_deadline
    second_ = timedelta(seconds=1)

    def race(i: int) -> object:
        with session_scope(fresh_engine) as s:
            if i % 2 == 0:
                entry1, _entry2, first, _job = setup[i // 2]
                return standby_service.standby_accept(
                    session=s, standby_id=entry1, worker=first, now=deadline - second_
                ).status
            return standby_service.standby_sweep(session=s, now=deadline + second_)

    outcomes = all_at_once(2 * jobs, race)
    with Session(fresh_engine) as s:
        for i, (entry1, entry2, _first, job_id) in enumerate(setup):
            first_row, second_row = s.get_one(Standby, entry1), s.get_one(Standby, entry2)
            won = outcomes[2 * i] == "confirmed"
            if won:
                assert (first_row.status, second_row.status) == ("accepted", "waiting")
            else:
                assert _outcome(outcomes[2 * i]) == (
                    "There is no open offer here: the place was not offered to you"
                )
                assert (first_row.status, second_row.status) == ("expired", "offered")
            assert s.get_one(Job, job_id).confirmed_count == (1 if won else 0)
    assert check_all(engine=fresh_engine) == []
