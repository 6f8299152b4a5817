"""Input shapes of cancelling and rating a hire."""

from __future__ import annotations

from pydantic import (
    Field,
)

from market.fields import Reason, Stars, Strict


class CancelRequest(Strict):
    reason: Reason


class RatingCreate(Strict):
    stars: Stars
    comment: str = Field(default="", max_length=200)
