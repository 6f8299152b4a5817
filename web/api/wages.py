"""The union's wage floor per trade (and district): staff list, set and remove floors, and
see how many jobs were refused under them.

Every route here is for staff only: the router's guard answers 401 or 403 first.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, status

from market.models import WageFloor
from market.wages import service as wage_service
from market.wages.schemas import FloorAttempts, WageFloorPublic, WageFloorSet
from web.api import console_router
from web.deps import CurrentStaff, Id, PeriodDep, SessionDep

router = console_router()


def _floor(session: SessionDep, staff: CurrentStaff, floor_id: Id) -> WageFloor:
    return wage_service.get_wage_floor(session=session, floor_id=floor_id)


FloorDep = Annotated[WageFloor, Depends(_floor)]


@router.get("/wage-floors")
def wage_floors(session: SessionDep) -> list[WageFloorPublic]:
    """Every floor, by trade; a district's own floor overrides the trade-wide one there."""
    floors = wage_service.list_wage_floors(session=session)
    return [WageFloorPublic.model_validate(f, from_attributes=True) for f in floors]


@router.put("/wage-floors")
def wage_floor_set(data: WageFloorSet, staff: CurrentStaff, session: SessionDep) -> WageFloorPublic:
    """Set the floor of a trade per day, everywhere (`district` "") or in one district.

    Jobs posted or edited below it from now on are refused; posted ones stay."""
    floor = wage_service.wage_floor_set(session=session, staff=staff, data=data)
    return WageFloorPublic.model_validate(floor, from_attributes=True)


@router.delete("/wage-floors/{floor_id}", status_code=status.HTTP_204_NO_CONTENT)
def wage_floor_delete(floor: FloorDep, session: SessionDep) -> None:
    """Remove a floor (in its district the trade-wide floor applies again)."""
    wage_service.wage_floor_delete(session=session, floor=floor)


@router.get("/wage-floors/refusals")
def wage_floor_refusals(session: SessionDep, period: PeriodDep) -> list[FloorAttempts]:
    """Jobs refused under the floor in the period (default today), per trade and district."""
    return wage_service.list_floor_attempts(session=session, start=period.start, end=period.end)
