"""Where a worker is, and switching "available now" on only where they can be found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from market.errors import Invalid
from market.models import WorkerProfile
from market.types import utcnow
from market.workers import service as worker_service
from market.workers.schemas import AvailableNow
from tests.factories import YANTAI, make_worker

HERE = (37.56, 121.3)


def test_position_is_where_the_worker_said_they_are_now_else_home() -> None:
    profile = WorkerProfile(user_id=1, home_lat=YANTAI[0], home_lon=YANTAI[1])
    assert worker_service.position_of(profile) == YANTAI
    profile.available_now, (profile.now_lat, profile.now_lon) = True, HERE
    assert worker_service.position_of(profile) == HERE


def test_position_of_a_worker_with_no_home_and_no_place_now_is_unknown() -> None:
    assert worker_service.position_of(WorkerProfile(user_id=1)) is None
    assert worker_service.position_of(WorkerProfile(user_id=1, available_now=True)) is None


def test_get_position_reads_the_workers_profile(session: Session) -> None:
    worker = make_worker(session, lat=HERE[0], lon=HERE[1])
    assert worker_service.get_position(session=session, worker_id=worker.id or 0) == HERE
    assert worker_service.get_position(session=session, worker_id=10**9) is None


def test_available_now_runs_out_at_its_end() -> None:
    now = utcnow()
    profile = WorkerProfile(user_id=1, available_now=True, now_until=now + timedelta(hours=1))
    assert worker_service.is_available_now(profile, now=now)
    assert not worker_service.is_available_now(profile, now=now + timedelta(hours=2))
    profile.available_now = False
    assert not worker_service.is_available_now(profile, now=now)


def test_available_now_without_a_place_uses_home(session: Session) -> None:
    worker = make_worker(session)
    data = AvailableNow(on=True)
    view = worker_service.worker_available_now_set(session=session, worker=worker, data=data)
    assert view.profile.available_now and worker_service.position_of(view.profile) == YANTAI


def test_available_now_with_no_place_and_no_home_is_refused(session: Session) -> None:
    worker = make_worker(session)
    profile = session.get(WorkerProfile, worker.id)
    assert profile is not None
    profile.home_lat = profile.home_lon = None
    session.flush()
    with pytest.raises(Invalid) as refused:
        worker_service.worker_available_now_set(
            session=session, worker=worker, data=AvailableNow(on=True)
        )
    assert refused.value.message == "Share your location or choose your district"
    assert not profile.available_now
    on = AvailableNow(on=True, lat=HERE[0], lon=HERE[1])
    assert worker_service.worker_available_now_set(session=session, worker=worker, data=on)
    off = worker_service.worker_available_now_set(
        session=session, worker=worker, data=AvailableNow(on=False)
    )
    assert not off.profile.available_now
