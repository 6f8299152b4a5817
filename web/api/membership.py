"""Union membership: a worker applies to join, staff approve or reject."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from market.membership import service as membership_service
from market.membership.schemas import MembershipDecision
from web.api import console_router
from web.api.schemas.membership import MembershipOut, MembershipQueueOut, membership_queue_out
from web.deps import CurrentStaff, CurrentWorker, Id, LocaleDep, SessionDep

router = APIRouter()
protection = APIRouter(tags=["protection"])  # the worker's side
console = console_router()


@protection.get("/worker/membership")
def my_membership(worker: CurrentWorker, session: SessionDep) -> MembershipOut | None:
    """My union membership application, if any."""
    membership = membership_service.get_membership(session=session, user_id=worker.id or 0)
    return None if membership is None else MembershipOut.model_validate(membership)


@protection.post("/worker/membership", status_code=status.HTTP_201_CREATED)
def membership_apply(worker: CurrentWorker, session: SessionDep) -> MembershipOut:
    """Apply to join the union."""
    membership = membership_service.membership_apply(session=session, worker=worker)
    return MembershipOut.model_validate(membership)


MembershipFilter = Annotated[
    Literal["pending", "approved", "rejected"] | None, Query(alias="status")
]


@console.get("/memberships")
def memberships(session: SessionDep, status_: MembershipFilter = None) -> list[MembershipQueueOut]:
    """Membership applications (filter by status)."""
    rows = membership_service.list_memberships(session=session, status=status_)
    return [membership_queue_out(m, u) for m, u in rows]


@console.post("/memberships/{user_id}/decide")
def membership_decide(
    user_id: Id,
    data: MembershipDecision,
    staff: CurrentStaff,
    session: SessionDep,
    locale: LocaleDep,
) -> MembershipOut:
    """Approve or reject a worker's application to join the union."""
    decided = membership_service.membership_decide(
        session=session, staff=staff, user_id=user_id, approve=data.approve, note=data.note
    )
    return MembershipOut.model_validate(decided)


router.include_router(protection)
router.include_router(console)
