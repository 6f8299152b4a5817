"""Live connections per user and per address are capped: past a cap, close code 4429."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.factories import make_employer, make_worker
from tests.web.live.conftest import LiveServer, hello, make

Serve = Callable[..., LiveServer]


async def _refused(ws: ClientConnection) -> tuple[int, str]:
    """The close code and reason of a socket the server shuts right after the handshake."""
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(5):
            await ws.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


def test_a_users_third_live_connection_is_closed_with_4429(
    fresh_engine: Engine, serve: Serve
) -> None:
    server = serve(LINGGONG_LIVE_MAX_PER_USER="2", LINGGONG_LIVE_MAX_PER_ADDRESS="50")
    _, token = make(fresh_engine, make_worker)
    _, other = make(fresh_engine, make_employer)

    async def scenario() -> None:
        async with server.connect(token) as first, server.connect(token) as second:
            await hello(first)
            await hello(second)
            async with server.connect(token) as third:
                assert await _refused(third) == (
                    4429,
                    "这个账号打开的实时连接太多，请关掉一些页面",
                )
            async with server.connect(token, query="lang=en") as third:
                assert await _refused(third) == (
                    4429,
                    "Too many live connections for this account; close some pages",
                )
            async with server.connect(other) as someone_else:  # another user is not held back
                await hello(someone_else)
            await second.close()
        # the closed sockets gave their slots back
        for _ in range(50):
            async with server.connect(token) as again:
                try:
                    await hello(again)
                    return
                except ConnectionClosed:
                    await asyncio.sleep(0.1)
        raise AssertionError("a slot was never given back")

    asyncio.run(scenario())


def test_connections_from_one_address_are_capped_across_users(
    fresh_engine: Engine, serve: Serve
) -> None:
    server = serve(LINGGONG_LIVE_MAX_PER_USER="10", LINGGONG_LIVE_MAX_PER_ADDRESS="3")
    tokens = [make(fresh_engine, make_worker)[1] for _ in range(4)]

    async def scenario() -> None:
        async with (
            server.connect(tokens[0]) as a,
            server.connect(tokens[1]) as b,
            server.connect(tokens[2]) as c,
        ):
            for ws in (a, b, c):
                await hello(ws)
            async with server.connect(tokens[3], query="lang=en") as d:
                assert await _refused(d) == (
                    4429,
                    "Too many live connections from this network; try again later",
                )

    asyncio.run(scenario())
