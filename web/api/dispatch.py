"""Offers of work: the union's morning dispatch, an employer's invites; blocks, the rehire list."""

from __future__ import annotations

import html
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import HTMLResponse, Response

from market.dispatch import service as dispatch_service
from market.dispatch.schemas import DispatchSend
from market.errors import N_
from market.invites import blocks as block_service
from market.invites import rehire as rehire_service
from market.invites import service as invite_service
from market.invites.schemas import InviteCreate, UserRef
from web.api import console_router
from web.api.downloads import csv_response, download
from web.api.schemas.applications import ApplicationOut, application_out
from web.api.schemas.dispatch import (
    SENT_COLUMNS,
    BlockOut,
    InviteOut,
    PlanOut,
    ProposalOut,
    RehireOut,
    SentOut,
    WorkerProposalOut,
    plan_out,
    rehire_out,
    sent_out,
    sent_rows,
    worker_proposal_out,
)
from web.deps import (
    CurrentEmployer,
    CurrentStaff,
    CurrentUser,
    CurrentWorker,
    Id,
    JobId,
    LocaleDep,
    SessionDep,
)
from web.i18n import translate

router = APIRouter()
protection = APIRouter(tags=["protection"])  # the worker's side
console = console_router()

Day = Annotated[date, Query(description="local date of the gig market")]
District = Annotated[str, Query(max_length=40)]


@protection.get("/worker/proposals")
def my_proposals(
    worker: CurrentWorker, session: SessionDep, locale: LocaleDep
) -> list[WorkerProposalOut]:
    """Jobs the union's morning dispatch offers me; open ones first."""
    rows = dispatch_service.list_worker_proposals(session=session, worker_id=worker.id or 0)
    return [worker_proposal_out(p, job, locale) for p, job in rows]


@protection.post("/worker/proposals/{proposal_id}/accept")
def proposal_accept(proposal_id: Id, worker: CurrentWorker, session: SessionDep) -> ApplicationOut:
    """Take the proposed job: I am hired if a slot is still free and I am not booked."""
    application = dispatch_service.proposal_accept(
        session=session, proposal_id=proposal_id, worker=worker
    )
    return application_out(application)


@protection.post("/worker/proposals/{proposal_id}/decline")
def proposal_decline(proposal_id: Id, worker: CurrentWorker, session: SessionDep) -> ProposalOut:
    """Turn the proposed job down."""
    proposal = dispatch_service.proposal_decline(
        session=session, proposal_id=proposal_id, worker=worker
    )
    return ProposalOut.model_validate(proposal)


@router.post("/jobs/{job_id}/invites", status_code=status.HTTP_201_CREATED, tags=["invites"])
def invite_send(
    job_id: JobId, data: InviteCreate, employer: CurrentEmployer, session: SessionDep
) -> InviteOut:
    """Invite a candidate to my open job (one invite per worker; 3 waiting per free place)."""
    invite = invite_service.invite_send(
        session=session, job_id=job_id, employer=employer, worker_id=data.worker_id
    )
    return InviteOut.model_validate(invite)


@protection.get("/worker/invites")
def my_invites(worker: CurrentWorker, session: SessionDep) -> list[InviteOut]:
    """Invites from employers I can still take, soonest shift first."""
    rows = invite_service.list_worker_invites(session=session, worker_id=worker.id or 0)
    return [InviteOut.model_validate(invite) for invite, _, _ in rows]


@protection.post("/worker/invites/{invite_id}/accept")
def invite_accept(invite_id: Id, worker: CurrentWorker, session: SessionDep) -> ApplicationOut:
    """Take the invite: hired on the job's terms if a place is free and I am not booked."""
    application = invite_service.invite_accept(session=session, invite_id=invite_id, worker=worker)
    return application_out(application)


@protection.post("/worker/invites/{invite_id}/decline")
def invite_decline(invite_id: Id, worker: CurrentWorker, session: SessionDep) -> InviteOut:
    """Turn the invite down."""
    invite = invite_service.invite_decline(session=session, invite_id=invite_id, worker=worker)
    return InviteOut.model_validate(invite)


@router.get("/blocks", tags=["invites"])
def my_blocks(user: CurrentUser, session: SessionDep) -> list[BlockOut]:
    """Whom I blocked, newest first."""
    rows = block_service.list_blocks(session=session, user_id=user.id or 0)
    return [BlockOut(user_id=u.id or 0, name=u.name, created_at=b.created_at) for b, u in rows]


@router.post("/blocks", status_code=status.HTTP_204_NO_CONTENT, tags=["invites"])
def block(data: UserRef, user: CurrentUser, session: SessionDep) -> Response:
    """Block an employer (as a worker) or a worker (as an employer); hires made stand."""
    block_service.block_add(session=session, user=user, other_id=data.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/blocks/{user_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["invites"])
def unblock(user_id: Id, user: CurrentUser, session: SessionDep) -> Response:
    """Undo my block."""
    block_service.block_remove(session=session, user=user, other_id=user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/employer/rehire", tags=["invites"])
def my_rehire(employer: CurrentEmployer, session: SessionDep) -> list[RehireOut]:
    """My regular workers (常用工友), most jobs done together first."""
    rows = rehire_service.list_rehire(session=session, employer_id=employer.id or 0)
    return [rehire_out(row) for row in rows]


@router.post("/employer/rehire", status_code=status.HTTP_204_NO_CONTENT, tags=["invites"])
def rehire_add(data: UserRef, employer: CurrentEmployer, session: SessionDep) -> Response:
    """Put a worker who completed a shift for me on my list."""
    rehire_service.rehire_add(session=session, employer=employer, worker_id=data.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/employer/rehire/{worker_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["invites"]
)
def rehire_remove(worker_id: Id, employer: CurrentEmployer, session: SessionDep) -> Response:
    """Take a worker off my list."""
    rehire_service.rehire_remove(session=session, employer=employer, worker_id=worker_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@console.get("/dispatch/plan")
def dispatch_plan(
    day: Day, session: SessionDep, locale: LocaleDep, district: District = ""
) -> PlanOut:
    """Dry run: the proposed assignment for the day's open jobs, with reasons and gaps."""
    plan = dispatch_service.plan_dispatch(session=session, day=day, district=district)
    return plan_out(plan, locale)


@console.post("/dispatch/send", status_code=status.HTTP_201_CREATED)
def dispatch_send(
    data: DispatchSend, staff: CurrentStaff, session: SessionDep
) -> list[ProposalOut]:
    """Plan afresh and send each assignment (or the chosen ones) to the workers' phones."""
    only = None if data.only is None else [(p.job_id, p.worker_id) for p in data.only]
    proposals = dispatch_service.dispatch_send(
        session=session, staff=staff, day=data.day, district=data.district, only=only
    )
    return [ProposalOut.model_validate(p) for p in proposals]


@console.get("/dispatch/sent")
def dispatch_sent(day: Day, session: SessionDep, district: District = "") -> list[SentOut]:
    """The proposals sent for the day, with contacts, and whether workers answered."""
    rows = dispatch_service.list_sent(session=session, day=day, district=district)
    return [sent_out(*row) for row in rows]


@console.get(
    "/dispatch/sent.csv", response_class=Response, responses=download("text/csv", "The list as CSV")
)
def dispatch_sent_csv(
    day: Day, session: SessionDep, locale: LocaleDep, district: District = ""
) -> Response:
    """The day's list for the physical gig market, as CSV."""
    rows = dispatch_service.list_sent(session=session, day=day, district=district)
    return csv_response(
        f"dispatch-{day.isoformat()}.csv", locale, SENT_COLUMNS, sent_rows(rows, locale)
    )


@console.get(
    "/dispatch/print",
    response_class=Response,
    responses=download("text/html", "An HTML fragment to print"),
)
def dispatch_print(
    day: Day, session: SessionDep, locale: LocaleDep, district: District = ""
) -> HTMLResponse:
    """The day's list as a printable HTML table (a fragment pages can embed)."""
    rows = sent_rows(
        dispatch_service.list_sent(session=session, day=day, district=district), locale
    )
    title = translate(locale, N_("Dispatch list for {day}"), day=day.isoformat())
    head = "".join(f"<th>{html.escape(translate(locale, label))}</th>" for _, label in SENT_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(r[k])}</td>" for k, _ in SENT_COLUMNS) + "</tr>"
        for r in rows
    )
    district_note = f" · {html.escape(district)}" if district else ""
    return HTMLResponse(
        f'<section class="dispatch-print"><h2>{html.escape(title)}{district_note}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>"
    )


router.include_router(protection)
router.include_router(console)
