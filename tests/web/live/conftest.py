"""Real servers and real clients: uvicorn (`--ws websockets`) on loopback, `websockets` clients."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from websockets.asyncio.client import ClientConnection, connect

from market.accounts import service as accounts
from market.models import User
from tests import factories
from tests.servers import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("LINGGONG_TEST_REDIS_URL")
NO_REDIS = "LINGGONG_TEST_REDIS_URL is not set: Redis tests skipped"


class LiveServer:
    """One app process: `uvicorn web.app:create_app --factory --ws websockets`."""

    def __init__(self, database_url: str, *, redis_url: str | None = None, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws = f"ws://127.0.0.1:{self.port}/ws"
        environment = dict(os.environ)
        environment.pop("LINGGONG_REDIS_URL", None)
        environment.update(LINGGONG_DATABASE_URL=database_url, LINGGONG_ENVIRONMENT="test", **env)
        if redis_url:
            environment["LINGGONG_REDIS_URL"] = redis_url
        self.log = tempfile.NamedTemporaryFile(prefix="live-server-", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-W", "ignore:The `websockets` implementation", "-m", "uvicorn",
             "web.app:create_app", "--factory", "--ws", "websockets", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", os.environ.get("LIVE_TEST_LOG", "warning")],
            cwd=ROOT, env=environment, stderr=self.log,
        )  # fmt: skip
        try:
            wait_until_up(self.base + "/healthz", process=self.process)
        except RuntimeError:
            self.stop()
            raise

    def logged(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()

    def post(self, path: str, body: dict[str, Any], token: str) -> dict[str, Any]:
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                result: dict[str, Any] = json.loads(response.read())
                return result
        except urllib.error.HTTPError as error:
            # read and close the answer here: an open one left to the garbage collector
            # turns into an "unraisable" socket warning in whichever test runs next
            with error:
                detail = error.read().decode(errors="replace")
            raise AssertionError(f"POST {path}: {error.code} {detail}") from None

    def ticket(self, token: str) -> str:
        """A single-use `/ws?ticket=` for this session token."""
        answer = self.post("/api/v1/live/ticket", {}, token)
        assert answer["expires_in"] > 0
        return str(answer["ticket"])

    async def apost(self, path: str, body: dict[str, Any], token: str) -> dict[str, Any]:
        return await asyncio.to_thread(self.post, path, body, token)

    def connect(
        self,
        token: str | None = None,
        *,
        last_id: int | None = None,
        cookie: str | None = None,
        origin: str | None = None,
        query: str = "",
    ) -> Any:
        params = [query] if query else []
        if last_id is not None:
            params.append(f"last_id={last_id}")
        url = self.ws + ("?" + "&".join(params) if params else "")
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if cookie:
            headers["Cookie"] = f"lg_session={cookie}"
        return connect(
            url,
            additional_headers=headers,
            origin=origin,  # type: ignore[arg-type]
            open_timeout=10,
            max_size=2**22,
        )


def database_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def serve(fresh_engine: Engine) -> Iterator[Callable[..., LiveServer]]:
    """Start app processes on this test's own database; all stopped at the end.

    The processes of one test share a secret of that test's own: per-user counts (rate
    limits, login throttle) that earlier tests or runs left in the shared Redis are keyed
    under other secrets, and a fresh database's user 1 starts from nothing.
    """
    started: list[LiveServer] = []
    secret = f"live-test-{uuid.uuid4().hex}"

    def start(**kwargs: Any) -> LiveServer:
        kwargs.setdefault("LINGGONG_SECRET_KEY", secret)
        server = LiveServer(database_url(fresh_engine), **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        pytest.skip(NO_REDIS)
    return REDIS_URL


def login(engine: Engine, user: User) -> str:
    with Session(engine, expire_on_commit=False) as session:
        token, _ = accounts.session_create(session=session, user=user)
        session.commit()
    return token


def make(engine: Engine, factory: Callable[..., User], **kwargs: Any) -> tuple[User, str]:
    """A committed user of this kind, and a session token for them."""
    with Session(engine, expire_on_commit=False) as session:
        user = factory(session, **kwargs)
        session.commit()
    return user, login(engine, user)


def job_body(**overrides: Any) -> dict[str, Any]:
    return factories.job_body(
        start_hour=2, **{"trade": "painter", "lat": 37.545, "lon": 121.262, **overrides}
    )


async def receive(ws: ClientConnection, timeout: float = 3.0) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        return dict(json.loads(await ws.recv()))


async def hello(ws: ClientConnection) -> int:
    message = await receive(ws)
    assert message["type"] == "hello", message
    return int(message["data"]["last_id"])


async def collect(ws: ClientConnection, seconds: float) -> list[dict[str, Any]]:
    """Every message that arrives within `seconds`."""
    messages: list[dict[str, Any]] = []
    deadline = asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            messages.append(await receive(ws, left))
        except TimeoutError:
            break
    return messages


async def until(ws: ClientConnection, kind: str, timeout: float = 3.0) -> dict[str, Any]:
    """The next message of this type (others are skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            message = await receive(ws, timeout)
            if message["type"] == kind:
                return message
