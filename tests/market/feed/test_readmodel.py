"""The feed's read model: the same ranking as the database path, kept current by events.

Every test commits for real (the model reads committed rows and numbered events), on a
database of its own, SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from market.applications import service as application_service
from market.db import make_engine
from market.errors import Conflict
from market.events import outbox as outbox
from market.feed import service as feed_service
from market.feed.readmodel import FeedReadModel
from market.feed.schemas import FeedFilter
from market.jobs import service as job_service
from market.jobs.schemas import JobCreate, JobUpdate, public_job
from market.models import Job, User
from market.types import utcnow
from tests.factories import YANTAI, job_body, make_employer, make_job, make_worker, tomorrow_at
from tests.market.service_helpers import hire

LAT, LON = YANTAI
TRADES = ("painter", "plasterer", "electrician", "cook", "mover", "general")


def _seed_market(engine: Engine, *, jobs: int, workers: int, seed: int = 7) -> list[int]:
    """A random market around Yantai (jobs, pending claims, hires); returns the worker ids."""
    rng = random.Random(seed)
    with Session(engine, expire_on_commit=False) as session:
        bosses = [make_employer(session) for _ in range(5)]
        people = [
            make_worker(
                session,
                trades=tuple((t, rng.randint(1, 3)) for t in rng.sample(TRADES, 2)),
                certificates=("electrician",) if rng.random() < 0.3 else (),
                lat=LAT + rng.uniform(-0.1, 0.1),
                lon=LON + rng.uniform(-0.1, 0.1),
                radius_km=rng.choice((5, 10, 20, 30)),
                min_wage=rng.choice((0, 250, 320)),
            )
            for _ in range(workers)
        ]
        posted = [
            make_job(
                session,
                employer=rng.choice(bosses),
                trade=rng.choice(TRADES),
                headcount=rng.randint(1, 4),
                wage=rng.randint(200, 450),
                instant=rng.random() < 0.5,
                start_at=tomorrow_at(1) + timedelta(hours=rng.randint(0, 60)),
                hours=rng.choice((4, 8)),
                lat=LAT + rng.uniform(-0.2, 0.2),
                lon=LON + rng.uniform(-0.2, 0.2),
            )
            for _ in range(jobs)
        ]
        session.commit()
        for job in rng.sample(posted, min(len(posted), workers * 2)):  # competition, hires
            who = rng.choice(people)
            try:
                with session.begin_nested():
                    application_service.application_claim(
                        session=session, job_id=job.id or 0, worker=who
                    )
            except Exception:  # a claim the rules refuse: the market is random
                continue
        session.commit()
        return [p.id or 0 for p in people]


def _numbered(engine: Engine) -> list[outbox.Published]:
    events: list[outbox.Published] = []
    while batch := outbox.number_pending(engine=engine) or []:
        events += batch
    return events


def _feed(engine: Engine, worker_id: int, model: FeedReadModel | None, **filters: object):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        feed = feed_service.list_feed(
            session=session, worker_id=worker_id, data=FeedFilter(**filters), model=model
        )
        return [
            (item.job.id, item.match.score, item.match.reason, item.my_status, item.certificates)
            for item in feed.items
        ]


def _from_database(engine: Engine, worker_id: int, **filters: object):  # type: ignore[no-untyped-def]
    return _feed(engine, worker_id, None, **filters)


def test_the_read_model_ranks_as_the_database_does_on_a_seeded_market(
    fresh_engine: Engine,
) -> None:
    workers = _seed_market(fresh_engine, jobs=400, workers=25)
    model = FeedReadModel(fresh_engine)
    model.build()
    compared = 0
    for worker_id in workers:
        for filters in ({}, {"day": "tomorrow"}, {"trade": "painter"}, {"max_km": 5, "limit": 50}):
            expected = _from_database(fresh_engine, worker_id, **filters)
            assert _feed(fresh_engine, worker_id, model, **filters) == expected
            compared += len(expected)
    assert compared > 500  # the market gave real lists, not empty ones


def test_a_job_filled_or_cancelled_leaves_the_feed_once_its_event_is_applied(
    fresh_engine: Engine,
) -> None:
    with Session(fresh_engine, expire_on_commit=False) as session:
        worker, other = make_worker(session), make_worker(session)
        to_fill = make_job(session, headcount=1, lat=LAT + 0.01)
        to_cancel = make_job(session, lat=LAT + 0.02)
        stays = make_job(session, lat=LAT + 0.03)
        session.commit()
    _numbered(fresh_engine)
    model = FeedReadModel(fresh_engine)
    model.build()
    ids = {to_fill.id, to_cancel.id, stays.id}
    assert {j for j, *_ in _feed(fresh_engine, worker.id or 0, model)} == ids

    with Session(fresh_engine, expire_on_commit=False) as session:
        hire(session, job=to_fill, worker=other, now=utcnow())
        job_service.job_cancel(session=session, job=to_cancel, reason="下雨")
        session.commit()
    # until the events arrive the model still lists them: the promise is "may be stale"
    assert len(_feed(fresh_engine, worker.id or 0, model)) == 3
    model.apply(_numbered(fresh_engine))
    assert [j for j, *_ in _feed(fresh_engine, worker.id or 0, model)] == [stays.id]
    assert _feed(fresh_engine, worker.id or 0, model) == _from_database(
        fresh_engine, worker.id or 0
    )


def test_a_claim_on_a_job_the_stale_feed_still_shows_is_refused(fresh_engine: Engine) -> None:
    with Session(fresh_engine, expire_on_commit=False) as session:
        worker, other = make_worker(session), make_worker(session)
        job = make_job(session, headcount=1, instant=True)
        session.commit()
    model = FeedReadModel(fresh_engine)
    model.build()
    with Session(fresh_engine, expire_on_commit=False) as session:
        hire(session, job=job, worker=other, now=utcnow())
        session.commit()
    assert [j for j, *_ in _feed(fresh_engine, worker.id or 0, model)] == [job.id]  # stale
    with Session(fresh_engine, expire_on_commit=False) as session:
        claimant = session.get(User, worker.id)
        assert claimant is not None
        with pytest.raises(Conflict, match="This job is full"):
            application_service.application_claim(
                session=session, job_id=job.id or 0, worker=claimant
            )


def test_after_missed_events_a_rebuild_brings_the_model_back_in_line(
    fresh_engine: Engine,
) -> None:
    workers = _seed_market(fresh_engine, jobs=120, workers=6, seed=3)
    model = FeedReadModel(fresh_engine)
    model.build()
    _numbered(fresh_engine)  # events the model never hears of
    with Session(fresh_engine, expire_on_commit=False) as session:
        boss = make_employer(session)
        for i in range(20):
            job_service.job_post(
                session=session,
                employer=boss,
                data=JobCreate.model_validate(
                    {**job_body(lat=LAT + 0.001 * i), "trade": TRADES[i % len(TRADES)]}
                ),
            )
        for job in session.exec(select(Job).limit(15)).all():
            if job.status == "open":
                job_service.job_cancel(session=session, job=job, reason="停工")
        session.commit()
    _numbered(fresh_engine)  # lost: as when the relay loses its place
    stale = [_feed(fresh_engine, w, model) for w in workers]
    expected = [_from_database(fresh_engine, w) for w in workers]
    assert stale != expected
    model.build()
    assert [_feed(fresh_engine, w, model) for w in workers] == expected


def test_the_nearest_job_is_never_cut_off_by_5000_further_ones(fresh_engine: Engine) -> None:
    with Session(fresh_engine, expire_on_commit=False) as session:
        worker = make_worker(session, radius_km=30)
        boss = make_employer(session)
        rng = random.Random(5)
        session.add_all(
            Job(
                employer_id=boss.id or 0,
                trade="painter",
                title="远处的活",
                lat=LAT + rng.choice((-1, 1)) * rng.uniform(0.12, 0.2),  # 13 to 22 km
                lon=LON + rng.uniform(-0.05, 0.05),
                address="远处",
                start_at=tomorrow_at(1),  # every one starts before the near one
                end_at=tomorrow_at(1) + timedelta(hours=8),
                headcount=2,
                wage=300,
            )
            for _ in range(5000)
        )
        near = make_job(
            session, employer=boss, lat=LAT + 0.005, start_at=tomorrow_at(1) + timedelta(hours=2)
        )
        session.commit()
    model = FeedReadModel(fresh_engine)
    model.build()
    assert _feed(fresh_engine, worker.id or 0, model)[0][0] == near.id
    # the database path takes 3,000 rows in start order: it never even sees the near job
    assert near.id not in [j for j, *_ in _from_database(fresh_engine, worker.id or 0)]


@pytest.mark.parametrize("fresh_engine", ["sqlite"], indirect=True)
def test_while_the_database_fails_under_the_model_feeds_come_from_the_database(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    with Session(fresh_engine, expire_on_commit=False) as session:
        worker = make_worker(session)
        make_job(session)
        session.commit()
    model = FeedReadModel(fresh_engine)
    model.build()
    with Session(fresh_engine, expire_on_commit=False) as session:
        later = make_job(session, lat=LAT + 0.02)
        job_service.job_cancel(session=session, job=later, reason="停工")
        session.commit()
    working, model.engine = model.engine, make_engine(f"sqlite:///{tmp_path}/gone/x.db")
    with pytest.raises(OperationalError):
        model.apply(_numbered(fresh_engine))
    assert not model.ready  # stale: the live service rebuilds it once the database answers
    assert _feed(fresh_engine, worker.id or 0, model) == _from_database(
        fresh_engine, worker.id or 0
    )
    model.engine = working
    model.build()
    assert model.ready and len(model.book) == 1


def test_a_blocked_employers_jobs_leave_the_feed_from_the_model_as_from_the_database(
    fresh_engine: Engine,
) -> None:
    from market.invites import blocks as block_service

    with Session(fresh_engine, expire_on_commit=False) as session:
        boss, other = make_employer(session), make_employer(session)
        theirs = make_job(session, employer=boss)
        kept = make_job(session, employer=other)
        worker = make_worker(session)
        session.commit()
        block_service.block_add(session=session, user=worker, other_id=boss.id or 0)
        session.commit()
    model = FeedReadModel(fresh_engine)
    model.build()
    for shown in (
        _feed(fresh_engine, worker.id or 0, model),
        _from_database(fresh_engine, worker.id or 0),
    ):
        assert [row[0] for row in shown] == [kept.id], theirs.id


def test_a_workers_cached_statuses_blocks_and_the_unpaid_badge_follow_their_events(
    fresh_engine: Engine,
) -> None:
    """The worker's applications and blocks, and employers' unpaid cases, are cached with
    the worker's profile (no query per feed); each event that concerns them drops it."""
    from market.invites import blocks as block_service
    from market.work import arrears

    with Session(fresh_engine, expire_on_commit=False) as session:
        boss, other = make_employer(session), make_employer(session)
        applied_to = make_job(session, employer=other, lat=LAT + 0.01)
        blocked_boss_job = make_job(session, employer=boss, lat=LAT + 0.02)
        worker = make_worker(session)
        session.commit()
    _numbered(fresh_engine)
    model = FeedReadModel(fresh_engine)
    model.build()
    assert [(j, status) for j, _, _, status, _ in _feed(fresh_engine, worker.id or 0, model)] == [
        (applied_to.id, None),
        (blocked_boss_job.id, None),
    ]  # the worker is cached now

    with Session(fresh_engine, expire_on_commit=False) as session:
        applicant = session.get_one(User, worker.id)
        application_service.application_claim(
            session=session, job_id=applied_to.id or 0, worker=applicant
        )
        block_service.block_add(
            session=session, user=session.get_one(User, boss.id), other_id=worker.id or 0
        )
        session.commit()
    model.apply(_numbered(fresh_engine))
    shown = _feed(fresh_engine, worker.id or 0, model)
    assert [(j, status) for j, _, _, status, _ in shown] == [(applied_to.id, "applied")]
    assert shown == _from_database(fresh_engine, worker.id or 0)

    def badges() -> dict[int | None, bool]:
        with Session(fresh_engine) as session:
            feed = feed_service.list_feed(
                session=session, worker_id=worker.id or 0, data=FeedFilter(), model=model
            )
            return {item.job.id: item.employer_unpaid for item in feed.items}

    assert badges() == {applied_to.id: False}
    with Session(fresh_engine, expire_on_commit=False) as session:  # an unpaid hire of `other`
        paid_late = make_job(
            session, employer=other, headcount=1, start_at=utcnow() + timedelta(hours=1)
        )
        hire(session, job=paid_late, worker=make_worker(session), now=utcnow())
        session.commit()
        opened = arrears.arrears_sweep(session=session, now=utcnow() + timedelta(days=5), days=3)
        session.commit()
    assert [case.employer_id for case in opened] == [other.id]
    model.apply(_numbered(fresh_engine))
    assert badges() == {applied_to.id: True}


def test_a_blocked_employers_nearer_jobs_do_not_leave_the_page_short(
    fresh_engine: Engine,
) -> None:
    """Blocked employers' jobs are left out before ranking, so the first page is full of
    the others' jobs, as the database path gives it."""
    from market.invites import blocks as block_service

    with Session(fresh_engine, expire_on_commit=False) as session:
        boss, other = make_employer(session), make_employer(session)
        for i in range(25):  # the blocked employer's jobs are all nearer
            make_job(session, employer=boss, lat=LAT + 0.001 * (i + 1))
            make_job(session, employer=other, lat=LAT + 0.05 + 0.001 * i)
        worker = make_worker(session)
        session.commit()
        block_service.block_add(session=session, user=worker, other_id=boss.id or 0)
        session.commit()
    model = FeedReadModel(fresh_engine)
    model.build()
    shown = _feed(fresh_engine, worker.id or 0, model, limit=20)
    assert len(shown) == 20
    assert shown == _from_database(fresh_engine, worker.id or 0, limit=20)


def test_a_listed_job_is_made_once_per_version_and_shown_as_the_api_shows_it(
    fresh_engine: Engine,
) -> None:
    with Session(fresh_engine, expire_on_commit=False) as session:
        worker = make_worker(session)
        job = make_job(session, lat=LAT + 0.01, wage=300)
        session.commit()
    _numbered(fresh_engine)
    model = FeedReadModel(fresh_engine)
    model.build()

    def first() -> feed_service.FeedItem:
        with Session(fresh_engine) as session:
            feed = feed_service.list_feed(
                session=session, worker_id=worker.id or 0, data=FeedFilter(), model=model
            )
        return feed.items[0]

    before, again = first(), first()
    assert before.public is not None and again.public is before.public  # shared, not remade
    with Session(fresh_engine, expire_on_commit=False) as session:
        row = session.get(Job, job.id)
        assert row is not None
        job_service.job_update(session=session, job=row, data=JobUpdate(wage=360))
        session.commit()
    model.apply(_numbered(fresh_engine))
    after = first()
    assert after.public is not None and after.public is not before.public
    assert (before.public.wage, after.public.wage, after.job.wage) == (300, 360, 360)
    with Session(fresh_engine) as session:
        row = session.get(Job, job.id)
        assert row is not None
        listed = job_service.job_certificates(session=session, job_id=job.id or 0)
        assert after.public == public_job(row, listed)
