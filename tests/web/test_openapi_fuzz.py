"""Schemathesis over the app's own OpenAPI: every operation, as each kind of caller.

Each operation is called anonymously and with the bearer token of a worker, an employer
and a union staff member, against a real migrated database whose commits are real. Every
case is sent as generated (random ids mostly name nothing) and, when its path has ids,
once more at a small market's real rows, owned by the caller, so the routes run past
their look-ups. Every answer must be no 5xx and match what the schema declares (status
code, content type, body); a refusal must also speak the default language, Chinese.

Bounded and repeatable: Hypothesis is derandomized, with 15 generated cases per operation
on SQLite (valid and invalid input both) and 5 on PostgreSQL, where the same routes run
on another database's types and limits. LINGGONG_TEST_FUZZ_COVERAGE=1 adds schemathesis'
coverage phase (every parameter's boundary and invalid values) for a deeper, slower run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine
from sqlmodel import Session

from market.accounts import service as accounts
from market.settings import Settings
from tests.conftest import _fresh
from tests.web.security.world import World, make_world
from web.app import create_app

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# schemathesis' coverage phase (boundary and invalid values of every parameter) sends about
# seven times as many requests as the fuzzing below: minutes, not seconds, so it is opt-in.
# Undeclared methods (TRACE, ...) are left out even then: Starlette's 405, not the contract.
COVERAGE = os.environ.get("LINGGONG_TEST_FUZZ_COVERAGE") == "1"
schema = schemathesis.openapi.from_dict(
    create_app().openapi(),  # building the app connects to nothing
    config=schemathesis.Config.from_dict(
        {"phases": {"coverage": {"enabled": COVERAGE, "unexpected-methods": []}}}
    ),
)


def bounded(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        derandomize=True,  # the same cases on every run
        deadline=None,
        database=None,
        # one operation's examples share the client, the database and the market on purpose
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@dataclass
class Market:
    engine: Engine
    client: TestClient


def _market(request: pytest.FixtureRequest, backend: str, tmp: Any) -> Iterator[Market]:
    for engine in _fresh(request, backend, tmp):
        # not about rate limits: the fuzzer signs up, posts and claims far past them
        settings = Settings(environment="test", rate_limits="off")
        app = create_app(settings, engine=engine)
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Market(engine, client)


@pytest.fixture(scope="module")
def sqlite_market(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Market]:
    """One migrated SQLite file for the module; every request commits for real."""
    yield from _market(request, "sqlite", tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def postgres_market(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Market]:
    yield from _market(request, "postgres", tmp_path_factory.mktemp("fuzz"))


@pytest.fixture
def world(market: Market) -> World:
    """A fresh small market per operation: one operation's writes (a closed account, a
    cancelled job) never decide what the next one sees."""
    with Session(market.engine, expire_on_commit=False) as session:
        found = make_world(session)
        session.commit()
    return found


@pytest.fixture
def logins(world: World, market: Market) -> dict[str, dict[str, str]]:
    """Each caller's headers: none, or the bearer token of a real session."""
    found: dict[str, dict[str, str]] = {"anon": {}}
    with Session(market.engine) as session:
        for role, user in world.users().items():
            token, _ = accounts.session_create(session=session, user=user)
            found[role] = {"Authorization": f"Bearer {token}"}
        session.commit()
    return found


def _send(client: TestClient, case: schemathesis.Case, headers: dict[str, str]) -> Any:
    """Send the case through the app, with the very bytes schemathesis would have sent.

    requests prepares the request (its JSON, form and multipart encoding is what the case's
    serializers target); the TestClient carries it into the app, lifespan and all.
    """
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url), headers=headers)
    assert not kwargs.pop("cookies", None), "the schema declares no cookie parameters"
    prepared = requests.Request(**kwargs).prepare()
    return client.request(
        prepared.method or case.method,
        prepared.url or "",
        headers=dict(prepared.headers),
        content=prepared.body,
    )


def _check(client: TestClient, case: schemathesis.Case, role: str, headers: dict) -> None:
    response = _send(client, case, headers)
    try:
        case.validate_response(response, checks=CHECKS)
    except Exception as failure:
        failure.add_note(f"called as: {role}")
        raise
    if 400 <= response.status_code < 500:
        detail = response.json()["detail"]
        assert CHINESE.search(detail), f"as {role}, {case.method} {case.formatted_path}: {detail!r}"


def _exercise(market: Market, case: schemathesis.Case, world: World, logins: dict) -> None:
    """The case as every caller; then, when the path has ids, at the market's real rows."""
    for role, headers in logins.items():
        _check(market.client, case, role, headers)
    ids = world.path_ids(case.path)
    if case.path_parameters and set(case.path_parameters) <= set(ids):
        case.path_parameters = {name: ids[name] for name in case.path_parameters}
        for role, headers in logins.items():
            _check(market.client, case, role, headers)


@pytest.fixture
def market(request: pytest.FixtureRequest, backend: str) -> Market:
    found: Market = request.getfixturevalue(f"{backend}_market")
    return found


@pytest.mark.parametrize("backend", ["sqlite"])
@schema.parametrize()
@bounded(max_examples=15)
def test_every_operation_answers_as_declared(
    case: schemathesis.Case, market: Market, world: World, logins: dict[str, dict[str, str]]
) -> None:
    _exercise(market, case, world, logins)


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
@schema.parametrize()
@bounded(max_examples=5)
def test_every_operation_answers_as_declared_on_postgres(
    case: schemathesis.Case, market: Market, world: World, logins: dict[str, dict[str, str]]
) -> None:
    _exercise(market, case, world, logins)
