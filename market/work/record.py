"""Reading work records for people: a worker's pay, what an employer owes, a job's day,
one hire's record with both parties, and the evidence sheet's contents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from market.errors import N_, NotFound
from market.i18n import local
from market.models import (
    Application,
    Attendance,
    EmployerProfile,
    Job,
    JobStatus,
    Report,
    ReportKind,
    User,
)
from market.types import utcnow
from market.work import arrears
from market.work.codes import attendance_code
from market.work.ledger import (
    WORKING,
    Ledger,
    get_application_and_job,
    load_ledgers,
    work_days,
)
from market.work.terms import agreed_at
from matching.geo import haversine_km


@dataclass(frozen=True)
class Record:
    """One hire's work record with the people on both sides and its case, if any."""

    ledger: Ledger
    worker: User
    employer: User
    org_name: str
    case: Report | None

    @property
    def job(self) -> Job:
        return self.ledger.job

    @property
    def application(self) -> Application:
        return self.ledger.application

    @property
    def due_at(self) -> datetime:
        return arrears.due_at(self.ledger.job)

    @property
    def agreed_at(self) -> datetime | None:
        return agreed_at(self.ledger.application)

    @property
    def days(self) -> list[date]:
        """The shift's local day(s): a night shift has two."""
        first, last = work_days(self.job)
        return [first] if first == last else [first, last]

    def metres_from_site(self, row: Attendance) -> int | None:
        """How far from the work site the phone was, when the entry has a position."""
        if row.lat is None or row.lon is None:
            return None
        return round(haversine_km(row.lat, row.lon, self.job.lat, self.job.lon) * 1000)


@dataclass
class Totals:
    days: int = 0
    agreed: int = 0
    paid: int = 0
    unanswered: int = 0
    owed: int = 0

    def add(self, ledger: Ledger) -> None:
        self.days += 1
        self.agreed += ledger.agreed
        self.paid += ledger.paid
        self.unanswered += ledger.unanswered
        self.owed += ledger.owed


@dataclass
class Group:
    """Records under one heading (an employer on a worker's page, a job on an employer's)."""

    key: int
    title: str
    records: list[Record] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)


@dataclass(frozen=True)
class PayBook:
    groups: list[Group]
    totals: Totals


def records_of(session: Session, rows: Sequence[tuple[Application, Job]]) -> list[Record]:
    ledgers = load_ledgers(session=session, pairs=list(rows))
    user_ids = {a.worker_id for a, _j in rows} | {j.employer_id for _a, j in rows}
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(sorted(user_ids))))}
    orgs = dict(
        session.exec(
            select(EmployerProfile.user_id, EmployerProfile.org_name).where(
                col(EmployerProfile.user_id).in_(sorted({j.employer_id for _a, j in rows}))
            )
        ).all()
    )
    cases = {
        r.application_id: r
        for r in session.exec(
            select(Report)
            .where(
                col(Report.application_id).in_([a.id or 0 for a, _j in rows]),
                Report.kind == ReportKind.unpaid,
            )
            .order_by(col(Report.id))
        )
    }
    return [
        Record(
            ledger=ledgers[a.id or 0],
            worker=users[a.worker_id],
            employer=users[j.employer_id],
            org_name=orgs.get(j.employer_id) or "",
            case=cases.get(a.id or 0),
        )
        for a, j in rows
    ]


def _worked(now: datetime) -> list[Any]:
    """Hires whose shift has begun: days that count on a pay page."""
    return [
        col(Application.status).in_(WORKING),
        col(Job.status) != JobStatus.cancelled,
        col(Job.start_at) <= now,
    ]


def _book(records: list[Record], key_title: dict[int, tuple[int, str]]) -> PayBook:
    groups: dict[int, Group] = {}
    totals = Totals()
    for record in records:
        key, title = key_title[record.application.id or 0]
        group = groups.setdefault(key, Group(key=key, title=title))
        group.records.append(record)
        group.totals.add(record.ledger)
        totals.add(record.ledger)
    return PayBook(groups=list(groups.values()), totals=totals)


def get_worker_pay(*, session: Session, worker_id: int, now: datetime | None = None) -> PayBook:
    """我的工钱: days worked, agreed, paid and owed, per employer, latest shift first."""
    now = now or utcnow()
    rows = session.exec(
        select(Application, Job)
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(col(Application.worker_id) == worker_id, *_worked(now))
        .order_by(col(Job.start_at).desc())
    ).all()
    records = records_of(session, rows)
    return _book(
        records,
        {
            r.application.id or 0: (r.employer.id or 0, r.org_name or r.employer.name)
            for r in records
        },
    )


def get_employer_owed(
    *, session: Session, employer_id: int, now: datetime | None = None
) -> PayBook:
    """What an employer owes, per job and worker, latest shift first."""
    now = now or utcnow()
    rows = session.exec(
        select(Application, Job)
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(col(Job.employer_id) == employer_id, *_worked(now))
        .order_by(col(Job.start_at).desc(), col(Application.id))
    ).all()
    records = records_of(session, rows)
    return _book(records, {r.application.id or 0: (r.job.id or 0, r.job.title) for r in records})


@dataclass(frozen=True)
class JobDay:
    """A job's work record for its employer: today's code, and each hire's record."""

    job: Job
    today: date
    code: str | None  # None when today is not the shift's day
    first_day: date
    records: list[Record]


def get_job_day(*, session: Session, job: Job, now: datetime | None = None) -> JobDay:
    """The employer's page of a job's day: the code to show and every hire's record."""
    now = now or utcnow()
    today, code = get_job_code(job=job, now=now)
    rows = session.exec(
        select(Application, Job)
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(col(Application.job_id) == job.id, col(Application.status).in_(WORKING))
        .order_by(col(Application.id))
    ).all()
    return JobDay(
        job=job,
        today=today,
        code=code,
        first_day=work_days(job)[0],
        records=records_of(session, rows),
    )


def get_record(*, session: Session, application_id: int) -> Record:
    """One hire's record with both parties."""
    pair = get_application_and_job(session=session, application_id=application_id)
    return records_of(session, [pair])[0]


def get_my_hire(*, session: Session, worker_id: int, job_id: int) -> Application:
    """The worker's hire on this job (where the job's QR code leads), or NotFound."""
    application = session.exec(
        select(Application).where(
            col(Application.worker_id) == worker_id,
            col(Application.job_id) == job_id,
            col(Application.status).in_(WORKING),
        )
    ).first()
    if application is None:
        raise NotFound(N_("You are not hired for this job"))
    return application


def get_job_code(*, job: Job, now: datetime | None = None) -> tuple[date, str | None]:
    """Today's local date and the job's code for it (None unless today is the shift's day)."""
    now = now or utcnow()
    first, last = work_days(job)
    today = local(now).date()
    on = first <= today <= last and job.status != JobStatus.cancelled
    return today, attendance_code(job_id=job.id or 0, day=today) if on else None


def get_worker_employer_records(
    *, session: Session, worker_id: int, employer_id: int, now: datetime | None = None
) -> list[Record]:
    """Every shift a worker was hired for by one employer (the per-worker evidence sheet),
    or NotFound when there is none."""
    now = now or utcnow()
    rows = session.exec(
        select(Application, Job)
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(
            col(Application.worker_id) == worker_id,
            col(Job.employer_id) == employer_id,
            *_worked(now),
        )
        .order_by(col(Job.start_at))
    ).all()
    if not rows:
        raise NotFound(N_("No work record with this employer"))
    return records_of(session, rows)
