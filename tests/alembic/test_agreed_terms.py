"""Migration 0007 on a database with a market in it: applications get their job's terms."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, pool, text

from market.db import make_engine, normalise_url
from market.migrations import downgrade, upgrade
from tests.conftest import BACKENDS, PostgresServer

ROWS = """
INSERT INTO "user" (id, phone, password_hash, role, name, locale, is_active, created_at)
VALUES (1, '13900000001', 'x', 'employer', '李老板', 'zh_CN', true, '2026-11-01 08:00:00'),
       (2, '13900000002', 'x', 'worker', '王师傅', 'zh_CN', true, '2026-11-01 08:00:00'),
       (3, '13900000003', 'x', 'worker', '赵师傅', 'zh_CN', true, '2026-11-01 08:00:00');
INSERT INTO employer (user_id, org_name, verified, rating_sum, rating_count, late_cancel_total)
VALUES (1, '李老板的公司', false, 0, 0, 0);
INSERT INTO worker (user_id, district, radius_km, min_wage, available_now, confirmed_total,
                    completed_total, no_show_total, rating_sum, rating_count, lock_version,
                    updated_at)
VALUES (2, '芝罘区', 15, 0, false, 1, 0, 0, 0, 0, 0, '2026-11-01 08:00:00'),
       (3, '芝罘区', 15, 0, false, 0, 0, 0, 0, 0, 0, '2026-11-01 08:00:00');
INSERT INTO job (id, employer_id, trade, title, description, lat, lon, address, district,
                 start_at, end_at, headcount, wage, instant, status, confirmed_count,
                 created_at, updated_at)
VALUES (7, 1, 'painter', '刷墙', '', 37.55, 121.27, '只楚路 12 号', '芝罘区',
        '2026-12-01 00:00:00', '2026-12-01 08:00:00', 2, 400, false, 'open', 1,
        '2026-11-20 08:00:00', '2026-11-20 08:00:00');
INSERT INTO application (id, job_id, worker_id, status, shift_start, shift_end,
                         created_at, updated_at)
VALUES (11, 7, 2, 'confirmed', '2026-12-01 00:00:00', '2026-12-01 08:00:00',
        '2026-11-21 09:00:00', '2026-11-21 09:00:00'),
       (12, 7, 3, 'applied', '2026-12-01 00:00:00', '2026-12-01 08:00:00',
        '2026-11-22 10:00:00', '2026-11-22 10:00:00');
INSERT INTO rating (id, application_id, from_user_id, to_user_id, stars, comment, created_at)
VALUES (5, 11, 1, 2, 5, '', '2026-11-21 10:00:00');
"""


@pytest.fixture(params=BACKENDS)
def url_at_0006(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at revision 0006 with a job, a hire, a pending application and a rating."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        name = None
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name = f"lg_m7_{uuid.uuid4().hex[:12]}"
        url = server.create(name)
    upgrade(url, "0006")
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.begin() as connection:
        for statement in ROWS.split(";"):
            if statement.strip():
                connection.execute(text(statement))
    engine.dispose()
    yield url
    if name is not None:
        request.getfixturevalue("postgres_server").drop(name)


def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(normalise_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(query))]
    finally:
        engine.dispose()


def test_existing_applications_get_their_jobs_terms(url_at_0006: str) -> None:
    upgrade(url_at_0006)

    rows = _rows(
        url_at_0006,
        "SELECT id, agreed_wage, agreed_address, agreed_lat, agreed_lon, agreed_trade, "
        "terms_version, confirmed_wage, confirmed_terms_version FROM application ORDER BY id",
    )
    assert rows == [
        (11, 400, "只楚路 12 号", 37.55, 121.27, "painter", 1, 400, 1),
        (12, 400, "只楚路 12 号", 37.55, 121.27, "painter", 1, None, None),
    ]
    times = _rows(
        url_at_0006,
        "SELECT agreed_start_at, agreed_end_at, terms_accepted_at FROM application ORDER BY id",
    )
    assert [tuple(str(t)[:16] for t in r) for r in times] == [
        ("2026-12-01 00:00", "2026-12-01 08:00", "2026-11-21 09:00"),
        ("2026-12-01 00:00", "2026-12-01 08:00", "2026-11-22 10:00"),
    ]
    assert _rows(url_at_0006, "SELECT terms_version FROM job") == [(1,)]
    assert _rows(url_at_0006, "SELECT application_id FROM rating") == [(11,)]


def test_down_and_up_again_keeps_the_market(url_at_0006: str) -> None:
    upgrade(url_at_0006)
    downgrade(url_at_0006, "0006")
    assert _rows(url_at_0006, "SELECT id, status FROM application ORDER BY id") == [
        (11, "confirmed"),
        (12, "applied"),
    ]
    upgrade(url_at_0006)
    assert _rows(url_at_0006, "SELECT id, agreed_wage FROM application ORDER BY id") == [
        (11, 400),
        (12, 400),
    ]
