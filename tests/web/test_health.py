"""Health and readiness endpoints, and the production secret-key guard."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from market.db import make_engine
from market.migrations import upgrade
from market.settings import Settings
from web.app import create_app, readiness


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
    key = "2d7fAm5_cfRrLGqrC9Vi2jFqmJPmg0GsDR3vRH8RnZk="
    production = Settings(environment="production", secret_key="x" * 40, id_key=key)
    assert production.environment == "production"


def test_production_refuses_to_start_without_the_id_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LINGGONG_ID_KEY", raising=False)
    with pytest.raises(ValidationError, match="LINGGONG_ID_KEY"):
        Settings(environment="production", secret_key="x" * 40)
    with pytest.raises(ValidationError, match="Fernet"):
        Settings(environment="development", id_key="not-a-key")


BUSY = "服务繁忙或暂时不可用，没有做任何更改，请稍后重试。"


@pytest.mark.parametrize("path", ["/api/v1/jobs/1", "/jobs/1"])
def test_an_exhausted_connection_pool_answers_503_busy_not_500(tmp_path: Path, path: str) -> None:
    url = f"sqlite:///{tmp_path / 'pool.db'}"
    upgrade(url)
    engine = make_engine(url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    app = create_app(Settings(environment="test"), engine=engine)
    headers = {"Accept-Language": "zh-CN", "Cookie": "lg_session=someone"}
    with TestClient(app) as client, engine.connect():  # the only connection is taken
        response = client.get(path, headers=headers, follow_redirects=False)
    engine.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    if path.startswith("/api/"):
        assert response.json()["detail"] == BUSY
    else:  # a page: the phone shows a page it can read, not JSON
        assert response.headers["content-type"].startswith("text/html")
        assert BUSY in response.text
