"""`python -m bench book`: what a job's change costs each replica's book, and a feed from it.

Every replica applies every job event to its `JobBook` (`market.feed.book`): a post, a
claim, an edit, a cancellation each put the job in the book's delta, which is rebuilt on
each change and merged into the base every DELTA_MAX changes. This builds the bench's market
(`bench.match.simulate`) with N open jobs, applies `--changes` single-job changes (every
other one a new job, the rest an open job repaid), and prints the CPU a change costs
(process time, median of `--repeat` runs, merges included), then ranks a feed for each of
200 workers from the changed book (CPU per feed, median of the runs). A component figure:
the request a change rides on costs more (`python -m bench load`).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import replace

from bench.match.simulate import MARKET_DAY, make_market
from market.feed.book import DELTA_MAX, JobBook, OpenJob, Window

FEEDS = 200


def run(open_jobs: int, changes: int, seed: int) -> tuple[float, float]:
    """(ms of CPU a change, ms of CPU a feed) on a book of `open_jobs` after `changes`."""
    workers, jobs = make_market(workers=FEEDS, jobs=open_jobs + changes, seed=seed)
    book = JobBook()
    book.replace_all([OpenJob((), (), job) for job in jobs[:open_jobs]], {})
    rng = random.Random(seed)
    started = time.process_time()
    for i in range(changes):
        if i % 2:
            job = jobs[open_jobs + i]
        else:
            old = jobs[rng.randrange(open_jobs)]
            job = replace(old, wage=old.wage + 10)
        book.update(upsert=[OpenJob((), (), job)], remove=[], pending={job.id: 1})
    per_change = (time.process_time() - started) * 1000 / max(1, changes)
    window = Window(after=MARKET_DAY.timestamp() - 86_400)
    started = time.process_time()
    for worker in workers:
        book.rank(worker, k=20, window=window)
    return per_change, (time.process_time() - started) * 1000 / len(workers)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench book", description=__doc__)
    parser.add_argument("--sizes", default="2000,20000", help="open jobs, comma-separated")
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"open jobs  ms a change  ms a feed   (delta merged every {DELTA_MAX} changes)")
    for size in (int(s) for s in args.sizes.split(",") if s):
        runs = [run(size, args.changes, seed) for seed in range(args.repeat)]
        change = statistics.median(r[0] for r in runs)
        feed = statistics.median(r[1] for r in runs)
        print(f"{size:>9}  {change:>11.3f}  {feed:>9.3f}", flush=True)
    return 0
