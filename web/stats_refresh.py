"""The statistics rollup kept up to date in the background, so no staff page waits for it.

The first build reads the whole market (seconds on a large one); staff reads never start
it (they read the base tables until it exists), and after it each refresh only re-reads
what changed. Every app replica runs one: on PostgreSQL an advisory lock lets one refresh
at a time and the others find nothing left to do. `linggong stats-refresh` does the same
from cron or a one-off shell. Each round then sweeps for wage arrears and purges expired
sessions and idempotency keys (`linggong arrears-sweep`, `linggong purge`), and passes
standby offers past their deadline on to the next worker (`linggong standby-sweep`), writes
out what the replica's feeds showed, and once a day fits the ranking's weights (`linggong
learn`; one replica at a time, by an advisory lock).

Notifications run in a loop of their own, every few seconds (`linggong notify`): the
outbox is turned into notifications (one replica at a time, by an advisory lock) and the
push messages due are sent (replicas share them, each row claimed by one). After a pass
that had BUSY_EVENTS events or more to read, the next comes after BUSY_PASS_SECONDS: on a
busy market each pass's work (a new job's alert ranks its workers and writes their rows)
comes in portions of about a second's events rather than five seconds' worth at once,
which held the replica's interpreter long enough to stall its feeds (`bench load` at
210-240 req/s: the feeds' slowest answers came in bursts a few seconds apart, with the
passes). A quieter market keeps the period, whose passes share their fixed cost (a new
job's alerts set up their ranking once a pass) among more events.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from functools import partial
from logging import ERROR, WARNING
from typing import Any

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from market import purge as purge_service
from market.db import session_scope
from market.feed.readmodel import FeedReadModel
from market.learning import impressions as impression_service
from market.learning import service as learning_service
from market.notifications import delivery as delivery_service
from market.notifications import push as push_service
from market.settings import Settings
from market.standby import service as standby_service
from market.stats import rollup as rollup_service
from market.work import arrears as arrears_service
from web.i18n import translate
from web.observability import Metrics
from web.tracing import OFF, Off, Tracing

log = logging.getLogger(__name__)

BUSY_EVENTS = 50  # a notification pass that read this many events or more ...
BUSY_PASS_SECONDS = 1.0  # ... is followed by the next this soon


def refresh_once(engine: Engine) -> None:
    """One refresh of the rollup in its own transaction (the first one builds it)."""
    with session_scope(engine) as session:
        rollup_service.refresh_rollup(session=session)


def sweep_once(engine: Engine, days: int | None = None) -> list[int]:
    """Open the wage-arrears cases now due, in a transaction of its own: the new report ids.

    On PostgreSQL an advisory lock lets one replica sweep at a time (the others open none).
    """
    with session_scope(engine) as session:
        return [r.id or 0 for r in arrears_service.arrears_sweep(session=session, days=days)]


def standby_once(engine: Engine) -> standby_service.Swept:
    """Pass expired standby offers on and close ended lists, in a transaction of its own."""
    with session_scope(engine) as session:
        return standby_service.standby_sweep(session=session)


def purge_once(engine: Engine) -> dict[str, int]:
    """Run the purge (market/purge.py) in a transaction of its own: how many of each."""
    with session_scope(engine) as session:
        return purge_service.expired_purge(session=session)


def impressions_once(engine: Engine, log: impression_service.ImpressionLog) -> int:
    """Write out what this replica's feeds showed, in a transaction of its own: how many."""
    with session_scope(engine) as session:
        return impression_service.impressions_flush(session=session, log=log)


def learn_once(engine: Engine, *, when_due: bool = False) -> learning_service.LearnResult | None:
    """Fit, replay and maybe switch the weights in a transaction of its own (`linggong
    learn`); with `when_due`, only when no version was fitted in the last day. None when
    nothing ran (not due, or another replica holds the lock)."""
    with session_scope(engine) as session:
        if when_due and not learning_service.learn_due(session=session):
            return None
        return learning_service.learn_run(session=session)


LEARN_TRY_SECONDS = 3600.0  # how often a replica asks whether a day has passed since a fit


def _hourly(task: Callable[[], object]) -> Callable[[], object]:
    """`task` at most once an hour in this process (the first round runs it)."""
    last: list[float] = []

    def run() -> object:
        if last and time.monotonic() - last[0] < LEARN_TRY_SECONDS:
            return None
        last[:] = [time.monotonic()]
        return task()

    return run


async def refresh_periodically(
    engine: Engine,
    *,
    every_seconds: float,
    arrears_days: int | None = None,
    metrics: Metrics | None = None,
    tracing: Tracing | Off = OFF,
    impressions: impression_service.ImpressionLog | None = None,
) -> None:
    """Refresh now, then every `every_seconds`, until cancelled; a failure waits for the next.

    Each round also sweeps for unpaid shifts due to become arrears cases, passes expired
    standby offers on, then purges expired sessions and idempotency keys, writes out the
    feeds' `impressions` and fits the ranking's weights when a day has passed. Each task's
    failures and last success are counted in `metrics` (`linggong_background_*`)."""
    purge_failed = "purge of expired sessions and idempotency keys failed"
    tasks: tuple[tuple[str, Callable[[], object], str, int], ...] = (
        ("rollup", partial(refresh_once, engine), "statistics rollup refresh failed", ERROR),
        ("arrears", partial(sweep_once, engine, arrears_days), "arrears sweep failed", ERROR),
        ("standby", partial(standby_once, engine), "standby sweep failed", ERROR),
        ("purge", partial(purge_once, engine), purge_failed, WARNING),  # retried next round
        ("learn", _hourly(partial(learn_once, engine, when_due=True)), "learning failed", ERROR),
    )
    if impressions is not None:
        flush = partial(impressions_once, engine, impressions)
        tasks += (("impressions", flush, "writing feed impressions failed", WARNING),)
    while True:
        for name, task, failed, level in tasks:
            try:
                with tracing.span(f"background {name}"):  # its SQL, in one trace
                    await run_in_threadpool(task)
            except Exception:
                log.log(level, failed, exc_info=True)
                if metrics is not None:
                    metrics.count_background(name, ok=False)
            else:
                if metrics is not None:
                    metrics.count_background(name, ok=True)
        await asyncio.sleep(every_seconds)


def notify_once(
    engine: Engine, settings: Settings, sender: Any = None, model: FeedReadModel | None = None
) -> dict[str, int]:
    """One notification pass: new events into notifications, then the push messages due."""
    return delivery_service.notify_once(
        engine=engine,
        render=translate,
        sender=sender or push_service.sender_for(settings),
        model=model,
    )


def _sender(settings: Settings) -> Any:
    try:
        return push_service.sender_for(settings)
    except RuntimeError:  # production without a VAPID key: the inbox works, push waits
        log.error("no LINGGONG_VAPID_PRIVATE_KEY: push messages wait until one is set")
        return None


# a push pass's counts as delivery outcomes: a subscription the push service says is gone
# is a delivery given up, as is one that failed its last try
PUSH_OUTCOMES = {"sent": "delivered", "retry": "failed", "failed": "given_up", "gone": "given_up"}


SMS_OUTCOMES = {"sms_sent": "delivered", "sms_retry": "failed", "sms_failed": "given_up"}


def count_push(metrics: Metrics, counts: dict[str, int]) -> None:
    """Add one notification pass's push and SMS results to
    `linggong_notification_deliveries_total`."""
    for key, outcome in PUSH_OUTCOMES.items():
        metrics.count_delivery(channel="web_push", outcome=outcome, count=counts.get(key, 0))
    for key, outcome in SMS_OUTCOMES.items():
        metrics.count_delivery(channel="sms", outcome=outcome, count=counts.get(key, 0))


async def notify_periodically(
    engine: Engine,
    *,
    settings: Settings,
    every_seconds: float,
    metrics: Metrics | None = None,
    model: FeedReadModel | None = None,
) -> None:
    """A notification pass now, then every `every_seconds` (BUSY_PASS_SECONDS after a pass
    that read BUSY_EVENTS events or more), until cancelled; new-job alerts come from the
    replica's read `model` once it is ready."""
    sender = _sender(settings)
    while True:
        counts: dict[str, int] = {}
        try:
            if sender is None:
                counts = await run_in_threadpool(
                    partial(
                        delivery_service.notify_once,
                        engine=engine,
                        render=translate,
                        sender=None,
                        model=model,
                    )
                )
            else:
                counts = await run_in_threadpool(notify_once, engine, settings, sender, model)
        except Exception:
            log.exception("notification pass failed")
            if metrics is not None:
                metrics.count_background("notify", ok=False)
        else:
            if metrics is not None:
                count_push(metrics, counts)
                metrics.count_background("notify", ok=True)
        busy = counts.get("events", 0) >= BUSY_EVENTS
        await asyncio.sleep(min(every_seconds, BUSY_PASS_SECONDS) if busy else every_seconds)
