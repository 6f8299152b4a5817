"""Input shapes of claiming, accepting new terms, cancelling and rating a hire."""

from __future__ import annotations

from pydantic import (
    Field,
)

from market.fields import Reason, Stars, Strict
from market.types import MAX_ID


class CancelRequest(Strict):
    reason: Reason


class RatingCreate(Strict):
    stars: Stars
    comment: str = Field(default="", max_length=200)


TermsVersion = Field(
    default=None,
    ge=1,
    le=MAX_ID,
    description="the job's terms_version the worker read; refused (409) if it changed since",
)


class ClaimRequest(Strict):
    terms_version: int | None = TermsVersion


class AcceptTermsRequest(Strict):
    terms_version: int | None = TermsVersion
