"""The worker's side of choosing: answer an employer's invite, block an employer, undo it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from market.errors import N_
from market.invites import blocks as block_service
from market.invites import service as invite_service
from web.deps import CurrentWorker, Id, JobDep, SessionDep
from web.errors.pages import PageRoute
from web.pages.deps import PageForm
from web.pages.rendering import render

router = APIRouter(route_class=PageRoute)

FLASH = {
    "declined": N_("Declined. The employer is told."),
    "blocked": N_("Blocked. You will not see this employer's jobs."),
    "unblocked": N_("Unblocked. Their jobs show in your list again."),
}
OkQuery = Annotated[str | None, Query(max_length=20)]


@router.get("/my/invites")
def invites(
    request: Request, worker: CurrentWorker, session: SessionDep, ok: OkQuery = None
) -> Response:
    """Invites from employers I can still take: accept (hired) or decline."""
    rows = invite_service.list_worker_invites(session=session, worker_id=worker.id or 0)
    return render(request, "worker/invites.html", {"invites": rows, "flash": FLASH.get(ok or "")})


@router.post("/my/invites/{invite_id}/accept")
def accept(invite_id: Id, form: PageForm, worker: CurrentWorker, session: SessionDep) -> Response:
    """Take the invite: hired on the job's terms, like a claim."""
    hired = invite_service.invite_accept(session=session, invite_id=invite_id, worker=worker)
    return RedirectResponse(f"/my/jobs?ok=claimed#application-{hired.id}", status_code=303)


@router.post("/my/invites/{invite_id}/decline")
def decline(invite_id: Id, form: PageForm, worker: CurrentWorker, session: SessionDep) -> Response:
    """Turn the invite down."""
    invite_service.invite_decline(session=session, invite_id=invite_id, worker=worker)
    return RedirectResponse("/my/invites?ok=declined", status_code=303)


@router.post("/jobs/{job_id}/block")
def block(job: JobDep, form: PageForm, worker: CurrentWorker, session: SessionDep) -> Response:
    """Block the job's employer: their jobs leave my list; a hire already made stands."""
    block_service.block_add(session=session, user=worker, other_id=job.employer_id)
    return RedirectResponse("/my/blocks?ok=blocked", status_code=303)


@router.get("/my/blocks")
def blocks(
    request: Request, worker: CurrentWorker, session: SessionDep, ok: OkQuery = None
) -> Response:
    """The employers I blocked, each with an undo."""
    rows = block_service.list_blocks(session=session, user_id=worker.id or 0)
    context = {"rows": rows, "flash": FLASH.get(ok or ""), "base": "/my/blocks"}
    return render(request, "blocks/blocks.html", context)


@router.post("/my/blocks/{user_id}/remove")
def unblock(user_id: Id, form: PageForm, worker: CurrentWorker, session: SessionDep) -> Response:
    """Undo my block."""
    block_service.block_remove(session=session, user=worker, other_id=user_id)
    return RedirectResponse("/my/blocks?ok=unblocked", status_code=303)
