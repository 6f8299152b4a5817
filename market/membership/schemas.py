"""Input shapes of membership decisions."""

from __future__ import annotations

from pydantic import Field

from market.fields import Strict


class MembershipDecision(Strict):
    approve: bool
    note: str = Field(default="", max_length=200)
