"""Invariants of the terms each application was agreed on (market/applications/terms.py).

A hire's pay never goes below what it was at the hire, and nobody is hired on terms they
did not accept: checked by `linggong check-invariants` with the rest (market/invariants.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from market.applications.models import HIRED
from market.checks import SHOWN, listed
from market.models import Application, ApplicationStatus, Job

A = ApplicationStatus


def _agreed(session: Session, *where: Any) -> list[Any]:
    """Applications with their job's terms, where any of `where` holds (hired ones first)."""
    a, j = Application, Job
    rows = session.execute(
        select(
            col(a.id),
            col(a.job_id),
            col(a.worker_id),
            col(a.status),
            col(a.agreed_wage),
            col(a.confirmed_wage),
            col(a.terms_version),
            col(a.confirmed_terms_version),
            col(j.wage).label("job_wage"),
            col(j.terms_version).label("job_terms_version"),
        )
        .join(j, col(j.id) == col(a.job_id))
        .where(or_(*where))
        .order_by(col(a.id))
        .limit(SHOWN + 1)
    )
    return list(rows)


def _moved(job: Any = Job, application: Any = Application) -> Any:
    """The job's place or shift is no longer the one the application agreed to."""
    return or_(
        *(
            col(getattr(job, field)) != col(getattr(application, f"agreed_{field}"))
            for field in ("lat", "lon", "address", "start_at", "end_at")
        )
    )


def check_agreed_pay(session: Session) -> list[str]:
    """A hire's agreed pay never goes below its pay at the hire, nor the job's below it."""
    hired = col(Application.status).in_(HIRED)
    rows = _agreed(
        session,
        and_(hired, col(Application.confirmed_wage).is_(None)),
        and_(hired, col(Application.agreed_wage) < col(Application.confirmed_wage)),
        and_(hired, col(Job.wage) < col(Application.agreed_wage)),
    )

    def say(r: Any) -> str:
        who = f"job {r.job_id}: application {r.id} of worker {r.worker_id} is {r.status}"
        if r.confirmed_wage is None:
            return f"{who}, but no pay was recorded at its confirmation"
        if r.agreed_wage < r.confirmed_wage:
            return (
                f"{who} at an agreed pay of {r.agreed_wage}, below the {r.confirmed_wage} "
                "it was confirmed at"
            )
        return f"{who} at an agreed pay of {r.agreed_wage}, but the job pays {r.job_wage}"

    return listed(rows, say, "agreed pay")


def check_agreed_terms(session: Session) -> list[str]:
    """Hires were confirmed on terms their workers accepted, and those terms still stand."""
    hired = col(Application.status).in_(HIRED)
    accepted, at_hire = col(Application.terms_version), col(Application.confirmed_terms_version)
    current = and_(col(Application.status) == A.applied, accepted == col(Job.terms_version))
    rows = _agreed(
        session,
        and_(hired, or_(at_hire.is_(None), accepted != at_hire)),
        and_(hired, _moved()),
        accepted > col(Job.terms_version),
        and_(current, or_(col(Application.agreed_wage) != col(Job.wage), _moved())),
    )

    def say(r: Any) -> str:
        who = f"job {r.job_id}: application {r.id} of worker {r.worker_id} is {r.status}"
        if r.terms_version > r.job_terms_version:
            return f"{who} with terms version {r.terms_version}, newer than the job's"
        if r.status == A.applied:
            return f"{who} on the job's present terms, but keeps other terms than the job's"
        if r.confirmed_terms_version is None:
            return f"{who}, but no terms version was recorded at its confirmation"
        if r.confirmed_terms_version != r.terms_version:
            return (
                f"{who}, but was confirmed on terms version {r.confirmed_terms_version} "
                f"while its worker accepted version {r.terms_version}"
            )
        return f"{who}, but the job's place or shift moved after the hire"

    return listed(rows, say, "agreed terms")


CHECKS: tuple[Callable[[Session], list[str]], ...] = (check_agreed_pay, check_agreed_terms)
