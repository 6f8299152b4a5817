"""The demo market (`linggong seed-demo`): Yantai (烟台), around the 黄渤海新区 gig market.

Built with the market builder (`market.demo.builder`): workers and employers around the
centres of the city's districts, the demo's own logins, two weeks of history (completed
gigs with ratings), a few hires, pending applications and a cancelled job, all through the
services, so every change has its event. Same seed, same market.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from market.accounts import service as account_service
from market.accounts.schemas import Registration
from market.applications import ratings as rating_service
from market.applications import service as application_service
from market.demo.builder import MarketBuilder
from market.demo.geography import BY_NAME, GIG_MARKET
from market.errors import DomainError
from market.jobs import service as job_service
from market.models import (
    Application,
    EmployerProfile,
    Event,
    Job,
    Rating,
    Station,
    User,
    WorkerProfile,
)
from market.stations import assisted as assisted_service
from market.stations import service as station_service
from market.stations.schemas import StationStaffCreate
from market.work import service as work_service
from market.work.schemas import CheckIn, PaymentCreate
from market.workers import service as worker_service
from market.workers.schemas import TradeLevel, WeeklyWindow, WorkerProfileUpdate

PASSWORD = "linggong-demo"
DEMO_WORKER, DEMO_EMPLOYER, DEMO_STAFF = "13900000001", "13900000002", "13900000003"
DEMO_STATION_STAFF = "13900000004"  # at the station beside the gig market
DEMO_LOGINS = (
    ("worker", DEMO_WORKER, PASSWORD),
    ("employer", DEMO_EMPLOYER, PASSWORD),
    ("staff", DEMO_STAFF, PASSWORD),
    ("station", DEMO_STATION_STAFF, PASSWORD),
)


def has_data(*, session: Session) -> bool:
    """True when the database has any account (the demo is then not added)."""
    return session.exec(select(User.id).limit(1)).first() is not None


def seed_demo(*, session: Session, seed: int = 7, workers: int = 400) -> dict[str, int]:
    """Fill an empty database with the demo market; returns how many of each were made."""
    s = MarketBuilder(session, seed=seed, password=PASSWORD)
    me = account_service.user_register(
        session=session,
        data=Registration(phone=DEMO_WORKER, password=PASSWORD, name="王建国", role="worker"),
    )
    boss = account_service.user_register(
        session=session,
        data=Registration(
            phone=DEMO_EMPLOYER,
            password=PASSWORD,
            name="张经理",
            role="employer",
            org_name="烟台港城物流有限公司",
        ),
    )
    union = account_service.staff_create(
        session=session, phone=DEMO_STAFF, password=PASSWORD, name="工会小刘"
    )
    worker_service.worker_profile_update(  # near the gig market, free every day 06:00–20:00
        session=session,
        worker=me,
        data=WorkerProfileUpdate(
            home_lat=GIG_MARKET[0] + 0.004,
            home_lon=GIG_MARKET[1] + 0.006,
            radius_km=15,
            min_wage=180,
            trades=[TradeLevel(code="general", level=2), TradeLevel(code="mover", level=2)],
            certificates=[],
            weekly=[WeeklyWindow(weekday=d, start="06:00", end="20:00") for d in range(7)],
        ),
        now=s.now,
    )
    s.add_employers(max(12, workers // 10))
    s.employers.append(boss)
    s.add_workers(max(0, workers - 1))
    _history(s, me)
    upcoming = _upcoming(s, me, boss)
    stations = station_service.stations_seed(session=session)
    if stations:  # the station nearest the gig market (开发区) has a staff member
        assisted_service.station_staff_create(
            session=session,
            station=min(
                stations, key=lambda st: abs(st.lat - GIG_MARKET[0]) + abs(st.lon - GIG_MARKET[1])
            ),
            data=StationStaffCreate(phone=DEMO_STATION_STAFF, name="驿站老周", password=PASSWORD),
            by=union,
        )
    return _counts(session, upcoming)


def _history(s: MarketBuilder, me: User) -> None:
    """Past two weeks: completed gigs with ratings, and the odd no-show."""
    rng = s.rng
    unpaid_for_me = 1  # the demo worker's 我的工钱 shows one employer still owing
    for n in range(30):
        day = -rng.randint(1, 14)
        posted = s.now + timedelta(days=day - 2)
        job = s.random_job(day=day, posted=posted)
        hired_at = posted + timedelta(hours=2)
        people = ([me] if n < 3 and job.trade in ("general", "mover", "loader") else []) + [
            w for w in s.candidates(job, job.headcount, hired_at) if w.id != me.id
        ]
        hires = [a for w in people[: job.headcount] if (a := s.hire(job, w, hired_at))]
        after = job.end_at + timedelta(minutes=30)
        employer = s.session.get(User, job.employer_id)
        assert employer is not None
        if hires and rng.random() < 0.15:
            application_service.application_no_show(
                session=s.session, application=hires.pop(), employer=employer, now=after
            )
        job_service.job_complete(session=s.session, job=job, now=after)
        for application in hires:
            s.session.refresh(application)
            worker = s.session.get(User, application.worker_id)
            assert worker is not None
            unpaid = (worker.id == me.id and unpaid_for_me > 0) or rng.random() < 0.04
            if unpaid and worker.id == me.id:
                unpaid_for_me -= 1
            _work_record(s, application, job, employer, worker, paid=not unpaid)
            for rater in (employer, worker):
                if rng.random() < 0.8:
                    rating_service.rating_create(
                        session=s.session,
                        application=application,
                        rater=rater,
                        stars=rng.choice((3, 4, 4, 5, 5, 5)),
                        comment=rng.choice(("", "干活利索", "准时到岗", "结账痛快")),
                    )


def _work_record(
    s: MarketBuilder,
    application: Application,
    job: Job,
    employer: User,
    worker: User,
    *,
    paid: bool,
) -> None:
    """Attendance the employer kept for the worker, and the day's pay the worker confirmed."""
    after = job.end_at + timedelta(minutes=30)
    late, early = (timedelta(minutes=s.rng.randint(0, 10)) for _ in range(2))
    for kind, at in (("check_in", job.start_at + late), ("check_out", job.end_at - early)):
        work_service.attendance_record(
            session=s.session,
            application=application,
            user=employer,
            kind=kind,
            data=CheckIn(at=at),
            now=after,
        )
    if not paid:
        return
    method = s.rng.choice(("wechat", "wechat", "cash", "alipay", "bank"))
    payment = work_service.payment_record(
        session=s.session,
        application=application,
        user=employer,
        data=PaymentCreate(amount=job.wage, method=method, paid_at=after),
        now=after,
    )
    work_service.payment_confirm(
        session=s.session, payment=payment, user=worker, now=after + timedelta(hours=1)
    )


def _upcoming(s: MarketBuilder, me: User, boss: User) -> list[Job]:
    """The next seven days: open jobs, some hires, pending applications, one cancellation."""
    rng = s.rng
    jobs: list[Job] = []
    near_me = BY_NAME["黄渤海新区"]
    for day, hour in ((1, 7), (2, 8), (3, 7), (4, 13), (5, 8), (6, 7)):  # work near the demo worker
        trade = ("general", "mover", "loader")[day % 3]
        data = s.job_data(
            trade=trade, district=near_me, day=day, hour=hour, hours=8, near=GIG_MARKET
        )
        data = data.model_copy(update={"wage": max(data.wage, 200), "instant": False})
        jobs.append(job_service.job_post(session=s.session, employer=boss, data=data, now=s.now))
    assert s.hire(jobs[2], me, s.now)  # the demo worker's own confirmed gig, with contact details
    application_service.application_claim(
        session=s.session, job_id=jobs[4].id or 0, worker=me, now=s.now
    )
    for _ in range(rng.randint(44, 56)):
        jobs.append(s.random_job(day=rng.randint(1, 6), posted=s.now))
    hires = 0
    for job in jobs[6:]:
        roll = rng.random()
        people = [w for w in s.candidates(job, 4, s.now) if w.id != me.id]
        if roll < 0.25 and people:  # a hire or two already made
            hires += sum(1 for w in people[: min(2, job.headcount)] if s.hire(job, w, s.now))
        elif roll < 0.6:  # applicants waiting for the employer
            for worker in people[: rng.randint(1, 3)]:
                with contextlib.suppress(DomainError):  # a clash or a full job: they move on
                    application_service.application_claim(
                        session=s.session, job_id=job.id or 0, worker=worker, now=s.now
                    )
    job_service.job_cancel(session=s.session, job=jobs[-1], reason="天气原因，工地停工", now=s.now)
    return jobs


def _counts(session: Session, upcoming: list[Job]) -> dict[str, int]:
    def count(model: Any, *where: Any) -> int:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())

    return {
        "workers": count(WorkerProfile),
        "employers": count(EmployerProfile),
        "jobs": count(Job),
        "upcoming_jobs": len(upcoming),
        "open_jobs": count(Job, col(Job.status).in_(("open", "filled"))),
        "applications": count(Application),
        "hires": count(Application, Application.status == "confirmed"),
        "ratings": count(Rating),
        "stations": count(Station),
        "events": count(Event),
    }
