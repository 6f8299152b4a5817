"""Moderation as the API shows it: the log, and whether a posting is taken down."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from market.models import Job, User
from web.api.schemas.reports import party


class ModerationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    staff_id: int
    action: str
    job_id: int | None
    user_id: int | None
    reason: str
    created_at: datetime


class JobModerationOut(BaseModel):
    job_id: int
    hidden: bool
    reason: str | None


def job_moderation_out(job: Job) -> JobModerationOut:
    return JobModerationOut(
        job_id=job.id or 0, hidden=job.hidden_reason is not None, reason=job.hidden_reason
    )


def account_state_out(user: User) -> dict[str, object]:
    """A suspended or reinstated account: who, and whether it may log in."""
    return {**party(user).model_dump(), "active": user.is_active}
