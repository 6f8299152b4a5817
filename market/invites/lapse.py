"""Invites lapse when their job fills (a module of its own: the hire path calls it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from market.invites.models import Invite, InviteStatus


def expire_job_invites(*, session: Session, job_id: int, now: datetime) -> None:
    """The job filled: its unanswered invites lapse (they do not come back if it reopens)."""
    session.execute(
        update(Invite)
        .where(col(Invite.job_id) == job_id, col(Invite.status) == InviteStatus.invited)
        .values(status=InviteStatus.expired, decided_at=now)
    )
