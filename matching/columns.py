"""Workers and jobs as numpy columns, and the hard constraints and score on arrays of pairs.

The same rules as `matching.constraints`, written once for many pairs at a time so a feed,
a market and the benchmark never loop over pairs in Python.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matching.geo import haversine_km_many
from matching.model import Job, TradeSkill, Window, Worker
from matching.score import (
    FEATURES,
    FULL_SHIFT_SHARE,
    Weights,
    combine,
    distance_fit,
    rating_fit,
    reliability_fit,
    trade_fit,
    wage_fit,
)
from matching.trades import (
    CERTIFICATES,
    RELATED_TRADES,
    TRADE_BY_CODE,
    TRADES,
    required_certificates,
)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

TRADE_INDEX = {trade.code: i for i, trade in enumerate(TRADES)}
UNKNOWN_TRADE = len(TRADES)  # an extra all-zero column: nobody can do an unknown trade
CERT_BIT = {cert.code: 1 << i for i, cert in enumerate(CERTIFICATES)}
UNKNOWN_CERT_BIT = 1 << len(CERTIFICATES)  # nobody holds a certificate we do not know


def cert_mask(codes: frozenset[str] | set[str]) -> int:
    """Certificate codes as a bit mask."""
    mask = 0
    for code in codes:
        mask |= CERT_BIT.get(code, UNKNOWN_CERT_BIT)
    return mask


def _timestamps(windows: Sequence[tuple[Window, ...]]) -> tuple[FloatArray, FloatArray]:
    """Ragged window lists as two NaN-padded (rows x widest) arrays of epoch seconds."""
    width = max((len(ws) for ws in windows), default=0) or 1
    starts: list[tuple[float, ...]] = []
    ends: list[tuple[float, ...]] = []
    for ws in windows:
        begun, ended = _seconds(tuple(ws))  # a tuple is itself: no copy
        pad = (np.nan,) * (width - len(ws))
        starts.append(begun + pad)
        ends.append(ended + pad)
    shape = (len(windows), width)
    begin = np.array(starts, dtype=np.float64).reshape(shape)
    return begin, np.array(ends, dtype=np.float64).reshape(shape)


# Window tuples repeat: workers sharing a weekly pattern share one unrolled tuple a day, and
# a replica ranks the same workers again and again. Converting aware datetimes to seconds
# was most of building a job's candidate columns.
@functools.lru_cache(maxsize=8192)
def _seconds(windows: tuple[Window, ...]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Start and end epoch seconds of each window."""
    return tuple(s.timestamp() for s, _ in windows), tuple(e.timestamp() for _, e in windows)


def _trade_fit_row(worker: Worker) -> tuple[FloatArray, FloatArray]:
    """The worker's best trade fit and the level behind it, for every job trade."""
    return _trade_fit_for_skills(worker.trades)


@functools.lru_cache(maxsize=4096)  # few distinct skill sets exist; rows are shared read-only
def _trade_fit_for_skills(skills: tuple[TradeSkill, ...]) -> tuple[FloatArray, FloatArray]:
    fit = np.zeros(len(TRADES) + 1)
    level = np.ones(len(TRADES) + 1)
    for skill in skills:
        targets = [(skill.code, 1.0)] + [
            (b, s) for (a, b), s in RELATED_TRADES.items() if a == skill.code
        ]
        for job_trade, similarity in targets:
            col = TRADE_INDEX.get(job_trade)
            if col is None:
                continue
            value = float(trade_fit(np.array(similarity), np.array(float(skill.level))))
            if value > fit[col]:
                fit[col], level[col] = value, skill.level
    return fit, level


@dataclass(slots=True)
class WorkerColumns:
    ids: list[str]
    lat: FloatArray
    lon: FloatArray
    radius_km: FloatArray
    fit: FloatArray  # (workers x trades+1) trade fit, 0 when the trade is not compatible
    level: FloatArray  # (workers x trades+1) level behind that fit
    certs: IntArray
    min_wage: FloatArray
    reliability: FloatArray
    rating: FloatArray
    avail_start: FloatArray
    avail_end: FloatArray
    busy_start: FloatArray
    busy_end: FloatArray
    idle_days: FloatArray

    @classmethod
    def build(cls, workers: Sequence[Worker]) -> WorkerColumns:
        """Columns for a list of workers."""
        fits = [_trade_fit_row(w) for w in workers]
        width = len(TRADES) + 1
        avail_start, avail_end = _timestamps([w.available for w in workers])
        busy_start, busy_end = _timestamps([w.busy for w in workers])
        return cls(
            ids=[w.id for w in workers],
            lat=np.array([w.lat for w in workers], dtype=np.float64),
            lon=np.array([w.lon for w in workers], dtype=np.float64),
            radius_km=np.array([w.radius_km for w in workers], dtype=np.float64),
            fit=np.array([f for f, _ in fits]).reshape(len(workers), width),
            level=np.array([lv for _, lv in fits]).reshape(len(workers), width),
            certs=np.array([cert_mask(w.certificates) for w in workers], dtype=np.int64),
            min_wage=np.array([w.min_wage for w in workers], dtype=np.float64),
            reliability=np.array(
                [np.nan if w.reliability is None else w.reliability for w in workers]
            ),
            rating=np.array([np.nan if w.rating is None else w.rating for w in workers]),
            avail_start=avail_start,
            avail_end=avail_end,
            busy_start=busy_start,
            busy_end=busy_end,
            idle_days=np.array([float(w.idle_days) for w in workers], dtype=np.float64),
        )

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(slots=True)
class JobColumns:
    ids: list[str]
    lat: FloatArray
    lon: FloatArray
    trade: IntArray
    required: IntArray  # certificate mask: listed plus legally required
    start: FloatArray
    end: FloatArray
    wage: FloatArray
    slots_left: IntArray  # mutable: the simulator and the index take slots as jobs fill
    employer_rating: FloatArray
    booked: dict[str, list[int]]  # worker id -> rows of the jobs they are confirmed on
    shift: IntArray  # row into shift_start/shift_end: jobs share a few distinct shifts
    shift_start: FloatArray
    shift_end: FloatArray

    @classmethod
    def build(cls, jobs: Sequence[Job]) -> JobColumns:
        """Columns for a list of jobs."""
        start = np.array([j.start.timestamp() for j in jobs], dtype=np.float64)
        end = np.array([j.end.timestamp() for j in jobs], dtype=np.float64)
        shifts, shift = np.unique(np.column_stack((start, end)), axis=0, return_inverse=True)
        return cls(
            ids=[j.id for j in jobs],
            lat=np.array([j.lat for j in jobs], dtype=np.float64),
            lon=np.array([j.lon for j in jobs], dtype=np.float64),
            trade=np.array([TRADE_INDEX.get(j.trade, UNKNOWN_TRADE) for j in jobs], dtype=np.int64),
            required=np.array([_required_mask(j) for j in jobs], dtype=np.int64),
            start=start,
            end=end,
            wage=np.array([j.wage for j in jobs], dtype=np.float64),
            slots_left=np.array([j.slots_left for j in jobs], dtype=np.int64),
            employer_rating=np.array(
                [np.nan if j.employer_rating is None else j.employer_rating for j in jobs]
            ),
            booked=_booked_by_worker(jobs),
            shift=shift.reshape(-1).astype(np.int64),
            shift_start=shifts[:, 0].copy(),
            shift_end=shifts[:, 1].copy(),
        )

    def __len__(self) -> int:
        return len(self.ids)


def _required_mask(job: Job) -> int:
    if job.trade in TRADE_BY_CODE:
        return cert_mask(required_certificates(job.trade, job.certificates))
    return cert_mask(job.certificates)


@dataclass(slots=True)
class PairScores:
    """Feasible pairs among those asked about, with their features and scores."""

    worker: IntArray
    job: IntArray
    distance_km: FloatArray
    features: FloatArray  # (pairs x FEATURES)
    score: FloatArray


def _covering_share(w: WorkerColumns, j: JobColumns, wi: IntArray, ji: IntArray) -> FloatArray:
    """Per pair, the largest share of a covering availability window the shift uses; 0 if none.

    Jobs share a few distinct shifts, so when the pairs' workers and the shifts make a
    smaller table than the pairs, the share is worked out per (worker, shift) and looked up.
    """
    if len(wi) == 0:
        return np.zeros(0)
    low = int(wi.min())
    span = int(wi.max()) - low + 1
    if span * len(j.shift_start) < len(wi):
        rows = np.arange(low, low + span)
        table = _window_share(
            w.avail_start[rows][:, None, :],
            w.avail_end[rows][:, None, :],
            j.shift_start[None, :, None],
            j.shift_end[None, :, None],
        )
        looked_up: FloatArray = table[wi - low, j.shift[ji]]
        return looked_up
    return _window_share(
        w.avail_start[wi], w.avail_end[wi], j.start[ji][:, None], j.end[ji][:, None]
    )


def _window_share(
    window_start: FloatArray, window_end: FloatArray, start: FloatArray, end: FloatArray
) -> FloatArray:
    """Largest share of a covering window (last axis) the shift uses; 0 if none covers it."""
    covers = (window_start <= start) & (end <= window_end)  # NaN padding compares False
    share = (end - start) / np.where(covers, window_end - window_start, np.inf)
    result: FloatArray = share.max(axis=-1, initial=0.0)
    return result


def _booked_by_worker(jobs: Sequence[Job]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for row, job in enumerate(jobs):
        for worker_id in job.booked:
            index.setdefault(worker_id, []).append(row)
    return index


def _booked_pairs(w: WorkerColumns, j: JobColumns, wi: IntArray, ji: IntArray) -> BoolArray:
    """Per pair, whether the worker is already confirmed on that very job."""
    if not j.booked:
        return np.zeros(len(wi), dtype=np.bool_)
    # ids may repeat in ad-hoc worker lists, so every row with a booked id counts
    keys = [
        col * len(w) + row
        for row, worker_id in enumerate(w.ids)
        for col in j.booked.get(worker_id, ())
    ]
    if not keys:
        return np.zeros(len(wi), dtype=np.bool_)
    result: BoolArray = np.isin(ji * len(w) + wi, np.array(keys, dtype=np.int64))
    return result


def _feasible_subset(
    w: WorkerColumns, j: JobColumns, wi: IntArray, ji: IntArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Positions of the feasible pairs, with their distance and window share.

    Cheap tests run first and each test only sees the pairs that passed the ones before,
    so a market's millions of candidates shrink before the costly trigonometry.
    """
    kept = np.flatnonzero(
        (w.fit[wi, j.trade[ji]] > 0)
        & ((j.required[ji] & ~w.certs[wi]) == 0)
        & (j.wage[ji] >= w.min_wage[wi])
        & (j.slots_left[ji] > 0)
    )
    share = _covering_share(w, j, wi[kept], ji[kept])
    kept = kept[share > 0]
    distance = haversine_km_many(w.lat[wi[kept]], w.lon[wi[kept]], j.lat[ji[kept]], j.lon[ji[kept]])
    near = distance <= w.radius_km[wi[kept]]
    kept, share, distance = kept[near], share[share > 0][near], distance[near]
    a, b = wi[kept], ji[kept]
    clash = (w.busy_start[a] < j.end[b][:, None]) & (j.start[b][:, None] < w.busy_end[a])
    free = ~clash.any(axis=1) & ~_booked_pairs(w, j, a, b)
    return kept[free], distance[free], share[free]


def feasible_pairs(w: WorkerColumns, j: JobColumns, wi: IntArray, ji: IntArray) -> BoolArray:
    """Per pair, True when it breaks none of the hard constraints."""
    ok = np.zeros(len(wi), dtype=np.bool_)
    ok[_feasible_subset(w, j, wi, ji)[0]] = True
    return ok


def score_pairs(
    w: WorkerColumns, j: JobColumns, wi: IntArray, ji: IntArray, weights: Weights | None = None
) -> PairScores:
    """Keep the feasible pairs among (wi, ji) and score them."""
    kept, distance, share = _feasible_subset(w, j, wi, ji)
    wi, ji = wi[kept], ji[kept]
    features = np.empty((len(wi), len(FEATURES)))
    features[:, 0] = w.fit[wi, j.trade[ji]]
    features[:, 1] = np.minimum(1.0, share / FULL_SHIFT_SHARE)
    features[:, 2] = distance_fit(distance)
    features[:, 3] = wage_fit(j.wage[ji], w.min_wage[wi])
    features[:, 4] = reliability_fit(w.reliability[wi])
    features[:, 5] = rating_fit(w.rating[wi], j.employer_rating[ji])
    return PairScores(wi, ji, distance, features, combine(features, weights))
