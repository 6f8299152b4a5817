"""Weights versions: the live one ranks feeds and candidates, staff roll back, a fit with too
little history changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, col, select

from market.errors import NotFound
from market.feed import candidates as candidate_service
from market.feed import service as feed_service
from market.feed.schemas import FeedFilter
from market.learning import service as learning_service
from market.models import User, WeightsVersion, WorkerTaste
from matching.score import DEFAULT_WEIGHTS, Weights
from tests.factories import YANTAI, make_job, make_staff, make_worker
from tests.market.service_helpers import refused
from tests.staff_factories import make_weights_version

LAT, LON = YANTAI
PAY_ONLY = Weights(trade_fit=0, time_fit=0, distance=0, wage=1, reliability=0, rating=0)


@pytest.fixture(autouse=True)
def _no_cached_weights() -> Iterator[None]:
    learning_service.forget_live()
    yield
    learning_service.forget_live()  # what a rolled-back test made live is gone


def _first_job(session: Session, worker: User) -> int:
    feed = feed_service.list_feed(session=session, worker_id=worker.id or 0, data=FeedFilter())
    return feed.items[0].job.id or 0


def test_feeds_rank_by_the_live_weights_and_staff_roll_back(db: Session) -> None:
    worker, staff = make_worker(db), make_staff(db)
    near = make_job(db, lat=LAT + 0.005, lon=LON, wage=260)
    rich = make_job(db, lat=LAT + 0.06, lon=LON, wage=500)  # 6.7 km away
    assert _first_job(db, worker) == near.id
    version = make_weights_version(db, PAY_ONLY)
    learning_service.weights_make_live(session=db, version_id=version.id, staff_id=staff.id or 0)
    assert learning_service.live_weights(session=db) == (version.id, PAY_ONLY)
    assert _first_job(db, worker) == rich.id
    candidates = candidate_service.list_candidates(session=db, job=rich)
    assert [c.view.user.id for c in candidates] == [worker.id]
    learning_service.weights_make_live(session=db, version_id=None, staff_id=staff.id or 0)
    assert learning_service.live_weights(session=db) == (None, DEFAULT_WEIGHTS)
    assert _first_job(db, worker) == near.id
    assert version.switched_by == f"staff:{staff.id}"
    assert not db.exec(select(WeightsVersion).where(col(WeightsVersion.live))).all()


def test_making_an_unknown_version_live_is_refused_and_changes_nothing(db: Session) -> None:
    staff = make_staff(db)
    kept = make_weights_version(db, PAY_ONLY)
    learning_service.weights_make_live(session=db, version_id=kept.id, staff_id=staff.id or 0)
    refused(
        db,
        lambda: learning_service.weights_make_live(
            session=db, version_id=(kept.id or 0) + 1, staff_id=staff.id or 0
        ),
        NotFound,
        "No such weights version",
    )
    assert learning_service.get_live_version(session=db) == kept


def test_learning_with_too_little_history_keeps_the_live_weights(db: Session) -> None:
    result = learning_service.learn_run(session=db)
    assert result is not None and not result.switched and result.fitted is None
    assert result.reason.startswith("not enough history to fit: 0 impressions")
    assert learning_service.list_versions(session=db) == []
    assert learning_service.learn_due(session=db)


def test_a_fit_today_makes_the_next_one_wait_a_day(db: Session) -> None:
    make_weights_version(db, PAY_ONLY)
    assert not learning_service.learn_due(session=db)


def test_a_worker_with_an_own_taste_gets_a_feed_ranked_by_it(db: Session) -> None:
    pay_first, market = make_worker(db), make_worker(db)
    near = make_job(db, lat=LAT + 0.005, lon=LON, wage=260)
    rich = make_job(db, lat=LAT + 0.06, lon=LON, wage=500)
    db.add(WorkerTaste(worker_id=pay_first.id or 0, distance_share=0.0, rows=80))
    db.flush()
    assert _first_job(db, pay_first) == rich.id
    assert _first_job(db, market) == near.id
    tasted = learning_service.worker_weights(
        session=db, worker_id=pay_first.id or 0, market=DEFAULT_WEIGHTS
    )
    assert tasted.distance == 0 and tasted.trade_fit == pytest.approx(1.8182)
