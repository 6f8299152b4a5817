"""The employer's jobs: post one, the list, a job's applicants and ranked candidates."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from market.applications import service as application_service
from market.applications import terms as terms_service
from market.applications import views as application_views
from market.errors import N_, DomainError
from market.feed import candidates as candidate_service
from market.feed import views as feed_views
from market.invites import rehire as rehire_service
from market.jobs import service as job_service
from market.notifications import reminders as reminder_service
from web.deps import AfterQuery, CurrentEmployer, FeedModelDep, OwnedJobDep, SessionDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages.deps import PageForm
from web.pages.employer import invites as invite_pages
from web.pages.employer.job_form import SHIFTS, FormErrors, defaults, job_create, values_from
from web.pages.forms import cancel_reason
from web.pages.rendering import fields_of, render
from web.security.rate_limits import JobPostLimit

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
EMPLOYER_CANCEL_REASONS = (
    N_("The work is postponed"),
    N_("Enough workers found"),
    N_("The weather stops the work"),
)
OkQuery = Annotated[str | None, Query(max_length=20)]
CANDIDATES_SHOWN = 10


def _form_context(request: Request, values: dict[str, object]) -> dict[str, object]:
    return {"values": values, "shifts": SHIFTS, "tile_url": request.app.state.settings.tile_url}


@router.get("/jobs")
def my_jobs(
    request: Request,
    employer: CurrentEmployer,
    session: SessionDep,
    ok: OkQuery = None,
    after: AfterQuery = None,
) -> Response:
    """A page of my jobs, upcoming soonest first, with places filled and applicants waiting."""
    page = application_views.get_employer_jobs(
        session=session, employer_id=employer.id or 0, after=after
    )
    context = {**fields_of(page), "flash": FLASH.get(ok or "")}
    return render(request, "employer/jobs.html", context)


@router.get("/jobs/new")
def new_job(request: Request, employer: CurrentEmployer) -> Response:
    """Post a job: trade tiles, place, day and shift, headcount, pay."""
    return render(request, "employer/new_job.html", _form_context(request, defaults()))


@router.post("/jobs/new")
def post_job(
    request: Request,
    form: PageForm,
    employer: CurrentEmployer,
    session: SessionDep,
    _limit: JobPostLimit,
) -> Response:
    """Open the job; errors come back next to their fields."""
    values = values_from(form)
    locale = locale_of(request)
    check = partial(job_service.job_problems, session=session, employer_id=employer.id or 0)
    try:
        data = job_create(values, locale, check)
        job = job_service.job_post(session=session, employer=employer, data=data)
    except (FormErrors, DomainError) as exc:
        errors = exc.errors if isinstance(exc, FormErrors) else form_errors(exc, locale)
        raise FormInvalid("employer/new_job.html", _form_context(request, values), errors) from exc
    return RedirectResponse(f"/employer/jobs/{job.id}?ok=posted", status_code=303)


def _applicants_context(
    applicants: application_views.JobApplicants, session: SessionDep
) -> dict[str, object]:
    ids = [application.id or 0 for application, _ in applicants.applicants]
    return {
        **fields_of(applicants),
        # who confirmed they are coming; who has not, 2 hours before, is shown as such
        "coming": reminder_service.coming_of(session=session, application_ids=ids),
        "remind_late": reminder_service.LATE,
        "contact_visible": application_service.contact_visible,
        "needs_acceptance": terms_service.needs_acceptance,
        "rounded_km": candidate_service.rounded_km,
        "reasons": EMPLOYER_CANCEL_REASONS,
        "listed": rehire_service.listed_ids(
            session=session, employer_id=applicants.job.employer_id
        ),
    }


@router.get("/jobs/{job_id}")
def job_page(
    request: Request,
    employer: CurrentEmployer,
    job: OwnedJobDep,
    session: SessionDep,
    model: FeedModelDep,
    ok: OkQuery = None,
) -> Response:
    """One of my jobs: slots, applicants (live), ranked candidates, done / cancel."""
    page = feed_views.get_employer_job(
        session=session,
        job=job,
        employer_id=employer.id or 0,
        candidates=CANDIDATES_SHOWN,
        model=model,
    )
    context = _applicants_context(page.applicants, session)
    context.update(
        certificates=page.certificates,
        candidates=page.candidates,
        invites=page.invites,
        flash=FLASH.get(ok or "") or invite_pages.FLASH.get(ok or ""),
    )
    return render(request, "employer/job.html", context)


@router.get("/jobs/{job_id}/applicants")
def applicants(
    request: Request, employer: CurrentEmployer, job: OwnedJobDep, session: SessionDep
) -> Response:
    """Only the applicants' list: the page refreshes it as claims arrive."""
    seen = application_views.get_job_applicants(
        session=session, job=job, employer_id=employer.id or 0
    )
    return render(request, "employer/_applicants.html", _applicants_context(seen, session))


@router.post("/jobs/{job_id}/complete")
def complete(
    form: PageForm, employer: CurrentEmployer, job: OwnedJobDep, session: SessionDep
) -> Response:
    """Mark the work done (after the shift started)."""
    job_service.job_complete(session=session, job=job)
    return RedirectResponse(f"/employer/jobs/{job.id}?ok=completed", status_code=303)


@router.post("/jobs/{job_id}/cancel")
def cancel_job(
    form: PageForm, employer: CurrentEmployer, job: OwnedJobDep, session: SessionDep
) -> Response:
    """Call the whole job off; everyone applied or hired is told why."""
    job_service.job_cancel(session=session, job=job, reason=cancel_reason(form))
    return RedirectResponse(f"/employer/jobs/{job.id}?ok=cancelled", status_code=303)
