"""Health and readiness endpoints, and the production secret-key guard."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from market.db import make_engine
from market.settings import Settings
from web.app import readiness


def test_healthz_answers_ok(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ready_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True}


def test_readiness_reports_an_unreachable_database_and_redis() -> None:
    engine = make_engine(
        "postgresql://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    checks = readiness(engine, "redis://127.0.0.1:1/0")
    assert checks == {"database": False, "redis": False}


def test_production_refuses_the_placeholder_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINGGONG_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="LINGGONG_SECRET_KEY"):
        Settings(environment="production")
    assert Settings(environment="production", secret_key="x" * 40).environment == "production"
