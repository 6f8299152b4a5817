"""Staff console, protection side: report queue, moderation, stations, union membership."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import Response

from market.errors import N_
from market.membership import service as membership_service
from market.membership.schemas import MembershipDecision
from market.moderation import service as moderation_service
from market.moderation.schemas import ModerationReason, VerifyRequest
from market.reports import service as protection_service
from market.reports.schemas import ReportNoteCreate, ReportResolution
from market.stations import service as station_service
from market.stations.schemas import StationCreate, StationUpdate
from web.deps import CurrentStaff, JobDep, LocaleDep, SessionDep
from web.errors import download
from web.staff_deps import Id, ReportDep, StationDep, TargetUserDep, require_staff
from web.staff_schemas import (
    JobModerationOut,
    MembershipOut,
    MembershipQueueOut,
    ModerationOut,
    NoteOut,
    ReliabilityOut,
    ReportDetailOut,
    ReportOut,
    ReportQueueOut,
    StationOut,
    csv_response,
    membership_queue_out,
    party,
    reliability_out,
    report_detail_out,
    report_queue_out,
)

router = APIRouter(prefix="/staff", tags=["staff"], dependencies=[Depends(require_staff)])

ReportStatusFilter = Annotated[
    Literal["open", "in_progress", "resolved"] | None, Query(alias="status")
]


@router.get("/reports")
def reports(session: SessionDep, status_: ReportStatusFilter = None) -> list[ReportQueueOut]:
    """The queue of wage-arrears and scam reports, unresolved ones oldest first."""
    rows = protection_service.list_reports(session=session, status=status_)
    return [report_queue_out(*row) for row in rows]


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


@router.get(
    "/reports.csv", response_class=Response, responses=download("text/csv", "Every report as CSV")
)
def reports_csv(session: SessionDep, locale: LocaleDep) -> Response:
    """The whole report queue as CSV (UTF-8 with BOM)."""
    rows = []
    for report, worker, employer in protection_service.list_reports(session=session, limit=10_000):
        row = report_queue_out(report, worker, employer).model_dump()
        row["worker"] = f"{worker.name} {worker.phone}"
        row["employer"] = f"{employer.name} {employer.phone}"
        rows.append(row)
    return csv_response("reports.csv", locale, REPORT_COLUMNS, rows)


def _detail(session: SessionDep, report: ReportDep) -> ReportDetailOut:
    worker = moderation_service.get_user(session=session, user_id=report.worker_id)
    employer = moderation_service.get_user(session=session, user_id=report.employer_id)
    notes = protection_service.list_report_notes(session=session, report_id=report.id or 0)
    return report_detail_out(report, worker, employer, notes)


@router.get("/reports/{report_id}")
def report_get(report: ReportDep, session: SessionDep) -> ReportDetailOut:
    """One report with the job record attached when it was made, and staff's notes."""
    return _detail(session, report)


@router.get(
    "/reports/{report_id}/photo",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The photo"}},
)
def report_photo(report: ReportDep, session: SessionDep) -> Response:
    """The report's photo."""
    photo = protection_service.get_report_photo(session=session, report_id=report.id or 0)
    return Response(content=photo.data, media_type=photo.content_type)


@router.post("/reports/{report_id}/notes", status_code=status.HTTP_201_CREATED)
def report_note(
    data: ReportNoteCreate, report: ReportDep, staff: CurrentStaff, session: SessionDep
) -> NoteOut:
    """Log a contact with the worker or the employer."""
    note = protection_service.report_note_add(
        session=session, report=report, staff=staff, text=data.text
    )
    return NoteOut.model_validate(note)


@router.post("/reports/{report_id}/resolve")
def report_resolve(
    data: ReportResolution, report: ReportDep, staff: CurrentStaff, session: SessionDep
) -> ReportOut:
    """Record the outcome: paid, mediated, referred to legal aid, or unfounded."""
    resolved = protection_service.report_resolve(
        session=session, report=report, staff=staff, outcome=data.outcome, note=data.note
    )
    return ReportOut.model_validate(resolved)


# ---------------------------------------------------------------- moderation


@router.post("/jobs/{job_id}/hide")
def job_hide(
    data: ModerationReason, job: JobDep, staff: CurrentStaff, session: SessionDep
) -> JobModerationOut:
    """Take a posting down; the employer sees the reason."""
    job = moderation_service.job_hide(session=session, staff=staff, job=job, reason=data.reason)
    return JobModerationOut(job_id=job.id or 0, hidden=True, reason=job.hidden_reason)


@router.post("/jobs/{job_id}/unhide")
def job_unhide(job: JobDep, staff: CurrentStaff, session: SessionDep) -> JobModerationOut:
    """Put a hidden posting back."""
    job = moderation_service.job_unhide(session=session, staff=staff, job=job)
    return JobModerationOut(job_id=job.id or 0, hidden=False, reason=None)


@router.get("/jobs/hidden")
def jobs_hidden(session: SessionDep) -> list[JobModerationOut]:
    """Postings currently taken down."""
    return [
        JobModerationOut(job_id=j.id or 0, hidden=True, reason=j.hidden_reason)
        for j in moderation_service.list_hidden_jobs(session=session)
    ]


@router.post("/users/{user_id}/suspend")
def user_suspend(
    data: ModerationReason, user: TargetUserDep, staff: CurrentStaff, session: SessionDep
) -> dict[str, object]:
    """Suspend a worker or employer account: logged out, and no new login."""
    user = moderation_service.user_suspend(
        session=session, staff=staff, user=user, reason=data.reason
    )
    return {**party(user).model_dump(), "active": user.is_active}


@router.post("/users/{user_id}/reinstate")
def user_reinstate(
    user: TargetUserDep, staff: CurrentStaff, session: SessionDep
) -> dict[str, object]:
    """Lift a suspension."""
    user = moderation_service.user_reinstate(session=session, staff=staff, user=user)
    return {**party(user).model_dump(), "active": user.is_active}


@router.post("/employers/{user_id}/verify")
def employer_verify(
    user_id: Id, data: VerifyRequest, staff: CurrentStaff, session: SessionDep
) -> ReliabilityOut:
    """Give or take back the verified badge workers see."""
    moderation_service.employer_verify(
        session=session, staff=staff, employer_id=user_id, verified=data.verified
    )
    return reliability_out(
        protection_service.get_employer_reliability(session=session, employer_id=user_id)
    )


@router.get("/moderation")
def moderation_log(session: SessionDep) -> list[ModerationOut]:
    """The latest moderation actions, newest first."""
    actions = moderation_service.list_moderation_actions(session=session)
    return [ModerationOut.model_validate(a) for a in actions]


# ---------------------------------------------------------------- stations


@router.get("/stations")
def stations(session: SessionDep) -> list[StationOut]:
    """Every station, closed ones included."""
    return [StationOut.model_validate(s) for s in station_service.list_stations(session=session)]


@router.post("/stations", status_code=status.HTTP_201_CREATED)
def station_create(data: StationCreate, session: SessionDep) -> StationOut:
    """Add a service station."""
    return StationOut.model_validate(station_service.station_create(session=session, data=data))


@router.patch("/stations/{station_id}")
def station_update(data: StationUpdate, station: StationDep, session: SessionDep) -> StationOut:
    """Edit a station (active=false closes it)."""
    updated = station_service.station_update(session=session, station=station, data=data)
    return StationOut.model_validate(updated)


# ---------------------------------------------------------------- membership

MembershipFilter = Annotated[
    Literal["pending", "approved", "rejected"] | None, Query(alias="status")
]


@router.get("/memberships")
def memberships(session: SessionDep, status_: MembershipFilter = None) -> list[MembershipQueueOut]:
    """Membership applications (filter by status)."""
    rows = membership_service.list_memberships(session=session, status=status_)
    return [membership_queue_out(m, u) for m, u in rows]


@router.post("/memberships/{user_id}/decide")
def membership_decide(
    user_id: Id,
    data: MembershipDecision,
    staff: CurrentStaff,
    session: SessionDep,
    locale: LocaleDep,
) -> MembershipOut:
    """Approve or reject a worker's application to join the union."""
    decided = membership_service.membership_decide(
        session=session, staff=staff, user_id=user_id, approve=data.approve, note=data.note
    )
    return MembershipOut.model_validate(decided)
