"""Storage faults: a full disk and a read-only database answer 503 in the person's language.

Real faults, not mocks: the SQLite file lives on a tmpfs of its own that the test fills up
or remounts read-only (needs root, skipped otherwise), and a throw-away PostgreSQL database
is switched to read-only. Each time the refused write leaves every row as it was, the
invariants hold, and the same request succeeds once the condition clears.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from market.db import make_engine
from market.invariants import check_all
from market.models import User, metadata
from tests.conftest import PostgresServer
from tests.factories import PASSWORD, auth
from tests.service_market import Market, build_market

STORAGE_ZH = "服务暂时不可用，本次操作没有生效，请过几分钟再试。"
STORAGE_EN = (
    "The service is temporarily unavailable and nothing was changed. "
    "Please try again in a few minutes."
)


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs of the test's own."""
    path = tmp_path / "disk"
    path.mkdir()
    mounted = _run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(path))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    yield path
    _run("mount", "-o", "remount,rw", str(path))
    assert _run("umount", "--lazy", str(path)).returncode == 0  # lazy: a failed test's files


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table."""
    with Session(engine) as session:
        return {
            table.name: sorted(map(tuple, session.execute(select(table)).all()), key=repr)
            for table in metadata.sorted_tables
        }


def _worker_token(engine: Engine, user_id: int) -> dict[str, str]:
    with Session(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        headers = auth(session, user)
        session.commit()
    return headers


def _app(engine: Engine) -> TestClient:
    from web.app import create_app

    return TestClient(create_app(engine=engine), raise_server_exceptions=False)


def _claim(client: TestClient, market: Market, headers: dict[str, str], lang: str) -> Any:
    return client.post(
        f"/api/v1/jobs/{market.open_job}/claim",
        headers={**headers, "Accept-Language": lang},
    )


def _refused_then_recovered(
    engine: Engine, client: TestClient, market: Market, *, fault: Any, clear: Any, reads: bool
) -> None:
    """Under the fault: 503 in Chinese and English, nothing written; cleared: the claim works."""
    headers = _worker_token(engine, market.a)
    before = snapshot(engine)
    fault()
    seen = client.get(f"/api/v1/jobs/{market.open_job}", headers=headers)
    if reads:  # the worker still sees the job
        assert seen.status_code == 200, seen.text
    else:
        assert (seen.status_code, seen.json()["detail"]) == (503, STORAGE_ZH)
    for lang, message in (("zh-CN", STORAGE_ZH), ("en", STORAGE_EN)):
        refused = _claim(client, market, headers, lang)
        assert refused.status_code == 503, refused.text
        assert refused.json()["detail"] == message
        assert refused.headers["Retry-After"] == "60"
    clear()
    assert snapshot(engine) == before  # no half-written claim, not even the session's touch
    assert check_all(engine=engine) == []
    hired = _claim(client, market, headers, "zh-CN")
    assert hired.status_code == 201, hired.text
    assert hired.json()["status"] == "confirmed"
    assert check_all(engine=engine) == []
    assert len(snapshot(engine)["application"]) == len(before["application"]) + 1


def _sqlite_on(disk: Path, template: Path, **kwargs: Any) -> Engine:
    path = disk / "linggong.db"
    shutil.copy(template, path)
    return make_engine(f"sqlite:///{path}", **kwargs)


def test_full_disk_answers_503_and_recovers(disk: Path, sqlite_template: Path) -> None:
    engine = _sqlite_on(disk, sqlite_template)
    market = build_market(engine)
    filler = disk / "filler"

    def fill() -> None:
        raw = engine.raw_connection()  # outside a transaction: an empty WAL, so the next
        try:  # commit must grow the file
            assert raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        finally:
            raw.close()
        _fill(filler)

    with _app(engine) as client:
        _refused_then_recovered(engine, client, market, fault=fill, clear=filler.unlink, reads=True)
    engine.dispose()


def _fill(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 65536)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


def test_read_only_disk_answers_503_and_recovers(disk: Path, sqlite_template: Path) -> None:
    # no pooled connections: a file open for writing would keep the remount from happening;
    # a WAL database cannot even be opened for reading on a read-only disk
    engine = _sqlite_on(disk, sqlite_template, poolclass=NullPool)
    market = build_market(engine)
    with _app(engine) as client:
        _refused_then_recovered(
            engine,
            client,
            market,
            fault=lambda: _remount(disk, "ro"),
            clear=lambda: _remount(disk, "rw"),
            reads=False,
        )
    engine.dispose()


def _remount(path: Path, mode: str) -> None:
    for _ in range(100):  # the app's relay may hold the file open for a moment
        result = _run("mount", "-o", f"remount,{mode}", str(path))
        if result.returncode == 0:
            return
        time.sleep(0.05)
    raise AssertionError(f"remount {mode} failed: {result.stderr}")


@pytest.mark.postgres
def test_read_only_postgres_answers_503_and_recovers(
    postgres_server: PostgresServer, postgres_template: str
) -> None:
    name = f"lg_ro_{uuid.uuid4().hex[:12]}"
    engine = make_engine(postgres_server.create(name, template=postgres_template))

    def read_only(on: bool) -> None:
        with postgres_server.admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {on}'))
        engine.dispose()  # new connections take the database's new default

    try:
        market = build_market(engine)
        with _app(engine) as client:
            _refused_then_recovered(
                engine,
                client,
                market,
                fault=lambda: read_only(True),
                clear=lambda: read_only(False),
                reads=True,
            )
    finally:
        engine.dispose()
        postgres_server.drop(name)


def test_a_page_claim_on_a_read_only_postgres_shows_a_503_page_and_writes_nothing(
    postgres_server: PostgresServer, postgres_template: str
) -> None:
    name = f"lg_ro_{uuid.uuid4().hex[:12]}"
    engine = make_engine(postgres_server.create(name, template=postgres_template))

    def read_only(on: bool) -> None:
        with postgres_server.admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {on}'))
        engine.dispose()

    try:
        market = build_market(engine)
        with Session(engine) as session:
            worker = session.get(User, market.a)
            assert worker is not None
            phone = worker.phone
        with _app(engine) as client:
            form = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
            assert form is not None
            logged_in = client.post(
                "/login",
                data={"csrf_token": form.group(1), "phone": phone, "password": PASSWORD},
                follow_redirects=False,
            )
            assert logged_in.status_code == 303, logged_in.text
            page = client.get(f"/jobs/{market.open_job}/claim")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            read_only(True)
            before = snapshot(engine)
            refused = client.post(
                f"/jobs/{market.open_job}/claim",
                data={"csrf_token": token.group(1)},
                headers={"Accept-Language": "zh-CN"},
                follow_redirects=False,
            )
            read_only(False)
            assert refused.status_code == 503
            assert refused.headers["content-type"].startswith("text/html")
            assert STORAGE_ZH in refused.text
            assert snapshot(engine) == before
            hired = client.post(
                f"/jobs/{market.open_job}/claim",
                data={"csrf_token": token.group(1)},
                follow_redirects=False,
            )
            assert hired.status_code == 303, hired.text
            assert check_all(engine=engine) == []
    finally:
        engine.dispose()
        postgres_server.drop(name)
