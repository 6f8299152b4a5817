"""Metrics at /metrics (loopback or token only), request ids, and logs free of personal data."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import Session

from market.settings import Settings
from tests.factories import api_signup, auth, make_employer, make_job, make_worker, tomorrow_at
from web.observability import LOGGING_CONFIG, JsonFormatter


def _loopback(make_client: Callable[..., TestClient], **settings: object) -> TestClient:
    settings_ = Settings(environment="test", **settings)  # type: ignore[arg-type]
    return make_client(settings_, peer=("127.0.0.1", 40000))


def test_metrics_are_refused_to_a_remote_caller_without_the_token(
    make_client: Callable[..., TestClient],
) -> None:
    remote = make_client(Settings(environment="test", metrics_token=SecretStr("s" * 32)))
    assert remote.get("/metrics").status_code == 403
    assert remote.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    scraped = remote.get("/metrics", headers={"Authorization": f"Bearer {'s' * 32}"})
    assert scraped.status_code == 200 and "linggong_http_requests_total" in scraped.text


def test_metrics_count_requests_by_route_template_claims_and_hires(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    local = _loopback(make_client)
    job = make_job(session, instant=True)
    make_job(session, start_at=tomorrow_at(12))  # still open: the feed shows it
    worker = make_worker(session)
    headers = auth(session, worker)
    assert local.post(f"/api/v1/jobs/{job.id}/claim", headers=headers).status_code == 201
    local.get("/api/v1/worker/feed", headers=headers)
    local.get("/no/such/page")
    text = local.get("/metrics").text
    assert (
        'linggong_http_requests_total{method="POST",route="/api/v1/jobs/{job_id}/claim",'
        'status="201"} 1.0' in text
    )
    assert 'route="unmatched",status="404"' in text
    assert "linggong_http_request_duration_seconds_bucket" in text
    assert "linggong_websocket_connections 0.0" in text
    assert "linggong_claims_total 1.0" in text and "linggong_hires_total 1.0" in text
    assert 'linggong_matches_total{kind="feed"}' in text
    assert f"/api/v1/jobs/{job.id}/claim" not in text  # templates, not ids


def test_every_answer_carries_a_request_id(client: TestClient) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    given = client.get("/healthz", headers={"X-Request-ID": "nginx-abc12345"})
    assert given.headers["X-Request-ID"] == "nginx-abc12345"
    forged = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert forged.headers["X-Request-ID"] != "bad id\nwith newline"


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(("httpx", "httpcore")):  # the test's own client
            self.lines.append(self.format(record))


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Every log line the app writes, at the levels production configures."""
    handler = _Lines()
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in LOGGING_CONFIG["loggers"]}
    old_root = root.level
    root.addHandler(handler)
    root.setLevel(LOGGING_CONFIG["root"]["level"])
    for name, config in LOGGING_CONFIG["loggers"].items():
        if "level" in config:
            logging.getLogger(name).setLevel(config["level"])
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(old_root)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_a_whole_gig_logs_no_phone_and_no_exact_location(
    client: TestClient, session: Session, log_lines: list[str]
) -> None:
    home, now_at, site = (37.531234, 121.251234), (37.541234, 121.261234), (37.551234, 121.27123)
    register = {"phone": "13912345678", "password": "s3cret-pass", "name": "孙师傅"}
    worker = api_signup(client, session, {**register, "role": "worker"}).json()
    me = {"Authorization": f"Bearer {worker['token']}"}
    profile = {"trades": [{"code": "painter", "level": 2}], "home_lat": home[0]}
    profile["home_lon"] = home[1]
    assert client.patch("/api/v1/worker/profile", json=profile, headers=me).status_code == 200
    now_on = {"on": True, "lat": now_at[0], "lon": now_at[1]}
    assert client.put("/api/v1/worker/available-now", json=now_on, headers=me).status_code == 200
    client.post("/api/v1/auth/login", json={"phone": "13912345678", "password": "wrong-pass"})
    employer = make_employer(session)
    boss = auth(session, employer)
    start = tomorrow_at(1)
    body = {
        "trade": "painter",
        "title": "刷墙",
        "lat": site[0],
        "lon": site[1],
        "address": "烟台市芝罘区只楚路 12 号",
        "district": "芝罘区",
        "start_at": start.isoformat(),
        "end_at": (start + timedelta(hours=8)).isoformat(),
        "headcount": 1,
        "wage": 320,
    }
    job = client.post("/api/v1/jobs", json=body, headers=boss).json()
    client.get("/api/v1/worker/feed", headers=me)
    client.get("/api/v1/stations/nearest", params={"lat": home[0], "lon": home[1]}, headers=me)
    claim = client.post(f"/api/v1/jobs/{job['id']}/claim", headers=me).json()
    client.get(f"/api/v1/jobs/{job['id']}/candidates", headers=boss)
    assert client.post(f"/api/v1/applications/{claim['id']}/confirm", headers=boss).is_success
    applicants = client.get(f"/api/v1/jobs/{job['id']}/applications", headers=boss).json()
    assert applicants[0]["contact"]["phone"] == "13912345678"  # shared after the hire...
    client.get("/api/v1/me/export", headers=me)
    client.get(f"/api/v1/jobs/{job['id']}/claim", headers=me)  # a 405, logged as well

    access = [json.loads(line) for line in log_lines if '"linggong.access"' in line]
    assert len(access) == 14 and all(len(a["request_id"]) >= 8 for a in access)
    assert {"method", "route", "status", "duration_ms"} <= set(access[0])
    secrets = ["13912345678", employer.phone]
    secrets += [f"{v:.4f}" for v in (*home, *now_at, *site)]
    leaks = [(s, line) for line in log_lines for s in secrets if s in line]
    assert leaks == []  # ...but never to the logs
