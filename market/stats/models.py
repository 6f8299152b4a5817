"""The staff statistics rollup tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Index,
    String,
)
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime


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
