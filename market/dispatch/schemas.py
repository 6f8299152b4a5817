"""Input shapes of sending a dispatch plan."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from market.fields import Strict


class DispatchPair(Strict):
    job_id: int = Field(ge=1)
    worker_id: int = Field(ge=1)


class DispatchSend(Strict):
    day: date
    district: str = Field(default="", max_length=40)
    only: list[DispatchPair] | None = Field(default=None, max_length=2000)
