"""Union staff and wage arrears: open cases, sums by employer, trade and district, the
sweep on demand, and stopping an employer in arrears from posting. Staff only."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response, status

from market.types import MAX_ID
from market.work import arrears as arrears_service
from market.work import overview as overview_service
from market.work import standing as standing_service
from market.work.schemas import HoldCreate
from web.api.schemas.work import (
    ArrearsGroupOut,
    HoldOut,
    OpenCaseOut,
    SweepOut,
    case_out,
    group_out,
)
from web.deps import CurrentStaff, SessionDep, require_staff

router = APIRouter(prefix="/staff", tags=["staff"], dependencies=[Depends(require_staff)])
EmployerId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/arrears")
def arrears_by(
    session: SessionDep,
    by: Annotated[Literal["employer", "trade", "district"], Query()] = "employer",
) -> list[ArrearsGroupOut]:
    """Open unpaid-wage cases summed per employer, trade or district: count, amount still
    owed (yuan), days outstanding since the shift ended (most and mean)."""
    return [group_out(g) for g in overview_service.arrears_by(session=session, by=by)]


@router.get("/arrears/cases")
def arrears_cases(session: SessionDep) -> list[OpenCaseOut]:
    """Every open unpaid-wage case with its work record, longest outstanding first."""
    return [case_out(c) for c in overview_service.list_open_cases(session=session)]


@router.post("/arrears/sweep")
def arrears_sweep(session: SessionDep) -> SweepOut:
    """Open the cases that are due now (the app also does this in the background)."""
    opened = arrears_service.arrears_sweep(session=session)
    return SweepOut(opened=[r.id or 0 for r in opened])


@router.put("/employers/{employer_id}/posting-hold", status_code=status.HTTP_201_CREATED)
def posting_hold(
    employer_id: EmployerId, data: HoldCreate, staff: CurrentStaff, session: SessionDep
) -> HoldOut:
    """Stop an employer with an open unpaid-wage case posting until it is settled."""
    hold = standing_service.posting_hold_place(
        session=session, staff=staff, employer_id=employer_id, reason=data.reason
    )
    return HoldOut.model_validate(hold, from_attributes=True)


@router.delete("/employers/{employer_id}/posting-hold", status_code=status.HTTP_204_NO_CONTENT)
def posting_hold_lift(
    employer_id: EmployerId, staff: CurrentStaff, session: SessionDep
) -> Response:
    """Let the employer post again."""
    standing_service.posting_hold_lift(session=session, staff=staff, employer_id=employer_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
