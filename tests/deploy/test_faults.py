"""Faults under load, on the production stack run for real (issue #7).

Two uvicorn replicas behind nginx (`deploy/nginx`), PostgreSQL and Redis, a light open-loop
load of the market's request mix (`bench.load.client`) running throughout:

- one replica is SIGKILLed: nginx sends the rest to the survivor; only POSTs that were in
  flight on the dead one may fail (502); a websocket client reconnects and hears on;
- PostgreSQL (a private server) stops: requests get a quick 503 saying nothing was changed,
  /readyz says not ready; it starts again: requests succeed again within seconds;
- Redis (a private server) is killed and restarted: live updates committed on either
  replica keep reaching a client, during the outage and after it; /readyz flips and recovers.

After each fault the database is checked: no job over headcount, no half-written job.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlmodel import col

from bench.load.client import Sample
from bench.load.services import PrivatePostgres, PrivateRedis
from bench.load.stack import Stack
from market import invariants
from market.db import make_engine
from market.migrations import upgrade
from market.models import Application, ApplicationStatus, Event, Job
from tests.conftest import PostgresServer
from tests.deploy.conftest import RATE, LiveClient, background_load, post_job, seeded

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
GETS = {"feed", "job", "stats"}


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _until(predicate: Callable[[], bool], seconds: float) -> float:
    """Seconds until `predicate()` held (polling); fails the test past `seconds`."""
    began = time.monotonic()
    while not predicate():
        assert time.monotonic() - began < seconds, f"not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - began


def _websockets_on(stack: Stack) -> list[float]:
    """Open websockets on each replica, from its /metrics (which answers loopback)."""
    counts = []
    for replica in stack.replicas:
        with urllib.request.urlopen(replica.url + "/metrics", timeout=5) as response:
            for line in response.read().decode().splitlines():
                if line.startswith("linggong_websocket_connections "):
                    counts.append(float(line.split()[1]))
    return counts


def check_database(engine: Engine, posted: list[int]) -> None:
    """No job over headcount; every answered post is there with its outbox event."""
    with engine.connect() as conn:
        confirmed = (
            select(Application.job_id, func.count().label("n"))
            .where(Application.status == ApplicationStatus.confirmed)
            .group_by(col(Application.job_id))
            .subquery()
        )
        over = conn.execute(
            select(Job.id)
            .join(confirmed, confirmed.c.job_id == Job.id)
            .where(confirmed.c.n > Job.headcount)
        ).all()
        assert over == []
        if posted:
            found = conn.execute(select(func.count()).where(col(Job.id).in_(posted))).scalar()
            assert found == len(posted)
        without_event = conn.execute(
            select(Job.id).where(
                ~select(Event.id).where(Event.job_id == Job.id, Event.kind == "job.posted").exists()
            )
        ).all()
        assert without_event == [], "jobs written without their outbox event"
    assert invariants.check_all(engine=engine) == []


def _check(url: str, posted: list[int]) -> None:
    engine = make_engine(url)
    try:
        check_database(engine, posted)
    finally:
        engine.dispose()


def _statuses(samples: list[Sample], kinds: set[str] | None = None) -> dict[int, int]:
    counts: dict[int, int] = {}
    for s in samples:
        if kinds is None or s.kind in kinds:
            counts[s.status] = counts.get(s.status, 0) + 1
    return counts


@pytest.fixture
def market_db(postgres_server: PostgresServer, postgres_template: str) -> Any:
    """A seeded database of this test's own on the test PostgreSQL server."""
    name = f"lg_fault_{uuid.uuid4().hex[:12]}"
    url = postgres_server.create(name, template=postgres_template)
    try:
        yield url, seeded(url)
    finally:
        postgres_server.drop(name)


def test_killing_a_replica_mid_load_loses_only_in_flight_posts(
    market_db: tuple[str, dict[str, Any]],
    private_redis: PrivateRedis,
    start_stack: Callable[..., Stack],
) -> None:
    url, market = market_db
    stack = start_stack(database_url=url, redis_url=private_redis.url)

    live = LiveClient(stack.ws_url, market["staff_token"])

    async def scenario() -> tuple[list[Sample], list[int]]:
        async with background_load(stack.url, market, seed=11, seconds=12) as (load, driver):
            await live.open()
            try:
                await asyncio.sleep(3)
                on = await asyncio.to_thread(_websockets_on, stack)
                assert sorted(on) == [0.0, 1.0], on
                await asyncio.to_thread(stack.kill_replica, on.index(1.0))
                await asyncio.sleep(1)
                job = await post_job(stack.url, market["employer_tokens"][0], "杀掉一个副本之后")
                await live.wait_for_job(job, timeout=15)
            finally:
                await live.close()
            return await load, driver.posted

    samples, posted = asyncio.run(scenario())
    print(f"replica killed: reads {_statuses(samples, GETS)}, writes "
          f"{_statuses(samples, {'post', 'claim'})}, reconnects {live.reconnects}")  # fmt: skip
    assert live.reconnects >= 1, "the websocket was on the killed replica: it had to reconnect"
    gets = _statuses(samples, GETS)
    assert set(gets) <= {200}, f"reads through nginx must all succeed: {gets}"
    posts = _statuses(samples, {"post", "claim"})
    assert set(posts) <= {200, 201, 409, 502}, posts
    assert posts.get(502, 0) <= 3, f"only POSTs in flight on the dead replica may fail: {posts}"
    assert sum(gets.values()) > RATE * 5, "the load ran"
    _check(url, posted)


def test_postgres_restart_gives_quick_503s_then_recovers(
    private_postgres: PrivatePostgres,
    private_redis: PrivateRedis,
    start_stack: Callable[..., Stack],
) -> None:
    admin = create_engine(private_postgres.url.replace("postgresql://", "postgresql+psycopg://"),
                          isolation_level="AUTOCOMMIT")  # fmt: skip
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE linggong"))
    admin.dispose()
    url = private_postgres.url.rsplit("/", 1)[0] + "/linggong"
    upgrade(url)
    market = seeded(url)
    # slot prices solved every second, so solves meet the outage too
    stack = start_stack(
        database_url=url, redis_url=private_redis.url, env={"LINGGONG_PRICES_SECONDS": "1"}
    )
    feed = stack.url + "/api/v1/worker/feed"
    auth = {"Authorization": f"Bearer {market['worker_tokens'][0]}", "Accept-Language": "zh-CN"}

    async def scenario() -> tuple[list[Sample], dict[str, Any], list[int]]:
        async with (
            background_load(stack.url, market, seed=12, seconds=14) as (load, driver),
            httpx.AsyncClient(timeout=15) as client,
        ):
            await asyncio.sleep(3)
            await asyncio.to_thread(private_postgres.stop, "fast")
            began = time.monotonic()
            down = await client.get(feed, headers=auth)
            took = time.monotonic() - began
            ready = await client.get(stack.url + "/readyz")
            seen = {"feed": down.status_code, "body": down.text, "took": took,
                    "ready": ready.status_code, "ready_body": ready.text}  # fmt: skip
            await asyncio.sleep(2)
            await asyncio.to_thread(private_postgres.start)
            began = time.monotonic()
            while (await client.get(feed, headers=auth)).status_code != 200:
                assert time.monotonic() - began < 10, "no recovery within 10 s"
                await asyncio.sleep(0.1)
            seen["recovery_s"] = time.monotonic() - began
            seen["ready_after"] = (await client.get(stack.url + "/readyz")).status_code
            return await load, seen, driver.posted

    samples, seen, posted = asyncio.run(scenario())
    print(f"postgres restarted: {seen}, load {_statuses(samples)}")
    assert seen["feed"] == 503, seen
    assert seen["took"] < 5, "a stopped database answers quickly, it does not hang"
    detail = json.loads(seen["body"])["detail"]  # the app's own answer, not nginx's error page
    assert detail == "服务繁忙或暂时不可用，没有做任何更改，请稍后重试。", seen
    assert seen["ready"] == 503, seen
    assert json.loads(seen["ready_body"])["checks"]["database"] is False, seen
    assert seen["recovery_s"] < 10 and seen["ready_after"] == 200, seen
    statuses = _statuses(samples)
    assert set(statuses) <= {200, 201, 409, 503}, f"only clean refusals: {statuses}"
    assert statuses.get(503, 0) > 0, "the outage was seen by the load"
    assert max(s.latency_ms for s in samples) < 10_000, "no request hung"
    tail = [s for s in samples if s.due > max(x.due for x in samples) - 2]
    assert set(_statuses(tail)) <= {200, 201, 409}, "after recovery every request succeeds"
    assert "feed prices: solving failed" not in stack.logs(), "an outage is no solver error"
    _check(url, posted)


def test_redis_restart_keeps_live_updates_flowing_across_replicas(
    market_db: tuple[str, dict[str, Any]],
    private_redis: PrivateRedis,
    start_stack: Callable[..., Stack],
) -> None:
    url, market = market_db
    stack = start_stack(database_url=url, redis_url=private_redis.url)
    boss = market["employer_tokens"][0]
    ready = stack.url + "/readyz"

    async def on_each_replica(live: LiveClient, title: str) -> None:
        # posted straight to each replica: one of them is not the websocket's
        for replica in stack.replicas:
            job = await post_job(replica.url, boss, f"{title}-{replica.port}")
            await live.wait_for_job(job, timeout=10)

    live = LiveClient(stack.ws_url, market["staff_token"])

    async def scenario() -> tuple[list[Sample], dict[str, Any], list[int]]:
        async with background_load(stack.url, market, seed=13, seconds=14) as (load, driver):
            await live.open()
            try:
                seen = await outage(live)
            finally:
                await live.close()
            return await load, seen, driver.posted

    async def outage(live: LiveClient) -> dict[str, Any]:
        await on_each_replica(live, "重启之前")
        await asyncio.to_thread(private_redis.kill)
        seen: dict[str, Any] = {"flip_s": await asyncio.to_thread(
            _until, lambda: _status(ready) == 503, 10)}  # fmt: skip
        await on_each_replica(live, "Redis 不在的时候")
        await asyncio.to_thread(private_redis.start)
        seen["recover_s"] = await asyncio.to_thread(_until, lambda: _status(ready) == 200, 15)
        await on_each_replica(live, "重启之后")
        return seen

    samples, seen, posted = asyncio.run(scenario())
    print(f"redis restarted: {seen}, load {_statuses(samples)}")
    assert seen["flip_s"] < 5 and seen["recover_s"] < 10, seen
    statuses = _statuses(samples)
    assert set(statuses) <= {200, 201, 409}, f"Redis is not needed to serve: {statuses}"
    _check(url, posted)
