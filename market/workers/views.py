"""What a worker's profile page shows, gathered in one call."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from market.membership import service as membership_service
from market.models import Membership, Station
from market.stations import service as station_service
from market.workers import identity as identity_service
from market.workers import service as worker_service


@dataclass(frozen=True)
class ProfilePage:
    view: worker_service.WorkerView
    membership: Membership | None  # the worker's application to join the union, if any
    stations: list[tuple[Station, float]] = field(default_factory=list)  # nearest, with km
    identity: identity_service.Identity | None = None  # legal name and ID number, if given


def get_profile_page(*, session: Session, worker_id: int) -> ProfilePage:
    """The worker's whole profile, their union membership and the nearest union stations."""
    view = worker_service.get_worker(session=session, user_id=worker_id)
    return ProfilePage(
        view=view,
        membership=membership_service.get_membership(session=session, user_id=worker_id),
        stations=station_service.list_stations_near(
            session=session, position=worker_service.position_of(view.profile)
        ),
        identity=identity_service.get_identity(session=session, worker_id=worker_id),
    )
