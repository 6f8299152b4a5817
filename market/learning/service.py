"""The ranking's weights: fitted from the recorded feeds, switched only when they win.

`learn_run` fits weights on the impressions of all but the last days, replays the held-out
days with the fitted and the live weights (matching.learn.replay: take-ups in the top
REPLAY_TOP_K, corrected for position bias) and makes the fitted ones live only when they
beat the live ones by MIN_GAIN. Every fit is kept as a version with its figures; staff can
make any version live again, or none (the defaults). Feeds read the live weights through
a per-process cache (`live_weights`), so a switch reaches every replica within
LIVE_CACHE_SECONDS.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from market.db import try_xact_lock
from market.errors import N_, NotFound
from market.learning import impressions
from market.learning.models import WeightsVersion, WorkerTaste
from market.types import utcnow
from matching import learn
from matching.score import DEFAULT_WEIGHTS, FEATURES, Weights

LEARN_LOCK = 0x6C675F6C6561726E  # "lg_learn": one fit at a time across replicas
HOLDOUT_DAYS = 7  # at most; a third of the recorded days when there are fewer than 21
REPLAY_TOP_K = 3  # the cards a phone shows without scrolling
MIN_GAIN = 0.01  # the fitted weights must beat the live ones by 1% on the held-out days
LEARN_EVERY = timedelta(days=1)
LIVE_CACHE_SECONDS = 60.0

TASTE_CACHE_SECONDS = 300.0  # tastes are refitted once a day
TASTE_CACHE_MAX = 100_000

_cache: dict[str, tuple[float, int | None, Weights]] = {}
_tastes: dict[tuple[str, int], tuple[float, float | None]] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class LearnResult:
    rows: int
    fitted: Weights | None  # None: too little history to fit
    live: Weights  # the weights live before this run
    live_id: int | None
    metrics: dict[str, object]
    switched: bool
    version_id: int | None
    reason: str  # why it switched or not, in English (a log line; the CLI prints it)
    tastes: int = 0  # workers whose own taste (distance against pay) was fitted


def weights_of(version: WeightsVersion | None) -> Weights:
    return DEFAULT_WEIGHTS if version is None else Weights.from_dict(dict(version.weights))


def get_live_version(*, session: Session) -> WeightsVersion | None:
    return session.exec(
        select(WeightsVersion).where(col(WeightsVersion.live)).order_by(col(WeightsVersion.id))
    ).first()


def _fresh_live(key: str) -> tuple[int | None, Weights] | None:
    found = _cache.get(key)
    if found is None or time.monotonic() - found[0] >= LIVE_CACHE_SECONDS:
        return None
    return found[1], found[2]


def _fresh_taste(key: tuple[str, int]) -> tuple[float, float | None] | None:
    found = _tastes.get(key)
    if found is None or time.monotonic() - found[0] >= TASTE_CACHE_SECONDS:
        return None
    return found


def _with_taste(market: Weights, distance_share: float | None) -> Weights:
    return market if distance_share is None else learn.with_taste(market, distance_share)


def cached_weights(key: str, worker_id: int) -> tuple[int | None, Weights] | None:
    """What `live_weights` and `worker_weights` give the worker, if both are cached and fresh
    (no I/O); `key` names the database as `cache_key` does. None: they read."""
    live, taste = _fresh_live(key), _fresh_taste((key, worker_id))
    if live is None or taste is None:
        return None
    return live[0], _with_taste(live[1], taste[1])


def cache_key(session: Session) -> str:
    """The database the caches of this module are kept for."""
    return str(session.get_bind().engine.url)


def live_weights(*, session: Session) -> tuple[int | None, Weights]:
    """The live weights version's id (None: the defaults) and weights, cached a minute."""
    key = cache_key(session)
    found = _fresh_live(key)
    if found is not None:
        return found
    version = get_live_version(session=session)
    result = (None if version is None else version.id, weights_of(version))
    with _cache_lock:
        _cache[key] = (time.monotonic(), *result)
    return result


def forget_live() -> None:
    """Drop the cached live weights and tastes (read again on the next feed)."""
    with _cache_lock:
        _cache.clear()
        _tastes.clear()


def list_versions(*, session: Session, limit: int = 30) -> list[WeightsVersion]:
    """The newest weights versions first."""
    return list(
        session.exec(
            select(WeightsVersion).order_by(col(WeightsVersion.id).desc()).limit(limit)
        ).all()
    )


def _make_live(session: Session, version: WeightsVersion | None, by: str, now: datetime) -> None:
    session.execute(update(WeightsVersion).where(col(WeightsVersion.live)).values(live=False))
    if version is not None:
        version.live, version.switched_by, version.switched_at = True, by, now
        session.add(version)
    session.flush()
    forget_live()


def weights_make_live(
    *, session: Session, version_id: int | None, staff_id: int, now: datetime | None = None
) -> WeightsVersion | None:
    """Staff make a kept version live (a rollback), or none: the defaults."""
    version = None
    if version_id is not None:
        version = session.get(WeightsVersion, version_id)
        if version is None:
            raise NotFound(N_("No such weights version"))
    _make_live(session, version, f"staff:{staff_id}", now or utcnow())
    return version


def learn_due(*, session: Session, now: datetime | None = None) -> bool:
    """No version was fitted in the last LEARN_EVERY."""
    now = now or utcnow()
    last = session.exec(select(WeightsVersion.created_at).order_by(col(WeightsVersion.id).desc()))
    newest = last.first()
    return newest is None or newest < now - LEARN_EVERY


def _locked(session: Session) -> bool:
    """Take the learning lock until the transaction ends (PostgreSQL); False when taken."""
    return try_xact_lock(session, LEARN_LOCK)  # SQLite: the write lock serialises writers


def learn_run(*, session: Session, now: datetime | None = None) -> LearnResult | None:
    """Fit weights on the recorded feeds, replay the held-out days, switch if they win.

    None when another replica is fitting right now."""
    now = now or utcnow()
    if not _locked(session):
        return None
    live_version = get_live_version(session=session)
    live_id = None if live_version is None else live_version.id
    live = weights_of(live_version)
    since = now - timedelta(days=impressions.RETENTION_DAYS)
    history = impressions.list_history(session=session, since=since)
    days = sorted({row.day for row in history})
    held_days = set(days[-max(1, min(HOLDOUT_DAYS, len(days) // 3)) :]) if len(days) > 1 else set()
    train = [row for row in history if row.day not in held_days]
    held_out = [row for row in history if row.day in held_days]
    fitted = learn.fit(train) if held_out else DEFAULT_WEIGHTS
    if fitted.source == DEFAULT_WEIGHTS.source:
        reason = (
            f"not enough history to fit: {len(history)} impressions over {len(days)} days "
            f"(need {learn.MIN_ROWS} on days before the held-out ones, "
            f"{learn.MIN_EACH_CLASS} of them taken up); live weights unchanged"
        )
        return LearnResult(len(history), None, live, live_id, {}, False, None, reason)
    theta = learn.examination(history, slots=impressions.FIRST_PAGE)
    new_score = learn.replay(held_out, fitted, k=REPLAY_TOP_K, theta=theta)
    live_score = learn.replay(held_out, live, k=REPLAY_TOP_K, theta=theta)
    switched = new_score > live_score * (1 + MIN_GAIN)
    metrics: dict[str, object] = {
        "rows": len(history),
        "train_rows": len(train),
        "held_out_rows": len(held_out),
        "held_out_days": len(held_days),
        "top_k": REPLAY_TOP_K,
        "replay_fitted": round(new_score, 4),
        "replay_live": round(live_score, 4),
        "live_id": live_id,
        "examination": [round(float(t), 3) for t in theta],
    }
    version = WeightsVersion(created_at=now, weights=asdict(fitted), metrics=metrics)
    session.add(version)
    session.flush()
    if switched:
        _make_live(session, version, "learn", now)
    tastes = _fit_tastes(session, history, fitted if switched else live, theta, now)
    metrics["worker_tastes"] = tastes
    gain = (new_score / live_score - 1) * 100 if live_score > 0 else float("inf")
    reason = (
        f"fitted weights take up {new_score:.3f} per list in the top {REPLAY_TOP_K} on "
        f"{len(held_days)} held-out days against {live_score:.3f} for the live weights "
        f"({gain:+.1f}%): "
        + ("switched" if switched else f"kept the live weights (need +{MIN_GAIN:.0%})")
    )
    return LearnResult(
        len(history), fitted, live, live_id, metrics, switched, version.id, reason, tastes
    )


def _fit_tastes(
    session: Session,
    history: list[learn.HistoryRow],
    market: Weights,
    theta: learn.FloatArray,
    now: datetime,
) -> int:
    """Refit every worker's own taste against the market's weights; how many have one."""
    by_worker: dict[str, list[learn.HistoryRow]] = defaultdict(list)
    for row in history:
        by_worker[row.worker].append(row)
    session.execute(delete(WorkerTaste))
    fitted = 0
    for worker, rows in by_worker.items():
        share = learn.worker_taste(rows, market, theta=theta)
        if share is not None:
            session.add(
                WorkerTaste(
                    worker_id=int(worker), distance_share=share, rows=len(rows), fitted_at=now
                )
            )
            fitted += 1
    session.flush()
    forget_live()
    return fitted


def worker_weights(*, session: Session, worker_id: int, market: Weights) -> Weights:
    """The market's weights with the worker's own split of distance against pay, if fitted
    (cached per worker for TASTE_CACHE_SECONDS: a feed asks on every refresh)."""
    key = (cache_key(session), worker_id)
    found = _fresh_taste(key)
    if found is None:
        taste = session.get(WorkerTaste, worker_id)
        found = (time.monotonic(), None if taste is None else taste.distance_share)
        with _cache_lock:
            if len(_tastes) >= TASTE_CACHE_MAX:
                _tastes.clear()
            _tastes[key] = found
    return _with_taste(market, found[1])


def describe(weights: Weights) -> str:
    """The weights as shares of the score, e.g. "distance 0.36 · wage 0.23 · ..."."""
    return " · ".join(
        f"{name} {share:.2f}" for name, share in zip(FEATURES, weights.vector(), strict=True)
    )
