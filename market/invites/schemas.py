"""Input shapes of invites, blocks and the rehire list."""

from __future__ import annotations

from pydantic import Field

from market.fields import Strict
from market.types import MAX_ID


class InviteCreate(Strict):
    worker_id: int = Field(ge=1, le=MAX_ID, description="a candidate of the job")


class UserRef(Strict):
    user_id: int = Field(ge=1, le=MAX_ID, description="a worker (for an employer) or employer")
