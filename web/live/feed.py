"""Which connected workers a job fits, by the matching module's own rules and scores.

The connected workers' columns are built once and reused until a worker connects,
leaves or changes, so one job is scored against thousands of workers in one numpy pass.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np

from matching import model as m
from matching import trades as catalogue
from matching.columns import JobColumns, WorkerColumns, score_pairs
from matching.rank import reasons_for
from matching.reasons import format_reason

JOB_FIELDS = (
    "id",
    "trade",
    "title",
    "lat",
    "lon",
    "district",
    "address",
    "start_at",
    "end_at",
    "headcount",
    "slots_left",
    "wage",
    "instant",
    "certificates",
    "employer_id",
)


class Fit(NamedTuple):
    """A job's score for one worker and why (a tuple: thousands are made per posted job)."""

    score: float
    reason: m.Reason  # shared by the workers with an equal one

    @property
    def distance_km(self) -> float:
        return self.reason.distance_km


def job_model(summary: dict[str, Any]) -> m.Job:
    """The job of a `job.posted` payload as the matching module sees it."""
    booked = int(summary["headcount"]) - int(summary["slots_left"])
    return m.Job(
        id=str(summary["id"]),
        lat=float(summary["lat"]),
        lon=float(summary["lon"]),
        trade=summary["trade"],
        start=datetime.fromisoformat(summary["start_at"]),
        end=datetime.fromisoformat(summary["end_at"]),
        headcount=int(summary["headcount"]),
        wage=float(summary["wage"]),
        certificates=catalogue.required_certificates(
            summary["trade"], frozenset(summary.get("certificates", ()))
        ),
        booked=tuple(f"booked-{i}" for i in range(max(0, booked))),
    )


class FeedMatcher:
    """The matching view of every connected worker, and the fits of one job among them."""

    def __init__(self) -> None:
        self._workers: dict[int, m.Worker] = {}
        self._lock = threading.Lock()
        self._columns: tuple[list[int], WorkerColumns] | None = None
        # per worker, the employers they blocked or were blocked by: their jobs never push
        self._blocked: dict[int, frozenset[int]] = {}

    def set_blocked(self, worker_id: int, employers: frozenset[int]) -> None:
        with self._lock:
            if employers:
                self._blocked[worker_id] = employers
            else:
                self._blocked.pop(worker_id, None)

    def set(self, worker_id: int, worker: m.Worker | None) -> None:
        with self._lock:
            if worker is None:
                self._workers.pop(worker_id, None)
            else:
                self._workers[worker_id] = worker
            self._columns = None

    def discard(self, worker_id: int) -> None:
        self.set(worker_id, None)
        self.set_blocked(worker_id, frozenset())

    def __len__(self) -> int:
        return len(self._workers)

    def fits(self, summary: dict[str, Any], only: m.Worker | None = None) -> dict[int, Fit]:
        """Workers for whom the job is feasible, with score and reason (call off the loop)."""
        if only is not None:
            ids, columns = [int(only.id)], WorkerColumns.build([only])
        else:
            with self._lock:
                if self._columns is None:
                    ids = list(self._workers)
                    built = WorkerColumns.build([self._workers[i] for i in ids])
                    self._columns = (ids, built)
                ids, columns = self._columns
        if not ids:
            return {}
        jobs = JobColumns.build([job_model(summary)])
        every = np.arange(len(ids), dtype=np.int64)
        pairs = score_pairs(columns, jobs, every, np.zeros_like(every))
        if not len(pairs.worker):
            return {}
        reasons = reasons_for(pairs, jobs, columns)
        score = np.round(pairs.score, 4).tolist()
        employer, blocked = summary.get("employer_id"), self._blocked
        fits = map(Fit._make, zip(score, reasons, strict=True))
        found = dict(zip(map(ids.__getitem__, pairs.worker.tolist()), fits, strict=True))
        for worker_id in [i for i in found if employer in blocked.get(i, ())] if blocked else ():
            del found[worker_id]
        return found


class FeedMessages:
    """`feed.job` frames for one job: the job part encoded once, the rest per worker."""

    def __init__(self, seq: int, summary: dict[str, Any]) -> None:
        job = {k: summary.get(k) for k in JOB_FIELDS}
        encoded = json.dumps(job, ensure_ascii=False, separators=(",", ":"))
        self._head = f'{{"id":{seq},"type":"feed.job","data":{{"job":{encoded},"score":'
        # what follows the score, per reason (many workers share one: `FeedMatcher.fits`
        # hands them the same object) and language; keyed by identity, since hashing a
        # Reason cost more than the rest of a frame, and keeping the reason keeps its id
        self._tails: dict[tuple[int, str], tuple[m.Reason, str]] = {}

    def text(self, fit: Fit, lang: str) -> str:
        score, reason = fit
        found = self._tails.get((id(reason), lang))
        if found is None:
            found = (reason, self._tail(reason, lang))
            self._tails[id(reason), lang] = found
        return f"{self._head}{score!r}{found[1]}"

    @staticmethod
    def _tail(reason: m.Reason, lang: str) -> str:
        text = json.dumps(format_reason(reason, lang), ensure_ascii=False)
        return f',"distance_km":{reason.distance_km!r},"reason":{text}}}}}'
