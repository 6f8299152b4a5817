"""Slot prices for the feed: how contested each open job's places are, solved in memory.

A feed that ranks each pair alone sends every worker to the same best job, and the
neighbour for whom it was the only job finds it full. `matching.score.slot_prices_of_parts`
prices each job's open places from the whole market: dear where workers with no other
option need them, free where places are to spare. Feeds discount a job by its price
(`matching.score.price_factor`), so a worker with choices sees the free jobs first while a
worker's only job stays on their list. This is the ranking the bench family measures
(`python -m bench match`, "linggong": prices over the workers still looking, solved again
as the market moves).

Each replica solves its own prices from its read model (every located worker against every
open job, the capped retrieval lists are drawn from), in a thread of the live service,
every `prices_seconds` and at least PRICE_DUTY times as long as the last solve took, so a
big market never spends more than a share of a core on it. A solve starts from the last
prices (a few rounds) unless most of the jobs are new. Between solves a new job counts as
free. Replicas may differ by a solve: prices only order a list, never decide a claim.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from matching import model as m
from matching.columns import WorkerColumns
from matching.index import JobIndex
from matching.score import PRICE_ROUNDS, Weights, slot_prices_of_parts

WARM_ROUNDS = 10  # rounds of a solve that starts from the last prices (the bench's too)
WARM_SHARE = 0.5  # a warm start needs at least this share of the jobs priced before
# the pause after a solve is at least this many times its length, so solving takes at most
# a tenth of a core: a warm solve takes 0.5 s on 10,000 workers and 3,000 jobs, 10 s on a
# city's 100,000 and 30,000 (then the next waits 100 s; 507 MiB at its peak; `python -m
# bench prices`)
PRICE_DUTY = 10.0
# nearest jobs per trade and worker the plan looks at (lists are drawn from 256): a worker's
# plan mass sits on their best few, and on a city's market (100,000 workers, 30,000 jobs)
# 128 moved prices by 0.0009 on average and halved the pairs, 14 million instead of 25
PRICE_CAP = 128


def solve_prices(
    jobs: Sequence[m.Job],
    workers: Sequence[m.Worker],
    previous: Mapping[str, float],
    weights: Weights | None = None,
) -> dict[str, float]:
    """Per job id, the price of one of its open places (0: free, or full) for this market."""
    if not jobs:
        return {}
    index = JobIndex(jobs)
    ids = index.jobs.ids
    if not workers:
        return dict.fromkeys(ids, 0.0)
    columns = WorkerColumns.build(workers)
    parts = [  # the pairs' (worker, job, score) only, kept compact: all a solve reads
        (pairs.worker.astype(np.int32), pairs.job.astype(np.int32), pairs.score)
        for pairs in index.iter_chunks(columns, weights, cap=PRICE_CAP, features=1)
    ]
    known = sum(1 for job_id in ids if job_id in previous)
    warm = known >= WARM_SHARE * len(ids)
    price = slot_prices_of_parts(
        parts,
        index.jobs.slots_left,
        len(workers),
        prices=np.array([previous.get(job_id, 0.0) for job_id in ids]) if warm else None,
        rounds=WARM_ROUNDS if warm else PRICE_ROUNDS,
    )
    return dict(zip(ids, price.tolist(), strict=True))
