"""200 phones tap "claim" at once, over real HTTP, against a real server and database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from market.db import session_scope
from market.models import Job
from tests.factories import auth, make_job, make_worker
from tests.servers import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow


@pytest.fixture
def server(fresh_engine: Engine) -> Iterator[str]:
    """uvicorn in its own process, on the test's own database."""
    port = free_port()
    url = fresh_engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "LINGGONG_DATABASE_URL": url, "LINGGONG_ENVIRONMENT": "test"}
    command = [
        sys.executable,
        "-m",
        "web.cli",
        "serve",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", process=proc)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def test_200_claims_over_http_give_5_hires_and_195_clear_refusals(
    fresh_engine: Engine, server: str
) -> None:
    with session_scope(fresh_engine) as session:
        job = make_job(session, headcount=5, instant=True)
        headers = [auth(session, make_worker(session)) for _ in range(200)]
    gate = threading.Barrier(200)

    def claim(h: dict[str, str]) -> tuple[int, str]:
        with httpx.Client(base_url=server, timeout=120) as http:
            gate.wait()
            response = http.post(f"/api/v1/jobs/{job.id}/claim", headers=h)
            return response.status_code, response.json().get("detail", "")

    with ThreadPoolExecutor(max_workers=200) as pool:
        outcomes = list(pool.map(claim, headers))

    assert Counter(status for status, _ in outcomes) == {201: 5, 409: 195}
    assert {detail for status, detail in outcomes if status == 409} == {"该工作已招满"}
    with Session(fresh_engine) as session:
        stored = session.get(Job, job.id)
        assert stored is not None and stored.confirmed_count == 5
