"""`/ws` end to end: a real uvicorn process, real `websockets` clients, real commits."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from websockets.exceptions import InvalidStatus

from tests.factories import make_employer, make_staff, make_worker
from tests.web.live.conftest import (
    LiveServer,
    collect,
    hello,
    job_body,
    make,
    receive,
    until,
)

Serve = Callable[..., LiveServer]


def test_posted_job_reaches_only_the_worker_it_fits(fresh_engine: Engine, serve: Serve) -> None:
    server = serve()
    _, boss = make(fresh_engine, make_employer)
    _, other_boss = make(fresh_engine, make_employer)
    _, fits = make(fresh_engine, make_worker, trades=(("painter", 2),), lat=37.54, lon=121.26)
    _, welder = make(fresh_engine, make_worker, trades=(("welder", 2),), lat=37.54, lon=121.26)
    _, far = make(fresh_engine, make_worker, trades=(("painter", 2),), lat=39.9, lon=116.4)
    _, staff = make(fresh_engine, make_staff)

    async def scenario() -> None:
        async with (
            server.connect(fits) as w_fit,
            server.connect(welder) as w_trade,
            server.connect(far) as w_far,
            server.connect(boss) as e_own,
            server.connect(other_boss) as e_other,
            server.connect(staff) as s,
        ):
            for ws in (w_fit, w_trade, w_far, e_own, e_other, s):
                await hello(ws)
            posted_at = time.monotonic()
            job = await server.apost("/api/v1/jobs", job_body(), boss)
            pushed = await receive(w_fit, 2)
            latency = time.monotonic() - posted_at
            assert pushed["type"] == "feed.job"
            assert pushed["data"]["job"]["id"] == job["id"]
            assert pushed["data"]["job"]["slots_left"] == 2
            assert "km" in pushed["data"]["reason"] and "320" in pushed["data"]["reason"]
            assert 0 < pushed["data"]["score"] <= 1.5
            assert latency < 1.0
            own = await receive(e_own, 2)
            assert own["type"] == "job.posted" and own["id"] == pushed["id"]
            assert (await receive(s, 2))["type"] == "job.posted"
            for ws in (w_trade, w_far, e_other):
                assert await collect(ws, 0.5) == []

    asyncio.run(scenario())


def test_claims_reach_the_employer_and_a_filled_job_leaves_every_feed(
    fresh_engine: Engine, serve: Serve
) -> None:
    server = serve()
    _, boss = make(fresh_engine, make_employer)
    _, first = make(fresh_engine, make_worker, lat=37.54, lon=121.26)
    _, second = make(fresh_engine, make_worker, lat=37.54, lon=121.26)

    async def scenario() -> None:
        async with (
            server.connect(first) as w1,
            server.connect(second) as w2,
            server.connect(boss) as e,
        ):
            for ws in (w1, w2, e):
                await hello(ws)
            job = await server.apost("/api/v1/jobs", job_body(headcount=1, instant=True), boss)
            await until(w2, "feed.job")
            await server.apost(f"/api/v1/jobs/{job['id']}/claim", {}, first)
            seen = {m["type"]: m for m in await collect(e, 1.0)}
            created = seen["application.created"]
            assert created["data"]["slots_left"] == 0 and created["data"]["status"] == "confirmed"
            assert seen["job.filled"]["data"]["slots_left"] == 0
            mine = await until(w1, "application.created")
            assert mine["data"]["status"] == "confirmed"
            gone = await until(w2, "feed.remove")
            assert gone["data"] == {"job": job["id"]}
            assert [m for m in await collect(w2, 0.3) if m["type"].startswith("application")] == []

    asyncio.run(scenario())


def test_reconnect_with_last_id_gets_exactly_the_missed_events_in_order(
    fresh_engine: Engine, serve: Serve
) -> None:
    server = serve(LINGGONG_LIVE_REPLAY_LIMIT="5")
    _, boss = make(fresh_engine, make_employer)

    async def scenario() -> None:
        async with server.connect(boss) as ws:
            await hello(ws)
            await server.apost("/api/v1/jobs", job_body(title="第一个"), boss)
            seen = (await receive(ws))["id"]
        posted = [
            await server.apost("/api/v1/jobs", job_body(title=f"第{i}个"), boss) for i in range(5)
        ]
        await asyncio.sleep(0.5)  # let the relay number them while nobody listens
        async with server.connect(boss, last_id=seen) as ws:
            current = await hello(ws)
            missed = await collect(ws, 1.0)
        assert [m["type"] for m in missed] == ["job.posted"] * 5
        assert [m["data"]["id"] for m in missed] == [p["id"] for p in posted]
        ids = [m["id"] for m in missed]
        assert ids == sorted(ids) and ids[-1] == current and ids[0] > seen
        # further back than the replay window: the page must refetch over HTTP
        await server.apost("/api/v1/jobs", job_body(), boss)
        await asyncio.sleep(0.5)
        async with server.connect(boss, last_id=seen) as ws:
            await hello(ws)
            assert [m["type"] for m in await collect(ws, 0.5)] == ["resync"]

    asyncio.run(scenario())


def test_handshake_from_a_foreign_origin_is_refused(fresh_engine: Engine, serve: Serve) -> None:
    server = serve()
    _, token = make(fresh_engine, make_worker)

    async def scenario() -> None:
        for origin in ("http://evil.example", f"http://127.0.0.1:{server.port + 1}", "null"):
            with pytest.raises(InvalidStatus) as refused:
                async with server.connect(cookie=token, origin=origin):
                    pass
            assert refused.value.response.status_code == 403
        with pytest.raises(InvalidStatus) as refused:  # a cookie without Origin: not a page
            async with server.connect(cookie=token):
                pass
        assert refused.value.response.status_code == 403
        async with server.connect(cookie=token, origin=server.base) as ws:
            await hello(ws)

    asyncio.run(scenario())


def test_handshake_without_a_valid_session_is_refused(fresh_engine: Engine, serve: Serve) -> None:
    server = serve()

    async def scenario() -> None:
        for token in (None, "not-a-session"):
            with pytest.raises(InvalidStatus) as refused:
                async with server.connect(token):
                    pass
            assert refused.value.response.status_code == 401
            assert json.loads(refused.value.response.body or b"{}")["detail"] == "请先登录"

    asyncio.run(scenario())


def test_app_level_ping_is_answered(fresh_engine: Engine, serve: Serve) -> None:
    server = serve()
    _, token = make(fresh_engine, make_staff)

    async def scenario() -> None:
        async with server.connect(token) as ws:
            await hello(ws)
            await ws.send(json.dumps({"type": "ping"}))
            assert await receive(ws) == {"type": "pong"}

    asyncio.run(scenario())


def test_a_hire_counts_the_slots_down_in_the_feeds_the_job_fits(
    fresh_engine: Engine, serve: Serve
) -> None:
    server = serve()
    _, boss = make(fresh_engine, make_employer)
    _, hired = make(fresh_engine, make_worker, lat=37.54, lon=121.26)
    _, watching = make(fresh_engine, make_worker, lat=37.54, lon=121.26)
    _, welder = make(fresh_engine, make_worker, trades=(("welder", 2),), lat=37.54, lon=121.26)

    async def scenario() -> None:
        async with (
            server.connect(hired) as w_hired,
            server.connect(watching) as w_watch,
            server.connect(welder) as w_other,
        ):
            for ws in (w_hired, w_watch, w_other):
                await hello(ws)
            job = await server.apost("/api/v1/jobs", job_body(headcount=3), boss)
            await until(w_watch, "feed.job")
            applied = await server.apost(f"/api/v1/jobs/{job['id']}/claim", {}, hired)
            await until(w_hired, "application.created")
            assert [m for m in await collect(w_watch, 0.5) if m["type"] == "feed.slots"] == []
            await server.apost(f"/api/v1/applications/{applied['id']}/confirm", {}, boss)
            counted = await until(w_watch, "feed.slots")
            assert counted["data"] == {"job": job["id"], "slots_left": 2}
            assert (await until(w_hired, "application.confirmed"))["id"] == counted["id"]
            await server.apost(
                f"/api/v1/applications/{applied['id']}/cancel", {"reason": "家里有事"}, hired
            )
            freed = await until(w_watch, "feed.slots")
            assert freed["data"] == {"job": job["id"], "slots_left": 3}
            assert freed["id"] > counted["id"]
            assert await collect(w_other, 0.5) == []  # the job is not in a welder's feed

    asyncio.run(scenario())


def test_a_resuming_worker_gets_the_slot_changes_it_missed(
    fresh_engine: Engine, serve: Serve
) -> None:
    server = serve()
    _, boss = make(fresh_engine, make_employer)
    _, hired = make(fresh_engine, make_worker, lat=37.54, lon=121.26)
    _, away = make(fresh_engine, make_worker, lat=37.54, lon=121.26)

    async def scenario() -> None:
        async with server.connect(away) as ws:
            await hello(ws)
            job = await server.apost("/api/v1/jobs", job_body(headcount=2, instant=True), boss)
            seen = (await until(ws, "feed.job"))["id"]
        await server.apost(f"/api/v1/jobs/{job['id']}/claim", {}, hired)
        await asyncio.sleep(0.5)  # numbered while the worker is away
        async with server.connect(away, last_id=seen) as ws:
            await hello(ws)
            missed = [m for m in await collect(ws, 1.0) if m["type"] == "feed.slots"]
        assert [m["data"] for m in missed] == [{"job": job["id"], "slots_left": 1}]

    asyncio.run(scenario())


def test_a_blocked_employers_new_job_is_pushed_to_no_worker_of_the_pair(
    fresh_engine: Engine, serve: Serve
) -> None:
    from market.db import session_scope
    from market.invites import blocks as block_service
    from market.models import User

    server = serve()
    boss_user, boss = make(fresh_engine, make_employer)
    here = {"trades": (("painter", 2),), "lat": 37.54, "lon": 121.26}
    before_user, blocked_before = make(fresh_engine, make_worker, **here)
    while_user, blocked_while = make(fresh_engine, make_worker, **here)
    _, free = make(fresh_engine, make_worker, **here)
    with session_scope(fresh_engine) as session:  # blocked before connecting
        worker = session.get_one(User, before_user.id)
        block_service.block_add(session=session, user=worker, other_id=boss_user.id or 0)

    async def scenario() -> None:
        async with (
            server.connect(blocked_before) as w_before,
            server.connect(blocked_while) as w_while,
            server.connect(free) as w_free,
        ):
            for ws in (w_before, w_while, w_free):
                await hello(ws)
            with session_scope(fresh_engine) as session:  # the employer blocks one now
                employer = session.get_one(User, boss_user.id)
                block_service.block_add(session=session, user=employer, other_id=while_user.id or 0)
            await asyncio.sleep(1.0)  # the hub reloads the connected worker's blocks
            job = await server.apost("/api/v1/jobs", job_body(), boss)
            assert (await until(w_free, "feed.job"))["data"]["job"]["id"] == job["id"]
            for ws in (w_before, w_while):
                assert [f for f in await collect(ws, 0.8) if f["type"] == "feed.job"] == []

    asyncio.run(scenario())
