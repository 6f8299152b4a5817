"""`python -m bench prices`: what the feed's slot prices cost a replica.

Each replica solves the open jobs' slot prices from its read model in a thread
(`market.feed.prices`). This builds the bench's market at each size (`bench.match.simulate`,
0.3 jobs per worker, 2.5 places a job on average), times a solve from nothing and a warm
one (from the last prices, as every solve after the first), counts the share of jobs whose
places are dear (price above DEAR), traces the memory a warm solve
allocates at its peak, and measures what a solve running in a thread does to feeds ranked
meanwhile on the main thread from the same market's `JobBook` (the GIL is shared): their
p50 and p99 alone and during the solve.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import tracemalloc
from datetime import timedelta

import numpy as np

from bench.match.simulate import MARKET_DAY, make_market
from market.feed.book import JobBook, OpenJob, Window
from market.feed.prices import solve_prices
from matching import model as m

JOBS_PER_WORKER = 0.3
DEAR = 0.01  # a price above this leans a feed by more than 3 %


def _feeds_ms(
    book: JobBook, workers: list[m.Worker], until: threading.Event | float
) -> list[float]:
    """Rank feeds for the workers in turn until the event is set (or for `until` seconds)."""
    window = Window(after=(MARKET_DAY - timedelta(days=1)).timestamp())
    took, at = [], 0
    deadline = time.monotonic() + until if isinstance(until, float) else None
    while True:
        if deadline is not None and time.monotonic() > deadline:
            break
        if isinstance(until, threading.Event) and until.is_set():
            break
        started = time.perf_counter()
        book.rank(workers[at % len(workers)], k=20, window=window)
        took.append((time.perf_counter() - started) * 1000)
        at += 1
    return took


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def run(n_workers: int, repeat: int) -> dict[str, float]:
    workers, jobs = make_market(workers=n_workers, jobs=int(n_workers * JOBS_PER_WORKER), seed=5)
    started = time.perf_counter()
    prices = solve_prices(jobs, workers, {})
    cold = time.perf_counter() - started
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        solve_prices(jobs, workers, prices)
        warm.append(time.perf_counter() - started)
    tracemalloc.start()
    solve_prices(jobs, workers, prices)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    book = JobBook()
    book.replace_all([OpenJob((), (), job) for job in jobs], {})
    book.set_prices(prices)
    askers = workers[:500]
    alone = _feeds_ms(book, askers, min(3.0, statistics.median(warm) + 1.0))
    done = threading.Event()

    def solve() -> None:
        solve_prices(jobs, workers, prices)
        done.set()

    thread = threading.Thread(target=solve)
    thread.start()
    during = _feeds_ms(book, askers, done)
    thread.join()
    return {
        "workers": n_workers,
        "jobs": len(jobs),
        "dear_share": float(np.mean([price > DEAR for price in prices.values()])),
        "cold_s": cold,
        "warm_s": statistics.median(warm),
        "peak_mib": peak / 2**20,
        "feed_p50_alone": _p(alone, 50),
        "feed_p99_alone": _p(alone, 99),
        "feed_p50_during": _p(during, 50),
        "feed_p99_during": _p(during, 99),
        "feeds_during": len(during),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench prices", description=__doc__)
    parser.add_argument("--workers", default="10000,100000", help="market sizes, in workers")
    parser.add_argument("--repeat", type=int, default=3, help="warm solves timed per size")
    args = parser.parse_args(argv)
    print(
        f"{'workers':>8} {'jobs':>7} {'dear':>5} {'cold s':>7} {'warm s':>7} {'peak MiB':>9} "
        f"{'feed p50/p99 ms alone':>22} {'during a solve':>15}"
    )
    for n in (int(x) for x in args.workers.split(",")):
        r = run(n, args.repeat)
        print(
            f"{r['workers']:>8} {r['jobs']:>7} {r['dear_share']:>5.2f} "
            f"{r['cold_s']:>7.2f} {r['warm_s']:>7.2f} "
            f"{r['peak_mib']:>9.0f} {r['feed_p50_alone']:>10.2f} / {r['feed_p99_alone']:<9.2f} "
            f"{r['feed_p50_during']:>6.2f} / {r['feed_p99_during']:.2f}",
            flush=True,
        )
    return 0
