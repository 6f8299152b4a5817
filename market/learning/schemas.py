"""What staff send to change the live weights."""

from __future__ import annotations

from pydantic import Field

from market.fields import Strict
from market.types import MAX_ID


class WeightsLive(Strict):
    """Make this kept version live; none (null) goes back to the defaults."""

    version_id: int | None = Field(default=None, ge=1, le=MAX_ID)
