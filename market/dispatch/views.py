"""What the staff's morning-dispatch page shows for a day, gathered in one call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from market.dispatch import service as dispatch_service
from market.models import DispatchProposal, Job, User
from market.stats import rotation as rotation_stats


@dataclass(frozen=True)
class DispatchDay:
    day: date
    district: str  # "" for every district
    plan: dispatch_service.DispatchPlan | None  # only when asked for: planning ranks a market
    sent: Sequence[tuple[DispatchProposal, Job, User, User]]  # proposal, job, worker, employer
    rotation: rotation_stats.Rotation  # how evenly work went round lately, in the district


def get_dispatch_day(
    *, session: Session, day: date, district: str = "", plan: bool = False
) -> DispatchDay:
    """The proposals already sent for the day and district, the plan when `plan`, and how
    evenly work has gone round lately."""
    return DispatchDay(
        day=day,
        district=district,
        plan=dispatch_service.plan_dispatch(session=session, day=day, district=district)
        if plan
        else None,
        sent=dispatch_service.list_sent(session=session, day=day, district=district),
        rotation=rotation_stats.get_rotation(session=session, district=district),
    )
