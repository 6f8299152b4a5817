"""The invariant check covers agreed terms: each corruption of a hire's terms is named."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, update
from sqlmodel import col

from market.applications import terms as terms_service
from market.db import session_scope
from market.invariants import check_all
from market.jobs import service as job_service
from market.jobs.schemas import JobUpdate
from market.models import Application, Job, User
from tests.service_market import Market, build_market


@pytest.fixture
def market(fresh_engine: Engine) -> Market:
    """The service market, plus terms raised, cut (pending sent back) and accepted again."""
    built = build_market(fresh_engine)
    with session_scope(fresh_engine) as s:
        overlapping = s.get_one(Job, built.overlapping_job)
        full = s.get_one(Job, built.full_job)
        job_service.job_update(session=s, job=full, data=JobUpdate(wage=330))  # hires: raised
        job_service.job_update(session=s, job=overlapping, data=JobUpdate(wage=340))
        job_service.job_update(session=s, job=overlapping, data=JobUpdate(wage=280))  # sent back
        mine = s.exec(
            select(Application).where(
                col(Application.job_id) == built.overlapping_job,
                col(Application.worker_id) == built.d,
            )
        ).scalar_one()
        terms_service.application_accept_terms(
            session=s, application=mine, worker=s.get_one(User, built.d), terms_version=2
        )
    assert check_all(engine=fresh_engine) == []
    return built


def _application(engine: Engine, job: int, worker: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(Application.id).where(
                    col(Application.job_id) == job, col(Application.worker_id) == worker
                )
            ).scalar_one()
        )


def _set(engine: Engine, statement: object) -> None:
    with engine.begin() as conn:
        conn.execute(statement)  # type: ignore[call-overload]


def _app(engine: Engine, application: int, **values: object) -> None:
    _set(engine, update(Application).where(col(Application.id) == application).values(**values))


def test_a_hire_paid_below_its_confirmed_pay_is_named(fresh_engine: Engine, market: Market) -> None:
    hire = _application(fresh_engine, market.full_job, market.a)
    _app(fresh_engine, hire, agreed_wage=50)
    assert check_all(engine=fresh_engine) == [
        f"job {market.full_job}: application {hire} of worker {market.a} is confirmed at an "
        "agreed pay of 50, below the 300 it was confirmed at"
    ]


def test_a_job_paying_less_than_its_hires_agreed_is_named(
    fresh_engine: Engine, market: Market
) -> None:
    _set(fresh_engine, update(Job).where(col(Job.id) == market.full_job).values(wage=50))
    violations = check_all(engine=fresh_engine)
    assert len(violations) == 2
    assert all(
        v.startswith(f"job {market.full_job}:")
        and v.endswith("agreed pay of 330, but the job pays 50")
        for v in violations
    )


def test_a_hire_without_its_confirmed_pay_is_named(fresh_engine: Engine, market: Market) -> None:
    hire = _application(fresh_engine, market.open_job, market.b)
    _app(fresh_engine, hire, confirmed_wage=None)
    assert check_all(engine=fresh_engine) == [
        f"job {market.open_job}: application {hire} of worker {market.b} is confirmed, "
        "but no pay was recorded at its confirmation"
    ]


def test_a_hire_on_terms_its_worker_did_not_accept_is_named(
    fresh_engine: Engine, market: Market
) -> None:
    hire = _application(fresh_engine, market.full_job, market.b)
    _app(fresh_engine, hire, confirmed_terms_version=2)
    assert check_all(engine=fresh_engine) == [
        f"job {market.full_job}: application {hire} of worker {market.b} is confirmed, "
        "but was confirmed on terms version 2 while its worker accepted version 1"
    ]


def test_a_job_moved_after_its_hires_is_named(fresh_engine: Engine, market: Market) -> None:
    _set(
        fresh_engine,
        update(Job).where(col(Job.id) == market.past_job).values(address="另一个城市"),
    )
    violations = check_all(engine=fresh_engine)
    assert len(violations) == 2  # the completed hire and the no-show
    assert all(
        v.startswith(f"job {market.past_job}:")
        and v.endswith("but the job's place or shift moved after the hire")
        for v in violations
    )


def test_a_pending_application_on_the_present_terms_but_others_is_named(
    fresh_engine: Engine, market: Market
) -> None:
    pending = _application(fresh_engine, market.overlapping_job, market.d)
    _app(fresh_engine, pending, agreed_wage=999)
    assert check_all(engine=fresh_engine) == [
        f"job {market.overlapping_job}: application {pending} of worker {market.d} is applied "
        "on the job's present terms, but keeps other terms than the job's"
    ]


def test_terms_newer_than_the_jobs_are_named(fresh_engine: Engine, market: Market) -> None:
    pending = _application(fresh_engine, market.overlapping_job, market.a)
    _app(fresh_engine, pending, terms_version=7)
    assert check_all(engine=fresh_engine) == [
        f"job {market.overlapping_job}: application {pending} of worker {market.a} is applied "
        "with terms version 7, newer than the job's"
    ]
