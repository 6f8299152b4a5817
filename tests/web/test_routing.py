"""Route matching with web/routing.py's shortcuts: every route is still reached by its own
path and method, and a path no route has is still the router's 404, under every prefix."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

NO_ROUTE = "找不到该页面或资源"  # the router's own 404; a handler's 404 names what it missed
JSON = {"accept": "application/json"}


def _app(client: TestClient) -> FastAPI:
    app = client.app
    assert isinstance(app, FastAPI)
    return app


def test_every_api_route_is_reached_by_its_own_path_and_method(client: TestClient) -> None:
    paths = _app(client).openapi()["paths"]
    reached = 0
    for template, operations in paths.items():
        path = re.sub(r"\{[^}]+\}", "1", template)
        for method in operations:
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            answer = client.request(method.upper(), path, headers=JSON)
            routed = answer.status_code != 404 or answer.json().get("detail") != NO_ROUTE
            assert routed, (method, template)
            assert answer.status_code != 405, (method, template)
            reached += 1
    assert reached > 100  # the whole API (139 operations), not a handful


def test_paths_no_route_has_are_the_routers_404_under_every_prefix(client: TestClient) -> None:
    paths = _app(client).openapi()["paths"]
    heads = {"/" + "/".join(p.split("/")[1:4]) for p in paths} | {"/api/v1", "/", "/api"}
    for head in sorted(heads):
        for unknown in (f"{head.rstrip('/')}/no/such/thing/at/all", f"{head.rstrip('/')}x/1"):
            answer = client.get(unknown, headers=JSON)
            assert (answer.status_code, answer.json()["detail"]) == (404, NO_ROUTE), unknown


def test_a_route_added_to_the_app_after_it_is_built_is_reached(client: TestClient) -> None:
    app = _app(client)

    @app.get("/added-later")
    async def added_later() -> dict[str, str]:
        return {"added": "later"}

    assert client.get("/added-later").json() == {"added": "later"}
