"""Agreed terms under real concurrency (threads, real commits, SQLite and PostgreSQL).

The employer edits while hiring and while workers accept new terms: whatever the order,
no hire ends up below the terms its worker accepted, and the invariant check stays clean.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from market.applications import service as application_service
from market.applications import terms as terms_service
from market.db import session_scope
from market.errors import Conflict
from market.invariants import check_all
from market.jobs import service as job_service
from market.jobs.schemas import JobCreate, JobUpdate
from market.models import Application, Event, Job, User
from tests.concurrency import all_at_once
from tests.factories import job_body, make_employer, make_worker

HIRED_ALREADY = "Workers are already hired at {wage} yuan: the pay can only go up, never down"
NOT_ACCEPTED = (
    "The terms changed after this worker applied: they must accept the new terms before "
    "you can hire them"
)
CHANGED_AGAIN = "The terms changed again while you read them; read them again and confirm"


def _market(engine: Engine, *, jobs: int, applicants: int, wage: int = 400) -> dict[str, Any]:
    """`jobs` jobs of one employer (posted through the service), each with `applicants`
    pending applications."""
    with session_scope(engine) as s:
        employer = make_employer(s)
        body = job_body(headcount=max(applicants, 1), wage=wage)
        made = [
            job_service.job_post(session=s, employer=employer, data=JobCreate.model_validate(body))
            for _ in range(jobs)
        ]
        applications: dict[int, list[tuple[int, User]]] = {}
        for job in made:
            for _ in range(applicants):
                worker = make_worker(s)
                application = application_service.application_claim(
                    session=s, job_id=job.id or 0, worker=worker
                ).application
                applications.setdefault(job.id or 0, []).append((application.id or 0, worker))
    return {"employer": employer, "jobs": [j.id or 0 for j in made], "apps": applications}


def _edit(engine: Engine, job_id: int, **fields: Any) -> int:
    with session_scope(engine) as s:
        job = job_service.get_job(session=s, job_id=job_id)
        return job_service.job_update(session=s, job=job, data=JobUpdate(**fields)).terms_version


def _confirm(engine: Engine, application_id: int, employer: User) -> str:
    with session_scope(engine) as s:
        application = application_service.get_application(session=s, application_id=application_id)
        return application_service.application_confirm(
            session=s, application=application, employer=employer
        ).status


def _accept(engine: Engine, application_id: int, worker: User, version: int) -> int:
    with session_scope(engine) as s:
        application = application_service.get_application(session=s, application_id=application_id)
        return terms_service.application_accept_terms(
            session=s, application=application, worker=worker, terms_version=version
        ).terms_version


def _messages(outcomes: list[Any]) -> Counter[str]:
    return Counter(o.message if isinstance(o, Conflict) else repr(o) for o in outcomes)


def _rows(engine: Engine, job_id: int) -> tuple[Job, list[Application]]:
    with Session(engine) as s:
        job = s.get_one(Job, job_id)
        applications = s.exec(
            select(Application).where(Application.job_id == job_id).order_by(col(Application.id))
        ).all()
        return job, list(applications)


def test_confirming_while_cutting_the_pay_never_hires_below_the_accepted_terms(
    fresh_engine: Engine,
) -> None:
    market = _market(fresh_engine, jobs=8, applicants=1)
    employer, jobs = market["employer"], market["jobs"]

    def race(i: int) -> object:
        job_id = jobs[i // 2]
        if i % 2 == 0:
            return _confirm(fresh_engine, market["apps"][job_id][0][0], employer)
        return _edit(fresh_engine, job_id, wage=300)

    outcomes = all_at_once(2 * len(jobs), race)

    for k, job_id in enumerate(jobs):
        confirm, cut = outcomes[2 * k], outcomes[2 * k + 1]
        job, [application] = _rows(fresh_engine, job_id)
        if confirm == "confirmed":  # the hire won: the cut was refused, the pay stands
            assert isinstance(cut, Conflict) and cut.message == HIRED_ALREADY
            assert (job.wage, job.terms_version) == (400, 1)
            assert (application.agreed_wage, application.confirmed_wage) == (400, 400)
        else:  # the cut won: the worker has to see it before anyone hires them
            assert isinstance(confirm, Conflict) and confirm.message == NOT_ACCEPTED, confirm
            assert cut == 2 and (job.wage, job.terms_version) == (300, 2)
            assert (application.status, application.agreed_wage) == ("applied", 400)
    assert check_all(engine=fresh_engine) == []


def test_many_confirms_racing_a_cut_and_a_move_hire_only_on_accepted_terms(
    fresh_engine: Engine,
) -> None:
    market = _market(fresh_engine, jobs=1, applicants=6)
    employer, [job_id] = market["employer"], market["jobs"]
    applications = [a for a, _w in market["apps"][job_id]]

    def race(i: int) -> object:
        if i == 6:
            return _edit(fresh_engine, job_id, wage=300)
        if i == 7:
            return _edit(fresh_engine, job_id, lat=37.62, lon=121.40)
        return _confirm(fresh_engine, applications[i], employer)

    outcomes = all_at_once(8, race)
    assert all(isinstance(o, (str, int, Conflict)) for o in outcomes), outcomes
    job, rows = _rows(fresh_engine, job_id)
    hired = [a for a in rows if a.status == "confirmed"]
    assert job.confirmed_count == len(hired)
    for application in hired:
        assert application.confirmed_wage == application.agreed_wage == job.wage == 400
        assert application.confirmed_terms_version == application.terms_version == 1
        assert (application.agreed_lat, application.agreed_lon) == (job.lat, job.lon)
    if hired:
        assert job.terms_version == 1  # neither the cut nor the move got through
    assert check_all(engine=fresh_engine) == []


def test_fifty_workers_accepting_while_the_employer_moves_the_place(fresh_engine: Engine) -> None:
    market = _market(fresh_engine, jobs=1, applicants=50)
    [job_id] = market["jobs"]
    assert _edit(fresh_engine, job_id, wage=300) == 2  # every worker is asked again
    pending = market["apps"][job_id]

    def race(i: int) -> object:
        if i == 50:
            return _edit(fresh_engine, job_id, lat=37.62, lon=121.40)
        application, worker = pending[i]
        return _accept(fresh_engine, application, worker, 2)

    outcomes = all_at_once(51, race)

    assert outcomes[50] == 3
    accepted = [o for o in outcomes[:50] if o == 2]
    refused = [o for o in outcomes[:50] if isinstance(o, Conflict)]
    assert len(accepted) + len(refused) == 50, _messages(outcomes)
    assert {r.message for r in refused} <= {CHANGED_AGAIN}
    job, rows = _rows(fresh_engine, job_id)
    assert job.terms_version == 3
    assert Counter(a.terms_version for a in rows) == Counter({2: len(accepted), 1: len(refused)})
    assert all(terms_service.needs_acceptance(a, job) for a in rows)  # the move came after
    for application in rows:
        expected = 300 if application.terms_version == 2 else 400
        assert application.agreed_wage == expected
    with Session(fresh_engine) as s:
        kinds = Counter(s.exec(select(Event.kind).where(Event.job_id == job_id)).all())
    assert kinds["application.terms_accepted"] == len(accepted)
    assert kinds["application.terms_changed"] == 100  # the cut and the move, each to all 50
    assert check_all(engine=fresh_engine) == []


def test_fifty_workers_accepting_while_the_employer_raises_the_pay(fresh_engine: Engine) -> None:
    market = _market(fresh_engine, jobs=1, applicants=50)
    employer, [job_id] = market["employer"], market["jobs"]
    _edit(fresh_engine, job_id, wage=300)
    pending = market["apps"][job_id]

    def race(i: int) -> object:
        if i == 50:
            return _edit(fresh_engine, job_id, wage=350)
        application, worker = pending[i]
        return _accept(fresh_engine, application, worker, 2)

    outcomes = all_at_once(51, race)

    assert outcomes == [2] * 51, _messages(outcomes)  # a raise asks nobody again
    _job, rows = _rows(fresh_engine, job_id)
    # accepted before the raise or after it: everyone holds the raise
    assert {(a.agreed_wage, a.terms_version) for a in rows} == {(350, 2)}
    assert _confirm(fresh_engine, rows[0].id or 0, employer) == "confirmed"
    assert _rows(fresh_engine, job_id)[1][0].confirmed_wage == 350
    assert check_all(engine=fresh_engine) == []


def test_hiring_while_workers_accept_hires_only_those_who_accepted(fresh_engine: Engine) -> None:
    market = _market(fresh_engine, jobs=1, applicants=20)
    employer, [job_id] = market["employer"], market["jobs"]
    _edit(fresh_engine, job_id, wage=300)
    _edit(fresh_engine, job_id, headcount=10)
    pending = market["apps"][job_id]

    def race(i: int) -> object:
        application, worker = pending[i % 20]
        if i < 20:
            return _accept(fresh_engine, application, worker, 2)
        return _confirm(fresh_engine, application, employer)

    outcomes = all_at_once(40, race)

    assert outcomes[:20] == [2] * 20, _messages(outcomes)
    for o in outcomes[20:]:
        assert o == "confirmed" or isinstance(o, Conflict), o
    job, rows = _rows(fresh_engine, job_id)
    hired = [a for a in rows if a.status == "confirmed"]
    assert len(hired) == job.confirmed_count <= 10
    assert {(a.confirmed_wage, a.confirmed_terms_version) for a in hired} <= {(300, 2)}
    assert check_all(engine=fresh_engine) == []


def _claim(engine: Engine, job_id: int, worker: User, version: int | None = None) -> str:
    with session_scope(engine) as s:
        return application_service.application_claim(
            session=s, job_id=job_id, worker=worker, terms_version=version
        ).application.status


def test_fifty_workers_applying_while_the_employer_raises_all_get_the_raise(
    fresh_engine: Engine,
) -> None:
    market = _market(fresh_engine, jobs=1, applicants=0)
    [job_id] = market["jobs"]
    with session_scope(fresh_engine) as s:
        workers = [make_worker(s) for _ in range(50)]

    def race(i: int) -> object:
        if i == 50:
            return _edit(fresh_engine, job_id, wage=450)
        return _claim(fresh_engine, job_id, workers[i])

    outcomes = all_at_once(51, race)

    assert outcomes == ["applied"] * 50 + [1], _messages(outcomes)
    _job, rows = _rows(fresh_engine, job_id)
    assert {(a.agreed_wage, a.terms_version) for a in rows} == {(450, 1)}
    assert check_all(engine=fresh_engine) == []


def test_instant_claims_racing_a_pay_cut_are_hired_at_the_pay_they_saw(
    fresh_engine: Engine,
) -> None:
    with session_scope(fresh_engine) as s:
        body = job_body(headcount=5, wage=400, instant=True)
        job = job_service.job_post(
            session=s, employer=make_employer(s), data=JobCreate.model_validate(body)
        )
        workers = [make_worker(s) for _ in range(10)]
    job_id = job.id or 0

    def race(i: int) -> object:
        if i == 10:
            return _edit(fresh_engine, job_id, wage=300)
        return _claim(fresh_engine, job_id, workers[i], version=1)  # their page said 400

    outcomes = all_at_once(11, race)

    job, rows = _rows(fresh_engine, job_id)
    hired = [a for a in rows if a.status == "confirmed"]
    assert {(a.agreed_wage, a.confirmed_wage, a.confirmed_terms_version) for a in hired} <= {
        (400, 400, 1)
    }
    if outcomes[10] == 2:  # the cut came first: nobody was hired on a page that said 400
        assert hired == [] and job.wage == 300
    else:
        assert isinstance(outcomes[10], Conflict) and job.wage == 400 and hired
    assert check_all(engine=fresh_engine) == []
