"""The background loop writes out what feeds showed and fits the weights once a day."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from market.db import session_scope
from market.models import Impression, WeightsVersion
from market.settings import Settings
from market.types import utcnow
from matching.score import DEFAULT_WEIGHTS
from tests.factories import YANTAI, auth, make_job, make_worker
from web.app import create_app
from web.stats_refresh import learn_once


def _impressions(engine: Engine) -> list[tuple[int, int]]:
    with session_scope(engine) as s:
        return [(r.job_id, r.slot) for r in s.exec(select(Impression).order_by(Impression.slot))]


def test_the_loop_writes_the_feeds_impressions_and_tries_a_fit(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as s:
        worker = make_worker(s)
        jobs = [make_job(s, lat=YANTAI[0] + 0.005 * (i + 1), lon=YANTAI[1]) for i in range(2)]
        headers = auth(s, worker)
        job_ids = [j.id for j in jobs]
    settings = Settings(environment="test", stats_refresh_seconds=0.05)
    with TestClient(create_app(settings, engine=fresh_engine)) as client:
        assert client.get("/api/v1/worker/feed", headers=headers).status_code == 200
        deadline = time.monotonic() + 10
        while not _impressions(fresh_engine) and time.monotonic() < deadline:
            time.sleep(0.05)
        metrics = client.app.state.metrics  # type: ignore[attr-defined]
        tried = metrics.background_success.labels(task="learn")._value.get()
    assert _impressions(fresh_engine) == [(job_ids[0], 0), (job_ids[1], 1)]
    assert tried > 0  # a fit was tried (too little history: nothing kept)


def test_a_fit_within_the_day_makes_the_loop_wait(fresh_engine: Engine) -> None:
    with session_scope(fresh_engine) as s:
        s.add(WeightsVersion(weights=asdict(DEFAULT_WEIGHTS), metrics={}, created_at=utcnow()))
    assert learn_once(fresh_engine, when_due=True) is None
    with session_scope(fresh_engine) as s:
        for version in s.exec(select(WeightsVersion)):
            version.created_at = utcnow() - timedelta(days=1, minutes=1)
            s.add(version)
    tried = learn_once(fresh_engine, when_due=True)
    assert tried is not None and tried.reason.startswith("not enough history")
