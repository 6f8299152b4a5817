"""What the staff console's API returns, and its CSV export (UTF-8 with BOM, for Excel)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from fastapi import Response
from pydantic import BaseModel, ConfigDict

from market.dispatch.service import DispatchPlan
from market.errors import N_
from market.models import DispatchProposal, Job, Membership, Report, ReportNote, Station, User
from market.reports.service import EmployerReliability
from market.stats.service import GapRow, GroupRow, Period, Summary
from matching import reasons
from matching.model import Reason
from matching.trades import TRADE_BY_CODE
from web.i18n import matching_lang, translate


def trade_name(code: str, locale: str) -> str:
    trade = TRADE_BY_CODE.get(code)
    if trade is None:
        return code
    return trade.zh if locale.startswith("zh") else trade.en


class PeriodOut(BaseModel):
    first: date
    last: date


class SummaryOut(BaseModel):
    period: PeriodOut
    figures: dict[str, float | int | None]


class GroupOut(BaseModel):
    key: str
    name: str  # the trade's name in the page's language, else the key
    jobs_posted: int
    slots_offered: int
    slots_filled: int
    unfilled: int
    fill_rate: float | None
    average_wage: float | None


class GapOut(BaseModel):
    trade: str
    trade_name: str
    district: str
    slots_offered: int
    slots_filled: int
    unfilled: int
    workers: int
    placed: int
    idle: int
    gap: int
    verdict: str


def period_out(period: Period) -> PeriodOut:
    return PeriodOut(first=period.first, last=period.last)


def summary_out(summary: Summary, period: Period) -> SummaryOut:
    return SummaryOut(period=period_out(period), figures=asdict(summary))


def group_out(row: GroupRow, by: str, locale: str) -> GroupOut:
    name = trade_name(row.key, locale) if by == "trade" else row.key
    return GroupOut(name=name, unfilled=row.unfilled, **asdict(row))


def gap_out(row: GapRow, locale: str) -> GapOut:
    return GapOut(trade_name=trade_name(row.trade, locale) if row.trade else "", **asdict(row))


# ---------------------------------------------------------------- CSV

SUMMARY_LABELS = {
    "jobs_posted": N_("Jobs posted"),
    "jobs_cancelled": N_("Jobs cancelled"),
    "slots_offered": N_("Slots offered"),
    "slots_filled": N_("Slots filled"),
    "fill_rate": N_("Fill rate"),
    "median_hours_to_first_hire": N_("Median hours to first hire"),
    "median_hours_to_full": N_("Median hours to full"),
    "median_distance_km": N_("Median travel distance (km)"),
    "average_wage": N_("Average daily wage"),
    "workers_registered": N_("Workers registered"),
    "workers_available_now": N_("Workers available now"),
    "workers_active": N_("Workers active"),
    "workers_placed": N_("Workers placed"),
    "workers_idle": N_("Workers idle"),
    "members": N_("Union members"),
    "members_active": N_("Members active"),
    "members_placed": N_("Members placed"),
    "members_idle": N_("Members idle"),
    "cancelled_by_worker": N_("Hires cancelled by workers"),
    "cancelled_by_employer": N_("Hires cancelled by employers"),
    "no_shows": N_("No-shows"),
}
GROUP_COLUMNS = (
    ("name", N_("Group")),
    ("jobs_posted", N_("Jobs posted")),
    ("slots_offered", N_("Slots offered")),
    ("slots_filled", N_("Slots filled")),
    ("unfilled", N_("Unfilled slots")),
    ("fill_rate", N_("Fill rate")),
    ("average_wage", N_("Average daily wage")),
)
GAP_COLUMNS = (
    ("trade_name", N_("Trade")),
    ("district", N_("District")),
    ("slots_offered", N_("Slots offered")),
    ("slots_filled", N_("Slots filled")),
    ("unfilled", N_("Unfilled slots")),
    ("workers", N_("Workers")),
    ("placed", N_("Placed")),
    ("idle", N_("Idle")),
    ("gap", N_("Gap (unfilled − idle)")),
    ("verdict", N_("Verdict")),
)
VERDICTS = {
    "shortage": N_("short of workers: training need"),
    "surplus": N_("workers idle: lack of jobs"),
    "balanced": N_("balanced"),
}


def csv_response(
    filename: str, locale: str, columns: Sequence[tuple[str, str]], rows: Iterable[dict[str, Any]]
) -> Response:
    """A CSV download with translated headers, UTF-8 with a BOM so Excel reads Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([translate(locale, label) for _, label in columns])
    for row in rows:
        writer.writerow(["" if row.get(key) is None else row[key] for key, _ in columns])
    return Response(
        content="\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# ---------------------------------------------------------------- dispatch


class AssignmentOut(BaseModel):
    job_id: int
    title: str
    trade: str
    address: str
    district: str
    start_at: datetime
    end_at: datetime
    wage: int
    worker_id: int
    worker_name: str
    score: float
    reason: str


class UnfilledOut(BaseModel):
    job_id: int
    title: str
    trade: str
    address: str
    start_at: datetime
    slots: int


class PlanOut(BaseModel):
    day: date
    district: str
    assignments: list[AssignmentOut]
    unfilled: list[UnfilledOut]
    idle_workers: int
    workers_considered: int


def plan_out(plan: DispatchPlan, locale: str) -> PlanOut:
    lang = matching_lang(locale)
    return PlanOut(
        day=plan.day,
        district=plan.district,
        assignments=[
            AssignmentOut(
                job_id=r.job.id or 0,
                title=r.job.title,
                trade=r.job.trade,
                address=r.job.address,
                district=r.job.district,
                start_at=r.job.start_at,
                end_at=r.job.end_at,
                wage=r.job.wage,
                worker_id=r.worker.id or 0,
                worker_name=r.worker.name,
                score=round(r.score, 4),
                reason=reasons.format_reason(r.reason, lang),
            )
            for r in plan.assignments
        ],
        unfilled=[
            UnfilledOut(
                job_id=u.job.id or 0,
                title=u.job.title,
                trade=u.job.trade,
                address=u.job.address,
                start_at=u.job.start_at,
                slots=u.slots,
            )
            for u in plan.unfilled
        ],
        idle_workers=plan.idle_workers,
        workers_considered=plan.workers_considered,
    )


class ProposalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    job_id: int
    worker_id: int
    day: date
    district: str
    score: float
    status: str
    application_id: int | None
    created_at: datetime
    decided_at: datetime | None


class SentOut(ProposalOut):
    title: str
    address: str
    start_at: datetime
    end_at: datetime
    wage: int
    worker_name: str
    worker_phone: str
    employer_name: str
    employer_phone: str


def sent_out(p: DispatchProposal, job: Job, worker: User, employer: User) -> SentOut:
    return SentOut(
        **ProposalOut.model_validate(p).model_dump(),
        title=job.title,
        address=job.address,
        start_at=job.start_at,
        end_at=job.end_at,
        wage=job.wage,
        worker_name=worker.name,
        worker_phone=worker.phone,
        employer_name=employer.name,
        employer_phone=employer.phone,
    )


def proposal_reason(p: DispatchProposal, locale: str) -> str:
    try:
        return reasons.format_reason(Reason(**p.reason), matching_lang(locale))
    except TypeError:
        return ""


# ---------------------------------------------------------------- protection


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


def report_detail_out(
    report: Report, worker: User, employer: User, notes: Sequence[ReportNote]
) -> ReportDetailOut:
    return ReportDetailOut(
        **report_queue_out(report, worker, employer).model_dump(),
        job_record=report.job_record,
        notes=[NoteOut.model_validate(n) for n in notes],
    )


class ReliabilityOut(BaseModel):
    employer_id: int
    name: str
    verified: bool
    late_cancellations: int
    unpaid_reports_upheld: int
    fake_job_reports_upheld: int
    jobs_completed: int
    rating: float | None
    rating_count: int
    open_unpaid_cases: int  # the work record: 有未结工钱 while above 0
    on_time_pay_rate: float | None  # finished hires confirmed paid in full in time (0 to 1)
    finished_hires: int


def reliability_out(r: EmployerReliability) -> ReliabilityOut:
    return ReliabilityOut(**asdict(r))


class StationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    address: str
    district: str
    lat: float
    lon: float
    hours: str
    phone: str
    services: list[str]
    active: bool


class NearStationOut(StationOut):
    distance_km: float


def near_station_out(station: Station, km: float) -> NearStationOut:
    return NearStationOut(**StationOut.model_validate(station).model_dump(), distance_km=km)


class MembershipOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    status: str
    applied_at: datetime
    decided_at: datetime | None
    note: str


class MembershipQueueOut(MembershipOut):
    name: str
    phone: str


def membership_queue_out(m: Membership, user: User) -> MembershipQueueOut:
    return MembershipQueueOut(
        **MembershipOut.model_validate(m).model_dump(), name=user.name, phone=user.phone
    )


class ModerationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    staff_id: int
    action: str
    job_id: int | None
    user_id: int | None
    reason: str
    created_at: datetime


class JobModerationOut(BaseModel):
    job_id: int
    hidden: bool
    reason: str | None
