"""Speed figures of `python -m bench match`, each measured in a fresh process.

A process keeps the memory a previous measurement freed, so measuring one run after
another in the same process hides later runs' peaks (and sampling can miss a short
spike). Each measurement therefore builds its market in a new interpreter and reports
both the sampled peak above the start of the timed part and the kernel's high-water mark
of that whole process (VmHWM), inputs included. (Not `ru_maxrss`: Linux carries it over
from the parent through fork and exec, so a child would report the bench's own peak.)
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

import numpy as np

from bench.match.simulate import make_market
from matching.columns import WorkerColumns
from matching.dispatch import dispatch
from matching.index import JobIndex, competition, market_prices, rank_market
from matching.score import MarketContext

FEED_SAMPLE = 2000  # feeds timed per run
FEED_MARKET_WORKERS = 10_000  # workers behind the feed's market context


@contextmanager
def peak_rss() -> Iterator[dict[str, float]]:
    """Samples resident memory every 2 ms; yields a dict that gets 'peak_mb' above the start."""
    page = os.sysconf("SC_PAGE_SIZE")
    result: dict[str, float] = {}
    stop = threading.Event()

    def rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * page

    start, peak = rss(), [rss()]

    def sample() -> None:
        while not stop.wait(0.002):
            peak[0] = max(peak[0], rss())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        stop.set()
        sampler.join()
        result["peak_mb"] = (max(peak[0], rss()) - start) / 2**20
        result["process_peak_mb"] = _high_water_mark() / 2**20


def _high_water_mark() -> int:
    """Peak resident memory of this process so far, in bytes (VmHWM)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _timed(action: Callable[[], object]) -> dict[str, float]:
    with peak_rss() as memory:
        started, cpu = time.perf_counter(), time.process_time()
        action()
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "peak_mb": round(memory["peak_mb"], 1),
        "process_peak_mb": round(memory["process_peak_mb"], 1),
    }


def time_rank_market(n_workers: int, n_jobs: int, seed: int) -> dict[str, float]:
    """Top-10 lists for every worker of a simulated market."""
    workers, jobs = make_market(workers=n_workers, jobs=n_jobs, seed=seed)
    return _timed(lambda: rank_market(workers, jobs, k=10, both_sides=False))


def time_feed(open_jobs: int, seed: int) -> dict[str, float]:
    """Latency of single-worker feeds from an index of `open_jobs` jobs, market-aware."""
    workers, jobs = make_market(
        workers=min(FEED_MARKET_WORKERS, max(1000, open_jobs // 3)), jobs=open_jobs, seed=seed
    )
    index = JobIndex(jobs)
    worker_cols = WorkerColumns.build(workers)
    parts = index.market_chunks(worker_cols)
    options, demand = competition(parts, len(worker_cols), len(index.jobs))
    started = time.perf_counter()
    price = market_prices(parts, len(worker_cols), index.jobs.slots_left)
    prices_ms = (time.perf_counter() - started) * 1000
    context = MarketContext(
        job_demand=dict(zip(index.jobs.ids, demand.tolist(), strict=True)),
        worker_options=dict(zip(worker_cols.ids, options.astype(np.int64).tolist(), strict=True)),
        job_price=dict(zip(index.jobs.ids, price.tolist(), strict=True)),
    )
    index.rank_for_worker(workers[0], k=10, market=context)  # builds the price array once
    latencies, cpu_times = [], []
    with peak_rss() as memory:
        for worker in workers[:FEED_SAMPLE]:
            started, cpu = time.perf_counter(), time.thread_time()
            index.rank_for_worker(worker, k=10, market=context)
            latencies.append(time.perf_counter() - started)
            cpu_times.append(time.thread_time() - cpu)
    ms, cpu_ms = np.array(latencies) * 1000, np.array(cpu_times) * 1000
    return {
        "open_jobs": open_jobs,
        "context_pairs": int(sum(len(part.job) for part in parts)),
        "prices_ms": round(prices_ms, 1),  # the context's slot prices, solved once
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "max_ms": round(float(ms.max()), 3),
        # CPU time of the feed's own thread: what the feed costs when no other process
        # competes for the core (wall time on a shared machine includes waiting for one)
        "cpu_p50_ms": round(float(np.percentile(cpu_ms, 50)), 3),
        "cpu_p99_ms": round(float(np.percentile(cpu_ms, 99)), 3),
        "peak_mb": round(memory["peak_mb"], 1),
        "process_peak_mb": round(memory["process_peak_mb"], 1),
    }


def time_dispatch(n_workers: int, n_jobs: int, seed: int) -> dict[str, float]:
    """One assignment for a whole simulated market."""
    workers, jobs = make_market(workers=n_workers, jobs=n_jobs, seed=seed)
    return _timed(lambda: dispatch(workers, jobs))


def isolated(measure: Callable[..., dict[str, Any]], *args: int) -> dict[str, Any]:
    """`measure(*args)` run in a fresh interpreter, so its memory figures are its own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(measure, *args).result()


def speed(
    *, sizes: list[tuple[int, int]], feed_jobs: int, dispatch_size: tuple[int, int], seed: int
) -> dict[str, Any]:
    """Whole-market ranking, single-worker feed latency and dispatch time, with peak memory."""
    n_workers, n_jobs = dispatch_size
    return {
        "rank_market": {f"{w}x{j}": isolated(time_rank_market, w, j, seed) for w, j in sizes},
        "feed": isolated(time_feed, feed_jobs, seed + 1),
        "dispatch": {f"{n_workers}x{n_jobs}": isolated(time_dispatch, n_workers, n_jobs, seed + 2)},
    }
