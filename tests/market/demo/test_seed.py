"""The demo market: believable counts, the demo logins work, the demo worker has a feed."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from market.accounts import service as account_service
from market.db import session_scope
from market.demo import seed as demo
from market.feed import service as feed_service
from market.feed.schemas import FeedFilter
from market.jobs import service as job_service
from market.models import Application, Event, Job, JobStatus, Rating, User
from market.types import utcnow
from market.workers import service as worker_service
from matching import constraints

pytestmark = pytest.mark.slow


def test_seeded_demo_market_is_believable_and_feeds_the_demo_worker(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as session:
        assert not demo.has_data(session=session)
        counts = demo.seed_demo(session=session, seed=7, workers=150)

    with Session(fresh_engine) as session:
        assert demo.has_data(session=session)
        assert counts["workers"] == 150 and counts["employers"] >= 12
        assert 40 <= counts["upcoming_jobs"] <= 80
        now = utcnow()
        upcoming = session.exec(select(Job).where(col(Job.start_at) > now)).all()
        assert len(upcoming) == counts["upcoming_jobs"]
        assert {j.district for j in upcoming} >= {"黄渤海新区", "芝罘区", "莱山区", "福山区"}
        statuses = {
            status: session.exec(select(func.count()).where(Application.status == status)).one()
            for status in ("completed", "confirmed", "applied")
        }
        assert all(n > 0 for n in statuses.values()), statuses
        assert session.exec(select(func.count()).select_from(Rating)).one() > 0
        cancelled = session.exec(select(Job).where(Job.status == JobStatus.cancelled)).all()
        assert len(cancelled) == 1
        assert session.exec(select(func.count()).select_from(Event)).one() == counts["events"]

        for _, phone, password in demo.DEMO_LOGINS:
            user = account_service.user_authenticate(
                session=session, phone=phone, password=password
            )
            assert user.phone == phone

        me = session.exec(select(User).where(User.phone == demo.DEMO_WORKER)).one()
        assert me.id is not None
        feed = feed_service.list_feed(
            session=session, worker_id=me.id, data=FeedFilter(limit=50), now=now
        )
        assert len(feed.items) >= 3
        view = worker_service.get_worker(session=session, user_id=me.id)
        busy = worker_service.busy_windows(session=session, worker_ids=[me.id], now=now)
        worker = worker_service.matching_worker(view, now=now, busy=busy[me.id])
        assert worker is not None
        for item in feed.items:
            job = job_service.matching_job(item.job, item.certificates, item.job.confirmed_count)
            assert constraints.violations(worker, job) == [], item.job.title


def test_same_seed_makes_the_same_market(fresh_engine: Engine) -> None:
    def market(seed: int) -> list[tuple[str, str, int]]:
        with session_scope(fresh_engine) as session:
            demo.seed_demo(session=session, seed=seed, workers=30)
            rows = session.exec(select(Job.title, Job.district, Job.wage).order_by(col(Job.id)))
            result = [tuple(r) for r in rows]
            session.rollback()
        return result

    first, second = market(3), market(3)
    assert first == second
    assert market(4) != first
