"""Every `/staff` API route refuses workers and employers (403) and strangers (401)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from market.events.service import list_events
from tests.factories import auth, make_employer, make_worker
from web.app import create_app


def _staff_routes() -> list[tuple[str, str]]:
    paths = create_app().openapi()["paths"]
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path).replace("{by}", "trade"))
        for path, methods in paths.items()
        if path.startswith("/api/v1/staff")
        for method in methods
    ]


STAFF_ROUTES = _staff_routes()


def test_the_staff_api_has_the_routes_this_test_walks() -> None:
    assert len(STAFF_ROUTES) >= 25


@pytest.mark.parametrize(("method", "path"), STAFF_ROUTES)
def test_workers_and_employers_are_refused_every_staff_route(
    client: TestClient, session: Session, method: str, path: str
) -> None:
    logins = [auth(session, make_worker(session)), auth(session, make_employer(session))]
    session.commit()  # a refused request rolls back only its own work
    before = len(list_events(session=session))
    for headers in logins:
        response = client.request(method, path, headers=headers, json={})
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["detail"] == "只有工会工作人员可以这样操作"
    assert client.request(method, path, json={}).status_code == 401
    assert len(list_events(session=session)) == before
