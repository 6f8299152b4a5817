"""`python -m bench stats`: time every staff statistics query on a large synthetic market.

Bulk-loads a year of a city's market (by default 100k workers, 200k jobs) straight into a
throw-away PostgreSQL database with COPY (not through the services: this measures reads),
builds the statistics rollup of the closed days once (as the app's refresh would), then
runs each statistics query repeatedly and reports p50/p95 in milliseconds. Each timed
query includes its own rollup refresh check, as a staff page's read does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from bench.stats_market import load_market
from market.db import make_engine, normalise_url
from market.migrations import upgrade
from market.settings import get_settings
from market.stats import periods as period_service
from market.stats import rollup as rollup
from market.stats import service as stats_service


@dataclass(frozen=True)
class Timing:
    name: str
    p50_ms: float
    p95_ms: float
    rows: int


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


def time_day_close(engine: Engine, *, now: datetime) -> float:
    """The refresh once today has closed (its jobs and their workers rolled up): seconds."""
    began = time.perf_counter()
    with Session(engine) as session:
        rollup.refresh_rollup(session=session, now=now + timedelta(days=1))
        session.commit()
    return time.perf_counter() - began


ROLLUP_TABLES = (
    "stats_day",
    "stats_month",
    "stats_hour",
    "stats_distance",
    "stats_wait",
    "stats_worker",
    "stats_people",
    "stats_supply",
    "stats_supply_worker",
    "stats_refresh",
)


def _queries(now: datetime) -> dict[str, Callable[[Session], int]]:
    today = period_service.today(now)
    result: dict[str, Callable[[Session], int]] = {}
    for label, days in (("today", 1), ("30 days", 30), ("365 days", 365)):
        period = period_service.period_of(first=today - timedelta(days=days - 1), last=today)
        result[f"summary, {label}"] = _summary(period, now)
        result[f"gap by trade and district, {label}"] = _gap(period)
        for by in ("trade", "district", "day", "hour"):
            result[f"breakdown by {by}, {label}"] = _breakdown(period, by)
    return result


def _summary(period: period_service.Period, now: datetime) -> Callable[[Session], int]:
    def query(session: Session) -> int:
        return stats_service.get_summary(session=session, period=period, now=now).jobs_posted

    return query


def _gap(period: period_service.Period) -> Callable[[Session], int]:
    def query(session: Session) -> int:
        return len(stats_service.list_gap(session=session, period=period))

    return query


def _breakdown(period: period_service.Period, by: str) -> Callable[[Session], int]:
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
        out(f"refresh once today has closed: {time_day_close(engine, now=now):.2f} s")
        return timings
    finally:
        engine.dispose()
        if keep:
            out(f"kept database {bench_url}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str]) -> int:
    """`bench stats [--url ...]`: 0 when it ran, 2 when the URL is not PostgreSQL."""
    parser = argparse.ArgumentParser(prog="python -m bench stats", description=__doc__)
    parser.add_argument("--url", help="PostgreSQL server URL (a throw-away database is made there)")
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--budget-ms", type=float, default=200.0)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    url = args.url or os.environ.get("LINGGONG_TEST_POSTGRES_URL") or get_settings().database_url
    try:
        timings = run(
            server_url=url,
            workers=args.workers,
            jobs=args.jobs,
            days=args.days,
            repeat=args.repeat,
            keep=args.keep,
        )
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    slow = [t.name for t in timings if t.p95_ms > args.budget_ms]
    print(f"p95 over {args.budget_ms:.0f} ms: {', '.join(slow) or 'none'}")
    return 0
