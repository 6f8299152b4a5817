"""Union membership applications as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from market.models import Membership, User


class MembershipOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    status: str
    applied_at: datetime
    decided_at: datetime | None
    note: str


class MembershipQueueOut(MembershipOut):
    name: str
    phone: str


def membership_queue_out(m: Membership, user: User) -> MembershipQueueOut:
    return MembershipQueueOut(
        **MembershipOut.model_validate(m).model_dump(), name=user.name, phone=user.phone
    )
