"""The bench market: a year of a city's gig market bulk-loaded with COPY, for `bench stats`.

Written straight into the tables (not through the services): the benchmark measures reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine

from market.demo import geography
from matching import trades as catalogue

DISTRICTS = geography.DISTRICTS  # every district of the city, equally busy
EMPLOYERS_PER_WORKER = 0.05
HASH = "$argon2id$v=19$m=65536,t=3,p=4$bench$bench"  # nobody logs in to the bench market


def _copy(conn: Any, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    count = 0
    names = ", ".join(f'"{c}"' for c in columns)
    with conn.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def load_market(
    engine: Engine, *, workers: int, jobs: int, days: int, now: datetime, seed: int = 7
) -> dict[str, int]:
    """Fill an empty migrated PostgreSQL database; returns row counts per table."""
    rng = np.random.default_rng(seed)
    trades = [t.code for t in catalogue.TRADES if not t.legal_certificates]
    n_employers = max(1, int(workers * EMPLOYERS_PER_WORKER))
    created = (now - timedelta(days=days)).replace(tzinfo=None)
    counts: dict[str, int] = {}
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        user_cols = [
            "id",
            "phone",
            "password_hash",
            "role",
            "name",
            "locale",
            "is_active",
            "created_at",
        ]
        counts["user"] = _copy(
            conn,
            "user",
            user_cols,
            (
                (
                    i,
                    str(13_000_000_000 + i),
                    HASH,
                    "worker" if i <= workers else "employer",
                    f"用户{i}",
                    "zh_CN",
                    True,
                    created,
                )
                for i in range(1, workers + n_employers + 1)
            ),
        )
        district_of = rng.integers(0, len(DISTRICTS), workers)
        lat, lon = _around_centres(rng, district_of)
        counts["worker"] = _copy(
            conn,
            "worker",
            [
                "user_id",
                "home_lat",
                "home_lon",
                "district",
                "radius_km",
                "min_wage",
                "available_now",
                "confirmed_total",
                "completed_total",
                "no_show_total",
                "rating_sum",
                "rating_count",
                "lock_version",
                "updated_at",
            ],
            (
                (
                    i + 1,
                    float(lat[i]),
                    float(lon[i]),
                    DISTRICTS[district_of[i]].name,
                    15.0,
                    150,
                    bool(i % 50 == 0),
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    created,
                )
                for i in range(workers)
            ),
        )
        first_trade = rng.integers(0, len(trades), workers)
        second = rng.random(workers) < 0.5
        counts["worker_trade"] = _copy(
            conn,
            "worker_trade",
            ["worker_id", "trade", "level"],
            _worker_trades(trades, first_trade, second),
        )
        counts["employer"] = _copy(
            conn,
            "employer",
            ["user_id", "org_name", "verified", "rating_sum", "rating_count", "late_cancel_total"],
            ((workers + i, f"公司{i}", i % 3 == 0, 0, 0, 0) for i in range(1, n_employers + 1)),
        )
        counts["membership"] = _copy(
            conn,
            "membership",
            ["user_id", "status", "applied_at", "note"],
            ((i, "approved", created, "") for i in range(1, workers + 1, 5)),
        )
        job_rows, applications = _jobs(rng, jobs, workers, n_employers, trades, created, days)
        counts["job"] = _copy(conn, "job", JOB_COLUMNS, iter(job_rows))
        counts["application"] = _copy(conn, "application", APPLICATION_COLUMNS, iter(applications))
        with conn.cursor() as cursor:
            for table, column in (("user", "id"), ("job", "id"), ("application", "id")):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
                    f'(SELECT max({column}) FROM "{table}"))'
                )
        conn.commit()
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would: index-only scans
    finally:
        raw.close()
    return counts


def _around_centres(rng: np.random.Generator, district_of: np.ndarray) -> tuple[Any, Any]:
    """Latitudes and longitudes scattered about each one's district centre."""
    centres = np.array([(d.lat, d.lon, d.spread_km) for d in DISTRICTS])[district_of]
    km = rng.normal(0, 1, (len(district_of), 2)) * centres[:, 2:3]
    lat = centres[:, 0] + km[:, 0] / 111.195
    lon = centres[:, 1] + km[:, 1] / (111.195 * np.cos(np.radians(centres[:, 0])))
    return lat, lon


def _worker_trades(
    trades: list[str], first: np.ndarray, second: np.ndarray
) -> Iterator[tuple[Any, ...]]:
    for i, (t, more) in enumerate(zip(first.tolist(), second.tolist(), strict=True)):
        yield (i + 1, trades[t], 1 + i % 3)
        if more:
            yield (i + 1, trades[(t + 1 + i % 5) % len(trades)], 1)


JOB_COLUMNS = [
    "id",
    "employer_id",
    "trade",
    "title",
    "description",
    "lat",
    "lon",
    "address",
    "district",
    "start_at",
    "end_at",
    "headcount",
    "wage",
    "instant",
    "status",
    "confirmed_count",
    "created_at",
    "updated_at",
    "first_hire_at",
    "filled_at",
    "terms_version",
]
APPLICATION_COLUMNS = [
    "id",
    "job_id",
    "worker_id",
    "status",
    "shift_start",
    "shift_end",
    "distance_km",
    "cancelled_by",
    "created_at",
    "decided_at",
    "updated_at",
    # the terms the worker agreed to: the job's own (see market/applications/terms.py)
    "agreed_wage",
    "agreed_start_at",
    "agreed_end_at",
    "agreed_address",
    "agreed_lat",
    "agreed_lon",
    "agreed_trade",
    "terms_version",
    "terms_accepted_at",
    "confirmed_wage",
    "confirmed_terms_version",
]


def _jobs(
    rng: np.random.Generator,
    n: int,
    workers: int,
    employers: int,
    trades: list[str],
    origin: datetime,
    days: int,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    offsets = np.sort(rng.random(n)) * days * 86400.0
    headcount = rng.integers(1, 6, n)
    fill = rng.random(n)
    cancelled = rng.random(n) < 0.05
    trade = rng.integers(0, len(trades), n)
    district = rng.integers(0, len(DISTRICTS), n)
    wage = rng.integers(150, 500, n)
    to_first = rng.exponential(3 * 3600.0, n)
    to_full = rng.exponential(6 * 3600.0, n)
    lead = rng.integers(12, 72, n)
    pick = rng.integers(0, workers, n)
    extra = rng.integers(0, 3, n)
    jobs, applications = [], []
    app_id = 0
    end_of_data = origin + timedelta(days=days)
    for i in range(n):
        created = origin + timedelta(seconds=float(offsets[i]))
        start = created + timedelta(hours=int(lead[i]))
        end = start + timedelta(hours=8)
        hired = 0 if cancelled[i] else round(float(fill[i]) * int(headcount[i]))
        if cancelled[i]:
            status = "cancelled"
        elif end < end_of_data:
            status = "completed"
        else:
            status = "filled" if hired == headcount[i] else "open"
        first_hire = created + timedelta(seconds=float(to_first[i])) if hired else None
        full = (
            first_hire + timedelta(seconds=float(to_full[i]))
            if first_hire and hired == headcount[i]
            else None
        )
        jobs.append(
            (
                i + 1,
                workers + 1 + i % employers,
                trades[trade[i]],
                "招工",
                "",
                DISTRICTS[district[i]].lat,
                DISTRICTS[district[i]].lon,
                f"烟台市{DISTRICTS[district[i]].name}",
                DISTRICTS[district[i]].name,
                start,
                end,
                int(headcount[i]),
                int(wage[i]),
                False,
                status,
                hired,
                created,
                created,
                first_hire,
                full,
                1,
            )
        )
        for k in range(hired + int(extra[i])):
            app_id += 1
            worker = 1 + (int(pick[i]) + k) % workers
            if k < hired:
                state = "completed" if status == "completed" else "confirmed"
                if state == "completed" and (app_id % 20 == 0):
                    state = "no_show"
                decided, cancelled_by, km = first_hire, None, round(1 + (app_id % 150) / 10, 1)
            else:
                state = "cancelled" if cancelled[i] else "declined" if k % 2 else "applied"
                decided, cancelled_by, km = None, "employer" if cancelled[i] else None, None
            applications.append(
                (
                    app_id,
                    i + 1,
                    worker,
                    state,
                    start,
                    end,
                    km,
                    cancelled_by,
                    created,
                    decided,
                    created,
                    int(wage[i]),
                    start,
                    end,
                    "烟台市",
                    37.5,
                    121.3,
                    trades[trade[i]],
                    1,
                    created,
                    int(wage[i]) if k < hired else None,
                    1 if k < hired else None,
                )
            )
    return jobs, applications
