"""Look-ups and checks of the staff console, written once (the `web/deps.py` pattern)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query

from market.errors import N_, Invalid
from market.models import Report, Station, User
from market.moderation import service as moderation_service
from market.reports import service as protection_service
from market.stations import service as station_service
from market.stats import service as stats_service
from market.types import MAX_ID
from web.deps import CurrentStaff, SessionDep

Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def require_staff(staff: CurrentStaff) -> User:
    """Router-level guard: every `/staff` route answers 401/403 before anything else runs."""
    return staff


def _period(
    first: Annotated[date | None, Query(description="first local date (default today)")] = None,
    last: Annotated[date | None, Query(description="last local date, included")] = None,
) -> stats_service.Period:
    first = first or last or stats_service.today()
    last = last or first
    if last < first:
        raise Invalid(N_("The last day cannot be before the first"), field="last")
    if (last - first).days >= stats_service.MAX_PERIOD_DAYS:
        raise Invalid(
            N_("A period may span at most {days} days"),
            field="last",
            days=stats_service.MAX_PERIOD_DAYS,
        )
    return stats_service.period_of(first=first, last=last)


PeriodDep = Annotated[stats_service.Period, Depends(_period)]


def _report(session: SessionDep, staff: CurrentStaff, report_id: Id) -> Report:
    return protection_service.get_report(session=session, report_id=report_id)


ReportDep = Annotated[Report, Depends(_report)]


def _station(session: SessionDep, staff: CurrentStaff, station_id: Id) -> Station:
    return station_service.get_station(session=session, station_id=station_id)


StationDep = Annotated[Station, Depends(_station)]


def _target_user(session: SessionDep, staff: CurrentStaff, user_id: Id) -> User:
    return moderation_service.get_user(session=session, user_id=user_id)


TargetUserDep = Annotated[User, Depends(_target_user)]
