"""The statistics rollup kept up to date in the background, so no staff page waits for it.

The first build reads the whole market (seconds on a large one); staff reads never start
it (they read the base tables until it exists), and after it each refresh only re-reads
what changed. Every app replica runs one: on PostgreSQL an advisory lock lets one refresh
at a time and the others find nothing left to do. `linggong stats-refresh` does the same
from cron or a one-off shell. Each round then sweeps for wage arrears and purges expired
sessions and idempotency keys (`linggong arrears-sweep`, `linggong purge`), and passes
standby offers past their deadline on to the next worker (`linggong standby-sweep`).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from market import purge as purge_service
from market.db import session_scope
from market.standby import service as standby_service
from market.stats import rollup as rollup_service
from market.work import arrears as arrears_service

log = logging.getLogger(__name__)


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
    """Delete expired sessions and idempotency keys in a transaction of its own: how many."""
    with session_scope(engine) as session:
        return purge_service.expired_purge(session=session)


async def refresh_periodically(
    engine: Engine, *, every_seconds: float, arrears_days: int | None = None
) -> None:
    """Refresh now, then every `every_seconds`, until cancelled; a failure waits for the next.

    Each round also sweeps for unpaid shifts due to become arrears cases, then purges
    expired sessions and idempotency keys."""
    while True:
        try:
            await run_in_threadpool(refresh_once, engine)
        except Exception:
            log.exception("statistics rollup refresh failed")
        try:
            await run_in_threadpool(sweep_once, engine, arrears_days)
        except Exception:
            log.exception("arrears sweep failed")
        try:
            await run_in_threadpool(standby_once, engine)
        except Exception:
            log.exception("standby sweep failed")
        try:
            await run_in_threadpool(purge_once, engine)
        except Exception:
            log.warning("purge of expired sessions and idempotency keys failed", exc_info=True)
        await asyncio.sleep(every_seconds)
