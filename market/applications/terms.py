"""What a worker agreed to is what holds: the terms each application keeps.

An application copies the job's terms (pay, shift, address and place, trade) when its
worker applies or claims, together with the job's `terms_version`. The employer may edit
the job, but:

- once anyone is hired (`job.confirmed_count > 0`) the pay only goes up and the place never
  moves (the shift already could not): a cut or a move is refused (`check_hired_terms`);
- before a hire, a cut, a move of the place or of the shift raises the job's terms version:
  every pending application then holds terms older than the job's, goes back to its worker
  (`application.terms_changed`), and cannot be confirmed until the worker accepts the new
  terms (`application_accept_terms`) or withdraws;
- a raise needs no acceptance: every hired and pending worker gets it.

A hire records the pay and terms version it was made on (`confirmed_wage`,
`confirmed_terms_version`); `market.invariants` checks that neither moves the wrong way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from market.applications.events import application_event
from market.applications.locks import lock_job, lock_worker
from market.errors import N_, Conflict, NotFound
from market.models import STATUS_LABELS, Application, ApplicationStatus, Job, User
from market.types import utcnow

S = ApplicationStatus
# the job's fields an application keeps, each as `agreed_<field>`
TERMS = ("wage", "start_at", "end_at", "address", "lat", "lon", "trade")
PLACE = ("address", "lat", "lon")
SHIFT = ("start_at", "end_at")
TERMS_CHANGED = N_("The terms changed; please confirm again")


@dataclass(frozen=True)
class TermsChange:
    """How an edit changes a job's terms for the workers on it."""

    pay_cut: bool = False
    pay_raise: bool = False
    place_moves: bool = False
    shift_moves: bool = False

    @property
    def worse(self) -> bool:
        """Worse for someone who accepted the old terms: they must accept again."""
        return self.pay_cut or self.place_moves or self.shift_moves

    def changed(self) -> list[str]:
        """What changed, as the live event names it."""
        named = {
            "pay": self.pay_cut or self.pay_raise,
            "place": self.place_moves,
            "shift": self.shift_moves,
        }
        return [name for name, moved in named.items() if moved]


def terms_of(job: Job, *, now: datetime) -> dict[str, Any]:
    """The job's terms as an application keeps them, accepted `now`."""
    terms: dict[str, Any] = {f"agreed_{field}": getattr(job, field) for field in TERMS}
    terms.update(terms_version=job.terms_version, terms_accepted_at=now)
    return terms


def agree(application: Application, job: Job, now: datetime) -> None:
    """The worker accepts the job's terms as they stand now."""
    for key, value in terms_of(job, now=now).items():
        setattr(application, key, value)


def is_current(application: Application, job: Job) -> bool:
    """Whether the worker accepted the job's present terms (else they must accept again)."""
    return application.terms_version == job.terms_version


def needs_acceptance(application: Application, job: Job) -> bool:
    """A pending application whose worker has not seen the job's present terms."""
    return application.status == S.applied and not is_current(application, job)


def terms_change(job: Job, changes: Mapping[str, Any]) -> TermsChange:
    """How `changes` (field -> new value, only those that differ) would change the terms."""
    wage = changes.get("wage", job.wage)
    return TermsChange(
        pay_cut=wage < job.wage,
        pay_raise=wage > job.wage,
        place_moves=any(k in changes for k in PLACE),
        shift_moves=any(k in changes for k in SHIFT),
    )


def check_hired_terms(job: Job, change: TermsChange) -> None:
    """Once anyone is hired the pay only goes up and the place stays (Conflict otherwise)."""
    if not job.confirmed_count:
        return
    if change.pay_cut:
        raise Conflict(
            N_("Workers are already hired at {wage} yuan: the pay can only go up, never down"),
            field="wage",
            wage=job.wage,
        )
    if change.place_moves:
        raise Conflict(
            N_("Workers are already hired: the place of work can no longer move"), field="lat"
        )


def check_accepted(application: Application, job: Job) -> None:
    """A hire needs the worker to have accepted the job's present terms."""
    if not is_current(application, job):
        raise Conflict(
            N_(
                "The terms changed after this worker applied: they must accept the new "
                "terms before you can hire them"
            )
        )


def record_hire(application: Application, job: Job) -> None:
    """The pay and the terms version the hire is made on (read under the job's lock)."""
    application.agreed_wage = max(application.agreed_wage, job.wage)  # a raise needs no yes
    application.confirmed_wage = application.agreed_wage
    application.confirmed_terms_version = job.terms_version


def _live(session: Session, job: Job, statuses: Iterable[str]) -> list[Application]:
    return list(
        session.exec(
            select(Application)
            .where(Application.job_id == job.id, col(Application.status).in_(list(statuses)))
            .order_by(col(Application.id))
        )
    )


def terms_changed(*, session: Session, job: Job, change: TermsChange, now: datetime) -> None:
    """After an edit: worse terms go back to pending workers, a raise reaches every worker.

    Call with the job row locked and the new terms already set on it.
    """
    if change.worse:
        job.terms_version += 1
        for application in _live(session, job, (S.applied,)):
            _emit(session, application, job, "application.terms_changed", change)
    if change.pay_raise:
        for application in _live(session, job, (S.applied, S.confirmed)):
            if application.agreed_wage < job.wage:
                application.agreed_wage = job.wage
                application.updated_at = now
                session.add(application)
                _emit(session, application, job, "application.pay_raised", change)


def _emit(
    session: Session, application: Application, job: Job, kind: str, change: TermsChange
) -> None:
    application_event(
        session,
        application,
        job,
        kind,
        changed=change.changed(),
        wage=job.wage,
        terms_version=job.terms_version,
        needs_acceptance=needs_acceptance(application, job),
    )


def application_accept_terms(
    *,
    session: Session,
    application: Application,
    worker: User,
    terms_version: int | None = None,
    now: datetime | None = None,
) -> Application:
    """The worker accepts the job's new terms; `terms_version` is the version they read."""
    now = now or utcnow()
    if worker.id != application.worker_id:
        raise NotFound(N_("Application not found"))
    lock_worker(session, application.worker_id)
    session.refresh(application)
    if application.status != S.applied:
        raise Conflict(
            N_("Only a pending application takes new terms; this one is {status}"),
            status=STATUS_LABELS[application.status],
        )
    job = lock_job(session, application.job_id)
    if job.start_at <= now:
        raise Conflict(N_("This shift has already started"))
    if terms_version is not None and terms_version != job.terms_version:
        raise Conflict(
            N_("The terms changed again while you read them; read them again and confirm")
        )
    if is_current(application, job):
        return application  # accepted already (a repeated tap): nothing to write
    agree(application, job, now)
    application.updated_at = now
    session.add(application)
    application_event(
        session,
        application,
        job,
        "application.terms_accepted",
        wage=application.agreed_wage,
        terms_version=application.terms_version,
    )
    return application
