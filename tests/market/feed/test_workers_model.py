"""The workers' read model: an employer's candidates ranked from memory as from the database.

Every test commits for real (the model reads committed rows and numbered events), on a
database of its own, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from market.applications import service as application_service
from market.feed import candidates as candidate_service
from market.feed import readmodel as readmodel_module
from market.feed import workers as workers_book
from market.feed.readmodel import FeedReadModel
from market.invites import blocks as block_service
from market.models import Job, JobStatus, User, WorkerProfile, WorkerTrade
from market.types import utcnow
from market.workers import service as worker_service
from market.workers.schemas import WorkerProfileUpdate
from tests.factories import make_employer, make_job, make_worker, next_phone, tomorrow_at
from tests.market.feed.test_readmodel import LAT, LON, _feed, _numbered, _seed_market
from tests.market.service_helpers import hire


def _candidates(engine: Engine, job_id: int, model: FeedReadModel | None, k: int = 20):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        found = candidate_service.list_candidates(session=session, job=job, k=k, model=model)
        return [(c.view.user.id, c.match.score, c.match.reason, c.distance_km) for c in found]


def _open_jobs(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return list(
            session.exec(select(Job.id).where(Job.status == JobStatus.open).order_by(col(Job.id)))
        )  # type: ignore[arg-type]


def test_candidates_from_memory_are_those_of_the_database_on_a_seeded_market(
    fresh_engine: Engine,
) -> None:
    _seed_market(fresh_engine, jobs=60, workers=150, seed=11)
    model = FeedReadModel(fresh_engine)
    model.build()
    assert len(model.workers) == 150
    compared = 0
    for job_id in _open_jobs(fresh_engine):
        for k in (5, 100):
            expected = _candidates(fresh_engine, job_id, None, k)
            assert _candidates(fresh_engine, job_id, model, k) == expected
            compared += len(expected)
    assert compared > 1000  # real lists, not empty ones


def test_a_candidate_list_from_memory_reads_no_schedules(fresh_engine: Engine) -> None:
    # a candidate shows name, trades, stars and jobs done: reading the weekly patterns and
    # days of the listed workers was two queries of five for nothing
    _seed_market(fresh_engine, jobs=10, workers=40, seed=5)
    model = FeedReadModel(fresh_engine)
    model.build()
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(fresh_engine, "before_cursor_execute", seen)
    try:
        listed = sum(
            len(_candidates(fresh_engine, job_id, model)) for job_id in _open_jobs(fresh_engine)
        )
    finally:
        event.remove(fresh_engine, "before_cursor_execute", seen)
    assert listed > 20 and any("worker_certificate" in s for s in statements)
    assert not [s for s in statements if "weekly_availability" in s or "available_day" in s]


def test_a_profile_change_or_a_hire_reaches_candidates_once_its_event_is_applied(
    fresh_engine: Engine,
) -> None:
    with Session(fresh_engine, expire_on_commit=False) as session:
        mover, hired, stays = (make_worker(session, lat=LAT + 0.01 * i) for i in range(3))
        job = make_job(session, headcount=3, lat=LAT, lon=LON)
        other_job = make_job(session, headcount=1, lat=LAT, lon=LON)  # same shift
        session.commit()
    _numbered(fresh_engine)
    model = FeedReadModel(fresh_engine)
    model.build()
    everyone = [mover.id, hired.id, stays.id]
    assert [c[0] for c in _candidates(fresh_engine, job.id or 0, model)] == everyone

    with Session(fresh_engine, expire_on_commit=False) as session:
        user = session.get(User, mover.id)
        assert user is not None
        worker_service.worker_profile_update(  # moves 100 km away
            session=session,
            worker=user,
            data=WorkerProfileUpdate(home_lat=LAT + 0.9, home_lon=LON),
        )
        hire(session, job=other_job, worker=hired, now=utcnow())  # busy on that shift now
        session.commit()
    # until the events arrive the model still has them as they were: "may be stale"
    assert [c[0] for c in _candidates(fresh_engine, job.id or 0, model)] == everyone
    model.apply(_numbered(fresh_engine))
    assert [c[0] for c in _candidates(fresh_engine, job.id or 0, model)] == [stays.id]
    assert _candidates(fresh_engine, job.id or 0, model) == _candidates(
        fresh_engine, job.id or 0, None
    )


def test_blocked_and_applied_workers_are_left_out_from_memory_too(fresh_engine: Engine) -> None:
    with Session(fresh_engine, expire_on_commit=False) as session:
        boss = make_employer(session)
        blocked, applied, kept = (make_worker(session, lat=LAT + 0.01 * i) for i in range(3))
        job = make_job(session, employer=boss, headcount=3, lat=LAT, lon=LON)
        session.commit()
        block_service.block_add(session=session, user=boss, other_id=blocked.id or 0)
        application_service.application_claim(session=session, job_id=job.id or 0, worker=applied)
        session.commit()
    model = FeedReadModel(fresh_engine)
    model.build()  # the model knows all three: the request reads who to leave out
    assert len(model.workers) == 3
    for found in (
        _candidates(fresh_engine, job.id or 0, model),
        _candidates(fresh_engine, job.id or 0, None),
    ):
        assert [c[0] for c in found] == [kept.id]


def test_the_nearest_worker_is_never_cut_off_by_3000_further_ones(fresh_engine: Engine) -> None:
    with Session(fresh_engine, expire_on_commit=False) as session:
        users = [
            User(phone=next_phone(), password_hash="x", role="worker", name="远")
            for _ in range(3100)
        ]
        session.add_all(users)
        session.flush()
        session.add_all(  # 20 km away, in the box around the job, their radius short of it
            WorkerProfile(user_id=u.id or 0, home_lat=LAT + 0.18, home_lon=LON, radius_km=5)
            for u in users
        )
        session.add_all(WorkerTrade(worker_id=u.id or 0, trade="painter", level=2) for u in users)
        session.flush()
        near = make_worker(session, lat=LAT + 0.005, lon=LON)
        job = make_job(session, lat=LAT, lon=LON, start_at=tomorrow_at(1) + timedelta(hours=2))
        session.commit()
    model = FeedReadModel(fresh_engine)
    model.build()
    assert [c[0] for c in _candidates(fresh_engine, job.id or 0, model)] == [near.id]
    # the database path takes 3,000 rows of the box in no order: the near worker is not among them
    assert _candidates(fresh_engine, job.id or 0, None) == []


def test_changes_past_a_merge_of_the_delta_still_rank_as_the_database_does(
    fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers_book, "DELTA_MAX", 2)  # every few changes merge into the base
    with Session(fresh_engine, expire_on_commit=False) as session:
        people = [make_worker(session, lat=LAT + 0.002 * i, radius_km=10) for i in range(12)]
        job = make_job(session, headcount=5, lat=LAT, lon=LON)
        session.commit()
    _numbered(fresh_engine)
    model = FeedReadModel(fresh_engine)
    model.build()
    for i, person in enumerate(people[:7]):
        with Session(fresh_engine, expire_on_commit=False) as session:
            user = session.get(User, person.id)
            assert user is not None
            far = i % 2 == 0  # half move out of reach, half move closer
            worker_service.worker_profile_update(
                session=session,
                worker=user,
                data=WorkerProfileUpdate(home_lat=LAT + (0.5 if far else -0.001 * i), home_lon=LON),
            )
            session.commit()
        model.apply(_numbered(fresh_engine))
        expected = _candidates(fresh_engine, job.id or 0, None, k=100)
        assert _candidates(fresh_engine, job.id or 0, model, k=100) == expected
    assert len(expected) == 8  # 4 of the 12 moved away


def test_a_feed_takes_the_profile_from_the_book_and_never_keeps_it_stale(
    fresh_engine: Engine,
) -> None:
    """A worker's first feed reads their profile and shifts from the workers book, not the
    database. Once an event names the worker, the book re-reads them only when next asked
    (or by the live service's poll), in a batch; meanwhile, and while that re-read is under
    way, their feed reads them from the database: never the profile as it was."""
    with Session(fresh_engine, expire_on_commit=False) as session:
        near = make_job(session, lat=LAT + 0.01, lon=LON)
        worker = make_worker(session)
        session.commit()
    _numbered(fresh_engine)
    model = FeedReadModel(fresh_engine)
    model.build()
    assert [row[0] for row in _feed(fresh_engine, worker.id or 0, model)] == [near.id]
    with Session(fresh_engine) as session:
        cached = model.worker(session=session, worker_id=worker.id or 0)
    assert cached.known is model.workers.get(worker.id or 0) and cached.view is None

    with Session(fresh_engine, expire_on_commit=False) as session:
        worker_service.worker_profile_update(  # moves 100 km away
            session=session,
            worker=session.get_one(User, worker.id),
            data=WorkerProfileUpdate(home_lat=LAT + 0.9, home_lon=LON),
        )
        session.commit()
    update = model.workers.update
    asked_meanwhile: list[list[Any]] = []
    updates: list[list[int]] = []

    def feed_during_the_update(**changes: Any) -> None:
        updates.append([int(w.model.id) for w in changes["upsert"]])
        asked_meanwhile.append(_feed(fresh_engine, worker.id or 0, model))
        update(**changes)

    model.workers.update = feed_during_the_update  # type: ignore[method-assign]
    model.apply(_numbered(fresh_engine))

    assert updates == []  # the event only marked the worker
    assert model.workers.get(worker.id or 0) is cached.known  # the book as it was ...
    assert _feed(fresh_engine, worker.id or 0, model) == []  # ... but not for their feed
    with Session(fresh_engine) as session:
        assert model.worker(session=session, worker_id=worker.id or 0).known is None

    model.fresh_workers()

    assert updates == [[worker.id]]
    assert asked_meanwhile == [[]]  # read from the database during the re-read
    known = model.workers.get(worker.id or 0)
    assert known is not None and known.model.lat == pytest.approx(LAT + 0.9)
    model.forget_workers([worker.id or 0])
    with Session(fresh_engine) as session:
        assert model.worker(session=session, worker_id=worker.id or 0).known is known
    assert _feed(fresh_engine, worker.id or 0, model) == []
    assert _feed(fresh_engine, worker.id or 0, None) == []
    model.fresh_workers()
    assert updates == [[worker.id]]  # nothing marked: nothing read again


def _radius_changed(engine: Engine, model: FeedReadModel, worker_id: int, km: int) -> None:
    """The worker changes their radius; the model applies the event."""
    with Session(engine, expire_on_commit=False) as session:
        worker_service.worker_profile_update(
            session=session,
            worker=session.get_one(User, worker_id),
            data=WorkerProfileUpdate(radius_km=km),
        )
        session.commit()
    model.apply(_numbered(engine))


def test_workers_named_by_many_events_are_read_again_in_one_batch(
    fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claims on every replica cost one read of each worker per batch, not one per event;
    an event that names a worker again during a re-read keeps them marked."""
    with Session(fresh_engine, expire_on_commit=False) as session:
        people = [make_worker(session, lat=LAT + 0.002 * i) for i in range(4)]
        session.commit()
    _numbered(fresh_engine)
    model = FeedReadModel(fresh_engine)
    model.build()
    reads: list[list[int]] = []
    load = readmodel_module.load_workers

    def counted(session: Session, worker_ids: Any, now: Any) -> Any:
        reads.append(list(worker_ids))
        if len(reads) == 1:  # an event names people[0] while the first batch is read
            model._mark([people[0].id or 0])
        return load(session, worker_ids, now)

    monkeypatch.setattr(readmodel_module, "load_workers", counted)
    for person in people:
        _radius_changed(fresh_engine, model, person.id or 0, 15)
    assert reads == []

    model.fresh_workers()
    model.fresh_workers()
    model.fresh_workers()

    ids = sorted(p.id or 0 for p in people)
    assert reads == [ids, [people[0].id]]
    assert all(model.workers.get(i).model.radius_km == 15 for i in ids)  # type: ignore[union-attr]

    monkeypatch.setattr(readmodel_module, "DIRTY_MAX", 2)  # past it, the event's own pass reads
    for person in people[:2]:
        _radius_changed(fresh_engine, model, person.id or 0, 12)
    assert reads[2:] == [sorted([people[0].id or 0, people[1].id or 0])]
