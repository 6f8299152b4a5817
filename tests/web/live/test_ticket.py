"""`/ws?ticket=`: a short-lived, single-use ticket instead of a session token in the URL."""

from __future__ import annotations

import asyncio
import logging
import time
import urllib.request
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from websockets.exceptions import InvalidStatus

from market.settings import Settings
from tests.factories import make_employer, make_worker
from tests.web.live.conftest import LiveServer, hello, job_body, make, receive
from web.app import create_app
from web.live.tickets import MemoryTicketStore, Tickets
from web.observability import LOGGING_CONFIG, DropQueryStrings

Serve = Callable[..., LiveServer]


async def _refused(server: LiveServer, query: str, token: str | None = None) -> int:
    with pytest.raises(InvalidStatus) as refused:
        async with server.connect(token, query=query):
            pass
    return refused.value.response.status_code


def test_ticket_connects_once_and_the_second_use_is_refused(
    fresh_engine: Engine, serve: Serve
) -> None:
    server = serve()
    _, boss = make(fresh_engine, make_employer)
    ticket = server.ticket(boss)

    async def scenario() -> None:
        async with server.connect(query=f"ticket={ticket}") as ws:
            await hello(ws)
            job = await server.apost("/api/v1/jobs", job_body(), boss)
            posted = await receive(ws, 2)  # the socket is the ticket holder's own
            assert posted["type"] == "job.posted" and posted["data"]["id"] == job["id"]
        assert await _refused(server, f"ticket={ticket}") == 401

    asyncio.run(scenario())


def test_expired_ticket_is_refused(fresh_engine: Engine, serve: Serve) -> None:
    server = serve(LINGGONG_LIVE_TICKET_TTL_S="1")
    _, worker = make(fresh_engine, make_worker)
    ticket = server.ticket(worker)
    time.sleep(1.5)
    assert asyncio.run(_refused(server, f"ticket={ticket}")) == 401


def test_unknown_ticket_and_session_token_in_the_url_are_refused(
    fresh_engine: Engine, serve: Serve
) -> None:
    server = serve()
    _, worker = make(fresh_engine, make_worker)

    async def scenario() -> None:
        assert await _refused(server, "ticket=not-a-ticket") == 401
        assert await _refused(server, f"token={worker}") == 401

    asyncio.run(scenario())


def test_ticket_with_another_users_session_is_refused(fresh_engine: Engine, serve: Serve) -> None:
    server = serve()
    _, mine = make(fresh_engine, make_worker)
    _, theirs = make(fresh_engine, make_worker)
    ticket = server.ticket(mine)
    assert asyncio.run(_refused(server, f"ticket={ticket}", token=theirs)) == 401


def test_ticket_dies_with_its_session(fresh_engine: Engine, serve: Serve) -> None:
    server = serve()
    _, worker = make(fresh_engine, make_worker)
    ticket = server.ticket(worker)
    logout = urllib.request.Request(
        server.base + "/api/v1/auth/logout",
        headers={"Authorization": f"Bearer {worker}"},
        method="POST",
    )
    with urllib.request.urlopen(logout, timeout=10) as answer:
        assert answer.status == 204
    assert asyncio.run(_refused(server, f"ticket={ticket}")) == 401


def test_ticket_issued_by_one_replica_is_taken_by_another(
    fresh_engine: Engine, serve: Serve, redis_url: str
) -> None:
    first, second = serve(redis_url=redis_url), serve(redis_url=redis_url)
    _, worker = make(fresh_engine, make_worker)
    ticket = first.ticket(worker)

    async def scenario() -> None:
        async with second.connect(query=f"ticket={ticket}") as ws:
            await hello(ws)
        assert await _refused(first, f"ticket={ticket}") == 401

    asyncio.run(scenario())


def test_ticket_is_in_no_log_line(fresh_engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    _, token = make(fresh_engine, make_worker)
    app = create_app(Settings(environment="test"), engine=fresh_engine)
    with caplog.at_level(logging.INFO), TestClient(app) as client:
        answer = client.post("/api/v1/live/ticket", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200 and answer.json()["expires_in"] == 30
        ticket = answer.json()["ticket"]
    lines = [r for r in caplog.records if r.name == "linggong.access"]
    assert any(getattr(r, "route", "") == "/api/v1/live/ticket" for r in lines)
    assert all(ticket not in str(vars(r)) for r in caplog.records)
    # uvicorn's handshake line carries the query string: the app's log config cuts it
    handshake = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]',
        ("127.0.0.1:5000", f"/ws?ticket={ticket}"), None,
    )  # fmt: skip
    assert DropQueryStrings().filter(handshake)
    assert ticket not in handshake.getMessage()
    assert "no_query" in LOGGING_CONFIG["handlers"]["stdout"]["filters"]


def test_memory_ticket_expires_on_its_clock() -> None:
    now = [0.0]
    tickets = Tickets(MemoryTicketStore(clock=lambda: now[0]), secret="s" * 32, ttl=30)
    late, fresh = (
        tickets.issue(user_id=1, session_hash="a"),
        tickets.issue(user_id=2, session_hash="b"),
    )
    assert late not in str(tickets.store._items)  # type: ignore[attr-defined]
    now[0] = 29.0
    assert tickets.redeem(fresh) is not None
    now[0] = 30.0
    assert tickets.redeem(late) is None
