"""Hard constraints of a worker–job pair, checked one pair at a time.

This is the readable reference; `matching.columns` checks the same rules on arrays for
speed, and the tests hold the two to agreement.
"""

from __future__ import annotations

from collections.abc import Iterable

from matching.geo import haversine_km
from matching.model import Job, Window, Worker
from matching.trades import TRADE_BY_CODE, required_certificates, trade_similarity

VIOLATION_CODES = ("trade", "certificates", "time", "distance", "wage", "full", "clash")


def trades_fit(trades: Iterable[str], job_trade: str) -> bool:
    """True when one of these trades is the job's trade or a related one."""
    return any(trade_similarity(code, job_trade) > 0 for code in trades)


def certificates_lacking(
    held: frozenset[str], job_trade: str, job_certificates: frozenset[str]
) -> frozenset[str]:
    """Certificates a job needs (listed, or by law for its trade) that are not held."""
    if job_trade not in TRADE_BY_CODE:
        return job_certificates - held
    return required_certificates(job_trade, job_certificates) - held


def can_do_trade(worker: Worker, job_trade: str) -> bool:
    """True when one of the worker's trades is the job's trade or a related one."""
    return trades_fit((skill.code for skill in worker.trades), job_trade)


def missing_certificates(worker: Worker, job: Job) -> frozenset[str]:
    """Certificates the job needs (listed or by law) that the worker does not hold."""
    return certificates_lacking(worker.certificates, job.trade, frozenset(job.certificates))


def window_covering(worker: Worker, job: Job) -> Window | None:
    """The first availability window that contains the whole shift, if any."""
    for start, end in worker.available:
        if start <= job.start and job.end <= end:
            return (start, end)
    return None


def clashes(worker: Worker, job: Job) -> bool:
    """True when the shift overlaps a confirmed shift, or the worker is already booked on it."""
    if worker.id in job.booked:
        return True
    return any(start < job.end and job.start < end for start, end in worker.busy)


def violations(worker: Worker, job: Job) -> list[str]:
    """The hard constraints the pair breaks, as codes in a fixed order; empty when feasible."""
    broken: list[str] = []
    if not can_do_trade(worker, job.trade):
        broken.append("trade")
    if missing_certificates(worker, job):
        broken.append("certificates")
    if window_covering(worker, job) is None:
        broken.append("time")
    if haversine_km(worker.lat, worker.lon, job.lat, job.lon) > worker.radius_km:
        broken.append("distance")
    if job.wage < worker.min_wage:
        broken.append("wage")
    if job.slots_left <= 0:
        broken.append("full")
    if clashes(worker, job):
        broken.append("clash")
    return broken


def feasible(worker: Worker, job: Job) -> bool:
    """True when the pair breaks no hard constraint."""
    return not violations(worker, job)
