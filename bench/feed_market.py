"""The market of `python -m bench feed`: one worker, N open jobs around them, candidates.

Rows go in by bulk insert with their outbox events (as `job_post` writes them), numbered
before the server starts, so each replica builds its read model at start-up as it would
in production. Password checks are skipped: sessions are handed out directly.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from market.accounts import service as account_service
from market.demo.geography import BY_NAME
from market.events import outbox as outbox
from market.events.service import event_record
from market.jobs import service as job_service
from market.models import (
    EmployerProfile,
    Job,
    JobStatus,
    Role,
    User,
    WeeklyAvailability,
    WorkerProfile,
    WorkerTrade,
)
from market.types import utcnow

CENTRE = (BY_NAME["黄渤海新区"].lat, BY_NAME["黄渤海新区"].lon)
WORKER_TRADES = (("general", 2), ("mover", 1), ("cleaner", 1))  # three trades, as in the issue
JOB_TRADES = ("general", "mover", "cleaner", "loader", "sorter")
RADIUS_KM = 30.0
CHUNK = 2000


@dataclass
class FeedMarket:
    worker_token: str
    employer_token: str
    job_id: int  # the employer's job whose candidates are listed
    # logins of the other seeded workers (one trade each, within 20 km), for feeds asked
    # by many workers in turn rather than by one
    crowd_tokens: list[str] = field(default_factory=list)


def _around(rng: random.Random, km: float) -> tuple[float, float]:
    """A point uniformly spread within `km` of the centre."""
    r, angle = km * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    lat = CENTRE[0] + r * math.cos(angle) / 111.2
    return lat, CENTRE[1] + r * math.sin(angle) / (111.2 * math.cos(math.radians(CENTRE[0])))


def _worker(session: Session, *, phone: str, at: tuple[float, float], trades: tuple) -> User:  # type: ignore[type-arg]
    user = User(phone=phone, password_hash="-", role=Role.worker, name="工友")
    session.add(user)
    session.flush()
    assert user.id is not None
    session.add(WorkerProfile(user_id=user.id, home_lat=at[0], home_lon=at[1], radius_km=RADIUS_KM))
    session.flush()
    session.add_all(WorkerTrade(worker_id=user.id, trade=t, level=lv) for t, lv in trades)
    session.add_all(
        WeeklyAvailability(worker_id=user.id, weekday=d, start_minute=0, end_minute=1440)
        for d in range(7)
    )
    return user


POSTED_BEFORE = timedelta(hours=3)  # older than market.notifications.alerts.FRESH


def seed_feed_market(engine: Engine, *, jobs: int, workers: int, seed: int = 7) -> FeedMarket:
    """Seed an empty, migrated database; number its events as a running relay would."""
    rng = random.Random(seed)
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        boss = User(phone="13800000000", password_hash="-", role=Role.employer, name="老板")
        session.add(boss)
        session.flush()
        assert boss.id is not None
        session.add(EmployerProfile(user_id=boss.id, org_name="搬家公司"))
        worker = _worker(session, phone="13800000001", at=CENTRE, trades=WORKER_TRADES)
        crowd = []
        for i in range(workers):
            trades = ((rng.choice(JOB_TRADES), rng.randint(1, 3)),)
            crowd.append(
                _worker(session, phone=str(13810000000 + i), at=_around(rng, 20), trades=trades)
            )
        session.commit()
        job_ids: list[int] = []
        for start in range(0, jobs, CHUNK):
            batch = []
            for _ in range(min(CHUNK, jobs - start)):
                lat, lon = _around(rng, 25)
                begins = now + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 12))
                batch.append(
                    Job(
                        employer_id=boss.id,
                        trade=rng.choice(JOB_TRADES),
                        title="搬运装卸",
                        lat=lat,
                        lon=lon,
                        address="烟台市开发区",
                        district="黄渤海新区",
                        start_at=begins,
                        end_at=begins + timedelta(hours=rng.choice((4, 8))),
                        headcount=rng.randint(1, 5),
                        wage=rng.randint(200, 400),
                        instant=rng.random() < 0.5,
                        status=JobStatus.open,
                        # posted earlier this morning: the market the feed is read from,
                        # not a burst of posts (whose alerts `bench live` and `load` cost)
                        created_at=now - POSTED_BEFORE,
                    )
                )
            session.add_all(batch)
            session.flush()
            for job in batch:
                event_record(
                    session=session,
                    kind="job.posted",
                    job_id=job.id,
                    employer_id=boss.id,
                    payload=job_service.job_summary(job, []),
                )
                job_ids.append(job.id or 0)
            session.commit()
        market = FeedMarket(
            worker_token=account_service.session_create(session=session, user=worker)[0],
            employer_token=account_service.session_create(session=session, user=boss)[0],
            job_id=job_ids[0],
            crowd_tokens=[
                account_service.session_create(session=session, user=w)[0] for w in crowd
            ],
        )
        session.commit()
    while outbox.number_pending(engine=engine):
        pass
    return market
