"""The employer's side of choosing: invite a candidate, the rehire list (常用工友), blocks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from market.errors import N_
from market.invites import blocks as block_service
from market.invites import rehire as rehire_service
from market.invites import service as invite_service
from web.deps import CurrentEmployer, Id, SessionDep
from web.errors.pages import PageRoute
from web.pages.deps import PageForm
from web.pages.forms import id_of
from web.pages.rendering import fields_of, render

router = APIRouter(prefix="/employer", route_class=PageRoute)

FLASH = {
    "invited": N_("Invited. The worker is told and answers in the app."),
    "added": N_("Added to your regular workers."),
    "removed": N_("Taken off your regular workers."),
    "blocked": N_("Blocked. This worker no longer sees your jobs or applies to them."),
    "unblocked": N_("Unblocked."),
}
OkQuery = Annotated[str | None, Query(max_length=20)]


@router.post("/invites")
def invite(form: PageForm, employer: CurrentEmployer, session: SessionDep) -> Response:
    """Invite a worker (a candidate, or one from the rehire list) to one of my open jobs."""
    job_id, worker_id = id_of(form, "job_id"), id_of(form, "worker_id")
    invite_service.invite_send(
        session=session, job_id=job_id, employer=employer, worker_id=worker_id
    )
    if form.get("from") == "rehire":
        return RedirectResponse("/employer/rehire?ok=invited", status_code=303)
    return RedirectResponse(f"/employer/jobs/{job_id}?ok=invited#candidates", status_code=303)


@router.get("/rehire")
def rehire_list(
    request: Request, employer: CurrentEmployer, session: SessionDep, ok: OkQuery = None
) -> Response:
    """My regular workers: name, trades, jobs done with me; invite one to an open job."""
    page = rehire_service.get_rehire_page(session=session, employer_id=employer.id or 0)
    return render(
        request, "employer/rehire.html", {**fields_of(page), "flash": FLASH.get(ok or "")}
    )


@router.post("/rehire")
def rehire_add(form: PageForm, employer: CurrentEmployer, session: SessionDep) -> Response:
    """Put a worker who completed a shift for me on my list."""
    rehire_service.rehire_add(
        session=session, employer=employer, worker_id=id_of(form, "worker_id")
    )
    return RedirectResponse("/employer/rehire?ok=added", status_code=303)


@router.post("/rehire/{worker_id}/remove")
def rehire_remove(
    worker_id: Id, form: PageForm, employer: CurrentEmployer, session: SessionDep
) -> Response:
    """Take a worker off my list."""
    rehire_service.rehire_remove(session=session, employer=employer, worker_id=worker_id)
    return RedirectResponse("/employer/rehire?ok=removed", status_code=303)


@router.get("/blocks")
def blocks(
    request: Request, employer: CurrentEmployer, session: SessionDep, ok: OkQuery = None
) -> Response:
    """The workers I blocked, each with an undo."""
    rows = block_service.list_blocks(session=session, user_id=employer.id or 0)
    context = {"rows": rows, "flash": FLASH.get(ok or ""), "base": "/employer/blocks"}
    return render(request, "blocks/blocks.html", context)


@router.post("/blocks")
def block(form: PageForm, employer: CurrentEmployer, session: SessionDep) -> Response:
    """Block a worker: their claims to my jobs are refused; a hire already made stands."""
    block_service.block_add(session=session, user=employer, other_id=id_of(form, "worker_id"))
    return RedirectResponse("/employer/blocks?ok=blocked", status_code=303)


@router.post("/blocks/{user_id}/remove")
def unblock(
    user_id: Id, form: PageForm, employer: CurrentEmployer, session: SessionDep
) -> Response:
    """Undo my block."""
    block_service.block_remove(session=session, user=employer, other_id=user_id)
    return RedirectResponse("/employer/blocks?ok=unblocked", status_code=303)
