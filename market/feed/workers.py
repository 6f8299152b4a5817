"""The workers of the market, in memory: the employer's candidates' read model.

Each replica keeps one `WorkerBook` beside its `JobBook` (`market.feed.readmodel` builds
and feeds both). It holds what matching needs of every worker with a position and a trade
(position, radius, trades, certificates, minimum pay, availability pattern, confirmed
shifts, the start of their last worked shift) in one k-d tree on points of the unit
sphere, as the job book does. `near` answers a job's candidates without a query: every
worker within the reach of the search, nearest first, no cap, whose own radius reaches
the job and who has a trade that can do it. Changes arrive as whole workers (`update`):
changed workers go to a small delta beside the base tree, masked out of the base, and the
two are merged when the delta grows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta

import numpy as np
from scipy.spatial import cKDTree
from sqlmodel import Session, col, or_, select

from market.i18n import market_tz
from market.models import WorkerProfile
from market.workers import service as worker_service
from matching import model as m
from matching.geo import haversine_km_many
from matching.index import chord_bound, unit_vectors

DELTA_MAX = 256  # changed (or gone) workers kept beside the base before a merge
LOAD_CHUNK = 1000  # workers read per query batch while loading


@dataclass(frozen=True, slots=True)
class KnownWorker:
    """One worker as matching needs them; `model` has no windows, busy shifts or idle days
    (they depend on the time of the request: `at` computes them)."""

    model: m.Worker
    weekly: tuple[tuple[int, int, int], ...]  # weekday, start and end minute
    days: tuple[m.Window, ...]
    now_until: datetime | None  # end of "available now" while switched on
    busy: tuple[m.Window, ...]  # confirmed shifts that had not ended when loaded
    since: datetime  # start of the last worked shift begun when loaded, else joining
    # the last `at` answer, from when until when it holds (see `at`); not part of the value
    _last: list[tuple[datetime, datetime, m.Worker]] = field(
        default_factory=list, init=False, compare=False, repr=False
    )

    def at(self, now: datetime) -> m.Worker:
        """The worker as `worker_service.matching_worker` makes them at `now`.

        The answer changes only at given moments (local midnight, the end of a specific day
        or of a busy shift, the start of a busy shift) unless "available now" is on (that
        window starts at `now`), so it is kept until the next of those moments and given
        again, exactly, to every request before it: an employer's candidates and the new-job
        alerts make hundreds of workers per request, and making them was a third of the
        candidates' CPU."""
        kept = self._last[0] if self._last else None
        if kept is not None and kept[0] <= now < kept[1]:
            return kept[2]
        active = self.now_until if self.now_until is not None and self.now_until > now else None
        begun = [start for start, _ in self.busy if start <= now]
        worker = replace(
            self.model,
            available=tuple(worker_service.windows_of(self.weekly, self.days, active, now=now)),
            busy=tuple(shift for shift in self.busy if shift[1] > now),
            idle_days=worker_service.days_idle(max([self.since, *begun]), now=now),
        )
        if active is None:
            self._last[:] = [(now, self._changes_after(now), worker)]
        return worker

    def _changes_after(self, now: datetime) -> datetime:
        """The first moment after `now` at which `at` may answer differently."""
        local = now.astimezone(market_tz())
        midnight = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=local.tzinfo)
        moments = [midnight.astimezone(UTC)]
        moments += [end for _, end in self.days if end > now]
        moments += [at for shift in self.busy for at in shift if at > now]
        return min(moments)


class _Segment:
    def __init__(self, workers: Sequence[KnownWorker]) -> None:
        self.workers = list(workers)
        self.row_of = {int(w.model.id): i for i, w in enumerate(self.workers)}
        self.lat = np.array([w.model.lat for w in self.workers], dtype=np.float64)
        self.lon = np.array([w.model.lon for w in self.workers], dtype=np.float64)
        self.radius = np.array([w.model.radius_km for w in self.workers], dtype=np.float64)
        self.min_wage = np.array([w.model.min_wage for w in self.workers], dtype=np.float64)
        self.ids = np.array([int(w.model.id) for w in self.workers], dtype=np.int64)
        self.has_trade: dict[str, np.ndarray] = {}  # trade code: which rows have it
        for row, worker in enumerate(self.workers):
            for trade in worker.model.trades:
                mask = self.has_trade.get(trade.code)
                if mask is None:
                    mask = self.has_trade[trade.code] = np.zeros(len(self.workers), np.bool_)
                mask[row] = True
        self.tree = cKDTree(unit_vectors(self.lat, self.lon)) if self.workers else None

    def within(self, lat: float, lon: float, km: float) -> np.ndarray:
        if self.tree is None:
            return np.empty(0, dtype=np.int64)
        point = unit_vectors(np.array([lat]), np.array([lon]))[0]
        bound = float(chord_bound(np.array([km]))[0])
        return np.asarray(self.tree.query_ball_point(point, r=bound), dtype=np.int64)


@dataclass(frozen=True, slots=True)
class _Snapshot:
    base: _Segment
    alive: np.ndarray
    delta: _Segment


class WorkerBook:
    """Every located worker of the market, kept current by `update`, read by `near`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._workers: dict[int, KnownWorker] = {}
        self._delta: dict[int, KnownWorker] = {}
        self._dead: set[int] = set()
        empty = _Segment([])
        self.snapshot = _Snapshot(empty, np.ones(0, dtype=np.bool_), empty)

    def __len__(self) -> int:
        return len(self._workers)

    def get(self, worker_id: int) -> KnownWorker | None:
        """The worker as the book holds them (None: no position or trade, or unknown)."""
        return self._workers.get(worker_id)

    def every(self) -> list[KnownWorker]:
        """Every worker the book holds, as of now."""
        with self._lock:
            return list(self._workers.values())

    def replace_all(self, workers: Iterable[KnownWorker]) -> None:
        with self._lock:
            self._workers = {int(w.model.id): w for w in workers}
            self._merge()

    def update(self, *, upsert: Iterable[KnownWorker], remove: Iterable[int]) -> None:
        """Put changed workers in, take those without a position or trade out."""
        upsert = list(upsert)
        with self._lock:
            base = self.snapshot.base
            for worker_id in [*remove, *(int(w.model.id) for w in upsert)]:
                self._workers.pop(worker_id, None)
                self._delta.pop(worker_id, None)
                row = base.row_of.get(worker_id)
                if row is not None:
                    self._dead.add(row)
            for worker in upsert:
                self._workers[int(worker.model.id)] = worker
                self._delta[int(worker.model.id)] = worker
            if len(self._delta) > DELTA_MAX or len(self._dead) > DELTA_MAX:
                self._merge()
            else:
                alive = np.ones(len(base.workers), dtype=np.bool_)
                alive[list(self._dead)] = False
                self.snapshot = _Snapshot(base, alive, _Segment(list(self._delta.values())))

    def _merge(self) -> None:
        base = _Segment(list(self._workers.values()))
        self._delta, self._dead = {}, set()
        self.snapshot = _Snapshot(base, np.ones(len(base.workers), dtype=np.bool_), _Segment([]))

    def near(
        self,
        *,
        lat: float,
        lon: float,
        reach_km: float,
        trades: frozenset[str],
        paying: float | None = None,
    ) -> list[tuple[float, KnownWorker]]:
        """Workers within `reach_km` of the point whose own radius reaches it and who have
        one of `trades` (and, given `paying`, whose minimum pay it meets), nearest first
        (then by id), with their distance in km."""
        snap = self.snapshot
        found: list[tuple[float, int, KnownWorker]] = []
        for segment, alive in ((snap.base, snap.alive), (snap.delta, None)):
            rows = segment.within(lat, lon, reach_km)
            if alive is not None:
                rows = rows[alive[rows]]
            if not len(rows):
                continue
            km = haversine_km_many(
                segment.lat[rows],
                segment.lon[rows],
                np.full(len(rows), lat),
                np.full(len(rows), lon),
            )
            # a hair of slack on the radius: the ranker applies the exact one
            keep = km <= segment.radius[rows] + 1e-6
            can_do = np.zeros(len(rows), dtype=np.bool_)
            for code in trades:
                mask = segment.has_trade.get(code)
                if mask is not None:
                    can_do |= mask[rows]
            keep &= can_do
            if paying is not None:
                keep &= segment.min_wage[rows] <= paying
            rows, km = rows[keep], km[keep]
            rows_list = rows.tolist()
            found += zip(
                km.tolist(),
                segment.ids[rows].tolist(),
                [segment.workers[r] for r in rows_list],
                strict=True,
            )
        found.sort(key=lambda x: (x[0], x[1]))
        return [(distance, worker) for distance, _, worker in found]


def load_workers(
    session: Session, worker_ids: Sequence[int] | None, now: datetime
) -> tuple[list[KnownWorker], list[int]]:
    """Workers with a position and a trade (all, or of `worker_ids`), and the ids given that
    have none (to be taken out)."""
    if worker_ids is None:
        ids = list(
            session.exec(
                select(WorkerProfile.user_id).where(
                    or_(
                        col(WorkerProfile.home_lat).is_not(None),
                        col(WorkerProfile.now_lat).is_not(None),
                    )
                )
            ).all()
        )
    else:
        ids = list(worker_ids)
    found: list[KnownWorker] = []
    for at in range(0, len(ids), LOAD_CHUNK):
        chunk = ids[at : at + LOAD_CHUNK]
        views = worker_service.list_workers(session=session, user_ids=chunk)
        busy = worker_service.busy_windows(session=session, worker_ids=chunk, now=now)
        last = worker_service.last_worked(session=session, worker_ids=chunk, now=now)
        for worker_id, view in views.items():
            model = worker_service.matching_worker(view, now=now)
            if model is None:
                continue
            p = view.profile
            found.append(
                KnownWorker(
                    model=replace(model, available=(), busy=(), idle_days=0),
                    weekly=tuple((w.weekday, w.start_minute, w.end_minute) for w in view.weekly),
                    days=tuple((d.start_at, d.end_at) for d in view.days),
                    now_until=p.now_until if p.available_now else None,
                    busy=tuple(busy[worker_id]),
                    since=_aware(last.get(worker_id) or view.user.created_at),
                )
            )
    kept = {int(w.model.id) for w in found}
    return found, [i for i in ids if i not in kept]


def _aware(at: datetime) -> datetime:
    """SQLite hands back naive UTC from an aggregate."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
