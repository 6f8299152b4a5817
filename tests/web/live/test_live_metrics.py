"""Live connections and the ones dropped for not reading, as `/metrics` shows them."""

from __future__ import annotations

import asyncio
import socket
import time
import urllib.request
from collections.abc import Callable

from sqlalchemy import Engine

from tests.factories import make_staff
from tests.web.live.conftest import LiveServer, hello, make, receive
from tests.web.live.test_fanout import _flood, _silent_client
from tests.web.test_operational_metrics import sample

Serve = Callable[..., LiveServer]


def scrape(server: LiveServer) -> str:
    with urllib.request.urlopen(server.base + "/metrics", timeout=10) as answer:
        return str(answer.read().decode())


def scrape_until(server: LiveServer, check: Callable[[str], bool], seconds: float = 10) -> str:
    deadline = time.monotonic() + seconds
    while True:
        scraped = scrape(server)
        if check(scraped) or time.monotonic() > deadline:
            return scraped
        time.sleep(0.05)


def test_the_connection_gauge_follows_websockets_opening_and_closing(
    fresh_engine: Engine, serve: Serve
) -> None:
    server = serve()
    _, staff = make(fresh_engine, make_staff)
    gauge = "linggong_websocket_connections"
    assert sample(scrape(server), gauge) == 0

    async def scenario() -> None:
        async with server.connect(staff) as first, server.connect(staff) as second:
            await hello(first)
            await hello(second)
            assert sample(await asyncio.to_thread(scrape, server), gauge) == 2

    asyncio.run(scenario())
    assert sample(scrape_until(server, lambda t: sample(t, gauge) == 0), gauge) == 0


def test_a_client_dropped_for_not_reading_is_counted_with_its_lost_messages(
    fresh_engine: Engine, serve: Serve
) -> None:
    # a short queue and grace: the silent client is dropped once the socket's buffers fill
    server = serve(LINGGONG_LIVE_QUEUE_SIZE="4", LINGGONG_LIVE_FULL_GRACE_S="0.01")
    _, staff = make(fresh_engine, make_staff)
    before = scrape(server)
    assert sample(before, "linggong_live_dropped_connections_total") == 0
    assert sample(before, "linggong_live_dropped_messages_total") == 0
    silent: socket.socket = _silent_client(server.port, staff)
    try:

        async def scenario() -> None:
            async with server.connect(staff) as reader:
                start = await hello(reader)
                await asyncio.to_thread(_flood, fresh_engine, events=600, size=16_000)
                async with asyncio.timeout(30):  # the reading client gets everything
                    while (await receive(reader, 10)).get("id") != start + 600:
                        pass

        asyncio.run(scenario())
        scraped = scrape_until(
            server, lambda t: sample(t, "linggong_live_dropped_connections_total") == 1
        )
        assert sample(scraped, "linggong_live_dropped_connections_total") == 1
        assert (sample(scraped, "linggong_live_dropped_messages_total") or 0) >= 1
    finally:
        silent.close()
