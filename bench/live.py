"""`python -m bench live`: posting-to-delivery latency and server CPU per delivered message.

Every connected client is a worker the posted job fits, so each post reaches all of them
(the worst case: one `feed.job` frame per client, each with its own score and reason).
The server runs as its own uvicorn process (`--ws websockets`), the clients in another;
both read the same system-wide monotonic clock, so latency = receipt - just before POST.
Server CPU is read from /proc: in all, and less what the same posts cost with nobody
connected (the delivery's own cost, without the POST's HTTP and database handling).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.load.stack import cpu_seconds, free_port, wait_until_up
from market.demo.geography import BY_NAME

ROOT = Path(__file__).resolve().parents[1]
DISTRICT = BY_NAME["芝罘区"]  # every worker and every post near its centre
NEAR = (DISTRICT.lat, DISTRICT.lon)


def _seed(url: str, clients: int) -> tuple[str, list[str]]:
    """An employer and `clients` painters near the job, each with a login session."""
    from sqlmodel import Session

    from market.accounts import service as accounts
    from market.db import make_engine
    from market.models import (
        EmployerProfile,
        Role,
        User,
        WeeklyAvailability,
        WorkerProfile,
        WorkerTrade,
    )

    engine = make_engine(url)
    password = accounts.hash_password("bench-password")
    stamp = int(time.time() * 1000) % 10_000_000
    tokens: list[str] = []
    with Session(engine, expire_on_commit=False) as session:
        boss = User(phone=f"170{stamp:08d}", password_hash=password, role=Role.employer, name="B")
        session.add(boss)
        session.flush()
        assert boss.id is not None
        session.add(EmployerProfile(user_id=boss.id, org_name="bench"))
        users = [
            User(phone=f"18{stamp % 1000:03d}{i:06d}", password_hash=password, role=Role.worker,
                 name=f"W{i}")
            for i in range(clients)
        ]  # fmt: skip
        session.add_all(users)
        session.flush()
        for i, u in enumerate(users):
            assert u.id is not None
            session.add(
                WorkerProfile(
                    user_id=u.id,
                    home_lat=NEAR[0] + (i % 50) * 0.001,
                    home_lon=NEAR[1] + (i // 50 % 50) * 0.001,
                    radius_km=20,
                )
            )
        session.flush()
        for u in users:
            assert u.id is not None
            session.add(WorkerTrade(worker_id=u.id, trade="painter", level=2))
            session.add_all(
                WeeklyAvailability(worker_id=u.id, weekday=d, start_minute=0, end_minute=1440)
                for d in range(7)
            )
        boss_token, _ = accounts.session_create(session=session, user=boss)
        for u in users:
            tokens.append(accounts.session_create(session=session, user=u)[0])
        session.commit()
    engine.dispose()
    return boss_token, tokens


class Server:
    def __init__(self, database_url: str, redis_url: str | None) -> None:
        self.port = free_port()
        env = dict(os.environ, LINGGONG_DATABASE_URL=database_url, LINGGONG_ENVIRONMENT="test")
        env.pop("LINGGONG_REDIS_URL", None)
        env["LINGGONG_RATE_LIMITS"] = "off"  # every simulated worker claims from one address
        if redis_url:
            env["LINGGONG_REDIS_URL"] = redis_url
        self.process = subprocess.Popen(
            [sys.executable, "-W", "ignore", "-c", _SERVE, str(self.port)], cwd=ROOT, env=env
        )
        wait_until_up(f"http://127.0.0.1:{self.port}/healthz", process=self.process, seconds=60)

    def cpu_seconds(self) -> tuple[float, float]:
        """User and system CPU seconds of the server process so far."""
        return cpu_seconds(self.process.pid)

    def post_job(self, token: str, title: str) -> None:
        start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=1, minute=0, second=0)
        body = {
            "trade": "painter", "title": title, "lat": NEAR[0] + 0.01, "lon": NEAR[1] + 0.01,
            "address": f"烟台市{DISTRICT.name}", "district": DISTRICT.name,
            "start_at": start.isoformat(), "end_at": (start + timedelta(hours=8)).isoformat(),
            "headcount": 5, "wage": 300,
        }  # fmt: skip
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1/jobs",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def stop(self) -> None:
        if os.environ.get("LINGGONG_BENCH_PROFILE"):
            self.process.send_signal(signal.SIGUSR1)
            time.sleep(2)
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_SERVE = """
import cProfile, os, resource, sys, uvicorn
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
profile = os.environ.get("LINGGONG_BENCH_PROFILE")
profiler = cProfile.Profile() if profile else None
if profiler:
    import signal
    signal.signal(signal.SIGUSR1, lambda *_: (profiler.disable(), profiler.dump_stats(profile)))
    profiler.enable()
from web.cli import WS_PING_INTERVAL_S, WS_PING_TIMEOUT_S
uvicorn.run("web.app:create_app", factory=True, host="127.0.0.1", port=int(sys.argv[1]),
            ws="websockets", ws_per_message_deflate=False, log_level="warning", backlog=8192,
            ws_ping_interval=WS_PING_INTERVAL_S, ws_ping_timeout=WS_PING_TIMEOUT_S)
"""


# ---------------------------------------------------------------- the client process


MARKER = b'"title":"bench-'


class _Client(asyncio.Protocol):
    """A light websocket client (the `websockets` sans-I/O protocol on a raw transport).

    Latency is stamped when the bytes arrive, before any parsing, so the figures measure
    the server rather than the client's per-message Python overhead.
    """

    def __init__(self, port: int, token: str, received: list[list[float]]) -> None:
        from websockets.client import ClientProtocol
        from websockets.uri import parse_uri

        self.ws = ClientProtocol(parse_uri(f"ws://127.0.0.1:{port}/ws"))
        request = self.ws.connect()
        request.headers["Authorization"] = f"Bearer {token}"
        self.ws.send_request(request)
        self.received = received
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._flush()

    def _flush(self) -> None:
        assert self.transport is not None
        for data in self.ws.data_to_send():
            if data:
                self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        from websockets.frames import Frame, Opcode

        now = time.monotonic()
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if not isinstance(event, Frame) or event.opcode is not Opcode.TEXT:
                continue
            if not self.ready.done():
                self.ready.set_result(None)  # hello
                continue
            frame = bytes(event.data)  # no copy: the protocol hands over bytes
            at = frame.find(MARKER)
            if at >= 0:
                at += len(MARKER)
                self.received[int(frame[at : frame.index(b'"', at)])].append(now)
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(exc or ConnectionError("closed before hello"))


async def _clients(port: int, tokens: list[str], posts: int) -> None:
    loop = asyncio.get_running_loop()
    received: list[list[float]] = [[] for _ in range(posts)]
    gate = asyncio.Semaphore(64)
    clients: list[_Client] = []

    async def one(token: str) -> None:
        async with gate:
            _, client = await loop.create_connection(
                lambda: _Client(port, token, received), "127.0.0.1", port
            )
            clients.append(client)
            await asyncio.wait_for(client.ready, 120)

    await asyncio.gather(*(one(t) for t in tokens))
    print("ready", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)  # "done"
    for client in clients:
        if client.transport is not None:
            client.transport.abort()
    print(json.dumps(received), flush=True)


def client_main(argv: list[str]) -> int:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    port, tokens_file, posts = int(argv[0]), argv[1], int(argv[2])
    tokens = json.loads(Path(tokens_file).read_text())
    asyncio.run(_clients(port, tokens, posts))
    return 0


# ---------------------------------------------------------------- the controller


def _cpu(receiving: Server, posting: Server, two: bool) -> tuple[float, float]:
    user, system = receiving.cpu_seconds()
    if two:
        more = posting.cpu_seconds()
        user, system = user + more[0], system + more[1]
    return user, system


def _post_series(posting: Server, boss: str, posts: int, pause: float, tag: str) -> list[float]:
    """Post `posts` jobs, `pause` seconds apart; the moment just before each POST."""
    sent: list[float] = []
    for k in range(posts):
        sent.append(time.monotonic())
        posting.post_job(boss, f"{tag}-{k}")
        time.sleep(pause)
    return sent


def _posting_cpu(
    receiving: Server, posting: Server, two: bool, boss: str, posts: int, pause: float, tag: str
) -> float:
    """Server CPU seconds that a series of posts costs, measured like the real run."""
    time.sleep(1.0)
    before = _cpu(receiving, posting, two)
    _post_series(posting, boss, posts, pause, tag)
    time.sleep(1.0)
    after = _cpu(receiving, posting, two)
    return sum(after) - sum(before)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_case(
    *, clients: int, posts: int, database_url: str, redis_url: str | None, two_processes: bool
) -> dict[str, Any]:
    boss, tokens = _seed(database_url, clients)
    receiving = Server(database_url, redis_url)
    posting = Server(database_url, redis_url) if two_processes else receiving
    pause = max(0.3, clients / 8000)
    # the same posts with nobody connected: what a post costs the server by itself
    baseline = _posting_cpu(receiving, posting, two_processes, boss, posts, pause, "solo")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(tokens, handle)
    client = subprocess.Popen(
        [sys.executable, "-m", "bench.live", "clients", str(receiving.port), handle.name,
         str(posts)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert client.stdout is not None and client.stdin is not None
        if client.stdout.readline().strip() != "ready":
            raise RuntimeError("bench clients did not connect")
        time.sleep(1.0)
        cpu_before = _cpu(receiving, posting, two_processes)
        sent = _post_series(posting, boss, posts, pause, "bench")
        time.sleep(1.0)
        cpu_after = _cpu(receiving, posting, two_processes)
        client.stdin.write("done\n")
        client.stdin.flush()
        received = json.loads(client.stdout.readline())
        client.wait(timeout=60)
    finally:
        if client.poll() is None:
            client.kill()
        for pipe in (client.stdin, client.stdout):
            if pipe is not None:
                pipe.close()
        receiving.stop()
        if two_processes:
            posting.stop()
        Path(handle.name).unlink(missing_ok=True)
    latencies = [(t - sent[k]) * 1000 for k in range(posts) for t in received[k]]
    per_post = [
        (round(min(r) - sent[k], 3), round(max(r) - sent[k], 3)) if r else None
        for k, r in enumerate(received)
    ]
    print("first and last delivery of each post (s):", per_post, file=sys.stderr)
    delivered = len(latencies)
    return {
        "clients": clients,
        "posts": posts,
        "delivered": delivered,
        "expected": clients * posts,
        "p50_ms": round(_percentile(latencies, 50), 1) if latencies else None,
        "p99_ms": round(_percentile(latencies, 99), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "cpu_us_per_message": round(
            (sum(cpu_after) - sum(cpu_before)) * 1e6 / max(1, delivered), 1
        ),
        "of_which_user_us": round((cpu_after[0] - cpu_before[0]) * 1e6 / max(1, delivered), 1),
        "of_which_kernel_us": round((cpu_after[1] - cpu_before[1]) * 1e6 / max(1, delivered), 1),
        # less what the same posts cost with nobody connected (the POST handling itself)
        "delivery_cpu_us_per_message": round(
            (sum(cpu_after) - sum(cpu_before) - baseline) * 1e6 / max(1, delivered), 1
        ),
        "solo_post_cpu_ms": round(baseline * 1000 / posts, 2),
        "redis": bool(redis_url),
        "processes": 2 if two_processes else 1,
    }


@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    """A migrated SQLite database in a temporary folder, removed afterwards."""
    from market.migrations import upgrade

    folder = tempfile.mkdtemp(prefix="linggong-bench-")
    try:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        yield url
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_database(url: str) -> Iterator[str]:
    """A migrated throw-away database on the server at `url`, dropped afterwards."""
    from sqlalchemy import create_engine, text

    from market.db import normalise_url
    from market.migrations import upgrade

    base = normalise_url(url)
    name = f"lg_bench_{os.getpid()}_{int(time.time())}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        fresh = base.rsplit("/", 1)[0] + "/" + name
        upgrade(fresh)
        yield fresh
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench live")
    parser.add_argument("--clients", default="1000,5000", help="comma-separated client counts")
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--postgres-url", help="also run two processes through Redis on this")
    parser.add_argument("--redis-url")
    parser.add_argument("--redis-clients", type=int, default=1000)
    args = parser.parse_args(argv)
    results = []
    for n in (int(x) for x in args.clients.split(",") if x):
        with sqlite_database() as url:
            results.append(
                run_case(
                    clients=n, posts=args.posts, database_url=url, redis_url=None,
                    two_processes=False,
                )
            )  # fmt: skip
        print(json.dumps(results[-1]), flush=True)
    if args.postgres_url and args.redis_url:
        with postgres_database(args.postgres_url) as url:
            results.append(
                run_case(
                    clients=args.redis_clients, posts=args.posts, database_url=url,
                    redis_url=args.redis_url, two_processes=True,
                )
            )  # fmt: skip
        print(json.dumps(results[-1]), flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["clients"]:
        raise SystemExit(client_main(sys.argv[2:]))
    raise SystemExit(main(sys.argv[1:]))
