"""An employer's standing on pay: open unpaid-wage cases, the on-time pay rate, posting holds.

Workers see an employer with an open case marked "有未结工钱" on its jobs, and the share of
its finished hires confirmed paid in full within `arrears_days` of the shift's end. Union
staff may stop such an employer posting: the hold applies while a case is open (settled,
it no longer stops anything) until staff lift it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from market.errors import N_, Conflict, NotFound
from market.events.service import event_record
from market.models import (
    Application,
    EmployerProfile,
    Job,
    JobStatus,
    ModerationAction,
    Payment,
    PostingHold,
    Report,
    ReportKind,
    ReportStatus,
    User,
    Verdict,
    WorkAnswer,
)
from market.settings import get_settings
from market.types import utcnow
from market.work.ledger import WORKING
from market.work.terms import agreed_wage

RECORD_WINDOW = timedelta(days=365)  # the on-time rate reads the last year of hires


def _open_unpaid() -> list[Any]:
    return [col(Report.kind) == ReportKind.unpaid, col(Report.status) != ReportStatus.resolved]


def employers_in_arrears(*, session: Session, employer_ids: Iterable[int]) -> set[int]:
    """Which of these employers have an open unpaid-wage case."""
    ids = sorted(set(employer_ids))
    if not ids:
        return set()
    return set(
        session.exec(
            select(Report.employer_id)
            .where(col(Report.employer_id).in_(ids), *_open_unpaid())
            .distinct()
        )
    )


def all_employers_in_arrears(*, session: Session) -> set[int]:
    """Every employer with an open unpaid-wage case (a few rows: the feed's read model keeps
    them, instead of asking for each page's employers)."""
    return set(session.exec(select(Report.employer_id).where(*_open_unpaid()).distinct()))


@dataclass(frozen=True)
class PayRecord:
    open_cases: int
    finished: int  # hires whose time to pay is over (last year)
    paid_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.finished else round(self.paid_on_time / self.finished, 3)


def get_pay_record(*, session: Session, employer_id: int, now: datetime | None = None) -> PayRecord:
    """The employer's open cases and how many finished hires were paid on time."""
    now = now or utcnow()
    days = timedelta(days=get_settings().arrears_days)
    open_cases = len(
        session.exec(
            select(Report.id).where(col(Report.employer_id) == employer_id, *_open_unpaid())
        ).all()
    )
    hires = session.exec(
        select(Application, Job)
        .join(Job, col(Job.id) == col(Application.job_id))
        .where(
            col(Job.employer_id) == employer_id,
            col(Job.status) != JobStatus.cancelled,
            col(Application.status).in_(WORKING),
            col(Job.end_at) <= now - days,
            col(Job.end_at) > now - RECORD_WINDOW,
        )
    ).all()
    paid = _confirmed_payments(session, [a.id or 0 for a, _j in hires])
    on_time = 0
    for application, job in hires:
        deadline = job.end_at + days
        in_time = sum(amount for amount, at in paid.get(application.id or 0, []) if at <= deadline)
        on_time += in_time >= agreed_wage(application, job)
    return PayRecord(open_cases=open_cases, finished=len(hires), paid_on_time=on_time)


def _confirmed_payments(
    session: Session, application_ids: list[int]
) -> dict[int, list[tuple[int, datetime]]]:
    found: dict[int, list[tuple[int, datetime]]] = {}
    if not application_ids:
        return found
    rows = session.exec(
        select(Payment.application_id, Payment.amount, Payment.paid_at)
        .join(WorkAnswer, col(WorkAnswer.payment_id) == col(Payment.id))
        .where(
            col(Payment.application_id).in_(application_ids),
            col(WorkAnswer.verdict) == Verdict.confirmed,
        )
    )
    for application_id, amount, paid_at in rows:
        found.setdefault(application_id, []).append((amount, paid_at))
    return found


def get_hold(*, session: Session, employer_id: int) -> PostingHold | None:
    return session.get(PostingHold, employer_id)


def holds_of(*, session: Session, employer_ids: Iterable[int]) -> set[int]:
    """Which of these employers staff stopped posting."""
    ids = sorted(set(employer_ids))
    if not ids:
        return set()
    return set(
        session.exec(select(PostingHold.employer_id).where(col(PostingHold.employer_id).in_(ids)))
    )


def check_may_post(*, session: Session, employer_id: int) -> None:
    """Refuse a posting while staff hold the employer's postings over an open case."""
    if get_hold(session=session, employer_id=employer_id) is None:
        return
    if employers_in_arrears(session=session, employer_ids=[employer_id]):
        raise Conflict(
            N_(
                "The union has stopped your postings until the unpaid wages of your "
                "workers are settled. Pay them, or call the union office."
            )
        )


def _log(
    session: Session, staff: User, action: str, employer_id: int, reason: str, now: datetime
) -> None:
    session.add(
        ModerationAction(
            staff_id=staff.id or 0,
            action=action,
            user_id=employer_id,
            reason=reason,
            created_at=now,
        )
    )


def posting_hold_place(
    *, session: Session, staff: User, employer_id: int, reason: str, now: datetime | None = None
) -> PostingHold:
    """Stop an employer with an open unpaid-wage case posting until it is settled."""
    now = now or utcnow()
    if session.get(EmployerProfile, employer_id) is None:
        raise NotFound(N_("Employer not found"))
    if get_hold(session=session, employer_id=employer_id) is not None:
        raise Conflict(N_("This employer's postings are already stopped"))
    if not employers_in_arrears(session=session, employer_ids=[employer_id]):
        raise Conflict(N_("This employer has no open unpaid-wage case"))
    hold = PostingHold(
        employer_id=employer_id, placed_by=staff.id or 0, reason=reason, placed_at=now
    )
    session.add(hold)
    _log(session, staff, "employer.posting_stopped", employer_id, reason, now)
    event_record(
        session=session,
        kind="posting.stopped",
        employer_id=employer_id,
        payload={"employer": employer_id, "reason": reason},
    )
    session.flush()
    return hold


def posting_hold_lift(
    *, session: Session, staff: User, employer_id: int, now: datetime | None = None
) -> None:
    """Let the employer post again."""
    now = now or utcnow()
    hold = get_hold(session=session, employer_id=employer_id)
    if hold is None:
        if session.get(EmployerProfile, employer_id) is None:
            raise NotFound(N_("Employer not found"))
        raise Conflict(N_("This employer's postings are not stopped"))
    session.delete(hold)
    _log(session, staff, "employer.posting_resumed", employer_id, "", now)
    event_record(
        session=session,
        kind="posting.resumed",
        employer_id=employer_id,
        payload={"employer": employer_id},
    )
    session.flush()
