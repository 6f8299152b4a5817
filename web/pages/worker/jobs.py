"""A job's page for a worker, with its map, and claiming it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from market.applications import service as application_service
from market.errors import N_
from market.feed import views as feed_views
from market.standby import service as standby_service
from market.types import MAX_ID, utcnow
from web.deps import CurrentWorker, ImpressionsDep, JobDep, JobId, SessionDep
from web.errors.pages import PageRoute
from web.pages.rendering import fields_of, render
from web.security.rate_limits import ClaimLimit

router = APIRouter(route_class=PageRoute)


def _job_context(
    request: Request, session: SessionDep, worker: CurrentWorker, job: JobDep
) -> dict[str, object]:
    seen = feed_views.get_worker_job(session=session, worker_id=worker.id or 0, job=job)
    standby = standby_service.find_standby(
        session=session, job_id=job.id or 0, worker_id=worker.id or 0
    )
    return {**fields_of(seen), "tile_url": request.app.state.settings.tile_url, "standby": standby}


FLASH = {"standby": N_("You are on the standby list. If a place frees up, you will be offered it.")}


@router.get("/jobs/{job_id}")
def job_page(
    request: Request,
    job: JobDep,
    worker: CurrentWorker,
    session: SessionDep,
    shown: ImpressionsDep,
    ok: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """One job: pay, shift, place on a map, my straight-line distance, claim or stand by."""
    context = _job_context(request, session, worker, job)
    shown.opened(worker_id=worker.id or 0, job_id=job.id or 0, now=utcnow())
    context["flash"] = FLASH.get(ok or "")
    return render(request, "worker/job.html", context)


@router.get("/jobs/{job_id}/claim")
def claim_confirm(
    request: Request, job: JobDep, worker: CurrentWorker, session: SessionDep
) -> Response:
    """Are you sure? (the confirmation for phones without JavaScript)"""
    return render(request, "worker/claim.html", _job_context(request, session, worker, job))


# the job's terms version the page showed: a claim on terms changed since is refused
TermsQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.post("/jobs/{job_id}/claim")
def claim(
    job_id: JobId,
    worker: CurrentWorker,
    session: SessionDep,
    _limit: ClaimLimit,
    terms: TermsQuery = None,
) -> Response:
    """Claim (抢单: hired at once) or apply, on the terms the page showed; then My jobs."""
    result = application_service.application_claim(
        session=session, job_id=job_id, worker=worker, terms_version=terms
    )
    done = "claimed" if result.application.status == "confirmed" else "applied"
    return RedirectResponse(f"/my/jobs?ok={done}#application-{result.application.id}", 303)
