"""Wage-arrears and scam reports as the API shows them, and an employer's record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from market.errors import N_
from market.models import Report, User
from market.reports.service import EmployerReliability
from market.reports.views import ReportDetail


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    worker_id: int
    employer_id: int
    job_id: int
    kind: str
    agreed_wage: int
    work_from: date
    work_to: date
    description: str
    has_photo: bool
    status: str
    outcome: str | None
    outcome_note: str
    created_at: datetime
    resolved_at: datetime | None


class PartyOut(BaseModel):
    id: int
    name: str
    phone: str


class ReportQueueOut(ReportOut):
    worker: PartyOut
    employer: PartyOut


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    staff_id: int
    text: str
    created_at: datetime


class ReportDetailOut(ReportQueueOut):
    job_record: dict[str, Any]
    notes: list[NoteOut]


def party(user: User) -> PartyOut:
    return PartyOut(id=user.id or 0, name=user.name, phone=user.phone)


def report_queue_out(report: Report, worker: User, employer: User) -> ReportQueueOut:
    return ReportQueueOut(
        **ReportOut.model_validate(report).model_dump(),
        worker=party(worker),
        employer=party(employer),
    )


def report_detail_out(detail: ReportDetail) -> ReportDetailOut:
    return ReportDetailOut(
        **report_queue_out(detail.report, detail.worker, detail.employer).model_dump(),
        job_record=detail.report.job_record,
        notes=[NoteOut.model_validate(n) for n in detail.notes],
    )


class ReliabilityOut(EmployerReliability):  # the market's field set, shown as it is
    pass


def reliability_out(r: EmployerReliability) -> ReliabilityOut:
    return ReliabilityOut.model_validate(r.model_dump())


REPORT_COLUMNS = (
    ("id", N_("Report")),
    ("created_at", N_("Reported at")),
    ("kind", N_("Kind")),
    ("status", N_("Status")),
    ("worker", N_("Worker")),
    ("employer", N_("Employer")),
    ("job_id", N_("Job")),
    ("agreed_wage", N_("Agreed wage")),
    ("work_from", N_("First day")),
    ("work_to", N_("Last day")),
    ("outcome", N_("Outcome")),
)


def report_rows(rows: Sequence[tuple[Report, User, User]]) -> list[dict[str, Any]]:
    """The queue as rows of the CSV export: each side as "name phone"."""
    out = []
    for report, worker, employer in rows:
        row = report_queue_out(report, worker, employer).model_dump()
        row["worker"] = f"{worker.name} {worker.phone}"
        row["employer"] = f"{employer.name} {employer.phone}"
        out.append(row)
    return out
