"""Security headers on every HTTP answer: pages, API, static files, errors; HSTS over HTTPS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from web.security.headers import content_security_policy, tile_source

AUTONAVI = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&x={x}&y={y}&z={z}"


def _assert_secured(response: Any) -> None:
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"
    assert directives["img-src"].startswith("'self' data:")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/login", 200),  # a page
        ("GET", "/api/v1/trades", 200),  # an API JSON answer
        ("GET", "/static/css/app.css", 200),  # a static file
        ("GET", "/no/such/page", 404),
        ("GET", "/api/v1/auth/me", 401),
        ("POST", "/api/v1/auth/login", 422),
    ],
)
def test_every_kind_of_answer_carries_the_security_headers(
    client: TestClient, method: str, path: str, status: int
) -> None:
    response = client.request(method, path, json={})
    assert response.status_code == status
    _assert_secured(response)


def test_a_compressed_answer_keeps_the_headers(client: TestClient) -> None:
    response = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    _assert_secured(response)


def test_hsts_is_sent_over_https_only(
    client: TestClient, make_client: Callable[..., TestClient]
) -> None:
    assert "strict-transport-security" not in client.get("/healthz").headers
    secure = make_client(base_url="https://testserver")
    assert secure.get("/healthz").headers["strict-transport-security"] == "max-age=31536000"


def test_the_map_tile_host_is_allowed_for_images_with_its_subdomains_as_a_wildcard() -> None:
    assert tile_source(AUTONAVI) == "https://*.is.autonavi.com"
    assert tile_source("http://127.0.0.1:9/tiles/{z}/{x}/{y}.png") == "http://127.0.0.1:9"
    assert tile_source("https://{s}.tile.osm.org/{z}/{x}/{y}.png") == "https://*.tile.osm.org"
    assert tile_source("https://{s}.example/{z}.png") is None  # never a whole top-level domain
    assert "img-src 'self' data: https://*.is.autonavi.com;" in content_security_policy(AUTONAVI)


def test_pages_have_no_inline_script_for_the_policy_to_block(client: TestClient) -> None:
    page = client.get("/login").text
    assert "<script>" not in page and "onclick=" not in page
