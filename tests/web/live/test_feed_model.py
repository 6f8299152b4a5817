"""The feed's read model in real app processes: kept current across replicas through Redis,
rebuilt when events are lost, and what the feed answers from it."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from market.events import outbox as outbox
from market.models import Event
from tests.factories import make_employer, make_job, make_worker, tomorrow_at
from tests.web.live.conftest import LiveServer, job_body, make
from tests.web.live.test_fanout import _kill_live_redis_clients

Serve = Callable[..., LiveServer]
ON_POSTGRES = pytest.mark.parametrize(
    "fresh_engine", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
MODEL_ON = {"LINGGONG_FEED_READ_MODEL": "on", "LINGGONG_RATE_LIMITS": "off"}
HOME = (37.54, 121.26)


def feed_ids(server: LiveServer, token: str) -> list[int]:
    request = urllib.request.Request(
        server.base + "/api/v1/worker/feed?limit=100",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return [item["job"]["id"] for item in answer["items"]]


def eventually(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)


def silent_job(engine: Engine) -> int:
    """A job row committed without its event: only a rebuild (or the database path) sees it."""
    with Session(engine, expire_on_commit=False) as session:
        job = make_job(session, lat=HOME[0] + 0.01, lon=HOME[1], start_at=tomorrow_at(3))
        session.commit()
        return job.id or 0


@ON_POSTGRES
def test_a_job_posted_on_b_is_in_a_feed_on_a_once_its_event_arrives(
    fresh_engine: Engine, serve: Serve, redis_url: str
) -> None:
    a = serve(redis_url=redis_url, **MODEL_ON)
    b = serve(redis_url=redis_url, **MODEL_ON)
    _, boss = make(fresh_engine, make_employer)
    _, worker = make(fresh_engine, make_worker, lat=HOME[0], lon=HOME[1])
    hidden_from_model = silent_job(fresh_engine)
    posted = b.post("/api/v1/jobs", job_body(), boss)
    eventually(lambda: posted["id"] in feed_ids(a, worker))
    # answered from memory: the row written without an event is not there
    assert hidden_from_model not in feed_ids(a, worker)

    b.post(f"/api/v1/jobs/{posted['id']}/cancel", {"reason": "下雨了"}, boss)
    eventually(lambda: posted["id"] not in feed_ids(a, worker))


@ON_POSTGRES
def test_feeds_stay_current_while_redis_connections_are_killed(
    fresh_engine: Engine, serve: Serve, redis_url: str
) -> None:
    a = serve(redis_url=redis_url, **MODEL_ON)
    b = serve(redis_url=redis_url, **MODEL_ON)
    stream = outbox.stream_name(fresh_engine.url.render_as_string(hide_password=True))
    _, boss = make(fresh_engine, make_employer)
    _, worker = make(fresh_engine, make_worker, lat=HOME[0], lon=HOME[1])
    posted = []
    for round_ in range(3):
        for i in range(2):
            posted.append(b.post("/api/v1/jobs", job_body(title=f"活 {round_}-{i}"), boss)["id"])
        _kill_live_redis_clients(redis_url, stream)
    eventually(lambda: set(posted) <= set(feed_ids(a, worker)), seconds=10)


@ON_POSTGRES
def test_when_events_are_lost_for_good_the_model_is_rebuilt(
    fresh_engine: Engine, serve: Serve, redis_url: str
) -> None:
    a = serve(redis_url=redis_url, **MODEL_ON)
    _, worker = make(fresh_engine, make_worker, lat=HOME[0], lon=HOME[1])
    job_id = silent_job(fresh_engine)
    time.sleep(1.5)
    assert job_id not in feed_ids(a, worker)
    with Session(fresh_engine) as session:  # numbers 1 and 2 past the top never existed
        top = session.exec(select(func.max(Event.seq))).one() or 0
        session.add(Event(kind="test.after_gap", seq=top + 3, payload={}))
        session.commit()
    eventually(lambda: job_id in feed_ids(a, worker), seconds=10)
    assert "missing from the outbox" in a.logged()


def _cut_database_connections(engine: Engine) -> int:
    """What a database restart does to the servers: every connection of theirs is cut."""
    with engine.connect() as conn:
        killed = conn.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).scalar_one()
    return int(killed)


@ON_POSTGRES
def test_feeds_stay_current_while_the_database_connections_are_cut(
    fresh_engine: Engine, serve: Serve, redis_url: str
) -> None:
    a = serve(redis_url=redis_url, **MODEL_ON)
    b = serve(redis_url=redis_url, **MODEL_ON)
    _, boss = make(fresh_engine, make_employer)
    _, worker = make(fresh_engine, make_worker, lat=HOME[0], lon=HOME[1])
    assert feed_ids(a, worker) == []  # a has built its model and serves from it
    posted, cuts = [], 0
    for round_ in range(3):
        for i in range(2):
            posted.append(b.post("/api/v1/jobs", job_body(title=f"活 {round_}-{i}"), boss)["id"])
        cuts += _cut_database_connections(fresh_engine)
    assert cuts > 0  # the servers had connections to lose
    eventually(lambda: set(posted) <= set(feed_ids(a, worker)), seconds=10)
    # a change made right after a cut reaches the other replica's feed too
    _cut_database_connections(fresh_engine)
    b.post(f"/api/v1/jobs/{posted[0]}/cancel", {"reason": "下雨了"}, boss)
    eventually(lambda: posted[0] not in feed_ids(a, worker), seconds=10)
    assert set(posted[1:]) <= set(feed_ids(a, worker))


def candidate_ids(server: LiveServer, job_id: int, token: str) -> list[int]:
    request = urllib.request.Request(
        f"{server.base}/api/v1/jobs/{job_id}/candidates?limit=100",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: list[dict[str, Any]] = json.loads(response.read())
    return [item["worker_id"] for item in answer]


def patch_profile(server: LiveServer, body: dict[str, Any], token: str) -> None:
    request = urllib.request.Request(
        server.base + "/api/v1/worker/profile",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="PATCH",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


@ON_POSTGRES
def test_a_workers_profile_change_on_b_reaches_candidates_on_a(
    fresh_engine: Engine, serve: Serve, redis_url: str
) -> None:
    worker, worker_token = make(fresh_engine, make_worker, lat=HOME[0], lon=HOME[1])
    _, boss = make(fresh_engine, make_employer)
    a = serve(redis_url=redis_url, **MODEL_ON)
    b = serve(redis_url=redis_url, **MODEL_ON)
    job = a.post("/api/v1/jobs", job_body(), boss)
    assert candidate_ids(a, job["id"], boss) == [worker.id]
    # answered from memory: a worker written without an event is not there
    silent, _ = make(fresh_engine, make_worker, lat=HOME[0], lon=HOME[1])
    assert silent.id not in candidate_ids(a, job["id"], boss)

    patch_profile(b, {"home_lat": HOME[0] + 0.9, "home_lon": HOME[1]}, worker_token)  # 100 km
    eventually(lambda: worker.id not in candidate_ids(a, job["id"], boss))
    patch_profile(b, {"home_lat": HOME[0], "home_lon": HOME[1]}, worker_token)
    eventually(lambda: worker.id in candidate_ids(a, job["id"], boss))
