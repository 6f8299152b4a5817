"""How evenly work goes round: the hiring hall's rotation, as staff statistics.

Counted over the workers seeking work: active accounts that applied for a job or worked in
the last WINDOW_DAYS. For them: how many had no work in the last IDLE_DAYS, and how the days
worked in the window are spread (a Gini figure, 0 = everyone worked as many days, towards 1
= a few got all the work), by trade (a worker counts in each trade they hold) and by
district (where the worker lives). A day worked is a local day on which a confirmed or
completed shift of the worker began.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from market.i18n import market_tz
from market.models import (
    Application,
    ApplicationStatus,
    Role,
    User,
    WorkerProfile,
    WorkerTrade,
)
from market.types import utcnow

WINDOW_DAYS = 30
IDLE_DAYS = 7
WORKED = (ApplicationStatus.confirmed, ApplicationStatus.completed)


@dataclass(frozen=True)
class SpreadRow:
    group: str  # a trade code or a district name ("" for workers without one)
    workers: int
    days_worked: int
    gini: float | None  # None without a day worked


@dataclass(frozen=True)
class Rotation:
    window_days: int
    idle_days: int
    workers_seeking: int
    workers_idle: int  # seeking, without work in the last `idle_days`
    idle_share: float | None
    by_trade: list[SpreadRow]
    by_district: list[SpreadRow]


def gini(values: Sequence[int]) -> float | None:
    """0 when all are equal, towards 1 when one has everything; None when all are 0."""
    ordered = sorted(values)
    n, total = len(ordered), sum(ordered)
    if n == 0 or total == 0:
        return None
    weighted = sum((2 * i - n + 1) * v for i, v in enumerate(ordered))
    return round(weighted / (n * total), 3)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _spread(groups: dict[str, list[int]]) -> list[SpreadRow]:
    rows = [SpreadRow(g, len(v), sum(v), gini(v)) for g, v in groups.items()]
    return sorted(rows, key=lambda r: (-r.workers, r.group))


def get_rotation(*, session: Session, district: str = "", now: datetime | None = None) -> Rotation:
    """The rotation figures for every district, or for the workers living in `district`."""
    now = now or utcnow()
    since = now - timedelta(days=WINDOW_DAYS)
    applied = select(Application.worker_id).where(col(Application.created_at) >= since)
    shifts = session.exec(
        select(Application.worker_id, Application.shift_start).where(
            col(Application.status).in_(WORKED),
            col(Application.shift_start) >= since,
            col(Application.shift_start) <= now,
        )
    ).all()
    worked: dict[int, set[date]] = defaultdict(set)
    recent: set[int] = set()
    for worker_id, start in shifts:
        worked[worker_id].add(_aware(start).astimezone(market_tz()).date())
        if _aware(start) >= now - timedelta(days=IDLE_DAYS):
            recent.add(worker_id)
    query = (
        select(WorkerProfile.user_id, WorkerProfile.district)
        .join(User, col(User.id) == col(WorkerProfile.user_id))
        .where(
            col(User.is_active),
            User.role == Role.worker,
            col(WorkerProfile.user_id).in_(applied) | col(WorkerProfile.user_id).in_(list(worked)),
        )
    )
    if district:
        query = query.where(WorkerProfile.district == district)
    seeking = dict(session.exec(query).all())
    trades: dict[int, list[str]] = defaultdict(list)
    if seeking:
        for worker_id, trade in session.exec(
            select(WorkerTrade.worker_id, WorkerTrade.trade).where(
                col(WorkerTrade.worker_id).in_(list(seeking))
            )
        ).all():
            trades[worker_id].append(trade)
    by_trade: dict[str, list[int]] = defaultdict(list)
    by_district: dict[str, list[int]] = defaultdict(list)
    for worker_id, home in seeking.items():
        days = len(worked.get(worker_id, ()))
        by_district[home or ""].append(days)
        for trade in trades[worker_id]:
            by_trade[trade].append(days)
    idle = sum(1 for worker_id in seeking if worker_id not in recent)
    return Rotation(
        window_days=WINDOW_DAYS,
        idle_days=IDLE_DAYS,
        workers_seeking=len(seeking),
        workers_idle=idle,
        idle_share=round(idle / len(seeking), 3) if seeking else None,
        by_trade=_spread(by_trade),
        by_district=_spread(by_district),
    )
