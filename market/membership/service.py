"""Union membership: a worker applies from their profile; staff approve or reject."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from market.errors import N_, Conflict, NotAllowed, NotFound
from market.events.service import event_record
from market.models import Membership, MembershipStatus, Role, User
from market.types import utcnow


def get_membership(*, session: Session, user_id: int) -> Membership | None:
    """The worker's membership record, if they ever applied."""
    return session.get(Membership, user_id)


def membership_apply(*, session: Session, worker: User, now: datetime | None = None) -> Membership:
    """Apply to join the union (again, after a rejection)."""
    now = now or utcnow()
    if worker.role != Role.worker:
        raise NotAllowed(N_("Only workers can do this"))
    assert worker.id is not None
    membership = session.get(Membership, worker.id)
    if membership is not None and membership.status == MembershipStatus.approved:
        raise Conflict(N_("You are already a union member"))
    if membership is not None and membership.status == MembershipStatus.pending:
        return membership
    membership = membership or Membership(user_id=worker.id)
    membership.status, membership.applied_at = MembershipStatus.pending, now
    membership.decided_at = membership.decided_by = None
    membership.note = ""
    session.add(membership)
    event_record(
        session=session,
        kind="membership.applied",
        worker_id=worker.id,
        payload={"worker": worker.id},
    )
    session.flush()
    return membership


def membership_decide(
    *,
    session: Session,
    staff: User,
    user_id: int,
    approve: bool,
    note: str = "",
    now: datetime | None = None,
) -> Membership:
    """Approve or reject a pending application."""
    now = now or utcnow()
    membership = session.get(Membership, user_id)
    if membership is None:
        raise NotFound(N_("Membership application not found"))
    if membership.status != MembershipStatus.pending:
        raise Conflict(N_("This application has already been decided"))
    membership.status = MembershipStatus.approved if approve else MembershipStatus.rejected
    membership.decided_at, membership.decided_by, membership.note = now, staff.id, note
    session.add(membership)
    event_record(
        session=session,
        kind=f"membership.{membership.status}",
        worker_id=user_id,
        payload={"worker": user_id, "note": note},
    )
    session.flush()
    return membership


def list_memberships(
    *, session: Session, status: str | None = None, limit: int = 500
) -> Sequence[tuple[Membership, User]]:
    """Applications with their workers, oldest first."""
    query = select(Membership, User).join(User, col(User.id) == col(Membership.user_id))
    if status is not None:
        query = query.where(Membership.status == status)
    return session.exec(query.order_by(col(Membership.applied_at)).limit(limit)).all()
