"""Arrears caught early: a hire left unpaid opens a case in the staff queue by itself.

A finished shift not confirmed paid in full `arrears_days` after it ended, or a payment the
worker disputed, opens one `unpaid` report linked to the hire's work record
(`report.work_record_id`, unique: one case per hire, ever). The worker is told the union
has it (`arrears.opened`). The sweep runs with the statistics refresh on every replica and
as `linggong arrears-sweep`; on PostgreSQL an advisory lock lets one replica sweep at a
time, on SQLite the write lock does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, col, select

from market.applications.events import application_event
from market.db import try_xact_lock
from market.errors import N_, Conflict
from market.events.service import event_record
from market.i18n import local
from market.models import (
    Application,
    Job,
    JobStatus,
    Payment,
    Report,
    ReportKind,
    ReportOutcome,
    ReportStatus,
    User,
    Verdict,
    WorkAnswer,
)
from market.reports import service as report_service
from market.settings import get_settings
from market.types import utcnow
from market.work.ledger import (
    WORKING,
    Ledger,
    load_ledger,
    load_ledgers,
    lock_application,
    work_days,
)

OVERDUE, DISPUTED = "overdue", "disputed"
REASONS = {
    OVERDUE: N_("Not confirmed paid in time"),
    DISPUTED: N_("The worker disputes a payment"),
}
# shifts that ended longer ago than this are left to the worker's own report: a database
# that gains the work record does not flood the queue with its whole history
LOOKBACK = timedelta(days=60)
SWEEP_LOCK = 0x6C675F61727265  # "lg_arre": held by one sweep until its transaction ends


def arrears_days() -> int:
    return get_settings().arrears_days


def due_at(job: Job, days: int | None = None) -> datetime:
    """When an unpaid shift becomes a case."""
    return job.end_at + timedelta(days=arrears_days() if days is None else days)


def has_case(*, session: Session, application_id: int) -> bool:
    """Whether the hire already has an unpaid-wage case (opened by itself or reported)."""
    found = session.exec(
        select(Report.id).where(
            Report.application_id == application_id, Report.kind == ReportKind.unpaid
        )
    ).first()
    return found is not None


def case_open(
    *,
    session: Session,
    ledger: Ledger,
    reason: str,
    now: datetime | None = None,
    days: int | None = None,
) -> Report:
    """Open the hire's arrears case, once; the worker and the employer are told."""
    now = now or utcnow()
    application, job = ledger.application, ledger.job
    if has_case(session=session, application_id=application.id or 0):
        raise Conflict(N_("The union already has a case for this work"))
    if reason == DISPUTED and not ledger.disputed:
        raise Conflict(N_("No payment of this work is disputed"))
    if reason == OVERDUE and ledger.paid >= ledger.agreed:
        raise Conflict(N_("This work is paid in full"))
    if reason == OVERDUE and now < due_at(job, days):
        raise Conflict(N_("The employer still has time to pay"))
    if reason not in REASONS or application.status not in WORKING:
        raise Conflict(N_("Only a hired worker's attendance and pay are recorded"))
    first, last = work_days(job)
    report = Report(
        worker_id=application.worker_id,
        employer_id=job.employer_id,
        job_id=job.id or 0,
        application_id=application.id or 0,
        kind=ReportKind.unpaid,
        agreed_wage=ledger.agreed,
        work_from=first,
        work_to=last,
        job_record=case_record(session, ledger, reason),
        created_at=now,
        updated_at=now,
        work_record_id=application.id,
    )
    session.add(report)
    session.flush()
    extra = {"report": report.id, "reason": reason, "owed": ledger.owed}
    application_event(session, application, job, "arrears.opened", **extra)
    return report


def case_settle(*, session: Session, ledger: Ledger, now: datetime | None = None) -> Report | None:
    """Close the hire's open arrears case once the worker has confirmed it paid in full.

    Only a case the work record opened or was linked to (`work_record_id`): the figures that
    opened it are the figures that close it. Outcome `paid`, no staff member (`handled_by`
    stays empty: the work record closed it); both sides and the staff queue see it resolved.
    """
    if ledger.owed > 0:
        return None
    report = session.exec(
        select(Report).where(
            Report.work_record_id == ledger.application.id,
            Report.status != ReportStatus.resolved,
        )
    ).first()
    if report is None:
        return None
    now = now or utcnow()
    report.status, report.outcome = ReportStatus.resolved, ReportOutcome.paid
    report.resolved_at = report.updated_at = now
    session.add(report)
    event_record(
        session=session,
        kind="report.resolved",
        job_id=report.job_id,
        worker_id=report.worker_id,
        employer_id=report.employer_id,
        payload={"report": report.id, "outcome": ReportOutcome.paid, "by": "work_record"},
    )
    session.flush()
    return report


def case_record(session: Session, ledger: Ledger, reason: str) -> dict[str, Any]:
    """The job record as it stood when the case opened, with the work record's figures."""
    application, job = ledger.application, ledger.job
    employer = session.get_one(User, job.employer_id)

    def iso(moment: datetime | None) -> str | None:
        return None if moment is None else local(moment).isoformat()

    return {
        **report_service.job_record(job, application, employer),
        "wage": ledger.agreed,
        "opened_by": "work_record",
        "reason": reason,
        "paid_confirmed": ledger.paid,
        "paid_unanswered": ledger.unanswered,
        "owed": ledger.owed,
        "attendance": [
            {"kind": e.row.kind, "at": iso(e.row.at), "method": e.row.method}
            for e in ledger.entries
        ],
        "payments": [
            {
                "amount": p.row.amount,
                "method": p.row.method,
                "paid_at": iso(p.row.paid_at),
                "state": p.state,
                "received": p.answer.received if p.answer else None,
            }
            for p in ledger.payments
        ],
    }


def _disputed_payment() -> Any:
    return (
        exists()
        .where(
            col(Payment.application_id) == col(Application.id),
            col(WorkAnswer.payment_id) == col(Payment.id),
            col(WorkAnswer.verdict) == Verdict.disputed,
        )
        .correlate(Application)
    )


def arrears_sweep(
    *,
    session: Session,
    now: datetime | None = None,
    days: int | None = None,
    lookback: timedelta = LOOKBACK,
) -> list[Report]:
    """Open a case for every hire due and unpaid, or disputed, that has none yet."""
    now = now or utcnow()
    days = arrears_days() if days is None else days
    if not try_xact_lock(session, SWEEP_LOCK):  # another replica is sweeping right now
        return []
    due = now - timedelta(days=days)
    no_case = ~exists().where(
        col(Report.application_id) == col(Application.id), col(Report.kind) == ReportKind.unpaid
    )
    rows = session.exec(
        select(Application, Job)
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(
            col(Application.status).in_(WORKING),
            col(Job.status) != JobStatus.cancelled,
            or_(
                and_(col(Job.end_at) <= due, col(Job.end_at) > now - lookback),
                _disputed_payment(),
            ),
            no_case,
        )
        .order_by(col(Application.id))
    ).all()
    opened = []
    for application_id, ledger in load_ledgers(session=session, pairs=list(rows)).items():
        reason = DISPUTED if ledger.disputed else OVERDUE if ledger.paid < ledger.agreed else None
        if reason is None:
            continue
        application = lock_application(session=session, application_id=application_id)
        if has_case(session=session, application_id=application_id):
            continue  # a dispute opened it meanwhile
        fresh = load_ledger(session=session, application=application, job=ledger.job)
        reason = DISPUTED if fresh.disputed else OVERDUE if fresh.paid < fresh.agreed else None
        if reason is not None:
            opened.append(
                case_open(session=session, ledger=fresh, reason=reason, now=now, days=days)
            )
    return opened


def count_open_cases(*, session: Session) -> int:
    """Unpaid-wage cases the union has not resolved yet."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Report)
            .where(Report.kind == ReportKind.unpaid, col(Report.resolved_at).is_(None))
        ).one()
    )
