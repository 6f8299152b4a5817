"""A worker's feed filters."""

from __future__ import annotations

from pydantic import (
    Field,
    field_validator,
)

from market.fields import Strict, trade_code


class FeedFilter(Strict):
    day: str | None = Field(default=None, pattern="^(today|tomorrow)$")
    trade: str | None = Field(default=None, max_length=24)
    max_km: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    limit: int = Field(default=20, ge=1, le=100)

    @field_validator("trade")
    @classmethod
    def _trade(cls, value: str | None) -> str | None:
        return None if value is None else trade_code(value)
