"""The learning loop over HTTP: feeds log what they showed, a job page marks it opened, staff
see the live weights and roll back, and a bad choice is a clear 4xx that changes nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from market.learning import service as learning_service
from market.models import Impression, WeightsVersion
from market.settings import Settings
from matching.score import DEFAULT_WEIGHTS, FEATURES, Weights
from tests.factories import YANTAI, auth, make_job, make_staff, make_worker
from tests.staff_factories import make_weights_version
from web.app import create_app

WEIGHTS = "/api/v1/staff/weights"
PAY_ONLY = Weights(trade_fit=0, time_fit=0, distance=0, wage=1, reliability=0, rating=0)
LAT, LON = YANTAI


@pytest.fixture(autouse=True)
def _no_cached_weights() -> Iterator[None]:
    learning_service.forget_live()
    yield
    learning_service.forget_live()


@pytest.fixture
def staff(session: Session) -> dict[str, str]:
    headers = auth(session, make_staff(session))
    session.commit()
    return headers


def _version(session: Session) -> int:
    version = make_weights_version(session, PAY_ONLY)
    session.commit()
    return version.id or 0


def _live(session: Session) -> list[int]:
    return [v.id or 0 for v in session.exec(select(WeightsVersion).where(col(WeightsVersion.live)))]


def test_the_feed_logs_its_first_page_and_the_job_page_marks_it_opened(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    jobs = [make_job(session, lat=LAT + 0.005 * (i + 1), lon=LON) for i in range(3)]
    headers = auth(session, worker)
    session.commit()
    assert client.get("/api/v1/worker/feed", headers=headers).status_code == 200
    assert client.get("/feed", headers=headers).status_code == 200  # the same cards: kept once
    client.get(f"/jobs/{jobs[1].id}", headers=headers)
    log = client.app.state.impressions  # type: ignore[attr-defined]
    rows, opened = log.take()
    assert [(r.worker_id, r.job_id, r.slot) for r in rows] == [
        (worker.id, j.id, i) for i, j in enumerate(jobs)
    ]
    assert all(len(r.features) == len(FEATURES) for r in rows)
    assert [(w, j) for w, j, _ in opened] == [(worker.id, jobs[1].id)]


def test_staff_see_the_live_weights_make_a_version_live_and_roll_back(
    client: TestClient, session: Session, staff: dict[str, str]
) -> None:
    worker = make_worker(session)
    near = make_job(session, lat=LAT + 0.005, lon=LON, wage=260)
    rich = make_job(session, lat=LAT + 0.06, lon=LON, wage=500)
    feed_headers = auth(session, worker)
    version_id = _version(session)

    def first_job() -> int:
        return int(
            client.get("/api/v1/worker/feed", headers=feed_headers).json()["items"][0]["job"]["id"]
        )

    listed = client.get(WEIGHTS, headers=staff).json()
    assert listed["live_id"] is None
    assert listed["live"]["distance"] == pytest.approx(DEFAULT_WEIGHTS.vector()[2], abs=1e-4)
    assert [v["id"] for v in listed["versions"]] == [version_id]
    assert first_job() == near.id

    made = client.put(f"{WEIGHTS}/live", json={"version_id": version_id}, headers=staff)
    assert made.status_code == 200 and made.json()["live_id"] == version_id
    assert made.json()["versions"][0]["switched_by"].startswith("staff:")
    assert made.json()["live"]["wage"] == 1.0
    assert first_job() == rich.id

    back = client.put(f"{WEIGHTS}/live", json={"version_id": None}, headers=staff)
    assert back.status_code == 200 and back.json()["live_id"] is None
    assert _live(session) == [] and first_job() == near.id


@pytest.mark.parametrize(
    ("body", "status", "zh", "en"),
    [
        ({"version_id": 999_999}, 404, "没有这个权重版本", "No such weights version"),
        ({"version_id": 0}, 422, "不能小于 1", "Must be at least 1"),
        ({"version_id": "abc"}, 422, "整数", "whole number"),
        ({"version_id": 1, "extra": 1}, 422, "extra", "extra"),
    ],
)
def test_a_bad_choice_is_a_clear_4xx_and_changes_nothing(
    client: TestClient,
    session: Session,
    staff: dict[str, str],
    body: dict[str, Any],
    status: int,
    zh: str,
    en: str,
) -> None:
    version_id = _version(session)
    client.put(f"{WEIGHTS}/live", json={"version_id": version_id}, headers=staff)
    for language, text in (("zh-CN", zh), ("en", en)):
        answer = client.put(
            f"{WEIGHTS}/live", json=body, headers={**staff, "Accept-Language": language}
        )
        assert answer.status_code == status
        assert text in answer.text, answer.text
    assert _live(session) == [version_id]


def test_only_staff_see_or_change_the_weights(client: TestClient, session: Session) -> None:
    headers = auth(session, make_worker(session))
    session.commit()
    assert client.get(WEIGHTS, headers=headers).status_code == 403
    put = client.put(f"{WEIGHTS}/live", json={"version_id": None}, headers=headers)
    assert put.status_code == 403
    assert client.get(WEIGHTS).status_code == 401


def test_the_read_model_ranks_by_the_live_weights_and_its_impressions_are_written(
    fresh_engine: Engine,
) -> None:
    with Session(fresh_engine, expire_on_commit=False) as s:
        worker = make_worker(s)
        near = make_job(s, lat=LAT + 0.005, lon=LON, wage=260)
        rich = make_job(s, lat=LAT + 0.06, lon=LON, wage=500)
        version = make_weights_version(s, PAY_ONLY)
        version.live = True
        headers = auth(s, worker)
        s.commit()
    settings = Settings(environment="test", feed_read_model="on", stats_refresh_seconds=0.05)
    app = create_app(settings, engine=fresh_engine)
    with TestClient(app) as client:
        assert app.state.live.feed.ready
        items = client.get("/api/v1/worker/feed", headers=headers).json()["items"]
        assert [i["job"]["id"] for i in items] == [rich.id, near.id]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with Session(fresh_engine) as s:
                rows = s.exec(select(Impression).order_by(col(Impression.slot))).all()
            if rows:
                break
            time.sleep(0.05)
    assert [(r.job_id, r.weights_id) for r in rows] == [
        (rich.id, version.id),
        (near.id, version.id),
    ]
