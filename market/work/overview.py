"""Open arrears for union staff: every open unpaid-wage case with what is still owed, and
the same summed per employer, trade or district (count, amount, days outstanding)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session, col, select

from market.i18n import local
from market.models import Application, Job, Report, ReportKind, ReportStatus
from market.types import utcnow
from market.work import standing
from market.work.record import Record, records_of

By = Literal["employer", "trade", "district"]


@dataclass(frozen=True)
class OpenCase:
    report: Report
    record: Record
    days_outstanding: int  # local days since the shift ended
    posting_stopped: bool

    @property
    def owed(self) -> int:
        return self.record.ledger.owed


@dataclass(frozen=True)
class ArrearsGroup:
    key: str  # employer id, trade code or district name
    label: str  # the employer's name; trade and district are named by the page
    cases: int
    amount: int
    days_max: int
    days_mean: float
    employer_id: int | None = None
    posting_stopped: bool = False


def list_open_cases(*, session: Session, now: datetime | None = None) -> list[OpenCase]:
    """Unresolved unpaid-wage cases, longest outstanding first."""
    now = now or utcnow()
    rows = session.exec(
        select(Report, Application, Job)
        .join(Application, col(Application.id) == col(Report.application_id))
        .join(Job, col(Job.id) == col(Report.job_id))
        .where(Report.kind == ReportKind.unpaid, col(Report.status) != ReportStatus.resolved)
        .order_by(col(Job.end_at), col(Report.id))
    ).all()
    records = records_of(session, [(a, j) for _r, a, j in rows])
    stopped = standing.holds_of(session=session, employer_ids=[j.employer_id for _r, _a, j in rows])
    today = local(now).date()
    return [
        OpenCase(
            report=report,
            record=record,
            days_outstanding=max(0, (today - local(job.end_at).date()).days),
            posting_stopped=job.employer_id in stopped,
        )
        for (report, _a, job), record in zip(rows, records, strict=True)
    ]


def arrears_by(*, session: Session, by: By, now: datetime | None = None) -> list[ArrearsGroup]:
    """Open arrears summed per employer, trade or district, the largest amount first."""
    cases = list_open_cases(session=session, now=now)
    grouped: dict[str, list[OpenCase]] = {}
    for case in cases:
        job = case.record.job
        key = {"employer": str(job.employer_id), "trade": job.trade, "district": job.district}[by]
        grouped.setdefault(key, []).append(case)
    groups = []
    for key, members in grouped.items():
        first = members[0].record
        days = [c.days_outstanding for c in members]
        groups.append(
            ArrearsGroup(
                key=key,
                label=(first.org_name or first.employer.name) if by == "employer" else key,
                cases=len(members),
                amount=sum(c.owed for c in members),
                days_max=max(days),
                days_mean=round(sum(days) / len(days), 1),
                employer_id=first.job.employer_id if by == "employer" else None,
                posting_stopped=by == "employer" and members[0].posting_stopped,
            )
        )
    return sorted(groups, key=lambda g: (-g.amount, -g.cases, g.key))
