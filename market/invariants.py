"""The database's invariants, checked with SQL aggregates: `check_all` lists what is broken.

Run after a crash, a restore, a fault test or a migration: an empty list means healthy.
Only what the services guarantee is checked (see the notes on each check), so a
violation always means a bug or a change that bypassed `market`.

How the services keep the counts (market/applications/service.py, market/jobs/service.py):

- a hire takes a slot (`job.confirmed_count += 1`); calling a hire off frees it; a
  no-show keeps its slot and `job_complete` turns hires into `completed` without freeing
  theirs, so a job's counter is its confirmed, no-show and completed applications —
  except a cancelled job, whose counter `job_cancel` sets to 0;
- an open or filled job is `filled` exactly when every slot is taken;
- a hire keeps the pay and the terms version it was confirmed on: the pay only goes up
  (the job's with it) and the place and shift stay; a pending application on the job's
  present terms version carries the job's terms (market/applications/terms.py);
- every application starts with an `application.created` event (an instant job's claim
  is its hire: that event then says `"status": "confirmed"`), and each later status is
  reached with an event named after it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, Table, and_, case, exists, func, literal, or_, select
from sqlmodel import Session, col

from market.applications import invariants as terms_invariants
from market.applications.models import HIRED
from market.checks import SHOWN, listed, violations
from market.db import read_only
from market.models import Application, ApplicationStatus, Event, Job, JobStatus
from market.standby import invariants as standby_invariants
from market.work import invariants as work_invariants

A, J = ApplicationStatus, JobStatus
LIVE = (A.applied, A.confirmed)  # applications a finished job may no longer have


def check_all(*, engine: Engine) -> list[str]:
    """Every invariant violation found in the database, as sentences; empty when healthy."""
    with Session(read_only(engine)) as session:
        violations: list[str] = []
        for check in CHECKS:
            violations.extend(check(session))
        return violations


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _per_job() -> Any:
    """Per job: how many of its applications hold a slot, and how many are live (one scan)."""

    def count(statuses: tuple[str, ...]) -> Any:
        return func.sum(case((col(Application.status).in_(statuses), 1), else_=0))

    return (
        select(
            col(Application.job_id).label("job_id"),
            count(HIRED).label("hired"),
            count(LIVE).label("live"),
        )
        .group_by(col(Application.job_id))
        .subquery()
    )


def _job_counts(session: Session, *where: Any) -> list[Any]:
    per_job = _per_job()
    hired = func.coalesce(per_job.c.hired, 0).label("hired")
    live = func.coalesce(per_job.c.live, 0).label("live")
    query = (
        select(
            col(Job.id),
            col(Job.status),
            col(Job.headcount),
            col(Job.confirmed_count),
            col(Job.filled_at),
            hired,
            live,
        )
        .select_from(Job)
        .outerjoin(per_job, per_job.c.job_id == col(Job.id))
    )
    rows = session.execute(
        query.where(*(w(hired, live) for w in where)).order_by(col(Job.id)).limit(SHOWN + 1)
    )
    return list(rows)


def check_headcount(session: Session) -> list[str]:
    """No job has more hires than its headcount."""
    rows = _job_counts(session, lambda hired, _live: hired > col(Job.headcount))
    return listed(
        rows,
        lambda r: f"job {r.id}: {r.hired} workers hired for a headcount of {r.headcount}",
        "over headcount",
    )


def check_slot_counter(session: Session) -> list[str]:
    """A job's `confirmed_count` is its hired applications (0 once cancelled)."""
    expected = lambda hired: case((col(Job.status) == J.cancelled, 0), else_=hired)  # noqa: E731
    rows = _job_counts(session, lambda hired, _live: col(Job.confirmed_count) != expected(hired))
    return listed(
        rows,
        lambda r: (
            f"job {r.id}: confirmed_count is {r.confirmed_count}, but it is {r.status} "
            f"with {r.hired} hired (confirmed, no-show or completed) applications"
        ),
        "slot counter",
    )


def check_job_status(session: Session) -> list[str]:
    """Open means slots left, filled means none; a finished job has no live applications."""
    active = col(Job.status).in_((J.open, J.filled))
    full = lambda hired: hired >= col(Job.headcount)  # noqa: E731
    rows = _job_counts(
        session,
        lambda hired, live: or_(
            col(Job.status).not_in(tuple(J)),
            and_(col(Job.status) == J.open, full(hired)),
            and_(col(Job.status) == J.filled, ~full(hired)),
            and_(col(Job.status) == J.filled, col(Job.filled_at).is_(None)),
            and_(~active, live > 0),
        ),
    )

    def say(r: Any) -> str:
        if r.status not in tuple(J):
            return f"job {r.id}: unknown status {r.status!r}"
        if r.status in (J.open, J.filled) and (r.status == J.filled) != (r.hired >= r.headcount):
            return f"job {r.id}: {r.status} with {r.hired} of {r.headcount} slots taken"
        if r.status == J.filled and r.filled_at is None:
            return f"job {r.id}: filled but has no filled_at time"
        return f"job {r.id}: {r.status} but still has {r.live} applied or confirmed applications"

    bad_applications = session.execute(
        select(
            col(Application.id),
            col(Application.job_id),
            col(Application.worker_id),
            col(Application.status),
        )
        .where(col(Application.status).not_in(tuple(A)))
        .order_by(col(Application.id))
        .limit(SHOWN + 1)
    )
    return listed(rows, say, "job status") + listed(
        bad_applications,
        lambda r: (
            f"job {r.job_id}: application {r.id} of worker {r.worker_id} "
            f"has unknown status {r.status!r}"
        ),
        "application status",
    )


def check_no_overlap(session: Session) -> list[str]:
    """No worker is confirmed for two jobs whose shifts overlap (the jobs' own shifts)."""
    a1, a2 = (_table(Application).alias(n) for n in ("a1", "a2"))
    j1, j2 = (_table(Job).alias(n) for n in ("j1", "j2"))
    return violations(
        session,
        select(a1.c.worker_id, a1.c.job_id.label("first"), a2.c.job_id.label("second"))
        .join(a2, and_(a2.c.worker_id == a1.c.worker_id, a2.c.id > a1.c.id))
        .join(j1, j1.c.id == a1.c.job_id)
        .join(j2, j2.c.id == a2.c.job_id)
        .where(
            a1.c.status == A.confirmed,
            a2.c.status == A.confirmed,
            j1.c.start_at < j2.c.end_at,
            j2.c.start_at < j1.c.end_at,
        )
        .order_by(a1.c.worker_id, a1.c.id, a2.c.id),
        lambda r: (
            f"worker {r.worker_id}: confirmed for jobs {r.first} and {r.second}, "
            "whose shifts overlap"
        ),
        "overlapping hires",
    )


def check_shift_copies(session: Session) -> list[str]:
    """Applied and confirmed applications carry their job's shift (the clash check reads it)."""
    return violations(
        session,
        select(col(Application.id), col(Application.job_id), col(Application.worker_id))
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(
            col(Application.status).in_(LIVE),
            or_(
                col(Application.shift_start) != col(Job.start_at),
                col(Application.shift_end) != col(Job.end_at),
            ),
        )
        .order_by(col(Application.id)),
        lambda r: (
            f"job {r.job_id}: application {r.id} of worker {r.worker_id} "
            "carries a shift other than the job's"
        ),
        "shift copies",
    )


def _event(kind: Any, *, job: Any, worker: Any = None, confirmed_claim: bool = False) -> Any:
    """EXISTS an outbox event of `kind` about this job (and worker)."""
    match = [col(Event.job_id) == job, col(Event.kind) == kind]
    if worker is not None:
        match.append(col(Event.worker_id) == worker)
    if confirmed_claim:  # the claim of an instant job is the hire
        match.append(col(Event.payload)["status"].as_string() == A.confirmed)
    return exists().where(*match)


def _missing(flags: dict[str, bool]) -> str:
    return ", ".join(kind for kind, present in flags.items() if not present)


def check_job_events(session: Session) -> list[str]:
    """Every job was posted with its event; a cancelled, completed or hidden job has its."""
    job, status = col(Job.id), col(Job.status)
    flags = (
        select(
            job.label("id"),
            status.label("status"),
            _event("job.posted", job=job).label("posted"),
            or_(status != J.cancelled, _event("job.cancelled", job=job)).label("cancelled"),
            or_(status != J.completed, _event("job.completed", job=job)).label("completed"),
            or_(col(Job.hidden_reason).is_(None), _event("job.hidden", job=job)).label("hidden"),
        )
    ).subquery()
    events = ("posted", "cancelled", "completed", "hidden")
    return violations(
        session,
        select(flags).where(or_(*(~flags.c[e] for e in events))).order_by(flags.c.id),
        lambda r: (
            f"job {r.id}: {r.status}, but the outbox has no "
            + _missing({f"job.{e}": bool(getattr(r, e)) for e in events})
            + " event"
        ),
        "job events",
    )


def check_application_events(session: Session) -> list[str]:
    """Each application has its `application.created`, its hire and its current status's event."""
    job, worker, status = (
        col(Application.job_id),
        col(Application.worker_id),
        col(Application.status),
    )
    hire = or_(
        _event("application.confirmed", job=job, worker=worker),
        _event("application.created", job=job, worker=worker, confirmed_claim=True),
    )
    current = case(
        (status == A.applied, literal("application.created")),
        else_=literal("application.") + status,
    )
    flags = select(
        col(Application.id).label("id"),
        job.label("job_id"),
        worker.label("worker_id"),
        status.label("status"),
        _event("application.created", job=job, worker=worker).label("created"),
        or_(status.not_in(HIRED), hire).label("hired"),
        or_(status == A.confirmed, _event(current, job=job, worker=worker)).label("current"),
    ).subquery()
    rows = session.execute(
        select(flags)
        .where(or_(~flags.c.created, ~flags.c.hired, ~flags.c.current))
        .order_by(flags.c.id)
        .limit(SHOWN + 1)
    )

    def say(r: Any) -> str:
        status_event = "application.created" if r.status == A.applied else f"application.{r.status}"
        missing = {
            "application.created": r.created,
            "hire (application.confirmed, or a confirmed instant claim)": r.hired,
            status_event: r.current,
        }
        return (
            f"job {r.job_id}: application {r.id} of worker {r.worker_id} is {r.status}, "
            f"but the outbox has no {_missing({k: bool(v) for k, v in missing.items()})} event"
        )

    return listed(rows, say, "application events")


def check_outbox_numbers(session: Session) -> list[str]:
    """Numbered events are numbered 1, 2, 3 ... without gaps or repeats."""
    seq = col(Event.seq)
    numbered, distinct, low, high = session.execute(
        select(func.count(seq), func.count(seq.distinct()), func.min(seq), func.max(seq))
    ).one()
    violations = []
    if numbered and (low != 1 or high != distinct):
        following = _table(Event).alias("following")
        first_gap = session.execute(
            select(func.min(seq + 1)).where(
                seq.is_not(None),
                seq < high,
                ~exists().where(following.c.seq == seq + 1),
            )
        ).scalar()
        first_missing = 1 if low > 1 else first_gap
        violations.append(
            f"outbox: {distinct} distinct numbers run from {low} to {high}, not 1 to {distinct}"
            + (f"; number {first_missing} is missing" if first_missing is not None else "")
        )
    if numbered != distinct:
        repeated = session.execute(
            select(seq, func.count().label("times"))
            .where(seq.is_not(None))
            .group_by(seq)
            .having(func.count() > 1)
            .order_by(seq)
            .limit(SHOWN + 1)
        )
        violations += listed(
            repeated,
            lambda r: f"outbox: number {r.seq} is given to {r.times} events",
            "outbox repeats",
        )
    return violations


CHECKS: tuple[Callable[[Session], list[str]], ...] = (
    check_headcount,
    check_slot_counter,
    check_job_status,
    check_no_overlap,
    check_shift_copies,
    *terms_invariants.CHECKS,  # the terms each hire was agreed on
    check_job_events,
    check_application_events,
    check_outbox_numbers,
    *work_invariants.CHECKS,  # attendance, payments, answers, arrears cases
    *standby_invariants.CHECKS,  # the standby lists' entries and offers
)
