"""Which connected workers a job fits, by the matching module's own rules and scores.

The connected workers' columns are built once and reused until a worker connects,
leaves or changes, so one job is scored against thousands of workers in one numpy pass.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


@dataclass(frozen=True, slots=True)
class Fit:
    score: float
    distance_km: float
    reason: m.Reason


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
        return {
            ids[w]: Fit(score=sc, distance_km=reason.distance_km, reason=reason)
            for w, sc, reason in zip(pairs.worker.tolist(), score, reasons, strict=True)
            if employer not in blocked.get(ids[w], ())
        }


class FeedMessages:
    """`feed.job` frames for one job: the job part encoded once, the rest per worker."""

    def __init__(self, seq: int, summary: dict[str, Any]) -> None:
        job = {k: summary.get(k) for k in JOB_FIELDS}
        encoded = json.dumps(job, ensure_ascii=False, separators=(",", ":"))
        self._head = f'{{"id":{seq},"type":"feed.job","data":{{"job":{encoded},'

        self._reasons: dict[tuple[m.Reason, str], str] = {}  # many workers share a reason

    def text(self, fit: Fit, lang: str) -> str:
        key = (fit.reason, lang)
        reason = self._reasons.get(key)
        if reason is None:
            reason = json.dumps(format_reason(fit.reason, lang), ensure_ascii=False)
            self._reasons[key] = reason
        return (
            f'{self._head}"score":{fit.score!r},"distance_km":{fit.distance_km!r},'
            f'"reason":{reason}}}}}'
        )
