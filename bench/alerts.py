"""`python -m bench alerts`: what a posted job costs the notify loop's new-job alerts.

A throw-away PostgreSQL database is seeded with the feed bench's market (`--workers`
workers around the city centre, `--jobs` jobs posted there, their `job.posted` events
numbered), the jobs counted as just posted. Then the notification pass's alert step is
timed the two ways a replica can run it: ranking each job's workers from the database
(the path without a read model) and from the replica's read model (its workers book).

Printed per path, the median of `--repeat` runs: the alert drafts alone (whom to tell, in
order) and the whole production of one batch of events into notifications (drafts, the
day's caps, the notification and delivery rows), each in a transaction rolled back after,
so every run starts from the same state. Both paths must name the same workers; the bench
fails if they do not.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from bench.load.run import drop_database, new_database

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


T = TypeVar("T")


def _timed(run: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Median seconds of `repeat` runs, and what the last run returned."""
    times = []
    out = run()  # warmed: imports, statement caches, the pool
    for _ in range(repeat):
        started = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), out


def run(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    from sqlalchemy import update
    from sqlmodel import Session, col, select

    from bench.feed_market import seed_feed_market
    from market.db import make_engine
    from market.feed.readmodel import FeedReadModel
    from market.models import Event, Job
    from market.notifications import alerts
    from market.notifications import service as notification_service
    from market.types import utcnow

    name, url = new_database(args.postgres_url, "lg_alerts")
    engine = make_engine(url)
    try:
        seed_feed_market(engine, jobs=args.jobs, workers=args.workers)
        now = utcnow()
        with Session(engine) as session:  # news again: alerts skip jobs posted hours ago
            session.execute(update(Job).values(created_at=now - timedelta(minutes=1)))
            session.commit()
        model = FeedReadModel(engine)
        model.build()
        figures: dict[str, dict[str, float]] = {}
        named: dict[str, dict[int, list[int]]] = {}
        paths: tuple[tuple[str, FeedReadModel | None], ...] = (
            ("database", None),
            ("read model", model),
        )
        for path, used in paths:
            with Session(engine) as session:
                events = list(
                    session.exec(
                        select(Event)
                        .where(Event.kind == alerts.KIND)
                        .order_by(col(Event.seq))
                        .limit(notification_service.BATCH)
                    )
                )

                def drafts(
                    session: Session = session,
                    events: list[Event] = events,
                    used: FeedReadModel | None = used,
                ) -> dict[int, list[int]]:
                    found = alerts.alert_drafts(session=session, events=events, now=now, model=used)
                    return {e: [d.user_id for d in ds] for e, ds in found.items()}

                seconds, named[path] = _timed(drafts, args.repeat)
            with Session(engine) as session:

                def produce(session: Session = session, used: FeedReadModel | None = used) -> int:
                    try:
                        return notification_service.notifications_produce(
                            session=session, now=now, model=used
                        )
                    finally:
                        session.rollback()

                produced, read = _timed(produce, args.repeat)
            per_job = len(events) or 1
            figures[path] = {
                "jobs": float(len(events)),
                "alerts": float(sum(len(v) for v in named[path].values())),
                "drafts_ms_per_job": seconds * 1000 / per_job,
                "produce_ms_per_job": produced * 1000 / max(1, read),
            }
        if named["database"] != named["read model"]:
            raise SystemExit("the read model's alerts differ from the database's")
        return figures
    finally:
        engine.dispose()
        drop_database(args.postgres_url, name)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench alerts", description=__doc__)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--jobs", type=int, default=200, help="jobs posted (one batch or less)")
    parser.add_argument("--workers", type=int, default=2000, help="workers around them")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    figures = run(args)
    print(f"{'path':<11} {'jobs':>5} {'alerts':>7} {'drafts ms/job':>14} {'produce ms/job':>15}")
    for path, f in figures.items():
        print(
            f"{path:<11} {f['jobs']:>5.0f} {f['alerts']:>7.0f} {f['drafts_ms_per_job']:>14.1f}"
            f" {f['produce_ms_per_job']:>15.1f}"
        )
    base, fast = figures["database"], figures["read model"]
    drafts = fast["drafts_ms_per_job"] / base["drafts_ms_per_job"]
    produce = fast["produce_ms_per_job"] / base["produce_ms_per_job"]
    print(f"read model / database: drafts {drafts:.2f}, produce {produce:.2f}")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
