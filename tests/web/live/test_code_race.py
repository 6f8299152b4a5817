"""Parallel guesses at one texted code, against a real server: at most five are compared."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from tests.factories import sent_code
from tests.web.live.conftest import LiveServer

Serve = Callable[..., LiveServer]


def _post(server: LiveServer, path: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(
        server.base + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code)


def test_twenty_simultaneous_wrong_codes_get_five_comparisons_and_the_code_is_spent(
    fresh_engine: Engine, serve: Serve
) -> None:
    server = serve(LINGGONG_RATE_LIMITS="off")  # this is about the code's own tries
    phone = "13800138777"
    assert _post(server, "/api/v1/auth/codes", {"phone": phone}) == 202
    with Session(fresh_engine) as session:
        code = sent_code(session, phone)
    body = {"phone": phone, "password": "s3cret-pass", "name": "张三", "role": "worker"}
    wrong = {**body, "code": f"{(int(code) + 1) % 10**6:06d}"}
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: _post(server, "/api/v1/auth/register", wrong), range(20)))
    assert sorted(answers) == [422] * 5 + [429] * 15
    assert _post(server, "/api/v1/auth/register", {**body, "code": code}) == 429
    assert _post(server, "/api/v1/auth/codes", {"phone": phone}) == 202  # a new code, new tries
    with Session(fresh_engine) as session:
        fresh = sent_code(session, phone)
    assert _post(server, "/api/v1/auth/register", {**body, "code": fresh}) == 201
