"""The standby list (候补) from the worker's pages: join a full job's, answer an offer."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from market.standby import service as standby_service
from web.deps import CurrentWorker, Id, JobId, SessionDep
from web.errors.pages import PageRoute
from web.pages.deps import PageForm

router = APIRouter(route_class=PageRoute)


@router.post("/jobs/{job_id}/standby")
def join(job_id: JobId, form: PageForm, worker: CurrentWorker, session: SessionDep) -> Response:
    """Join the full job's standby list; back to the job page."""
    standby_service.standby_join(session=session, job_id=job_id, worker=worker)
    return RedirectResponse(f"/jobs/{job_id}?ok=standby", status_code=303)


@router.post("/my/standby/{standby_id}/accept")
def accept(standby_id: Id, form: PageForm, worker: CurrentWorker, session: SessionDep) -> Response:
    """Take the offered place: hired, like a claim."""
    hired = standby_service.standby_accept(session=session, standby_id=standby_id, worker=worker)
    return RedirectResponse(f"/my/jobs?ok=claimed#application-{hired.id}", status_code=303)


@router.post("/my/standby/{standby_id}/decline")
def decline(standby_id: Id, form: PageForm, worker: CurrentWorker, session: SessionDep) -> Response:
    """Turn the offer down: the next worker on the list gets it."""
    standby_service.standby_decline(session=session, standby_id=standby_id, worker=worker)
    return RedirectResponse("/my/jobs?ok=standby_declined", status_code=303)


@router.post("/my/standby/{standby_id}/leave")
def leave(standby_id: Id, form: PageForm, worker: CurrentWorker, session: SessionDep) -> Response:
    """Leave the standby list."""
    standby_service.standby_leave(session=session, standby_id=standby_id, worker=worker)
    return RedirectResponse("/my/jobs?ok=standby_left", status_code=303)
