"""The worker's profile page, read in one call."""

from __future__ import annotations

from sqlmodel import Session

from market.membership import service as membership_service
from market.stations import service as station_service
from market.stations.schemas import StationCreate
from market.workers import views as worker_views
from tests.factories import make_worker


def test_profile_page_has_the_profile_membership_and_nearest_stations(session: Session) -> None:
    worker = make_worker(session, trades=(("painter", 3),))
    station_service.station_create(
        session=session,
        data=StationCreate(name="南大街驿站", address="芝罘区南大街 1 号", lat=37.54, lon=121.26),
    )
    page = worker_views.get_profile_page(session=session, worker_id=worker.id or 0)
    assert [(t.trade, t.level) for t in page.view.trades] == [("painter", 3)]
    assert page.membership is None
    assert page.stations[0][0].name == "南大街驿站"
    membership_service.membership_apply(session=session, worker=worker)
    again = worker_views.get_profile_page(session=session, worker_id=worker.id or 0)
    assert again.membership is not None and again.membership.status == "pending"
