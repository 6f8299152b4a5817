"""The row locks a hire takes, always in this order: the worker's row, then the job's."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from market.errors import N_, NotAllowed, NotFound
from market.models import Job, WorkerProfile


def lock_worker(session: Session, worker_id: int) -> None:
    """Serialise one worker's bookings (`UPDATE worker SET lock_version = lock_version + 1`)."""
    result = session.execute(
        update(WorkerProfile)
        .where(col(WorkerProfile.user_id) == worker_id)
        .values(lock_version=WorkerProfile.lock_version + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotAllowed(N_("Only workers can apply for jobs"))


def lock_job(session: Session, job_id: int) -> Job:
    """The job, row-locked until the transaction ends (PostgreSQL; SQLite locks the file)."""
    job = session.exec(
        select(Job)
        .where(Job.id == job_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if job is None:
        raise NotFound(N_("Job not found"))
    return job
