"""A worker's profile: trades, certificates, where and when they work."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from market.errors import N_, Invalid, NotFound
from market.events.service import event_record
from market.fields import MAX_DAYS_AHEAD
from market.i18n import market_tz
from market.models import Application as ApplicationRow
from market.models import (
    ApplicationStatus,
    AvailableDay,
    User,
    WeeklyAvailability,
    WorkerCertificate,
    WorkerProfile,
    WorkerTrade,
)
from market.types import utcnow
from market.workers.schemas import AvailableNow, DayWindow, WorkerProfileUpdate
from matching import model as m

PLANNING_DAYS = 14  # how far ahead the weekly pattern is unrolled into concrete windows


@dataclass(frozen=True)
class WorkerView:
    user: User
    profile: WorkerProfile
    trades: list[WorkerTrade]
    certificates: list[str]
    weekly: list[WeeklyAvailability]
    days: list[AvailableDay]

    @property
    def reliability(self) -> float | None:
        decided = self.profile.completed_total + self.profile.no_show_total
        return self.profile.completed_total / decided if decided else None

    @property
    def rating(self) -> float | None:
        p = self.profile
        return p.rating_sum / p.rating_count if p.rating_count else None


def get_worker(*, session: Session, user_id: int, schedule: bool = True) -> WorkerView:
    """The worker's whole profile (without `schedule`, as `list_workers` leaves it), or
    NotFound."""
    view = list_workers(session=session, user_ids=[user_id], schedule=schedule).get(user_id)
    if view is None:
        raise NotFound(N_("Worker not found"))
    return view


def list_workers(
    *, session: Session, user_ids: Sequence[int], schedule: bool = True
) -> dict[int, WorkerView]:
    """Whole profiles of many workers in a fixed number of queries; without `schedule`, their
    weekly pattern and days are left empty (two queries fewer: a candidate list shows
    neither)."""
    ids = list(user_ids)
    if not ids:
        return {}
    pairs = session.exec(
        select(User, WorkerProfile)
        .join(WorkerProfile, col(WorkerProfile.user_id) == col(User.id))
        .where(col(User.id).in_(ids))
    ).all()
    trades: dict[int, list[WorkerTrade]] = defaultdict(list)
    for t in session.exec(select(WorkerTrade).where(col(WorkerTrade.worker_id).in_(ids))):
        trades[t.worker_id].append(t)
    certificates: dict[int, list[str]] = defaultdict(list)
    for c in session.exec(
        select(WorkerCertificate).where(col(WorkerCertificate.worker_id).in_(ids))
    ):
        certificates[c.worker_id].append(c.code)
    weekly: dict[int, list[WeeklyAvailability]] = defaultdict(list)
    days: dict[int, list[AvailableDay]] = defaultdict(list)
    if schedule:
        for w in session.exec(
            select(WeeklyAvailability)
            .where(col(WeeklyAvailability.worker_id).in_(ids))
            .order_by(col(WeeklyAvailability.weekday), col(WeeklyAvailability.start_minute))
        ):
            weekly[w.worker_id].append(w)
        for d in session.exec(
            select(AvailableDay)
            .where(col(AvailableDay.worker_id).in_(ids))
            .order_by(col(AvailableDay.start_at))
        ):
            days[d.worker_id].append(d)
    return {
        p.user_id: WorkerView(
            user=u,
            profile=p,
            trades=trades[p.user_id],
            certificates=sorted(certificates[p.user_id]),
            weekly=weekly[p.user_id],
            days=days[p.user_id],
        )
        for u, p in pairs
    }


def worker_profile_update(
    *, session: Session, worker: User, data: WorkerProfileUpdate, now: datetime | None = None
) -> WorkerView:
    """Change the fields given; lists given replace the old ones."""
    assert worker.id is not None
    _check_days(data.days or [], now or utcnow())
    view = get_worker(session=session, user_id=worker.id)
    profile = view.profile
    if data.name is not None:
        worker.name = data.name
    for field in ("home_lat", "home_lon", "district", "radius_km", "min_wage"):
        value = getattr(data, field)
        if value is not None:
            setattr(profile, field, value)
    _replace_children(session=session, worker_id=worker.id, data=data)
    profile.updated_at = utcnow()  # the statistics rollup re-reads this worker's supply
    session.add(profile)
    event_record(
        session=session, kind="worker.updated", worker_id=worker.id, payload={"worker": worker.id}
    )
    session.flush()
    return get_worker(session=session, user_id=worker.id)


def _check_days(days: Sequence[DayWindow], now: datetime) -> None:
    # also keeps absurd dates (year 1, year 9999) away from the UTC conversion on storage
    horizon = now + timedelta(days=MAX_DAYS_AHEAD)
    if any(d.end <= now or d.start > horizon for d in days):
        raise Invalid(
            N_("Available days must lie between now and {days} days ahead"),
            field="days",
            days=MAX_DAYS_AHEAD,
        )


def _replace_children(*, session: Session, worker_id: int, data: WorkerProfileUpdate) -> None:
    if data.trades is not None:
        session.exec(delete(WorkerTrade).where(col(WorkerTrade.worker_id) == worker_id))
        session.add_all(
            WorkerTrade(worker_id=worker_id, trade=t.code, level=t.level) for t in data.trades
        )
    if data.certificates is not None:
        session.exec(delete(WorkerCertificate).where(col(WorkerCertificate.worker_id) == worker_id))
        session.add_all(WorkerCertificate(worker_id=worker_id, code=c) for c in data.certificates)
    if data.weekly is not None:
        session.exec(
            delete(WeeklyAvailability).where(col(WeeklyAvailability.worker_id) == worker_id)
        )
        session.add_all(
            WeeklyAvailability(
                worker_id=worker_id,
                weekday=w.weekday,
                start_minute=w.start_minute,
                end_minute=w.end_minute,
            )
            for w in data.weekly
        )
    if data.days is not None:
        session.exec(delete(AvailableDay).where(col(AvailableDay.worker_id) == worker_id))
        session.add_all(
            AvailableDay(worker_id=worker_id, start_at=d.start, end_at=d.end) for d in data.days
        )


def worker_available_now_set(
    *, session: Session, worker: User, data: AvailableNow, now: datetime | None = None
) -> WorkerView:
    """Switch "available now" on (from here, else from home, for some hours) or off."""
    assert worker.id is not None
    now = now or utcnow()
    profile = session.get(WorkerProfile, worker.id)
    if profile is None:
        raise NotFound(N_("Worker not found"))
    if data.on and data.lat is None and profile.home_lat is None:  # available nowhere
        raise Invalid(N_("Share your location or choose your district"), field="lat")
    profile.available_now = data.on
    profile.now_lat = data.lat if data.on else None
    profile.now_lon = data.lon if data.on else None
    profile.now_until = now + timedelta(hours=data.hours) if data.on else None
    session.add(profile)
    event_record(
        session=session,
        kind="worker.available_now",
        worker_id=worker.id,
        payload={"on": data.on},
    )
    session.flush()
    return get_worker(session=session, user_id=worker.id)


def availability_windows(view: WorkerView, *, now: datetime) -> list[m.Window]:
    """Concrete windows from now on: weekly pattern unrolled, specific days, available-now."""
    p = view.profile
    return windows_of(
        [(w.weekday, w.start_minute, w.end_minute) for w in view.weekly],
        [(d.start_at, d.end_at) for d in view.days],
        p.now_until if is_available_now(p, now=now) else None,
        now=now,
    )


def windows_of(
    weekly: Sequence[tuple[int, int, int]],
    days: Sequence[m.Window],
    now_until: datetime | None,
    *,
    now: datetime,
) -> list[m.Window]:
    """`availability_windows` of the weekly pattern (weekday, start and end minute), the
    specific days and the end of an active "available now"."""
    tz = market_tz()
    weekly_windows = _weekly_windows(tuple(weekly), now.astimezone(tz).date(), tz)
    extra = [(start, end) for start, end in days if end > now]
    if now_until is not None:
        extra.append((now, now_until))
    return _merge([*weekly_windows, *extra]) if extra else list(weekly_windows)


@functools.lru_cache(maxsize=4096)  # many workers share a pattern; it changes with the day
def _weekly_windows(
    weekly: tuple[tuple[int, int, int], ...], today: date, tz: tzinfo
) -> tuple[m.Window, ...]:
    """The weekly pattern unrolled over the planning days from `today`, merged."""
    windows: list[m.Window] = []
    for offset in range(PLANNING_DAYS):
        day = today + timedelta(days=offset)
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        for weekday, start_minute, end_minute in weekly:
            if weekday == day.weekday():
                windows.append(
                    (
                        midnight + timedelta(minutes=start_minute),
                        midnight + timedelta(minutes=end_minute),
                    )
                )
    return tuple(_merge(windows))


def is_available_now(profile: WorkerProfile, *, now: datetime) -> bool:
    """The worker's "available now" is switched on and has not run out."""
    return bool(profile.available_now and profile.now_until is not None and profile.now_until > now)


def _merge(windows: list[m.Window]) -> list[m.Window]:
    """Touching or overlapping windows joined, so a shift across two of them still fits."""
    merged: list[m.Window] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def busy_windows(
    *, session: Session, worker_ids: Sequence[int], now: datetime
) -> dict[int, list[m.Window]]:
    """Shifts of the jobs each worker is confirmed on that have not ended."""
    busy: dict[int, list[m.Window]] = defaultdict(list)
    if worker_ids:
        rows = session.exec(
            select(
                ApplicationRow.worker_id, ApplicationRow.shift_start, ApplicationRow.shift_end
            ).where(
                col(ApplicationRow.worker_id).in_(list(worker_ids)),
                ApplicationRow.status == ApplicationStatus.confirmed,
                col(ApplicationRow.shift_end) > now,
            )
        ).all()
        for worker_id, start, end in rows:
            busy[worker_id].append((start, end))
    return busy


WORKED = (ApplicationStatus.confirmed, ApplicationStatus.completed)


def idle_days(*, session: Session, worker_ids: Sequence[int], now: datetime) -> dict[int, int]:
    """Whole days each worker has been without work (0 = worked today or yesterday).

    Counted from the start of the worker's last confirmed or completed shift that has begun,
    in local days; a worker who never had one counts from the day they joined.
    """
    if not worker_ids:
        return {}
    ids = list(worker_ids)
    last = last_worked(session=session, worker_ids=ids, now=now)
    joined = dict(session.exec(select(User.id, User.created_at).where(col(User.id).in_(ids))).all())
    days = {}
    for worker_id in ids:
        since = last.get(worker_id) or joined.get(worker_id)
        if since is not None:
            days[worker_id] = days_idle(since, now=now)
    return days


def last_worked(
    *, session: Session, worker_ids: Sequence[int], now: datetime
) -> dict[int, datetime]:
    """The start of each worker's last confirmed or completed shift that has begun."""
    return dict(
        session.exec(
            select(ApplicationRow.worker_id, func.max(ApplicationRow.shift_start))
            .where(
                col(ApplicationRow.worker_id).in_(list(worker_ids)),
                col(ApplicationRow.status).in_(WORKED),
                col(ApplicationRow.shift_start) <= now,
            )
            .group_by(col(ApplicationRow.worker_id))
        ).all()
    )


def days_idle(since: datetime, *, now: datetime) -> int:
    """Whole local days without work since a shift (or joining) at `since`."""
    if since.tzinfo is None:  # SQLite hands back naive UTC from an aggregate
        since = since.replace(tzinfo=UTC)
    today = now.astimezone(market_tz()).date()
    return max(0, (today - since.astimezone(market_tz()).date()).days - 1)


def position_of(profile: WorkerProfile) -> tuple[float, float] | None:
    """Where the worker is: the place given with "available now", else home; None if unknown."""
    p = profile
    if p.available_now and p.now_lat is not None and p.now_lon is not None:
        return p.now_lat, p.now_lon
    if p.home_lat is not None and p.home_lon is not None:
        return p.home_lat, p.home_lon
    return None


def get_position(*, session: Session, worker_id: int) -> tuple[float, float] | None:
    """Where the worker is (see `position_of`), or None."""
    profile = session.get(WorkerProfile, worker_id)
    return None if profile is None else position_of(profile)


def matching_worker(
    view: WorkerView, *, now: datetime, busy: Sequence[m.Window] = (), idle: int = 0
) -> m.Worker | None:
    """The worker as the matching module sees them, or None without a location or trade."""
    p = view.profile
    position = position_of(p)
    if position is None or not view.trades:
        return None
    return m.Worker(
        id=str(p.user_id),
        lat=position[0],
        lon=position[1],
        radius_km=p.radius_km,
        trades=tuple(m.TradeSkill(t.trade, t.level) for t in view.trades),
        certificates=frozenset(view.certificates),
        available=tuple(availability_windows(view, now=now)),
        min_wage=float(p.min_wage),
        reliability=view.reliability,
        rating=view.rating,
        busy=tuple(busy),
        idle_days=idle,
    )
