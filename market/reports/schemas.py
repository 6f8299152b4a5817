"""Input shapes of staff handling a report."""

from __future__ import annotations

from pydantic import Field

from market.fields import Strict


class ReportNoteCreate(Strict):
    text: str = Field(min_length=1, max_length=2000)


class ReportResolution(Strict):
    outcome: str = Field(pattern="^(paid|mediated|legal_aid|unfounded)$")
    note: str = Field(default="", max_length=2000)
