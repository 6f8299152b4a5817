"""Ranked lists for one worker (the feed) or one job (the employer's candidates), and
every worker's list made once for a whole market (settled by replaying it)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from matching.columns import JobColumns, PairScores, WorkerColumns, score_pairs
from matching.model import Job, Match, Reason, Worker
from matching.score import (
    FULL_SHIFT_SHARE,
    PINNED_RANK,
    MarketContext,
    Weights,
    crowding_factor,
    flexibility_factor,
    job_pressure,
    price_factor,
    rotation_factor,
)
from matching.trades import TRADES

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

EXACT_TRADE_FIT = 0.7  # trade_fit of an exact trade at level 1; related trades stay below


def top_k_per_group(group: IntArray, key: FloatArray, base: FloatArray, k: int) -> IntArray:
    """Indices of each group's k best pairs by `key`, group by group, best first.

    The pair with the best `base` score of its group is lifted to at least PINNED_RANK (or
    the k-th place, when k is smaller), so market adjustments reorder a list without hiding
    its best job.
    """
    if len(group) == 0 or k <= 0:
        return np.empty(0, dtype=np.int64)
    contenders = _contenders(group, key, base, max(k, PINNED_RANK))
    if len(contenders) == len(group):
        return _top_k_sorted(group, key, base, k)
    chosen = _top_k_sorted(group[contenders], key[contenders], base[contenders], k)
    result: IntArray = contenders[chosen]
    return result


def _contenders(group: IntArray, key: FloatArray, base: FloatArray, m: int) -> IntArray:
    """Sorted indices of every pair that can make its group's list: the pairs whose key
    is among the group's m best (ties included) and the group's best pairs by `base`.

    The full three-key sort below then runs on a few per group instead of hundreds.
    """
    low = int(group.min())
    span = int(group.max()) - low + 1
    local: IntArray | NDArray[np.uint16] = group - low
    if span <= 2**16:  # a 16-bit group id lets numpy's stable sort use radix sort
        local = local.astype(np.uint16)
    by_key = np.argsort(-key, kind="stable")
    order = by_key[np.argsort(local[by_key], kind="stable")]  # group, then key descending
    sizes = np.bincount(local, minlength=span)
    starts = np.cumsum(sizes) - sizes
    last = starts + np.minimum(sizes, m) - 1  # the m-th best key of each group (or its worst)
    cutoff = np.full(span, np.inf)
    cutoff[sizes > 0] = key[order[last[sizes > 0]]]
    best_base = np.full(span, -np.inf)
    np.maximum.at(best_base, local, base)
    keep = (key >= cutoff[local]) | (base >= best_base[local])
    return np.flatnonzero(keep)


def _top_k_sorted(group: IntArray, key: FloatArray, base: FloatArray, k: int) -> IntArray:
    """`top_k_per_group` by three full sorts: the reference the fast path trims for."""
    key = key.copy()
    order = np.lexsort((-base, group))
    is_first = np.r_[True, group[order][1:] != group[order][:-1]]
    best_base = order[is_first]
    order = np.lexsort((-key, group))
    starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    pin_at = starts + np.minimum(sizes, min(PINNED_RANK, max(k, 1))) - 1
    floor = key[order[pin_at]]
    key[best_base] = np.maximum(key[best_base], floor + 1e-9)
    order = np.lexsort((-base, -key, group))
    starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
    position = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    selected: IntArray = order[position < k]
    return selected


def reason_for(pairs: PairScores, jobs: JobColumns, workers: WorkerColumns, i: int) -> Reason:
    """The reason behind the i-th pair of `pairs`."""
    return reasons_for(pairs, jobs, workers, np.array([i], dtype=np.int64))[0]


def reasons_for(
    pairs: PairScores, jobs: JobColumns, workers: WorkerColumns, selected: IntArray | None = None
) -> list[Reason]:
    """The reason behind each selected pair (every pair when None), as `reason_for` gives it.

    The columns are gathered for all pairs at once: a whole market's lists are a million
    records, and a live push scores one job against thousands of connected workers. Equal
    reasons are one shared (frozen) object: workers near each other share most of theirs,
    and a Reason made per pair cost more than scoring the pair.
    """
    chosen = np.arange(len(pairs.worker), dtype=np.int64) if selected is None else selected
    wi, ji = pairs.worker[chosen], pairs.job[chosen]
    trade_col = jobs.trade[ji]
    codes = [trade.code for trade in TRADES] + ["?"]
    columns = zip(
        [codes[t] for t in trade_col.tolist()],
        (pairs.features[chosen, 0] >= EXACT_TRADE_FIT - 1e-9).tolist(),
        round_tenths(pairs.distance_km[chosen]),
        (pairs.features[chosen, 1] >= 1.0 - 1e-9).tolist(),
        jobs.wage[ji].tolist(),
        workers.level[wi, trade_col].astype(np.int64).tolist(),
        strict=True,
    )
    made: dict[tuple[str, bool, float, bool, float, int], Reason] = {}
    return [made.get(key) or made.setdefault(key, Reason(*key)) for key in columns]


def round_tenths(values: FloatArray) -> list[float]:
    """`[round(v, 1) for v in values]`, exactly, at numpy's speed: only the values whose
    tenfold lies next to a half (where a product's rounding could tip it) go one by one."""
    tenfold = values * 10.0
    out: list[float] = (np.rint(tenfold) / 10.0).tolist()
    near_half = np.abs(tenfold - np.floor(tenfold) - 0.5) < 1e-6
    for i in np.flatnonzero(near_half | ~np.isfinite(values)).tolist():
        out[i] = round(float(values[i]), 1)
    return out


def matches_for(
    pairs: PairScores, key: FloatArray, selected: IntArray, workers: WorkerColumns, jobs: JobColumns
) -> list[Match]:
    """Selected pairs as Match records (score = the ranking key, rounded)."""
    wi, ji = pairs.worker[selected], pairs.job[selected]
    columns = zip(
        [workers.ids[i] for i in wi.tolist()],
        [jobs.ids[j] for j in ji.tolist()],
        key[selected].tolist(),
        pairs.score[selected].tolist(),
        reasons_for(pairs, jobs, workers, selected),
        np.round(pairs.features[selected], 4).tolist(),
        strict=True,
    )
    return [
        Match(
            worker=worker,
            job=job,
            score=round(score, 4),
            reason=reason,
            extras={"pair_score": round(pair_score, 4)},
            features=tuple(features),
        )
        for worker, job, score, pair_score, reason, features in columns
    ]


def crowding_key(
    pairs: PairScores,
    demand: FloatArray,
    options: FloatArray,
    slots_left: FloatArray,
    strength: float,
) -> FloatArray:
    """Pair scores leaned away from crowded jobs; arrays are per pair."""
    own_share = np.where(options > 0, 1.0 / np.maximum(options, 1), 0.0)
    key: FloatArray = pairs.score * crowding_factor(
        job_pressure(demand, own_share, slots_left), strength
    )
    return key


def job_side_key(
    pairs: PairScores, workers: WorkerColumns, jobs: JobColumns, market: MarketContext | None
) -> FloatArray:
    """Pair scores leaned away from jobs that many other workers are likely to fill: by the
    jobs' slot prices when the context has them, else by their demand."""
    if market is None or len(pairs.score) == 0:
        return pairs.score
    if market.job_price:
        price = np.array([market.job_price.get(jobs.ids[j], 0.0) for j in pairs.job])
        key: FloatArray = pairs.score * price_factor(price, market.strength)
        return key
    demand = np.array([market.job_demand.get(jobs.ids[j], 0.0) for j in pairs.job])
    options = np.array([market.worker_options.get(workers.ids[w], 0) for w in pairs.worker])
    slots = jobs.slots_left[pairs.job].astype(np.float64)
    return crowding_key(pairs, demand, options.astype(np.float64), slots, market.strength)


def worker_side_key(
    pairs: PairScores, workers: WorkerColumns, market: MarketContext | None
) -> FloatArray:
    """Pair scores leaned towards candidates idle longer (always) and with few other options
    (knowing the market)."""
    key: FloatArray = pairs.score * rotation_factor(workers.idle_days[pairs.worker])
    if market is None or len(pairs.score) == 0:
        return key
    options = np.array([market.worker_options.get(workers.ids[w], 1) for w in pairs.worker])
    result: FloatArray = key * flexibility_factor(options.astype(np.float64), market.strength)
    return result


def rank_jobs_for_worker(
    worker: Worker,
    jobs: Sequence[Job],
    *,
    k: int = 10,
    market: MarketContext | None = None,
    weights: Weights | None = None,
) -> list[Match]:
    """The worker's feed: the k best feasible jobs among `jobs`, best first."""
    workers_c, jobs_c = WorkerColumns.build([worker]), JobColumns.build(jobs)
    every_job = np.arange(len(jobs), dtype=np.int64)
    pairs = score_pairs(workers_c, jobs_c, np.zeros_like(every_job), every_job, weights)
    key = job_side_key(pairs, workers_c, jobs_c, market)
    selected = top_k_per_group(pairs.worker, key, pairs.score, k)
    return matches_for(pairs, key, selected, workers_c, jobs_c)


def rank_workers_for_job(
    job: Job,
    workers: Sequence[Worker],
    *,
    k: int = 10,
    market: MarketContext | None = None,
    weights: Weights | None = None,
) -> list[Match]:
    """The employer's candidates: the k best feasible workers for `job`, best first."""
    every_worker = np.arange(len(workers), dtype=np.int64)
    return rank_workers_for_jobs(
        [job], workers, [every_worker], k=k, market=market, weights=weights
    )[0]


def rank_workers_for_jobs(
    jobs: Sequence[Job],
    workers: Sequence[Worker],
    near: Sequence[Sequence[int] | IntArray],
    *,
    k: int = 10,
    market: MarketContext | None = None,
    weights: Weights | None = None,
) -> list[list[Match]]:
    """`rank_workers_for_job` of each of `jobs` among its own `near` workers (positions in
    `workers`, in the order `rank_workers_for_job` would be given them): a worker near
    several jobs is made into columns once (new-job alerts rank a batch of posted jobs)."""
    workers_c, jobs_c = WorkerColumns.build(workers), JobColumns.build(jobs)
    wi = np.concatenate([np.asarray(n, dtype=np.int64) for n in near] or [np.empty(0, np.int64)])
    ji = np.repeat(np.arange(len(jobs), dtype=np.int64), [len(n) for n in near])
    pairs = score_pairs(workers_c, jobs_c, wi, ji, weights)
    key = worker_side_key(pairs, workers_c, market)
    selected = top_k_per_group(pairs.job, key, pairs.score, k)
    lists: list[list[Match]] = [[] for _ in jobs]
    for row, match in zip(
        pairs.job[selected].tolist(),
        matches_for(pairs, key, selected, workers_c, jobs_c),
        strict=True,
    ):
        lists[row].append(match)
    return lists


# ------------------------------------------------------------------ lists made once
#
# A feed re-ranks as the market moves (its slot prices are solved again). Lists printed once
# for a whole market (`linggong match rank`) cannot: every worker keeps the list made before
# anyone took anything, and a worker who has other jobs they would take may take a place a
# worker with no other job needed, while a job lower on their own list stays empty.
#
# So before they are printed the lists are replayed: workers arrive in a random order, each
# takes the first job on their list they would accept that still has a place, and which jobs
# end with places left is counted. Whether a worker accepts a job is not known; it is guessed
# from the pair score (ACCEPT_MID, ACCEPT_WIDTH: about 12% at 0.42, half at 0.5, 88% at
# 0.58). A job that ended with places left in a share f of the replays is lifted by LIFT ** f
# on every list that holds it, and the lists are replayed again, SETTLE_ROUNDS times. Only
# the order inside each list changes: its jobs are the ones the market key chose.
#
# Why these numbers (the bench family's tuning members, `python -m bench match`, over three
# seed sets, 7, 29 and 101, six markets a member; the held-out member was run once, with the
# values chosen): replaying with the real acceptances and arrival order (what no ranker can
# know) would lift the worst member's fill from 0.953 to 0.977, so where places are left is
# worth knowing. Guessed, it raised the members' mean fill from 0.962 to 0.970 and the worst
# member's from 0.953 to 0.955 (the worst satisfaction went from 0.820 to 0.817). Where
# workers take only jobs close by (the distance-averse members: a fifth of listed pairs
# accepted, the guess far off) it gains nothing, and at the bench's own seed that member
# loses 0.005. Lifting harder (1.3 a round) or longer (10 rounds), other guesses (half at
# 0.55 or 0.6), or pushing down the jobs a worker left without work had wanted did no better
# on the worst member; letting lifted jobs into a list in place of others lost fill where
# workers take only jobs close by. Later, over five seed sets (ten markets a member): each
# worker's pickiness drawn afresh per replay (so that a worker may accept nothing, as a
# quarter to three quarters of simulated workers do), wider guesses, a mixture of guesses
# and 16 replays all stayed within 0.002 of these values. The lists' members already hold
# 0.97 to 1.00 of the optimum, and the real acceptances in random arrival orders would give
# a mean of 0.983: what is left to win is knowing who accepts what.

ACCEPT_MID = 0.5  # pair score a worker is guessed to accept half the time
ACCEPT_WIDTH = 0.04  # logistic width of that guess
LIFT = 1.2  # per round, a job that always ended with places left: key x 1.2
SETTLE_ROUNDS = 6
SETTLE_REPLAYS = 4  # arrival orders (and guessed acceptances) per round
SETTLE_SEED = 20_261_130  # the replays are random but the printed lists are reproducible


def accept_chance(score: FloatArray) -> FloatArray:
    """Guessed chance that a worker takes a listed job they reach, by the pair score."""
    result: FloatArray = 1.0 / (1.0 + np.exp(-(np.asarray(score) - ACCEPT_MID) / ACCEPT_WIDTH))
    return result


def _order_lists(worker: IntArray, key: FloatArray) -> IntArray:
    """Positions by worker, then key best first (ties: the earlier position first)."""
    order: IntArray = np.lexsort((np.arange(len(key)), -key, worker))
    return order


def places_left_share(
    worker: IntArray,
    job: IntArray,
    chance: FloatArray,
    slots_left: IntArray,
    *,
    replays: int,
    rng: np.random.Generator,
) -> FloatArray:
    """Per job, the share of `replays` that ended with a place left, when workers arrive in
    a random order and each takes the first entry of their list (the entries in list order,
    grouped by worker) that they accept (with probability `chance`) and that has a place."""
    n_workers = int(worker.max(initial=-1)) + 1
    free = np.zeros(len(slots_left))
    if n_workers == 0:
        return free + (slots_left > 0)
    for _ in range(replays):
        taken = np.flatnonzero(rng.random(len(chance)) < chance)  # still in list order
        starts = np.searchsorted(worker[taken], np.arange(n_workers + 1)).tolist()
        jobs = job[taken].tolist()
        slots = slots_left.tolist()
        for w in rng.permutation(n_workers).tolist():
            for at in range(starts[w], starts[w + 1]):
                j = jobs[at]
                if slots[j] > 0:
                    slots[j] -= 1
                    break
        free += np.asarray(slots) > 0
    result: FloatArray = free / max(replays, 1)
    return result


def settle_lists(
    worker: IntArray,
    job: IntArray,
    key: FloatArray,
    score: FloatArray,
    slots_left: IntArray,
    *,
    rounds: int = SETTLE_ROUNDS,
    replays: int = SETTLE_REPLAYS,
    lift: float = LIFT,
    seed: int = SETTLE_SEED,
) -> FloatArray:
    """Each listed entry's settled key (entries: `worker`, `job`, market `key`, pair
    `score`, every worker's whole list, in any order): a list sorted by it, best first, is
    the settled list. A key is the market key times its job's lift, over the largest lift
    on the same list, so it never exceeds the market key and a list whose jobs were all
    lifted alike keeps its keys."""
    chance = accept_chance(score)
    rng = np.random.default_rng(seed)
    lifted = np.ones(len(slots_left))
    order = _order_lists(worker, key)
    for _ in range(rounds):
        share = places_left_share(
            worker[order], job[order], chance[order], slots_left, replays=replays, rng=rng
        )
        lifted *= lift**share
        order = _order_lists(worker, key * lifted[job])
    entry_lift = lifted[job]
    most = np.zeros(int(worker.max(initial=-1)) + 1)
    np.maximum.at(most, worker, entry_lift)
    settled: FloatArray = key * entry_lift / np.maximum(most[worker], 1.0)
    return settled


def lists_made_once(
    parts: Sequence[PairScores], keys: Sequence[FloatArray], slots_left: IntArray, k: int
) -> list[tuple[IntArray, FloatArray]]:
    """Every worker's list made once: per part (a worker's pairs all in one part), the
    positions of the k pairs the market `key` picks, grouped by worker in settled order,
    and the key with the settled values at those positions."""
    chosen = [
        top_k_per_group(p.worker, key, p.score, k) for p, key in zip(parts, keys, strict=True)
    ]
    settled = settle_lists(
        np.concatenate([p.worker[c] for p, c in zip(parts, chosen, strict=True)]),
        np.concatenate([p.job[c] for p, c in zip(parts, chosen, strict=True)]),
        np.concatenate([key[c] for key, c in zip(keys, chosen, strict=True)]),
        np.concatenate([p.score[c] for p, c in zip(parts, chosen, strict=True)]),
        slots_left,
    )
    lists = []
    start = 0
    for pairs, key, picked in zip(parts, keys, chosen, strict=True):
        mine = settled[start : start + len(picked)]
        start += len(picked)
        final = key.copy()
        final[picked] = mine
        lists.append((picked[np.lexsort((-key[picked], -mine, pairs.worker[picked]))], final))
    return lists


__all__ = [
    "FULL_SHIFT_SHARE",
    "lists_made_once",
    "rank_jobs_for_worker",
    "rank_workers_for_job",
    "rank_workers_for_jobs",
    "top_k_per_group",
]
