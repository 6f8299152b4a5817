"""Employer pages: post a job, my jobs, a job's applicants and ranked candidates, decisions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from market.applications import service as application_service
from market.applications import terms as terms_service
from market.errors import N_, DomainError, Invalid
from market.feed import service as feed_service
from market.i18n import local, market_tz
from market.jobs import service as job_service
from market.jobs.schemas import JobCreate
from market.models import Application, Job
from market.types import utcnow
from matching import trades as catalogue
from web.deps import ApplicationDep, OwnedJobDep, SessionDep
from web.errors import locale_of
from web.i18n import translate
from web.pages import places
from web.pages.deps import PageEmployer, PageForm
from web.pages.forms import cancel_reason, stars_of
from web.pages.rendering import render
from web.pages.route import FormInvalid, PageRoute, form_errors

router = APIRouter(prefix="/employer", route_class=PageRoute)

FLASH = {
    "posted": N_("Your job is live. Workers who fit it see it now."),
    "confirmed": N_("Hired. You can now call the worker."),
    "declined": N_("Declined."),
    "no_show": N_("Marked as no-show."),
    "cancelled": N_("Cancelled; the workers have been told."),
    "completed": N_("Marked as done. Please rate the workers."),
    "rated": N_("Thank you for rating."),
}
SHIFTS = (
    ("day", N_("Full day"), "08:00", "17:00"),
    ("morning", N_("Morning"), "08:00", "12:00"),
    ("afternoon", N_("Afternoon"), "13:00", "17:00"),
    ("night", N_("Night"), "20:00", "06:00"),
)
EMPLOYER_CANCEL_REASONS = (
    N_("The work is postponed"),
    N_("Enough workers found"),
    N_("The weather stops the work"),
)
OkQuery = Annotated[str | None, Query(max_length=20)]


def _defaults() -> dict[str, object]:
    tomorrow = local(utcnow()).date() + timedelta(days=1)
    return {
        "trade": "",
        "title": "",
        "description": "",
        "address": "",
        "district": places.DEFAULT.name,
        "lat": "",
        "lon": "",
        "date": tomorrow.isoformat(),
        "start": "08:00",
        "end": "17:00",
        "headcount": "1",
        "wage": "300",
        "instant": True,
        "certificates": [],
    }


def _values_from(form: FormData) -> dict[str, object]:
    values = _defaults()
    for key in values:
        if key in ("instant", "certificates"):
            continue
        raw = form.get(key)
        values[key] = raw.strip() if isinstance(raw, str) else ""
    values["instant"] = form.get("instant") == "1"
    values["certificates"] = [v for v in form.getlist("certificates") if isinstance(v, str)]
    return values


def _shift_of(values: dict[str, object]) -> tuple[datetime, datetime]:
    try:
        day = date.fromisoformat(str(values["date"]))
    except ValueError as exc:
        raise Invalid(N_("Choose the day of the work"), field="start_at") from exc
    try:
        start_t, end_t = (
            time.fromisoformat(str(values["start"])),
            time.fromisoformat(str(values["end"])),
        )
    except ValueError as exc:
        raise Invalid(N_("Give the start and end time, e.g. 08:00"), field="start_at") from exc
    tz = market_tz()
    start = datetime.combine(day, start_t, tzinfo=tz)
    end = datetime.combine(day, end_t, tzinfo=tz)
    if end <= start:  # a night shift ends the next morning
        end += timedelta(days=1)
    return start, end


def _job_create(values: dict[str, object], locale: str) -> JobCreate:
    """The service's input from the form; every field's problem is reported at once."""
    errors: dict[str, str] = {}
    trade = catalogue.TRADE_BY_CODE.get(str(values["trade"]))
    if trade is None:
        errors["trade"] = translate(locale, N_("Choose the trade you need"))
    try:
        start, end = _shift_of(values)
    except Invalid as exc:
        errors.update(form_errors(exc, locale))
        start = end = utcnow()
    lat, lon = values["lat"], values["lon"]
    if not (lat and lon):
        place = places.BY_NAME.get(str(values["district"]))
        if place is None:
            errors["district"] = translate(locale, N_("Put a pin on the map or choose a district"))
        lat, lon = (place.lat, place.lon) if place else (0.0, 0.0)
    default_title = "" if trade is None else trade.zh if locale.startswith("zh") else trade.en
    fields = {
        "trade": trade.code if trade else "general",
        "title": values["title"] or default_title or "--",
        "description": values["description"],
        "lat": lat,
        "lon": lon,
        "address": values["address"],
        "district": values["district"],
        "start_at": start,
        "end_at": end,
        "headcount": values["headcount"],
        "wage": values["wage"],
        "instant": values["instant"],
        "certificates": values["certificates"],
    }
    try:
        data = JobCreate.model_validate(fields)
    except ValidationError as exc:
        errors = {**form_errors(exc, locale), **errors}
    if not values["address"]:
        errors["address"] = translate(locale, N_("This field is required"))
    if errors:
        raise FormErrors(errors)
    return data


class FormErrors(Exception):
    """Several fields' messages, already in the page's language."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def _form_context(request: Request, values: dict[str, object]) -> dict[str, object]:
    return {"values": values, "shifts": SHIFTS, "tile_url": request.app.state.settings.tile_url}


@router.get("/jobs")
def my_jobs(
    request: Request, employer: PageEmployer, session: SessionDep, ok: OkQuery = None
) -> Response:
    """My jobs, latest shift first, with how many slots are filled."""
    jobs = job_service.list_employer_jobs(session=session, employer_id=employer.id or 0)
    return render(request, "employer/jobs.html", {"jobs": jobs, "flash": FLASH.get(ok or "")})


@router.get("/jobs/new")
def new_job(request: Request, employer: PageEmployer) -> Response:
    """Post a job: trade tiles, place, day and shift, headcount, pay."""
    return render(request, "employer/new_job.html", _form_context(request, _defaults()))


@router.post("/jobs/new")
def post_job(
    request: Request, form: PageForm, employer: PageEmployer, session: SessionDep
) -> Response:
    """Open the job; errors come back next to their fields."""
    values = _values_from(form)
    locale = locale_of(request)
    try:
        data = _job_create(values, locale)
        job = job_service.job_post(session=session, employer=employer, data=data)
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else form_errors(exc, locale)
        raise FormInvalid("employer/new_job.html", _form_context(request, values), errors) from exc
    return RedirectResponse(f"/employer/jobs/{job.id}?ok=posted", status_code=303)


def _applicants_context(session: SessionDep, employer: PageEmployer, job: Job) -> dict[str, object]:
    rows = application_service.list_job_applications(session=session, job_id=job.id or 0)
    rated = application_service.list_rated_application_ids(
        session=session, user_id=employer.id or 0, application_ids=[a.id or 0 for a, _w in rows]
    )
    return {
        "job": job,
        "applicants": rows,
        "rated": rated,
        "contact_visible": application_service.contact_visible,
        "needs_acceptance": terms_service.needs_acceptance,
        "rounded_km": feed_service.rounded_km,
        "started": job.start_at <= utcnow(),
        "reasons": EMPLOYER_CANCEL_REASONS,
    }


@router.get("/jobs/{job_id}")
def job_page(
    request: Request,
    employer: PageEmployer,
    job: OwnedJobDep,
    session: SessionDep,
    ok: OkQuery = None,
) -> Response:
    """One of my jobs: slots, applicants (live), ranked candidates, done / cancel."""
    context = _applicants_context(session, employer, job)
    context.update(
        certificates=job_service.job_certificates(session=session, job_id=job.id or 0),
        candidates=feed_service.list_candidates(session=session, job=job, k=10)
        if job.status == "open"
        else [],
        flash=FLASH.get(ok or ""),
    )
    return render(request, "employer/job.html", context)


@router.get("/jobs/{job_id}/applicants")
def applicants(
    request: Request, employer: PageEmployer, job: OwnedJobDep, session: SessionDep
) -> Response:
    """Only the applicants' list: the page refreshes it as claims arrive."""
    return render(request, "employer/_applicants.html", _applicants_context(session, employer, job))


def _back(application: Application, done: str) -> RedirectResponse:
    return RedirectResponse(
        f"/employer/jobs/{application.job_id}?ok={done}#application-{application.id}", 303
    )


@router.post("/applications/{application_id}/confirm")
def confirm(
    form: PageForm, employer: PageEmployer, application: ApplicationDep, session: SessionDep
) -> Response:
    """Hire this applicant."""
    application_service.application_confirm(
        session=session, application=application, employer=employer
    )
    return _back(application, "confirmed")


@router.post("/applications/{application_id}/decline")
def decline(
    form: PageForm, employer: PageEmployer, application: ApplicationDep, session: SessionDep
) -> Response:
    """Turn this applicant down."""
    application_service.application_decline(
        session=session, application=application, employer=employer
    )
    return _back(application, "declined")


@router.post("/applications/{application_id}/no-show")
def no_show(
    form: PageForm, employer: PageEmployer, application: ApplicationDep, session: SessionDep
) -> Response:
    """The hired worker did not come."""
    application_service.application_no_show(
        session=session, application=application, employer=employer
    )
    return _back(application, "no_show")


@router.post("/applications/{application_id}/cancel")
def cancel_hire(
    form: PageForm, employer: PageEmployer, application: ApplicationDep, session: SessionDep
) -> Response:
    """Call off one hire, with a reason the worker sees."""
    application_service.application_cancel(
        session=session, application=application, user=employer, reason=cancel_reason(form)
    )
    return _back(application, "cancelled")


@router.post("/applications/{application_id}/rate")
def rate(
    form: PageForm, employer: PageEmployer, application: ApplicationDep, session: SessionDep
) -> Response:
    """Rate the worker after the work, once."""
    application_service.rating_create(
        session=session,
        application=application,
        rater=employer,
        stars=stars_of(form),
        comment=str(form.get("comment") or "")[:200],
    )
    return _back(application, "rated")


@router.post("/jobs/{job_id}/complete")
def complete(
    form: PageForm, employer: PageEmployer, job: OwnedJobDep, session: SessionDep
) -> Response:
    """Mark the work done (after the shift started)."""
    job_service.job_complete(session=session, job=job)
    return RedirectResponse(f"/employer/jobs/{job.id}?ok=completed", status_code=303)


@router.post("/jobs/{job_id}/cancel")
def cancel_job(
    form: PageForm, employer: PageEmployer, job: OwnedJobDep, session: SessionDep
) -> Response:
    """Call the whole job off; everyone applied or hired is told why."""
    job_service.job_cancel(session=session, job=job, reason=cancel_reason(form))
    return RedirectResponse(f"/employer/jobs/{job.id}?ok=cancelled", status_code=303)
