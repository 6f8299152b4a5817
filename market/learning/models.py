"""What a worker's feed showed (one row per worker, job and day at most), the weights
versions the loop fitted (one of them live; none: the defaults), and each worker's own
taste for distance against pay once they have enough history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, SmallInteger, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from market.types import UTCDateTime, utcnow


class Impression(SQLModel, table=True):
    """A card a worker's feed showed on its first page, with the features as scored.

    A log, not a record of anyone's rights: no foreign keys, written in batches, purged
    after LEARN_RETENTION_DAYS. Outcomes are read from the applications when fitting."""

    __tablename__ = "learning_impression"
    __table_args__ = (
        UniqueConstraint("worker_id", "job_id", "day", name="uq_learning_impression_once"),
        Index("ix_learning_impression_shown", "shown_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int
    job_id: int
    day: date  # the market's local day it was shown
    shown_at: datetime = Field(sa_type=UTCDateTime)
    slot: int = Field(sa_type=SmallInteger)  # 0 = top of the list
    rank: int = Field(sa_type=SmallInteger)  # the ranker's slot before the random swaps
    propensity: float  # probability of this slot given the rank (matching.learn.explore)
    features: list[float] = Field(sa_column=Column(JSON, nullable=False))  # FEATURES order
    weights_id: int | None = None  # the weights version that ranked it; None: the defaults
    opened: bool = False  # the worker opened the job's page after seeing it


class WeightsVersion(SQLModel, table=True):
    """Score weights fitted by `linggong learn`, with how they did offline; at most one live."""

    __tablename__ = "learning_weights"
    __table_args__ = (Index("ix_learning_weights_live", "live"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    weights: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    metrics: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    live: bool = False
    # who made it live last: "learn" (won the replay) or a staff member's rollback
    switched_by: str = Field(default="", sa_type=String(40))
    switched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WorkerTaste(SQLModel, table=True):
    """How much distance counts against pay for one worker (matching.learn.worker_taste),
    refitted with the market's weights; a worker without a row ranks by the market's."""

    __tablename__ = "learning_worker_taste"

    worker_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    distance_share: float  # of distance + pay: 0 = only pay counts, 1 = only the trip
    rows: int  # impressions it was fitted from
    fitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
