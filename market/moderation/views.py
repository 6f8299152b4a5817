"""What the staff's moderation page shows, gathered in one call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from market.accounts import employers as employer_service
from market.applications import service as application_service
from market.jobs import service as job_service
from market.models import EmployerProfile, Job, ModerationAction, User
from market.moderation import service as moderation_service
from market.reliability import service as reliability_service

POSTINGS_SHOWN = 30
LOG_SHOWN = 30


@dataclass(frozen=True)
class ModerationBoard:
    query: str
    accounts: Sequence[tuple[User, EmployerProfile | None]]  # none without a query
    jobs: Sequence[Job]  # matching the query, else the latest postings
    hidden: Sequence[Job]
    log: Sequence[ModerationAction]
    # who posted each job shown: the account and its employer row
    employers: dict[int, tuple[User, EmployerProfile | None]]
    strikes: dict[int, int]  # each listed worker's active strikes, shown beside "suspend"
    # when each listed employer sent the licence photo staff verify against
    licences: dict[int, datetime]


def get_moderation_board(*, session: Session, query: str = "") -> ModerationBoard:
    """Accounts and postings matching `query`, what is hidden now, and the latest actions."""
    query = query.strip()
    accounts = moderation_service.search_accounts(session=session, query=query) if query else []
    jobs = moderation_service.search_jobs(session=session, query=query, limit=POSTINGS_SHOWN)
    hidden = moderation_service.list_hidden_jobs(session=session)
    return ModerationBoard(
        query=query,
        accounts=accounts,
        jobs=jobs,
        hidden=hidden,
        log=moderation_service.list_moderation_actions(session=session, limit=LOG_SHOWN).items,
        employers=moderation_service.employers_of(
            session=session, user_ids=[j.employer_id for j in [*jobs, *hidden]]
        ),
        strikes=reliability_service.active_strike_counts(
            session=session, worker_ids=[u.id or 0 for u, _e in accounts if u.role == "worker"]
        ),
        licences=employer_service.licence_times(
            session=session, employer_ids=[u.id or 0 for u, e in accounts if e is not None]
        ),
    )


@dataclass(frozen=True)
class JobRecord:
    job: Job
    employer: User
    profile: EmployerProfile | None
    certificates: list[str]
    waiting: int  # applications waiting for the employer's answer


def get_job_record(*, session: Session, job: Job) -> JobRecord:
    """A posting as staff see it before acting on it: the job and who posted it."""
    employer, profile = moderation_service.employers_of(
        session=session, user_ids=[job.employer_id]
    )[job.employer_id]
    job_id = job.id or 0
    return JobRecord(
        job=job,
        employer=employer,
        profile=profile,
        certificates=job_service.job_certificates(session=session, job_id=job_id),
        waiting=application_service.count_waiting(session=session, job_ids=[job_id]).get(job_id, 0),
    )
