"""The gap's supply side rolled up: registered workers per trade and district, by latest hire day.

`stats_supply_worker` holds each worker's supply as last rolled up (a row per trade, and
trade "" for the worker once, with their district and the local day of their latest hire
on a closed-day job); `stats_supply` counts its rows per (trade, district, hire day). A
refresh re-reads only the workers that changed (their district or trades, or a hire on a
closed-day job) and recounts the (trade, district) pairs they left or joined, so a read
sums at most a few tens of thousands of small rows instead of joining every worker.

A period that runs to the end of the closed days placed a worker when their latest
closed-day hire falls in it, or when they were hired today: today's hires are merged in
live, each worker once per key, so the counts equal one query over the base tables.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, delete, func, insert, literal, select, tuple_, union_all
from sqlmodel import Session, col

from market.models import StatsSupply, StatsSupplyWorker, StatsWorker, WorkerProfile, WorkerTrade

ANY_TRADE = ""  # the trade of the one row per worker: district supply counts people, not trades


def rebuild_supply(*, session: Session, workers: Any) -> None:
    """Re-read the supply of `workers` (a select of worker ids; None for all) and recount.

    Runs after stats_worker is up to date: a worker's hire day comes from there.
    """
    snapshot = col(StatsSupplyWorker.worker_id)
    if workers is None:
        session.exec(delete(StatsSupplyWorker))  # type: ignore[call-overload]
        session.exec(delete(StatsSupply))  # type: ignore[call-overload]
    else:
        ids = workers.subquery()
        changed = snapshot.in_(select(ids.c[0]))
        pairs = _pairs(session, changed)
        session.exec(delete(StatsSupplyWorker).where(changed))  # type: ignore[call-overload]
    hired_day = func.coalesce(col(StatsWorker.hired_day), "")
    rows = []
    for trade, joined in ((literal(ANY_TRADE), False), (col(WorkerTrade.trade), True)):
        query = select(col(WorkerProfile.user_id), trade, col(WorkerProfile.district), hired_day)
        if joined:
            query = query.join(
                WorkerTrade, col(WorkerTrade.worker_id) == col(WorkerProfile.user_id)
            )
        query = query.outerjoin(
            StatsWorker, col(StatsWorker.worker_id) == col(WorkerProfile.user_id)
        )
        if workers is not None:
            query = query.where(col(WorkerProfile.user_id).in_(select(ids.c[0])))
        rows.append(query)
    names = ["worker_id", "trade", "district", "hired_day"]
    session.exec(insert(StatsSupplyWorker).from_select(names, union_all(*rows)))  # type: ignore[call-overload]
    recount = select(
        col(StatsSupplyWorker.trade),
        col(StatsSupplyWorker.district),
        col(StatsSupplyWorker.hired_day),
        func.count(),
    )
    if workers is not None:
        pairs |= _pairs(session, changed)
        if not pairs:
            return
        key = tuple_(col(StatsSupply.trade), col(StatsSupply.district))
        session.exec(delete(StatsSupply).where(key.in_(sorted(pairs))))  # type: ignore[call-overload]
        own_key = tuple_(col(StatsSupplyWorker.trade), col(StatsSupplyWorker.district))
        recount = recount.where(own_key.in_(sorted(pairs)))
    recount = recount.group_by(
        col(StatsSupplyWorker.trade),
        col(StatsSupplyWorker.district),
        col(StatsSupplyWorker.hired_day),
    )
    session.exec(  # type: ignore[call-overload]
        insert(StatsSupply).from_select(["trade", "district", "hired_day", "workers"], recount)
    )


def _pairs(session: Session, changed: Any) -> set[tuple[str, str]]:
    query = (
        select(col(StatsSupplyWorker.trade), col(StatsSupplyWorker.district))
        .where(changed)
        .distinct()
    )
    return {(t, d) for t, d in session.exec(query).all()}  # type: ignore[call-overload]


def supply_counts(
    *,
    session: Session,
    use_trade: bool,
    use_district: bool,
    first_day: str | None,
    hired_today: Any,
) -> dict[tuple[str, ...], tuple[int, int]]:
    """Registered and placed workers per (trade, district) key, from the rollup.

    `first_day` is the period's first local day when it has closed days (placed: latest
    closed-day hire on or after it), None when it is today only; `hired_today` is a select
    of the workers hired on today's jobs of the period, or None.
    """
    trade = col(StatsSupply.trade) if use_trade else literal(ANY_TRADE)
    district = col(StatsSupply.district) if use_district else literal("")
    keys = [trade.label("trade"), district.label("district")]
    placed: Any = literal(0)
    if first_day is not None:
        in_period = col(StatsSupply.hired_day) >= first_day
        placed = func.sum(case((in_period, col(StatsSupply.workers)), else_=0))
    which = (
        col(StatsSupply.trade) != ANY_TRADE if use_trade else col(StatsSupply.trade) == ANY_TRADE
    )
    query = select(*keys, func.sum(col(StatsSupply.workers)), placed).where(which)
    counts = {
        (t, d): [int(n), int(p or 0)]
        for t, d, n, p in session.exec(query.group_by(*keys)).all()  # type: ignore[call-overload]
    }
    if hired_today is not None:
        own_trade = col(StatsSupplyWorker.trade)
        own_keys = [
            (own_trade if use_trade else literal(ANY_TRADE)).label("trade"),
            (col(StatsSupplyWorker.district) if use_district else literal("")).label("district"),
        ]
        late = select(*own_keys, func.count()).where(
            col(StatsSupplyWorker.worker_id).in_(hired_today),
            own_trade != ANY_TRADE if use_trade else own_trade == ANY_TRADE,
        )
        if first_day is not None:  # already counted when hired on a closed day of the period
            late = late.where(col(StatsSupplyWorker.hired_day) < first_day)
        for t, d, n in session.exec(late.group_by(*own_keys)).all():  # type: ignore[call-overload]
            counts.setdefault((t, d), [0, 0])[1] += int(n)
    return {key: (n, p) for key, (n, p) in counts.items()}


def registered_workers(*, session: Session) -> int:
    """Every registered worker, from the rollup's one row per worker."""
    query = select(func.coalesce(func.sum(col(StatsSupply.workers)), 0)).where(
        col(StatsSupply.trade) == ANY_TRADE
    )
    return int(session.exec(query).one()[0])  # type: ignore[call-overload]
