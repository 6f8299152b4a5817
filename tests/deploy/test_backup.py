"""Backups that restore: deploy/backup/backup.sh, which the compose file's `backup` service
runs, tried for real with PostgreSQL's own client tools (no Docker engine here)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url
from sqlmodel import Session, col

from bench.load.seed import job_data
from market.applications import service as application_service
from market.db import make_engine, session_scope
from market.errors import DomainError
from market.jobs import service as job_service
from market.migrations import upgrade
from market.models import Application, Job, Role, User
from market.types import utcnow
from tests.conftest import PostgresServer
from tests.deploy.conftest import seeded
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy/backup/backup.sh"
needs_pg_tools = pytest.mark.skipif(
    shutil.which("pg_dump") is None, reason="PostgreSQL's client tools are not installed"
)


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The backup script with these settings (and no PG* settings but these)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "BACKUP_"))}
    return subprocess.run(
        ["sh", str(SCRIPT), *args], env={**base, **env}, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def libpq(url: str) -> dict[str, str]:
    """PGHOST, PGPORT, ... for a SQLAlchemy URL: how the compose service is configured."""
    parsed = make_url(url)
    env = {"PGHOST": parsed.host or "127.0.0.1", "PGPORT": str(parsed.port or 5432)}
    env["PGUSER"] = parsed.username or "postgres"
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    if parsed.database:
        env["PGDATABASE"] = parsed.database
    return env


def backup_name(at: datetime) -> str:
    return f"linggong-{at:%Y%m%dT%H%M%SZ}.dump"


def test_retention_keeps_the_newest_of_recent_days_and_weeks(tmp_path: Path) -> None:
    # 2026-11-29 is a Sunday: ISO week 48 runs 23 to 29 November
    first = datetime(2026, 11, 1, 3, tzinfo=UTC)
    names = [backup_name(first + timedelta(days=n)) for n in range(29)]
    names.append(backup_name(datetime(2026, 11, 29, 15, tzinfo=UTC)))  # twice that day
    for name in [*names, "notes.txt", "linggong-latest.dump"]:
        (tmp_path / name).write_bytes(b"x")
    done = run("prune", BACKUP_DIR=str(tmp_path), BACKUP_KEEP_DAILY="3", BACKUP_KEEP_WEEKLY="3")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "linggong-20261115T030000Z.dump",  # week 46's newest (a Sunday)
        "linggong-20261122T030000Z.dump",  # week 47's newest
        "linggong-20261127T030000Z.dump",  # the three newest days ...
        "linggong-20261128T030000Z.dump",
        "linggong-20261129T150000Z.dump",  # ... each by its newest; also week 48's
        "linggong-latest.dump",  # not named like a backup: not ours to delete
        "notes.txt",
    ]
    again = run("prune", BACKUP_DIR=str(tmp_path), BACKUP_KEEP_DAILY="3", BACKUP_KEEP_WEEKLY="3")
    assert again.returncode == 0 and len(list(tmp_path.iterdir())) == 7  # nothing more goes


def test_retention_counts_days_that_have_a_backup_not_calendar_days(tmp_path: Path) -> None:
    """Backups that stopped a month ago are still there: the last good ones are never aged out."""
    old = [backup_name(datetime(2026, 10, d, 3, tzinfo=UTC)) for d in (1, 2, 3)]
    for name in old:
        (tmp_path / name).write_bytes(b"x")
    done = run("prune", BACKUP_DIR=str(tmp_path), BACKUP_KEEP_DAILY="2", BACKUP_KEEP_WEEKLY="0")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == old[1:]


@pytest.mark.parametrize(
    "setting",
    [{"BACKUP_KEEP_DAILY": "0"}, {"BACKUP_KEEP_WEEKLY": "many"}, {"BACKUP_INTERVAL_SECONDS": "5"}],
)
def test_a_nonsense_setting_stops_the_script_saying_which(
    tmp_path: Path, setting: dict[str, str]
) -> None:
    (tmp_path / backup_name(datetime(2026, 1, 1, tzinfo=UTC))).write_bytes(b"x")
    done = run("prune", BACKUP_DIR=str(tmp_path), **setting)
    assert done.returncode == 2
    assert next(iter(setting)) in done.stderr
    assert len(list(tmp_path.iterdir())) == 1


def test_check_is_healthy_only_with_a_recent_backup(tmp_path: Path) -> None:
    env = {"BACKUP_DIR": str(tmp_path), "BACKUP_INTERVAL_SECONDS": "3600"}  # max age 3 h
    assert run("check", **env).returncode == 1
    stale = tmp_path / backup_name(datetime.now(UTC) - timedelta(hours=4))
    stale.write_bytes(b"x")
    old = time.time() - 4 * 3600
    os.utime(stale, (old, old))
    assert run("check", **env).returncode == 1
    (tmp_path / backup_name(datetime.now(UTC))).write_bytes(b"x")
    assert run("check", **env).returncode == 0


def test_an_unknown_mode_is_refused() -> None:
    done = run("backup-now")
    assert done.returncode == 2 and "usage" in done.stderr


@needs_pg_tools
def test_a_failed_dump_leaves_no_backup_behind(tmp_path: Path) -> None:
    env = {"PGHOST": "127.0.0.1", "PGPORT": str(free_port()), "PGUSER": "nobody"}
    done = run("once", BACKUP_DIR=str(tmp_path), PGDATABASE="linggong", **env)
    assert done.returncode != 0
    assert "FAILED: no backup written" in done.stderr
    assert list(tmp_path.iterdir()) == []  # neither a dump nor its partial file


class Writer:
    """Threads posting instant jobs and claiming them through the market services, each
    write noted with the moment its commit returned."""

    def __init__(self, engine: Engine, *, threads: int = 2) -> None:
        self.engine = engine
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.jobs: list[tuple[int, float]] = []
        self.hires: list[tuple[int, float]] = []
        self.errors: list[BaseException] = []
        with session_scope(engine) as session:
            self.employers = self._ids(session, Role.employer)
            self.workers = self._ids(session, Role.worker)
        self.threads = [
            threading.Thread(target=self._run, args=(seed,), daemon=True) for seed in range(threads)
        ]

    @staticmethod
    def _ids(session: Session, role: Role) -> list[int]:
        query = select(User.id).where(User.role == role).order_by(col(User.id))
        return [int(i) for i in session.execute(query).scalars()]

    def __enter__(self) -> Writer:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)

    def count(self) -> int:
        with self.lock:
            return len(self.jobs) + len(self.hires)

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        try:
            while not self.stop.is_set():
                self._one(rng)
        except BaseException as exc:  # shown by the test, not lost in a thread
            self.errors.append(exc)

    def _one(self, rng: random.Random) -> None:
        now = utcnow()
        with session_scope(self.engine) as session:
            employer = session.get(User, rng.choice(self.employers))
            assert employer is not None
            job = job_service.job_post(
                session=session, employer=employer, data=job_data(rng, now=now, instant=True),
                now=now,
            )  # fmt: skip
            job_id = job.id or 0
        with self.lock:
            self.jobs.append((job_id, time.monotonic()))
        for worker_id in rng.sample(self.workers, 5):  # the first whose trade and time fit
            try:
                with session_scope(self.engine) as session:
                    worker = session.get(User, worker_id)
                    assert worker is not None
                    claim = application_service.application_claim(
                        session=session, job_id=job_id, worker=worker, now=now
                    )
                    application_id = claim.application.id or 0
            except DomainError:
                continue
            with self.lock:
                self.hires.append((application_id, time.monotonic()))
            return


@pytest.fixture
def live_database(postgres_server: PostgresServer) -> Iterator[str]:
    """A migrated PostgreSQL database with a seeded market; dropped afterwards."""
    name = f"lg_backup_{uuid.uuid4().hex[:10]}"
    url = postgres_server.create(name)
    try:
        upgrade(url)
        seeded(url)
        yield url
    finally:
        postgres_server.drop(name)


@needs_pg_tools
@pytest.mark.slow
@pytest.mark.postgres
def test_a_backup_taken_under_load_restores_whole_and_sound(
    live_database: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    engine = make_engine(live_database)
    restored_name = f"lg_restored_{uuid.uuid4().hex[:10]}"
    try:
        with Writer(engine) as writer:
            while writer.count() < 20 and not writer.errors:  # the market is busy first
                time.sleep(0.05)
            began = time.monotonic()
            backup = run("once", BACKUP_DIR=str(tmp_path), **libpq(live_database))
            ended = time.monotonic()
            while writer.count() < 20 + 40 and time.monotonic() - ended < 30:  # and after
                time.sleep(0.05)
        assert not writer.errors, writer.errors
        assert backup.returncode == 0, backup.stderr
        dumps = list(tmp_path.glob("linggong-*.dump"))
        assert len(dumps) == 1 and not list(tmp_path.glob(".partial-*"))

        jobs_before = {i for i, at in writer.jobs if at < began}
        hires_before = {i for i, at in writer.hires if at < began}
        during = [i for i, at in writer.jobs + writer.hires if began <= at <= ended]
        assert jobs_before and hires_before
        assert during, "no write committed while pg_dump ran: not a backup under load"
        print(  # shown with -s
            f"backup {ended - began:.2f} s; committed before it {len(jobs_before)} jobs, "
            f"{len(hires_before)} hires; during it {len(during)} writes"
        )

        restore = run("restore", str(dumps[0]), restored_name, **libpq(live_database))
        assert restore.returncode == 0, restore.stderr
        restored_url = postgres_server.url_for(restored_name)
        checked = subprocess.run(
            [sys.executable, "-m", "web.cli", "check-invariants", "--url", restored_url],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "every invariant holds" in checked.stdout

        restored = make_engine(restored_url)
        try:
            with restored.connect() as conn:
                jobs = set(conn.execute(select(Job.id)).scalars())
                hires = set(conn.execute(select(Application.id)).scalars())
            assert jobs_before <= jobs, f"lost jobs: {sorted(jobs_before - jobs)}"
            assert hires_before <= hires, f"lost hires: {sorted(hires_before - hires)}"
            # the sequences came back too: the restored market takes new writes
            Writer(restored)._one(random.Random(99))
        finally:
            restored.dispose()

        again = run("restore", str(dumps[0]), restored_name, **libpq(live_database))
        assert again.returncode != 0  # never over an existing database
    finally:
        engine.dispose()
        postgres_server.drop(restored_name)
