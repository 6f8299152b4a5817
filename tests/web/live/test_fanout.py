"""Fan-out across processes through Redis, Redis going away, and clients that stop reading."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import time
from collections.abc import Callable

import pytest
import redis
from sqlalchemy import Engine
from sqlmodel import Session

from market.events import outbox as outbox
from market.events.service import event_record
from tests.factories import make_employer, make_staff, make_worker
from tests.web.live.conftest import LiveServer, collect, hello, job_body, make, receive, until

Serve = Callable[..., LiveServer]
ON_POSTGRES = pytest.mark.parametrize(
    "fresh_engine", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@ON_POSTGRES
def test_event_committed_through_process_b_reaches_a_client_of_process_a(
    fresh_engine: Engine, serve: Serve, redis_url: str
) -> None:
    a, b = serve(redis_url=redis_url), serve(redis_url=redis_url)
    _, boss = make(fresh_engine, make_employer)
    _, worker = make(fresh_engine, make_worker, lat=37.54, lon=121.26)

    async def scenario() -> None:
        async with a.connect(worker) as w, a.connect(boss) as e:
            await hello(w)
            await hello(e)
            posted_at = time.monotonic()
            job = await b.apost("/api/v1/jobs", job_body(), boss)
            pushed = await receive(w, 2)
            assert time.monotonic() - posted_at < 1.0
            assert pushed["type"] == "feed.job" and pushed["data"]["job"]["id"] == job["id"]
            assert (await receive(e, 2))["type"] == "job.posted"

    asyncio.run(scenario())


def _kill_live_redis_clients(url: str, stream: str) -> int:
    """What a Redis restart does to us: connections cut, the (unsaved) stream gone."""
    client = redis.Redis.from_url(url)
    try:
        killed = 0
        for info in client.client_list():
            if info.get("name") == "linggong-live":
                killed += int(client.client_kill_filter(_id=info["id"]))
        client.delete(stream)
        return killed
    finally:
        client.close()


@ON_POSTGRES
def test_delivery_resumes_without_loss_after_redis_connections_are_killed(
    fresh_engine: Engine, serve: Serve, redis_url: str
) -> None:
    a, b = serve(redis_url=redis_url), serve(redis_url=redis_url)
    stream = outbox.stream_name(fresh_engine.url.render_as_string(hide_password=True))
    _, boss = make(fresh_engine, make_employer)
    _, staff = make(fresh_engine, make_staff)

    async def scenario() -> None:
        async with a.connect(staff) as s:
            first = await hello(s)
            for round_ in range(3):
                for i in range(3):
                    await b.apost("/api/v1/jobs", job_body(title=f"{round_}-{i}"), boss)
                if round_ < 2:
                    assert await asyncio.to_thread(_kill_live_redis_clients, redis_url, stream)
            got = [m for m in await collect(s, 4.0) if m["type"] == "job.posted"]
        assert [m["id"] for m in got] == list(range(first + 1, first + 10))

    asyncio.run(scenario())


def _silent_client(port: int, token: str) -> socket.socket:
    """A websocket client that completes the handshake and then never reads again."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    assert sock.recv(12) == b"HTTP/1.1 101"
    return sock


def _flood(engine: Engine, *, events: int, size: int) -> None:
    """Commit many big events straight into the outbox (another process's writes)."""
    filler = "x" * size
    with Session(engine) as session:
        for i in range(events):
            event_record(session=session, kind="test.flood", payload={"n": i, "pad": filler})
            if i % 100 == 99:
                session.commit()
        session.commit()


def test_a_client_that_stops_reading_is_dropped_and_others_keep_up(
    fresh_engine: Engine, serve: Serve
) -> None:
    server = serve()
    _, staff = make(fresh_engine, make_staff)
    _, boss = make(fresh_engine, make_employer)
    silent = _silent_client(server.port, staff)
    try:

        async def scenario() -> None:
            async with server.connect(staff) as fast:
                start = await hello(fast)
                rss_before = server.rss_kib()
                await asyncio.to_thread(_flood, fresh_engine, events=1500, size=16_000)
                async with asyncio.timeout(30):
                    while (await receive(fast, 10)).get("id") != start + 1500:
                        pass
                posted_at = time.monotonic()
                await server.apost("/api/v1/jobs", job_body(), boss)
                await until(fast, "job.posted", 2)
                assert time.monotonic() - posted_at < 1.0
                growth_mib = (server.rss_kib() - rss_before) / 1024
                assert growth_mib < 64, f"server memory grew by {growth_mib:.0f} MiB"

        asyncio.run(scenario())
        assert "dropped a live connection of user" in server.logged()
    finally:
        silent.close()
