"""The production stack on loopback for fault tests: a seeded market, private servers,
and a websocket client that reconnects the way `web/static/js/live.js` does."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from bench.load.client import Driver, Sample
from bench.load.seed import job_data, seed_load_market
from bench.load.services import PrivatePostgres, PrivateRedis, postgres_available, redis_available
from bench.load.stack import Stack, nginx_binary
from market.db import make_engine, session_scope
from market.types import utcnow


def seeded(url: str) -> dict[str, Any]:
    """A small load market in the (migrated, empty) database at `url`."""
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            market = seed_load_market(session=session, workers=60, logins=60, instant_jobs=40)
    finally:
        engine.dispose()
    return asdict(market)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    if not redis_available():
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if not postgres_available():
        pytest.skip("PostgreSQL 15's initdb is not installed")
    server = PrivatePostgres()
    try:
        yield server.create()
    finally:
        server.destroy()


@pytest.fixture
def stack_dir() -> Iterator[Path]:
    """nginx's prefix and the replicas' logs (removed afterwards)."""
    if nginx_binary() is None:
        pytest.skip("nginx is not installed (.ci/run installs it)")
    path = Path(tempfile.mkdtemp(prefix="linggong-stack-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def start_stack(stack_dir: Path) -> Iterator[Callable[..., Stack]]:
    """Start the stack (2 replicas behind nginx); stopped at the end, whatever happened."""
    started: list[Stack] = []

    def start(**kwargs: Any) -> Stack:
        stack = Stack(workdir=stack_dir, **kwargs)
        started.append(stack)
        return stack.start()

    try:
        yield start
    finally:
        for stack in started:
            stack.stop()


RATE = 12  # requests a second in the background: light, the faults are the point


@contextlib.asynccontextmanager
async def background_load(
    base_url: str, market: dict[str, Any], *, seed: int, seconds: float
) -> AsyncIterator[tuple[asyncio.Task[list[Sample]], Driver]]:
    """The request mix at `RATE` for `seconds`; await the task for its samples."""
    driver = Driver(base_url, market, seed=seed)
    task = asyncio.create_task(driver.run(RATE, seconds))
    try:
        yield task, driver
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await driver.close()


async def post_job(base_url: str, token: str, title: str) -> int:
    """Post an instant job as this employer; its id."""
    body = job_data(random.Random(title), now=utcnow(), instant=True, title=title)
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            base_url + "/api/v1/jobs",
            json=body.model_dump(mode="json"),
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


class LiveClient:
    """A staff websocket through nginx that reconnects with `?last_id=` when it drops."""

    def __init__(self, ws_url: str, token: str) -> None:
        self.ws_url = ws_url
        self.token = token
        self.last_id = 0
        self.reconnects = 0
        self.jobs_seen: set[int] = set()
        self.socket: ClientConnection | None = None

    async def open(self) -> None:
        url = self.ws_url + (f"?last_id={self.last_id}" if self.last_id else "")
        self.socket = await connect(
            url, additional_headers={"Authorization": f"Bearer {self.token}"}, open_timeout=5
        )
        hello = json.loads(await asyncio.wait_for(self.socket.recv(), 5))
        assert hello["type"] == "hello", hello
        if not self.last_id:  # first time: from now on; afterwards the server replays the gap
            self.last_id = int(hello["data"]["last_id"])

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    async def wait_for_job(self, job_id: int, timeout: float = 10.0) -> None:
        """Read (reconnecting as needed) until the `job.posted` event of `job_id` came."""
        async with asyncio.timeout(timeout):
            while job_id not in self.jobs_seen:
                try:
                    assert self.socket is not None
                    self._note(json.loads(await self.socket.recv()))
                except ConnectionClosed:
                    await self._reconnect()

    async def _reconnect(self) -> None:
        while True:
            try:
                await self.open()
                self.reconnects += 1
                return
            except (OSError, InvalidHandshake, InvalidStatus, TimeoutError):
                await asyncio.sleep(0.2)

    def _note(self, message: dict[str, Any]) -> None:
        if "id" in message:
            self.last_id = max(self.last_id, int(message["id"]))
        data = message.get("data") or {}
        if message["type"] == "job.posted":
            self.jobs_seen.add(int(data.get("job_id") or data.get("id")))
