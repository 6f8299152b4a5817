"""The load generator's own HTTP client, against real servers on loopback: uvicorn for
the ordinary answers, a raw socket server for the answers uvicorn never gives."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from bench.load.http import Client, TransportError
from bench.load.run import used_between
from bench.load.stack import cpu_by_name, free_port, wait_until_up

APP = """
from fastapi import FastAPI, Request
from starlette.middleware.gzip import GZipMiddleware
app = FastAPI()
app.add_middleware(GZipMiddleware, minimum_size=100)
@app.post("/echo")
async def echo(request: Request) -> dict:
    return {"got": await request.json(), "type": request.headers.get("content-type")}
@app.get("/big")
async def big() -> dict:
    return {"items": ["零工" * 10] * 200}
@app.get("/missing")
async def missing() -> dict:
    from fastapi import HTTPException
    raise HTTPException(404, "no such thing")
"""


@pytest.fixture(scope="module")
def uvicorn_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("app")
    (folder / "echo_app.py").write_text(APP)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "echo_app:app", "--port", str(port),
         "--log-level", "warning"],
        cwd=folder,
    )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{port}/big", process=process, seconds=30)
        yield f"http://127.0.0.1:{port}/api"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_answers_from_uvicorn_arrive_whole_on_one_kept_connection(uvicorn_url: str) -> None:
    async def run() -> None:
        base = uvicorn_url.removesuffix("/api")
        client = Client(base, timeout=5)
        echoed = await client.request("POST", "/echo", {"X-Trace": "1"}, {"工种": "油漆工"})
        assert echoed.status == 200
        assert echoed.json() == {"got": {"工种": "油漆工"}, "type": "application/json"}
        plain = await client.request("GET", "/big", {})
        zipped = await client.request("GET", "/big", {"Accept-Encoding": "gzip"})
        assert plain.json() == zipped.json() == {"items": ["零工" * 10] * 200}
        missing = await client.request("GET", "/missing", {})
        assert (missing.status, missing.json()) == (404, {"detail": "no such thing"})
        assert client.opened == 1  # one after another: the same connection each time
        answers = await asyncio.gather(*(client.request("GET", "/big", {}) for _ in range(5)))
        assert {a.status for a in answers} == {200}
        assert client.opened > 1  # at once: more connections, as a browser's pool opens
        await client.aclose()

    asyncio.run(run())


async def _serve(handle: Callable[[bytes, int], bytes | None]) -> tuple[asyncio.Server, int]:
    """A raw server: `handle(request head, connection's request number)` gives the bytes
    to answer (None: close without answering; starting with `!`: close after them)."""

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        number = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                number += 1
                answer = handle(head, number)
                if answer is None:
                    break
                writer.write(answer.removeprefix(b"!"))
                await writer.drain()
                if answer.startswith(b"!"):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(one, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def _run(handle: Callable[[bytes, int], bytes | None], body: Callable[[Client], Awaitable[None]]):
    async def run() -> None:
        server, port = await _serve(handle)
        async with server:
            client = Client(f"http://127.0.0.1:{port}", timeout=2)
            await body(client)
            await client.aclose()

    asyncio.run(run())


def test_chunked_and_gzipped_answers_are_read_whole() -> None:
    data = json.dumps({"jobs": list(range(300))}).encode()
    packed = gzip.compress(data)
    chunks = b"".join(
        b"%x;ext=1\r\n%s\r\n" % (len(packed[i : i + 100]), packed[i : i + 100])
        for i in range(0, len(packed), 100)
    )
    answer = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"
        + chunks + b"0\r\nX-Trailer: 1\r\n\r\n"
    )  # fmt: skip

    async def body(client: Client) -> None:
        for _ in range(2):  # the trailer is consumed: the connection is clean for the next
            got = await client.request("GET", "/", {})
            assert got.json() == {"jobs": list(range(300))}
        assert client.opened == 1

    _run(lambda head, n: answer, body)


def test_a_connection_closed_while_idle_is_replaced_and_the_request_sent_again() -> None:
    seen: list[bytes] = []

    def handle(head: bytes, number: int) -> bytes | None:
        if number > 1:  # each connection answers once, then closes on the next request
            return None
        seen.append(head.split(b"\r\n")[0])
        return b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    async def body(client: Client) -> None:
        for _ in range(3):
            assert (await client.request("POST", "/jobs", {}, {"a": 1})).body == b"ok"
        assert client.opened == 3
        assert seen == [b"POST /jobs HTTP/1.1"] * 3  # each answered once, none lost

    _run(handle, body)


def test_connection_close_is_honoured_and_read_to_the_end() -> None:
    answers = {
        1: b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na",
        2: b"!HTTP/1.0 200 OK\r\n\r\nto the end",  # no length: its end is the close
    }
    served: list[int] = []

    def handle(head: bytes, number: int) -> bytes | None:
        served.append(number)
        return answers[len(served)]

    async def body(client: Client) -> None:
        assert (await client.request("GET", "/", {})).body == b"a"
        assert (await client.request("GET", "/", {})).body == b"to the end"
        assert client.opened == 2
        assert served == [1, 1]  # both first on a new connection

    _run(handle, body)


def test_no_answer_bad_answers_and_refusals_are_transport_errors() -> None:
    def handle(head: bytes, number: int) -> bytes | None:
        path = head.split(b" ")[1]
        if path == b"/silent":
            return b""  # answers nothing, keeps the connection
        if path == b"/garbage":
            return b"SMTP ready\r\n\r\n"
        if path == b"/short":  # the body stops short and the server goes away
            return b"!HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"
        if path == b"/bad-gzip":
            return b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc"
        return None  # close at once

    async def body(client: Client) -> None:
        client.timeout = 0.3
        for path in ("/silent", "/garbage", "/short", "/bad-gzip", "/closed"):
            started = time.monotonic()
            with pytest.raises(TransportError):
                await client.request("GET", path, {})
            assert time.monotonic() - started < 1.0
        assert client.opened == 5  # a failed connection is never reused

    _run(handle, body)

    async def refused() -> None:
        with pytest.raises(TransportError):
            await Client(f"http://127.0.0.1:{free_port()}", timeout=1).request("GET", "/", {})

    asyncio.run(refused())
    with pytest.raises(ValueError):
        Client("https://example.org")


def test_the_cpu_of_exited_children_counts_in_their_parent(tmp_path: Path) -> None:
    """What `bench load` reads of PostgreSQL: a backend that exits still counts, through
    the postmaster that reaped it."""
    script = (
        "import os, sys, time\n"
        "sys.stdout.write('up\\n'); sys.stdout.flush(); sys.stdin.readline()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    end = time.process_time() + 0.5\n"
        "    while time.process_time() < end: pass\n"
        "    os._exit(0)\n"
        "os.waitpid(pid, 0)\n"
        "sys.stdout.write('done\\n'); sys.stdout.flush(); sys.stdin.readline()\n"
    )
    name = "lgreap"  # the command name /proc shows: the interpreter linked under a new name
    link = tmp_path / name
    link.symlink_to(sys.executable)
    with subprocess.Popen(
        [str(link), "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdin is not None and process.stdout is not None
        try:
            assert process.stdout.readline() == "up\n"
            before = cpu_by_name((name,))[process.pid][1]
            process.stdin.write("\n")
            process.stdin.flush()
            assert process.stdout.readline() == "done\n"
            after = cpu_by_name((name,))[process.pid][1]
            assert after - before >= 0.4  # the child's half second, though it is gone
            process.stdin.write("\n")
            process.stdin.flush()
            process.wait(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()


def test_a_backend_that_exits_is_counted_once_through_its_parent() -> None:
    # postmaster 1 (2.0 s so far), backend 2 (0.5 s so far) and a replica
    last = {1: ("postgres", 2.0), 2: ("postgres", 0.5), 9: ("replicas", 3.0)}
    # backend 2 used 0.25 s more and exited: the postmaster reaped all its 0.75 s;
    # backend 3 started and used 0.125 s; the replica 1.0 s more
    now = {1: ("postgres", 2.75), 3: ("postgres", 0.125), 9: ("replicas", 4.0)}
    assert used_between(last, now) == {"replicas": 1.0, "postgres": 0.375, "nginx": 0.0}
