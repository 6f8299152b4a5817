"""`linggong bench stats`: time every staff statistics query on a large synthetic market.

Bulk-loads a year of a city's market (by default 100k workers, 200k jobs) straight into a
throw-away PostgreSQL database with COPY (not through the services: this measures reads),
builds the statistics rollup of the closed days once (as the app's refresh would), then
runs each statistics query repeatedly and reports p50/p95 in milliseconds. Each timed
query includes its own rollup refresh check, as a staff page's read does.
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from market import stats as stats_service
from market import stats_rollup as rollup
from market.db import make_engine, normalise_url
from market.migrations import upgrade
from matching import trades as catalogue

DISTRICTS = ("芝罘区", "莱山区", "福山区", "牟平区", "开发区", "高新区", "蓬莱区", "龙口市")
EMPLOYERS_PER_WORKER = 0.05
HASH = "$argon2id$v=19$m=65536,t=3,p=4$bench$bench"  # nobody logs in to the bench market


@dataclass(frozen=True)
class Timing:
    name: str
    p50_ms: float
    p95_ms: float
    rows: int


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
        lat = 37.45 + rng.random(workers) * 0.15
        lon = 121.15 + rng.random(workers) * 0.45
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
                    DISTRICTS[district_of[i]],
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


def build_rollup(engine: Engine, *, now: datetime) -> float:
    """Roll up the loaded closed days, as the app's periodic refresh would; returns seconds."""
    began = time.perf_counter()
    with Session(engine) as session:
        rollup.refresh_rollup(session=session, now=now)
        session.commit()
    elapsed = time.perf_counter() - began
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ROLLUP_TABLES:  # as autovacuum would after the first build
            conn.execute(text(f'VACUUM ANALYZE "{table}"'))
    return elapsed


ROLLUP_TABLES = (
    "stats_day",
    "stats_hour",
    "stats_distance",
    "stats_wait",
    "stats_worker",
    "stats_people",
    "stats_supply",
    "stats_supply_worker",
    "stats_refresh",
)


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
                37.5,
                121.3,
                "烟台市",
                DISTRICTS[district[i]],
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
                )
            )
    return jobs, applications


def _queries(now: datetime) -> dict[str, Callable[[Session], int]]:
    today = stats_service.today(now)
    result: dict[str, Callable[[Session], int]] = {}
    for label, days in (("today", 1), ("30 days", 30), ("365 days", 365)):
        period = stats_service.period_of(first=today - timedelta(days=days - 1), last=today)
        result[f"summary, {label}"] = _summary(period, now)
        result[f"gap by trade and district, {label}"] = _gap(period)
        for by in ("trade", "district", "day", "hour"):
            result[f"breakdown by {by}, {label}"] = _breakdown(period, by)
    return result


def _summary(period: stats_service.Period, now: datetime) -> Callable[[Session], int]:
    def query(session: Session) -> int:
        return stats_service.get_summary(session=session, period=period, now=now).jobs_posted

    return query


def _gap(period: stats_service.Period) -> Callable[[Session], int]:
    def query(session: Session) -> int:
        return len(stats_service.list_gap(session=session, period=period))

    return query


def _breakdown(period: stats_service.Period, by: str) -> Callable[[Session], int]:
    def query(session: Session) -> int:
        return len(stats_service.list_breakdown(session=session, period=period, by=by))

    return query


def time_queries(engine: Engine, *, now: datetime, repeat: int) -> list[Timing]:
    """p50 and p95 of each statistics query over `repeat` runs (after one warm-up)."""
    timings = []
    for name, query in _queries(now).items():
        samples = []
        rows = 0
        for attempt in range(repeat + 1):
            with Session(engine) as session:
                began = time.perf_counter()
                rows = query(session)
                elapsed = (time.perf_counter() - began) * 1000
            if attempt:
                samples.append(elapsed)
        samples.sort()
        p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
        timings.append(Timing(name, round(statistics.median(samples), 1), round(p95, 1), rows))
    return timings


def run(
    *,
    server_url: str,
    workers: int,
    jobs: int,
    days: int = 365,
    repeat: int = 20,
    keep: bool = False,
    out: Callable[[str], None] = print,
) -> list[Timing]:
    """Create a throw-away database on the server, load it, time the queries, drop it."""
    url = normalise_url(server_url)
    if not url.startswith("postgresql"):
        raise ValueError("the stats benchmark needs a PostgreSQL URL")
    name = f"lg_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    bench_url = url.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(bench_url)
    now = datetime.now(UTC)
    try:
        upgrade(bench_url)
        began = time.perf_counter()
        counts = load_market(engine, workers=workers, jobs=jobs, days=days, now=now)
        loaded = time.perf_counter() - began
        out(f"loaded {name} in {loaded:.1f} s: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        out(f"rollup of the closed days built in {build_rollup(engine, now=now):.1f} s")
        timings = time_queries(engine, now=now, repeat=repeat)
        out(f"{'query':45} {'p50 ms':>8} {'p95 ms':>8} {'rows':>8}")
        for t in timings:
            out(f"{t.name:45} {t.p50_ms:8.1f} {t.p95_ms:8.1f} {t.rows:8d}")
        return timings
    finally:
        engine.dispose()
        if keep:
            out(f"kept database {bench_url}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
