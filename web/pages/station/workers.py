"""A worker the station helps: their profile, jobs applied for with them, a slip, a password."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from market.errors import DomainError
from market.models import User
from market.stations import assisted as assisted_service
from market.stations import views as station_views
from market.stations.schemas import StationPasswordReset
from market.workers import service as worker_service
from web.deps import AssistedWorkerDep, CurrentStationStaff, JobDep, JobId, SessionDep
from web.errors.pages import FormInvalid, PageRoute, form_errors
from web.i18n import locale_of
from web.pages.deps import PageForm
from web.pages.employer.work import qr_svg
from web.pages.rendering import render
from web.pages.station.home import FLASH, OkQuery
from web.pages.worker.jobs import TermsQuery
from web.pages.worker.profile import (
    RADII,
    WEEKDAYS,
    profile_save_values,
    values_from,
    values_of,
)
from web.security.rate_limits import StationClaimLimit

router = APIRouter(prefix="/station/workers/{worker_id}", route_class=PageRoute)


def _context(session: SessionDep, worker: User, values: dict[str, object]) -> dict[str, Any]:
    return {
        "worker": worker,
        "values": values,
        "radii": RADII,
        "weekdays": WEEKDAYS,
        "assisted": True,  # the shared profile fields speak of the worker, not to them
    }


@router.get("")
def worker_page(
    request: Request, worker: AssistedWorkerDep, session: SessionDep, ok: OkQuery = None
) -> Response:
    """The worker's profile (trades, area, hours) and their password."""
    view = worker_service.get_worker(session=session, user_id=worker.id or 0)
    context = _context(session, worker, values_of(view))
    context["flash"] = FLASH.get(ok or "")
    return render(request, "station/worker.html", context)


@router.post("/profile")
def profile_save(
    request: Request, form: PageForm, worker: AssistedWorkerDep, session: SessionDep
) -> Response:
    """Save the profile filled in with the worker; then the jobs that fit them."""
    values = values_from(form)
    view = worker_service.get_worker(session=session, user_id=worker.id or 0)
    try:
        profile_save_values(session, worker, view, values)
    except (ValidationError, DomainError) as exc:
        errors = form_errors(exc, locale_of(request))
        raise FormInvalid("station/worker.html", _context(session, worker, values), errors) from exc
    return RedirectResponse(f"/station/workers/{worker.id}/jobs?ok=saved", status_code=303)


@router.post("/password")
def password_reset(
    request: Request,
    form: PageForm,
    staff: CurrentStationStaff,
    worker: AssistedWorkerDep,
    session: SessionDep,
) -> Response:
    """Set a new password with the worker, their ID card checked in person (they are texted)."""
    try:
        data = StationPasswordReset.model_validate(
            {
                "password": str(form.get("password") or ""),
                "id_checked": form.get("id_checked") == "1",
            }
        )
        assisted_service.assisted_password_reset(
            session=session, staff=staff, worker=worker, data=data
        )
    except (ValidationError, DomainError) as exc:
        view = worker_service.get_worker(session=session, user_id=worker.id or 0)
        context = _context(session, worker, values_of(view))
        raise FormInvalid(
            "station/worker.html", context, form_errors(exc, locale_of(request))
        ) from exc
    return RedirectResponse(f"/station/workers/{worker.id}?ok=password#password", status_code=303)


@router.get("/jobs")
def worker_jobs(
    request: Request, worker: AssistedWorkerDep, session: SessionDep, ok: OkQuery = None
) -> Response:
    """The jobs that fit the worker, best first, and what was applied for with them."""
    jobs = station_views.get_worker_jobs(session=session, worker=worker)
    context = {"worker": worker, "jobs": jobs, "flash": FLASH.get(ok or "")}
    return render(request, "station/jobs.html", context)


@router.post("/jobs/{job_id}/claim")
def claim(
    job_id: JobId,
    staff: CurrentStationStaff,
    worker: AssistedWorkerDep,
    session: SessionDep,
    _limit: StationClaimLimit,
    terms: TermsQuery = None,
) -> Response:
    """Claim or apply for the worker, with their consent, through their own claim path."""
    result = assisted_service.assisted_claim(
        session=session, staff=staff, worker=worker, job_id=job_id, terms_version=terms
    )
    done = "claimed" if result.application.status == "confirmed" else "applied"
    return RedirectResponse(f"/station/workers/{worker.id}/jobs/{job_id}/slip?ok={done}", 303)


@router.get("/jobs/{job_id}/slip")
def slip(
    request: Request,
    worker: AssistedWorkerDep,
    job: JobDep,
    session: SessionDep,
    ok: OkQuery = None,
) -> Response:
    """A job slip to print (A6 or A4): the job, its place, a QR code of its page."""
    found = station_views.get_slip(session=session, worker=worker, job=job)
    url = f"{str(request.base_url).rstrip('/')}/jobs/{job.id}"
    context = {"worker": worker, "slip": found, "job": job, "job_url": url, "qr": qr_svg(url)}
    context["tile_url"] = request.app.state.settings.tile_url
    context["flash"] = FLASH.get(ok or "")
    return render(request, "station/slip.html", context)
