"""An employer's rehire list (常用工友): workers they worked with and would take again.

A worker is added after a completed shift on one of the employer's jobs. The list shows
what the employer already knows of them (name, trades, jobs done together), the phone only
while the worker is hired on one of the employer's jobs; never an exact place. On a job's
candidates, listed workers come first among candidates of equal score (`prefer_listed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from market.errors import N_, Conflict, NotFound
from market.models import Application, ApplicationStatus, Job, JobStatus, Rehire, User
from market.types import utcnow
from market.workers import service as worker_service

T = TypeVar("T")
SCORE_TIE = 0.01  # candidates whose scores differ by less count as equal


@dataclass(frozen=True)
class RehireRow:
    view: worker_service.WorkerView
    jobs_done: int  # completed shifts on this employer's jobs
    phone: str | None  # only while hired on one of this employer's jobs


def _done_with(session: Session, employer_id: int, worker_ids: Sequence[int]) -> dict[int, int]:
    rows = session.exec(
        select(Application.worker_id, func.count())
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(
            Job.employer_id == employer_id,
            col(Application.worker_id).in_(list(worker_ids)),
            Application.status == ApplicationStatus.completed,
        )
        .group_by(col(Application.worker_id))
    ).all()
    return dict(rows)


def rehire_add(
    *, session: Session, employer: User, worker_id: int, now: datetime | None = None
) -> Rehire:
    """Put a worker who completed a shift for the employer on the list; a repeat is a no-op."""
    assert employer.id is not None
    if session.get(User, worker_id) is None:
        raise NotFound(N_("Worker not found"))
    if not _done_with(session, employer.id, [worker_id]):
        raise Conflict(N_("Only a worker who completed a shift for you can be added"))
    entry = session.get(Rehire, (employer.id, worker_id))
    if entry is None:
        entry = Rehire(employer_id=employer.id, worker_id=worker_id, created_at=now or utcnow())
        session.add(entry)
        session.flush()
    return entry


def rehire_remove(*, session: Session, employer: User, worker_id: int) -> None:
    """Take a worker off the list."""
    result = session.execute(
        delete(Rehire).where(
            col(Rehire.employer_id) == employer.id, col(Rehire.worker_id) == worker_id
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(N_("This worker is not on your list"))
    session.flush()


def listed_ids(*, session: Session, employer_id: int) -> set[int]:
    """The workers on the employer's list."""
    return set(session.exec(select(Rehire.worker_id).where(Rehire.employer_id == employer_id)))


def list_rehire(
    *, session: Session, employer_id: int, now: datetime | None = None
) -> list[RehireRow]:
    """The employer's list, most jobs done together first."""
    now = now or utcnow()
    ids = sorted(listed_ids(session=session, employer_id=employer_id))
    views = worker_service.list_workers(session=session, user_ids=ids)
    done = _done_with(session, employer_id, ids)
    hired = set(
        session.exec(
            select(Application.worker_id)
            .join(Job, col(Job.id) == col(Application.job_id))
            .where(
                Job.employer_id == employer_id,
                col(Application.worker_id).in_(ids),
                Application.status == ApplicationStatus.confirmed,
                col(Application.shift_end) > now,
            )
        )
    )
    rows = [
        RehireRow(views[i], done.get(i, 0), views[i].user.phone if i in hired else None)
        for i in ids
        if i in views
    ]
    return sorted(rows, key=lambda r: (-r.jobs_done, r.view.user.id or 0))


def prefer_listed(candidates: list[T], score: Sequence[float], listed: Sequence[bool]) -> list[T]:
    """The ranked candidates with listed ones first within each run of equal scores."""
    out: list[T] = []
    run: list[int] = []
    for i in range(len(candidates) + 1):
        if run and (i == len(candidates) or abs(score[i] - score[run[0]]) >= SCORE_TIE):
            out += [candidates[j] for j in sorted(run, key=lambda j: not listed[j])]
            run = []
        run.append(i)
    return out


@dataclass(frozen=True)
class RehirePage:
    rows: list[RehireRow]
    open_jobs: Sequence[Job]  # the employer's jobs an invite can go to, soonest first


def get_rehire_page(
    *, session: Session, employer_id: int, now: datetime | None = None
) -> RehirePage:
    """The employer's list and the open jobs its workers can be invited to."""
    now = now or utcnow()
    jobs = session.exec(
        select(Job)
        .where(
            Job.employer_id == employer_id,
            Job.status == JobStatus.open,
            col(Job.hidden_reason).is_(None),
            col(Job.start_at) > now,
        )
        .order_by(col(Job.start_at))
        .limit(50)
    ).all()
    return RehirePage(list_rehire(session=session, employer_id=employer_id, now=now), jobs)
