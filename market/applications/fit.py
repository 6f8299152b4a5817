"""Whether a worker may apply for a job at all: their trades and certificates against it.

Asked by every claim, inside the transaction that holds the job's row lock, so it reads
only what it checks: the worker's home, then their trades, their certificates and the
job's listed certificates in one statement (no whole profile, no ORM objects).
"""

from __future__ import annotations

from sqlalchemy import literal, union_all
from sqlmodel import Session, select

from market.errors import N_, Conflict, NotFound
from market.models import Job, JobCertificate, WorkerCertificate, WorkerProfile, WorkerTrade
from matching import constraints
from matching.geo import haversine_km


def check_can_do(session: Session, worker_id: int, job: Job) -> float | None:
    """Trade and certificates must fit for any application; returns the distance in km
    from the worker's home (None when they have not set one)."""
    home = session.exec(
        select(WorkerProfile.home_lat, WorkerProfile.home_lon).where(
            WorkerProfile.user_id == worker_id
        )
    ).first()
    if home is None:
        raise NotFound(N_("Worker not found"))
    rows = session.execute(
        union_all(
            select(literal("trade"), WorkerTrade.trade).where(WorkerTrade.worker_id == worker_id),
            select(literal("held"), WorkerCertificate.code).where(
                WorkerCertificate.worker_id == worker_id
            ),
            select(literal("listed"), JobCertificate.code).where(JobCertificate.job_id == job.id),
        )
    ).all()
    trades = [code for kind, code in rows if kind == "trade"]
    held = frozenset(code for kind, code in rows if kind == "held")
    listed = frozenset(code for kind, code in rows if kind == "listed")
    if not constraints.trades_fit(trades, job.trade):
        raise Conflict(N_("Your trades do not match this job"))
    missing = sorted(constraints.certificates_lacking(held, job.trade, listed))
    if missing:
        raise Conflict(
            N_("This job needs a certificate you have not added: {certificates}"),
            certificates=", ".join(missing),
        )
    lat, lon = home
    if lat is None or lon is None:
        return None
    return round(haversine_km(lat, lon, job.lat, job.lon), 1)
