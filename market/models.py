"""Every table, in one module. Times are stored as UTC and come back timezone-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from market.errors import N_

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (SQLite has no zones), always returns aware UTC datetimes."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Role(StrEnum):
    worker = "worker"
    employer = "employer"
    staff = "staff"


class JobStatus(StrEnum):
    open = "open"  # taking applications, slots left
    filled = "filled"  # every slot confirmed; reopens when a hire is cancelled
    cancelled = "cancelled"
    completed = "completed"


class ApplicationStatus(StrEnum):
    applied = "applied"  # waiting for the employer
    confirmed = "confirmed"  # hired: contact details are shared
    declined = "declined"  # employer said no
    withdrawn = "withdrawn"  # worker took back an application before confirmation
    cancelled = "cancelled"  # a confirmed hire called off by either side
    completed = "completed"
    no_show = "no_show"


# how a status reads inside a sentence shown to a person
STATUS_LABELS = {
    "open": N_("open"),
    "filled": N_("full"),
    "cancelled": N_("cancelled"),
    "completed": N_("completed"),
    "applied": N_("waiting for the employer"),
    "confirmed": N_("confirmed"),
    "declined": N_("declined"),
    "withdrawn": N_("withdrawn"),
    "no_show": N_("marked as no-show"),
}


# Ids are INTEGER columns: 4 bytes on PostgreSQL. A larger id from outside is refused as
# input; sent to PostgreSQL it would fail the query ("integer out of range").
MAX_ID = 2**31 - 1


# ---------------------------------------------------------------- people


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(sa_column=Column(String(20), nullable=False, unique=True))
    password_hash: str = Field(sa_type=String(255))
    role: str = Field(sa_type=String(16), index=True)
    name: str = Field(sa_type=String(50))
    locale: str = Field(default="zh_CN", sa_type=String(8))
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # set when the user deleted the account: personal fields are erased, history rows stay
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserSession(SQLModel, table=True):
    __tablename__ = "user_session"

    token_hash: str = Field(sa_type=String(64), primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(sa_type=String(64))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkerProfile(SQLModel, table=True):
    __tablename__ = "worker"
    __table_args__ = (
        CheckConstraint("radius_km > 0 AND radius_km <= 100", name="radius"),
        CheckConstraint("min_wage >= 0", name="min_wage"),
        # supply per district for the staff statistics, read from the index alone
        Index("ix_worker_stats", "user_id", "district"),
        Index("ix_worker_updated", "updated_at"),
    )

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    home_lat: float | None = None
    home_lon: float | None = None
    district: str = Field(default="", sa_type=String(40))
    radius_km: float = 10.0
    min_wage: int = 0
    available_now: bool = Field(default=False, index=True)
    now_lat: float | None = None
    now_lon: float | None = None
    now_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_total: int = 0
    completed_total: int = 0
    no_show_total: int = 0
    rating_sum: int = 0
    rating_count: int = 0
    # bumped by every hire of this worker: the row lock that serialises their bookings
    lock_version: int = 0
    # stamped when the district or the trades change (not by hires, which the rollup sees
    # through applications): the statistics rollup re-reads these workers' supply. On the
    # worker, not on worker_trade, because a trade taken away leaves no row to stamp.
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WorkerTrade(SQLModel, table=True):
    __tablename__ = "worker_trade"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 3", name="level"),)

    worker_id: int = Field(foreign_key="worker.user_id", primary_key=True, ondelete="CASCADE")
    trade: str = Field(sa_type=String(24), primary_key=True, index=True)
    level: int = 1


class WorkerCertificate(SQLModel, table=True):
    __tablename__ = "worker_certificate"

    worker_id: int = Field(foreign_key="worker.user_id", primary_key=True, ondelete="CASCADE")
    code: str = Field(sa_type=String(24), primary_key=True)


class WeeklyAvailability(SQLModel, table=True):
    """A recurring window in local time: weekday 0 = Monday, minutes since midnight."""

    __tablename__ = "weekly_availability"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
            name="minutes",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="worker.user_id", index=True, ondelete="CASCADE")
    weekday: int
    start_minute: int
    end_minute: int


class AvailableDay(SQLModel, table=True):
    """A specific window the worker offers, on top of the weekly pattern."""

    __tablename__ = "available_day"
    __table_args__ = (CheckConstraint("start_at < end_at", name="order"),)

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="worker.user_id", index=True, ondelete="CASCADE")
    start_at: datetime = Field(sa_type=UTCDateTime)
    end_at: datetime = Field(sa_type=UTCDateTime)


class EmployerProfile(SQLModel, table=True):
    __tablename__ = "employer"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    org_name: str = Field(default="", sa_type=String(100))
    verified: bool = False
    rating_sum: int = 0
    rating_count: int = 0
    late_cancel_total: int = 0


# ---------------------------------------------------------------- jobs


class Job(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("confirmed_count >= 0 AND confirmed_count <= headcount", name="slots"),
        CheckConstraint("headcount BETWEEN 1 AND 500", name="headcount"),
        CheckConstraint("start_at < end_at", name="shift"),
        CheckConstraint("wage > 0", name="wage"),
        Index("ix_job_open_area", "status", "lat", "lon"),
        Index("ix_job_status_start", "status", "start_at"),
        # staff statistics select jobs by posting time (see market/stats.py)
        Index("ix_job_created_trade", "created_at", "trade", "district"),
        # the statistics rollup finds old jobs changed since its last refresh
        Index("ix_job_updated", "updated_at"),
        # the statistics' exact medians of hours to first hire / to full, index-only
        Index("ix_job_stats_times", "created_at", "first_hire_at", "filled_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="employer.user_id", index=True)
    trade: str = Field(sa_type=String(24), index=True)
    title: str = Field(sa_type=String(80))
    description: str = Field(default="", sa_type=String(2000))
    lat: float
    lon: float
    address: str = Field(sa_type=String(200))
    district: str = Field(default="", sa_type=String(40), index=True)
    start_at: datetime = Field(sa_type=UTCDateTime)
    end_at: datetime = Field(sa_type=UTCDateTime)
    headcount: int
    wage: int
    instant: bool = False  # 抢单: a claim is a hire, no employer confirmation
    status: str = Field(default=JobStatus.open, sa_type=String(16))
    confirmed_count: int = 0
    cancel_reason: str | None = Field(default=None, sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    first_hire_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    filled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # set by union staff: the job leaves every feed and takes no claims; the employer sees why
    hidden_reason: str | None = Field(default=None, sa_type=String(200))


class JobCertificate(SQLModel, table=True):
    __tablename__ = "job_certificate"

    job_id: int = Field(foreign_key="job.id", primary_key=True, ondelete="CASCADE")
    code: str = Field(sa_type=String(24), primary_key=True)


class Application(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("job_id", "worker_id"),
        Index("ix_application_worker_shift", "worker_id", "status", "shift_start"),
        # covers the staff statistics' reads of a period's applications (index-only scans)
        Index(
            "ix_application_job_stats",
            "job_id",
            "status",
            "worker_id",
            "decided_at",
            "cancelled_by",
            "distance_km",
        ),
        Index("ix_application_updated", "updated_at"),
        # the few called-off and no-show rows the summary counts, without the rest
        Index("ix_application_status_stats", "status", "job_id", "cancelled_by", "decided_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    worker_id: int = Field(foreign_key="worker.user_id")
    status: str = Field(sa_type=String(16))
    # the job's shift, copied so a worker's clashes are one indexed query
    shift_start: datetime = Field(sa_type=UTCDateTime)
    shift_end: datetime = Field(sa_type=UTCDateTime)
    distance_km: float | None = None
    cancel_reason: str | None = Field(default=None, sa_type=String(200))
    cancelled_by: str | None = Field(default=None, sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Rating(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("application_id", "from_user_id"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    from_user_id: int = Field(foreign_key="user.id")
    to_user_id: int = Field(foreign_key="user.id", index=True)
    stars: int
    comment: str = Field(default="", sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---------------------------------------------------------------- outbox


class Event(SQLModel, table=True):
    """The transactional outbox: written in the same transaction as the change it reports.

    `seq` is left empty by the writer and assigned, gap-free and in order, by the relay
    that publishes events; clients resume from the last `seq` they saw.
    """

    id: int | None = Field(default=None, primary_key=True)
    seq: int | None = Field(
        default=None, sa_column=Column("seq", Integer, nullable=True, unique=True)
    )
    kind: str = Field(sa_type=String(40), index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    job_id: int | None = Field(default=None, index=True)
    worker_id: int | None = Field(default=None, index=True)
    employer_id: int | None = Field(default=None, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# ---------------------------------------------------------------- union staff console
# (issue 6: protection, moderation, stations, membership, morning dispatch)


class ReportKind(StrEnum):
    unpaid = "unpaid"  # wage arrears: worked, not paid
    fake_job = "fake_job"  # the job did not exist or was not as posted


class ReportStatus(StrEnum):
    open = "open"  # waiting for staff
    in_progress = "in_progress"  # staff are contacting both sides
    resolved = "resolved"


class ReportOutcome(StrEnum):
    paid = "paid"  # the employer paid after the union stepped in
    mediated = "mediated"  # a settlement both sides accepted
    legal_aid = "legal_aid"  # referred to legal aid
    unfounded = "unfounded"  # the report did not hold up


# outcomes that count against the employer in the reliability shown to workers
UPHELD_OUTCOMES = (ReportOutcome.paid, ReportOutcome.mediated, ReportOutcome.legal_aid)


class Report(SQLModel, table=True):
    """A worker's wage-arrears or scam report on a job they were hired for."""

    __table_args__ = (
        CheckConstraint("agreed_wage > 0", name="agreed_wage"),
        CheckConstraint("work_from <= work_to", name="dates"),
        Index("ix_report_status_created", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="user.id", index=True)
    employer_id: int = Field(foreign_key="user.id", index=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    application_id: int = Field(foreign_key="application.id")
    kind: str = Field(sa_type=String(16))
    agreed_wage: int
    work_from: date = Field(sa_type=Date)
    work_to: date = Field(sa_type=Date)
    description: str = Field(default="", sa_type=String(2000))
    has_photo: bool = False
    # the job record as it stood when the report was made: posting, hire, times, wage
    job_record: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=ReportStatus.open, sa_type=String(16))
    outcome: str | None = Field(default=None, sa_type=String(16))
    outcome_note: str = Field(default="", sa_type=String(2000))
    handled_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReportPhoto(SQLModel, table=True):
    """The photo of a report, in the database so every app replica can serve it."""

    __tablename__ = "report_photo"

    report_id: int = Field(foreign_key="report.id", primary_key=True, ondelete="CASCADE")
    content_type: str = Field(sa_type=String(32))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ReportNote(SQLModel, table=True):
    """Staff's log of contacting the two sides of a report."""

    __tablename__ = "report_note"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True, ondelete="CASCADE")
    staff_id: int = Field(foreign_key="user.id")
    text: str = Field(sa_type=String(2000))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ModerationAction(SQLModel, table=True):
    """Who on the staff hid, suspended or verified what, when, and why."""

    __tablename__ = "moderation_action"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="user.id")
    action: str = Field(sa_type=String(32))
    job_id: int | None = Field(default=None, foreign_key="job.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    reason: str = Field(default="", sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Station(SQLModel, table=True):
    """A union service station (驿站): rest, water, charging, legal advice, training."""

    __table_args__ = (Index("ix_station_area", "active", "lat", "lon"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(80))
    address: str = Field(sa_type=String(200))
    district: str = Field(default="", sa_type=String(40))
    lat: float
    lon: float
    hours: str = Field(default="", sa_type=String(80))
    phone: str = Field(default="", sa_type=String(20))
    services: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MembershipStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class Membership(SQLModel, table=True):
    """A worker's application to join the union, and staff's decision."""

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    status: str = Field(default=MembershipStatus.pending, sa_type=String(16), index=True)
    # indexed: the statistics rollup looks for memberships changed since its last refresh
    applied_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    note: str = Field(default="", sa_type=String(200))


class ProposalStatus(StrEnum):
    proposed = "proposed"  # sent to the worker's phone
    accepted = "accepted"  # the worker took it: hired through the normal claim/confirm path
    declined = "declined"


class DispatchProposal(SQLModel, table=True):
    """One assignment of a morning dispatch plan, offered to the worker."""

    __tablename__ = "dispatch_proposal"
    __table_args__ = (
        Index("ix_dispatch_proposal_worker_status", "worker_id", "status"),
        Index("ix_dispatch_proposal_day", "day", "district"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    worker_id: int = Field(foreign_key="user.id")
    day: date = Field(sa_type=Date)
    district: str = Field(default="", sa_type=String(40))
    score: float
    reason: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=ProposalStatus.proposed, sa_type=String(16))
    sent_by: int = Field(foreign_key="user.id")
    application_id: int | None = Field(default=None, foreign_key="application.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# ---------------------------------------------------------------- statistics rollup
# Per closed local day, kept by market/stats_rollup.py; today is always read live.


class StatsCounts(SQLModel):
    jobs: int = 0
    jobs_cancelled: int = 0
    slots_offered: int = 0  # of jobs not cancelled, like the other figures below
    slots_filled: int = 0
    wage_sum: int = 0
    wage_jobs: int = 0


class StatsDay(StatsCounts, table=True):
    """Jobs posted on a closed local day, per trade and district."""

    __tablename__ = "stats_day"

    day: str = Field(sa_type=String(10), primary_key=True)  # YYYY-MM-DD, local
    trade: str = Field(sa_type=String(24), primary_key=True)
    district: str = Field(sa_type=String(40), primary_key=True)


class StatsMonth(StatsCounts, table=True):
    """stats_day summed per local month (its closed days only), per trade and district.

    A year's breakdown or gap reads about twelve rows a key instead of 365.
    """

    __tablename__ = "stats_month"

    month: str = Field(sa_type=String(7), primary_key=True)  # YYYY-MM, local
    trade: str = Field(sa_type=String(24), primary_key=True)
    district: str = Field(sa_type=String(40), primary_key=True)


class StatsHour(StatsCounts, table=True):
    """Jobs posted on a closed local day, per local hour of posting; the summary's sums.

    Small (a day has 24 rows), so the summary reads its sums from here rather than from
    the trade-and-district rows.
    """

    __tablename__ = "stats_hour"

    day: str = Field(sa_type=String(10), primary_key=True)
    hour: str = Field(sa_type=String(2), primary_key=True)
    called_off_by_worker: int = 0  # hires called off, counted on the job's day
    called_off_by_employer: int = 0
    no_shows: int = 0
    jobs_first_hired: int = 0  # jobs with a first hire / filled: the stats_wait rows
    jobs_filled: int = 0


class StatsDistance(SQLModel, table=True):
    """How many hires on jobs of a closed day were at each (0.1 km rounded) distance.

    A multiset, not a summary: medians over any run of days stay exact.
    """

    __tablename__ = "stats_distance"

    day: str = Field(sa_type=String(10), primary_key=True)
    distance_km: float = Field(primary_key=True)
    hires: int


class StatsWait(SQLModel, table=True):
    """Hours from posting to first hire ("first") / to full ("full") of each closed-day job.

    Ordered by `hours` in an index, so an exact median is a short index-only walk to the
    middle rank instead of a sort of the whole period.
    """

    __tablename__ = "stats_wait"
    __table_args__ = (Index("ix_stats_wait_order", "kind", "hours", "created_at"),)

    job_id: int = Field(primary_key=True)
    kind: str = Field(sa_type=String(5), primary_key=True)
    created_at: datetime = Field(sa_type=UTCDateTime)  # the job's
    hours: float


class StatsWorker(SQLModel, table=True):
    """Each worker's latest posting time among the closed-day jobs they applied to / were hired on.

    A worker was active in a period reaching the end of the closed days exactly when their
    latest such job was posted inside it: distinct workers without re-reading applications.
    """

    __tablename__ = "stats_worker"
    __table_args__ = (
        Index("ix_stats_worker_hired", "worker_id", "last_hired_at"),
        # stats_people recounts the days a changed worker left or joined from these
        Index("ix_stats_worker_applied_day", "applied_day", "member"),
        Index("ix_stats_worker_hired_day", "hired_day", "member"),
    )

    worker_id: int = Field(primary_key=True)
    last_applied_at: datetime = Field(sa_type=UTCDateTime)
    last_hired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    applied_day: str = Field(sa_type=String(10))  # local day of last_applied_at
    hired_day: str = Field(sa_type=String(10))  # local day of last_hired_at, "" for none
    member: bool  # an approved union member when last rolled up


class StatsPeople(SQLModel, table=True):
    """stats_worker counted per local day: workers whose latest closed-day application / hire
    was on a job posted that day, members apart.

    Workers active or placed in a period reaching the end of the closed days are the sums
    over its days: the summary reads a few hundred rows instead of every worker.
    """

    __tablename__ = "stats_people"

    day: str = Field(sa_type=String(10), primary_key=True)
    member: bool = Field(primary_key=True)
    applied: int
    hired: int


class StatsSupplyWorker(SQLModel, table=True):
    """Each worker's supply as last rolled up: one row per trade, plus trade "" for the worker.

    `hired_day` is the local day of their latest hire on a closed-day job ("" for none).
    Kept so that a refresh knows which supply counts a changed worker used to add to.
    """

    __tablename__ = "stats_supply_worker"
    __table_args__ = (Index("ix_stats_supply_worker_key", "trade", "district", "hired_day"),)

    worker_id: int = Field(primary_key=True)
    trade: str = Field(sa_type=String(24), primary_key=True)
    district: str = Field(sa_type=String(40))
    hired_day: str = Field(sa_type=String(10))


class StatsSupply(SQLModel, table=True):
    """Registered workers per trade ("" for every worker once), district and latest hire day.

    The gap's supply over any period reaching the closed end: all rows are the registered
    workers, those with `hired_day` in the period were placed in it.
    """

    __tablename__ = "stats_supply"

    trade: str = Field(sa_type=String(24), primary_key=True)
    district: str = Field(sa_type=String(40), primary_key=True)
    hired_day: str = Field(sa_type=String(10), primary_key=True)
    workers: int


class StatsRefresh(SQLModel, table=True):
    """The rollup's single bookkeeping row."""

    __tablename__ = "stats_refresh"

    id: int = Field(default=1, primary_key=True)
    closed_before: datetime = Field(sa_type=UTCDateTime)  # start of the first live local day
    watermark: datetime = Field(sa_type=UTCDateTime)  # changes since then are not rolled up yet


# ---------------------------------------------------------------- security


class IdempotencyRecord(SQLModel, table=True):
    """The answer to a write sent with an Idempotency-Key, replayed when it is retried (24 h)."""

    __tablename__ = "idempotency_key"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    route: str = Field(sa_type=String(80), primary_key=True)  # "POST /api/v1/jobs"
    key: str = Field(sa_type=String(100), primary_key=True)
    request_hash: str = Field(sa_type=String(64))
    status_code: int
    body: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
