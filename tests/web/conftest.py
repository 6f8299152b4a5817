"""Fixtures of the web tests: more apps of their own over the rolled-back test session."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from tests.conftest import REDIS_URL, request_session_on


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        pytest.skip("LINGGONG_TEST_REDIS_URL is not set: Redis tests skipped")
    return REDIS_URL


@pytest.fixture
def make_client(session: Session, shared_engine: Engine) -> Iterator[Callable[..., TestClient]]:
    """`make_client(settings=..., base_url=..., wrap=...)`: another app over the test session."""
    from web import deps
    from web.app import create_app

    opened: list[TestClient] = []

    def build(
        settings: Any = None,
        base_url: str = "http://testserver",
        wrap: Any = None,
        peer: tuple[str, int] = ("testclient", 50000),
    ) -> TestClient:
        app: FastAPI = create_app(settings, engine=shared_engine)
        app.dependency_overrides[deps._session] = request_session_on(session)
        client = TestClient(
            wrap(app) if wrap else app,
            base_url=base_url,
            raise_server_exceptions=False,
            client=peer,
        )
        client.__enter__()
        client.app_state = app.state  # type: ignore[attr-defined]
        opened.append(client)
        return client

    yield build
    for client in opened:
        client.__exit__(None, None, None)


def unique_prefix() -> str:
    return f"lg:test:{uuid.uuid4().hex[:8]}:"
