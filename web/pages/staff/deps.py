"""Who may see the console, and the look-ups its forms need (loaded once, as dependencies)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from market.errors import N_, NotAllowed
from market.models import Report, Role, Station, User
from market.moderation import service as moderation_service
from market.reports import service as protection_service
from market.stations import service as station_service
from market.types import MAX_ID
from web.deps import SessionDep
from web.pages.deps import PageUser

Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def _page_staff(user: PageUser) -> User:
    """Union staff only: others get 403, anonymous visitors are sent to log in."""
    if user.role != Role.staff:
        raise NotAllowed(N_("This page is for union staff"))
    return user


PageStaff = Annotated[User, Depends(_page_staff)]


def _report(session: SessionDep, staff: PageStaff, report_id: Id) -> Report:
    return protection_service.get_report(session=session, report_id=report_id)


def _station(session: SessionDep, staff: PageStaff, station_id: Id) -> Station:
    return station_service.get_station(session=session, station_id=station_id)


def _target(session: SessionDep, staff: PageStaff, user_id: Id) -> User:
    return moderation_service.get_user(session=session, user_id=user_id)


PageReport = Annotated[Report, Depends(_report)]
PageStation = Annotated[Station, Depends(_station)]
PageTarget = Annotated[User, Depends(_target)]
