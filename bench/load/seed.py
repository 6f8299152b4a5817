"""The market the load benchmark and the fault tests run against.

The demo market (workers spread over Yantai's districts, employers, two weeks of history
for the staff statistics, a week of open jobs), plus a stock of instant (抢单) jobs near
where the workers live so claims have something to win, and login sessions handed out
directly (a password check per simulated user would only measure the password hash).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from market.accounts import service as account_service
from market.demo import builder
from market.demo import seed as demo
from market.jobs import service as job_service
from market.jobs.schemas import JobCreate
from market.models import Job, JobStatus, Role, User
from market.types import utcnow

COMMON_TRADES = ("general", "mover", "loader", "cleaner", "sorter")  # crews: claims to win


@dataclass
class LoadMarket:
    """Who the load generator acts as, and which jobs it starts from."""

    worker_tokens: list[str] = field(default_factory=list)
    employer_tokens: list[str] = field(default_factory=list)
    staff_token: str = ""
    job_ids: list[int] = field(default_factory=list)


def job_data(rng: random.Random, *, now: datetime, instant: bool, title: str = "") -> JobCreate:
    """A believable opening of a common trade, one to seven days ahead (the demo's builder)."""
    data = builder.job_create(
        rng,
        now=now,
        trade=rng.choice(COMMON_TRADES),
        district=builder.job_district(rng),
        day=rng.randint(1, 7),
        hour=rng.choice((6, 7, 8, 13)),
        hours=rng.choice((4, 8, 9)),
    )
    return data.model_copy(update={"instant": instant, "title": title or data.title})


def seed_load_market(
    *,
    session: Session,
    workers: int = 400,
    logins: int = 200,
    instant_jobs: int = 150,
    seed: int = 7,
) -> LoadMarket:
    """Seed an empty database; `logins` workers and every employer get a session token."""
    demo.seed_demo(session=session, seed=seed, workers=workers)
    rng = random.Random(seed)
    now = utcnow()
    employers = list(session.exec(select(User).where(User.role == Role.employer)).all())
    for _ in range(instant_jobs):
        job_service.job_post(
            session=session,
            employer=rng.choice(employers),
            data=job_data(rng, now=now, instant=True),
            now=now,
        )
    people = session.exec(
        select(User).where(User.role == Role.worker).order_by(col(User.id)).limit(logins)
    ).all()
    staff = session.exec(select(User).where(User.role == Role.staff).limit(1)).one()
    market = LoadMarket(
        worker_tokens=[account_service.session_create(session=session, user=u)[0] for u in people],
        employer_tokens=[
            account_service.session_create(session=session, user=u)[0] for u in employers
        ],
        staff_token=account_service.session_create(session=session, user=staff)[0],
    )
    open_jobs = select(Job.id).where(Job.status == JobStatus.open).order_by(col(Job.id))
    market.job_ids = [i for i in session.exec(open_jobs) if i is not None]
    return market
