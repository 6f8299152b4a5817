"""The report queue: wage arrears and scams, with the job record, photo, notes and outcome."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from market.errors import N_, DomainError, Invalid
from market.models import Report
from market.reports import service as report_service
from market.reports import views as report_views
from market.reports.schemas import ReportNoteCreate, ReportResolution
from web.deps import AfterQuery, CurrentStaff, ReportDep, SessionDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages.deps import PageForm
from web.pages.rendering import fields_of, render

router = APIRouter(prefix="/staff/reports", route_class=PageRoute)

KINDS = {"unpaid": N_("Unpaid wages"), "fake_job": N_("Scam or fake job")}
STATUSES = {"open": N_("Open"), "in_progress": N_("In progress"), "resolved": N_("Resolved")}
OUTCOMES = {
    "paid": N_("Paid after the union stepped in"),
    "mediated": N_("Mediated settlement"),
    "legal_aid": N_("Referred to legal aid"),
    "unfounded": N_("Unfounded"),
}
RECORD_FIELDS = (
    ("title", N_("Job")),
    ("trade", N_("Trade")),
    ("address", N_("Address")),
    ("district", N_("District")),
    ("wage", N_("Daily wage")),
    ("shift_start", N_("Shift start")),
    ("shift_end", N_("Shift end")),
    ("posted_at", N_("Posted at")),
    ("job_status", N_("Job status")),
    ("application_status", N_("Hire status")),
    ("applied_at", N_("Applied at")),
    ("confirmed_at", N_("Confirmed at")),
)
FLASH = {"noted": N_("Note saved."), "resolved": N_("Outcome recorded. The report is closed.")}
StatusQuery = Annotated[Literal["open", "in_progress", "resolved"] | None, Query()]
TEXTS = {"kinds": KINDS, "statuses": STATUSES, "outcomes": OUTCOMES}


@router.get("")
def report_queue(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    status: StatusQuery = None,
    after: AfterQuery = None,
) -> Response:
    """A page of reports waiting for staff, oldest first (or those of one status)."""
    page = report_service.list_reports(session=session, status=status, after=after)
    context = {"rows": page.items, "next": page.next, "status": status, **TEXTS}
    return render(request, "staff/reports.html", context)


def _detail(session: SessionDep, report: Report) -> dict[str, Any]:
    detail = report_views.get_report_detail(session=session, report=report)
    return {**fields_of(detail), "record_fields": RECORD_FIELDS, "values": {}, **TEXTS}


@router.get("/{report_id}")
def report_page(
    request: Request,
    report: ReportDep,
    session: SessionDep,
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """One report: what the worker says, the job record as it stood, the photo, the notes."""
    context = _detail(session, report)
    context["notice"] = FLASH.get(ok or "")
    return render(request, "staff/report.html", context)


@router.post("/{report_id}/notes")
def report_note(
    request: Request, form: PageForm, report: ReportDep, staff: CurrentStaff, session: SessionDep
) -> Response:
    """Log a call or visit with either side."""
    values = {"text": str(form.get("text") or "").strip()}
    try:
        data = ReportNoteCreate.model_validate(values)
        report_service.report_note_add(session=session, report=report, staff=staff, text=data.text)
    except (ValidationError, DomainError) as exc:
        errors = {"note": next(iter(form_errors(exc, locale_of(request)).values()))}
        context = {**_detail(session, report), "values": values}
        raise FormInvalid("staff/report.html", context, errors) from exc
    return RedirectResponse(f"/staff/reports/{report.id}?ok=noted#notes", status_code=303)


@router.post("/{report_id}/resolve")
def report_resolve(
    request: Request, form: PageForm, report: ReportDep, staff: CurrentStaff, session: SessionDep
) -> Response:
    """Record the outcome: paid, mediated, legal aid, or unfounded."""
    values = {"outcome": str(form.get("outcome") or ""), "note": str(form.get("note") or "")}
    try:
        if values["outcome"] not in OUTCOMES:
            raise Invalid(N_("Choose an outcome from the list"), field="outcome")
        data = ReportResolution.model_validate(values)
        report_service.report_resolve(
            session=session, report=report, staff=staff, outcome=data.outcome, note=data.note
        )
    except (ValidationError, DomainError) as exc:
        errors = {"outcome": next(iter(form_errors(exc, locale_of(request)).values()))}
        context = {**_detail(session, report), "values": values}
        raise FormInvalid("staff/report.html", context, errors) from exc
    return RedirectResponse(f"/staff/reports/{report.id}?ok=resolved", status_code=303)
