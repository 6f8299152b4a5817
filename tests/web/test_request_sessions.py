"""Which transaction a request gets: reads stay read-only unless the route says it writes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from market.db import _READ_ONLY
from web.deps import SessionDep, writes_on_read


@pytest.fixture
def probe(shared_engine: Engine) -> Iterator[TestClient]:
    app = FastAPI()
    app.state.engine = shared_engine

    def mode(session: SessionDep) -> dict[str, bool]:
        options = session.connection().get_execution_options()
        return {"read_only": bool(options.get(_READ_ONLY, False))}

    @writes_on_read
    def refreshing(session: SessionDep) -> dict[str, bool]:
        return mode(session)

    app.get("/plain")(mode)
    app.get("/refreshing")(refreshing)
    app.post("/change")(mode)
    with TestClient(app) as client:
        yield client


def test_a_plain_read_gets_a_read_only_transaction(probe: TestClient) -> None:
    assert probe.get("/plain").json() == {"read_only": True}


def test_a_read_that_refreshes_a_rollup_gets_a_writing_transaction(probe: TestClient) -> None:
    assert probe.get("/refreshing").json() == {"read_only": False}
    assert probe.post("/change").json() == {"read_only": False}
