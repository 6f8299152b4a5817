"""Input and output shapes of the wage floor, derived from its one field set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import field_validator

from market.fields import Strict, trade_code
from market.wages.models import WageFloorBase


class WageFloorSet(WageFloorBase, Strict):  # type: ignore[misc]  # both bases configure the model
    """Set (or change) the floor of a trade, everywhere or in one district."""

    _trade = field_validator("trade")(trade_code)


class WageFloorPublic(WageFloorBase):
    id: int
    updated_at: datetime


@dataclass(frozen=True)
class FloorAttempts:
    """Jobs refused under the floor in a period, for one trade and district."""

    trade: str
    district: str
    attempts: int
    employers: int
    lowest_wage: int
