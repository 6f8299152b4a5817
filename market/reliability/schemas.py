"""Input shapes of the reliability rules: a worker's appeal and the staff's decision."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from market.fields import Strict

AppealText = Annotated[str, Field(min_length=1, max_length=300)]


class AppealCreate(Strict):
    text: AppealText


class AppealDecision(Strict):
    upheld: bool  # True voids the strike, False keeps it
    reason: AppealText
