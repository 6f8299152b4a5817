"""Wage-arrears and scam reports: workers make them, union staff work the queue.

Also an employer's record (verified, upheld reports, late cancellations), which workers
read before taking a job.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi.responses import Response

from market.paging import DEFAULT_LIMIT
from market.reports import service as report_service
from market.reports import views as report_views
from market.reports.schemas import ReportNoteCreate, ReportResolution
from market.types import MAX_ID
from web.api import console_router
from web.api.downloads import csv_response, download
from web.api.schemas.reports import (
    REPORT_COLUMNS,
    NoteOut,
    ReliabilityOut,
    ReportDetailOut,
    ReportOut,
    ReportQueueOut,
    reliability_out,
    report_detail_out,
    report_queue_out,
    report_rows,
)
from web.deps import (
    AfterQuery,
    CurrentStaff,
    CurrentUser,
    CurrentWorker,
    Id,
    JobDep,
    LimitQuery,
    LocaleDep,
    ReportDep,
    SessionDep,
    link_next,
)
from web.security.rate_limits import ReportLimit

router = APIRouter()
protection = APIRouter(tags=["protection"])  # workers and employers
console = console_router()
# the photo plus the form; web.app hands this to the body limiter for this path
UPLOAD_LIMIT = report_service.MAX_PHOTO_BYTES + 256 * 1024


@protection.post("/reports", status_code=status.HTTP_201_CREATED)
def report_create(
    worker: CurrentWorker,
    session: SessionDep,
    _limit: ReportLimit,
    job_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    kind: Annotated[str, Form(pattern="^(unpaid|fake_job)$")],
    agreed_wage: Annotated[int, Form(ge=1, le=100_000)],
    work_from: Annotated[date, Form()],
    work_to: Annotated[date, Form()],
    description: Annotated[str, Form(max_length=2000)] = "",
    photo: Annotated[UploadFile | None, File(description="JPEG or PNG, at most 2 MB")] = None,
) -> ReportOut:
    """Report unpaid wages or a fake job (multipart form, optional photo)."""
    checked = None
    if photo is not None and photo.filename:
        checked = report_service.photo_check(photo.file.read(report_service.MAX_PHOTO_BYTES + 1))
    report = report_service.report_create(
        session=session,
        worker=worker,
        job_id=job_id,
        kind=kind,
        agreed_wage=agreed_wage,
        work_from=work_from,
        work_to=work_to,
        description=description,
        photo=checked,
    )
    return ReportOut.model_validate(report)


@protection.get("/worker/reports")
def my_reports(worker: CurrentWorker, session: SessionDep) -> list[ReportOut]:
    """My reports and how the union resolved them."""
    reports = report_service.list_worker_reports(session=session, worker_id=worker.id or 0)
    return [ReportOut.model_validate(r) for r in reports]


@protection.get("/employers/{employer_id}/reliability")
def employer_reliability(employer_id: Id, user: CurrentUser, session: SessionDep) -> ReliabilityOut:
    """An employer's record: verified badge, late cancellations, upheld no-pay reports."""
    return reliability_out(
        report_service.get_employer_reliability(session=session, employer_id=employer_id)
    )


@protection.get("/jobs/{job_id}/employer")
def job_employer(job: JobDep, user: CurrentUser, session: SessionDep) -> ReliabilityOut:
    """The record of the employer behind a job, for a worker deciding whether to take it."""
    return reliability_out(
        report_service.get_employer_reliability(session=session, employer_id=job.employer_id)
    )


ReportStatusFilter = Annotated[
    Literal["open", "in_progress", "resolved"] | None, Query(alias="status")
]


@console.get("/reports")
def reports(
    request: Request,
    response: Response,
    session: SessionDep,
    status_: ReportStatusFilter = None,
    after: AfterQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> list[ReportQueueOut]:
    """A page of the report queue, unresolved oldest first; `Link` points to the next."""
    page = report_service.list_reports(session=session, status=status_, after=after, limit=limit)
    link_next(request, response, page.next)
    return [report_queue_out(*row) for row in page.items]


@console.get(
    "/reports.csv", response_class=Response, responses=download("text/csv", "Every report as CSV")
)
def reports_csv(session: SessionDep, locale: LocaleDep) -> Response:
    """The whole report queue as CSV (UTF-8 with BOM)."""
    rows = report_service.list_all_reports(session=session)
    return csv_response("reports.csv", locale, REPORT_COLUMNS, report_rows(rows))


@console.get("/reports/{report_id}")
def report_get(report: ReportDep, session: SessionDep) -> ReportDetailOut:
    """One report with the job record attached when it was made, and staff's notes."""
    return report_detail_out(report_views.get_report_detail(session=session, report=report))


@console.get(
    "/reports/{report_id}/photo",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "The photo"}},
)
def report_photo(report: ReportDep, session: SessionDep) -> Response:
    """The report's photo."""
    photo = report_service.get_report_photo(session=session, report_id=report.id or 0)
    return Response(content=photo.data, media_type=photo.content_type)


@console.post("/reports/{report_id}/notes", status_code=status.HTTP_201_CREATED)
def report_note(
    data: ReportNoteCreate, report: ReportDep, staff: CurrentStaff, session: SessionDep
) -> NoteOut:
    """Log a contact with the worker or the employer."""
    note = report_service.report_note_add(
        session=session, report=report, staff=staff, text=data.text
    )
    return NoteOut.model_validate(note)


@console.post("/reports/{report_id}/resolve")
def report_resolve(
    data: ReportResolution, report: ReportDep, staff: CurrentStaff, session: SessionDep
) -> ReportOut:
    """Record the outcome: paid, mediated, referred to legal aid, or unfounded."""
    resolved = report_service.report_resolve(
        session=session, report=report, staff=staff, outcome=data.outcome, note=data.note
    )
    return ReportOut.model_validate(resolved)


router.include_router(protection)
router.include_router(console)
