"""Learn score weights from the market's own outcomes (shown, claimed, hired, completed).

A logistic regression predicts whether a shown pair was taken up from the pair's score
features. Its non-negative coefficients become feature weights, shrunk towards a prior
(the defaults, or the market's weights for one worker's taste) in proportion to how little
history there is; with too little history (or only one kind of outcome) the prior is
returned unchanged.

Position bias: a worker looks at the top of a list more than at its tenth card, so a job
shown first is taken more often whatever its features. The feed swaps a few adjacent
cards at random (`explore`, the probability of each placement logged with the impression);
comparing take-up of the same ranks shown one slot higher or lower estimates how much less
each slot is looked at (`examination`, intervention harvesting: Agarwal et al. 2019), and
the fit weighs each take-up by the inverse of its slot's examination (inverse propensity
weighting: a take-up at a slot half as looked at stands for two). `replay` scores a set of
weights offline on recorded lists with the same correction.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from matching.columns import JobColumns, WorkerColumns, score_pairs
from matching.model import Job, Worker
from matching.score import DEFAULT_WEIGHTS, FEATURES, Weights

FloatArray = NDArray[np.float64]

Outcome = Literal["ignored", "opened", "claimed", "confirmed", "completed", "cancelled", "no_show"]
OUTCOME_WEIGHT: dict[str, float] = {
    "ignored": 1.0,
    "opened": 1.0,
    "claimed": 1.0,
    "confirmed": 1.5,
    "completed": 2.0,
    "cancelled": 1.0,
    "no_show": 0.5,  # taken, but a weak sign the worker wanted it
}
TAKEN = frozenset({"claimed", "confirmed", "completed", "cancelled", "no_show"})
MIN_ROWS = 200
MIN_EACH_CLASS = 30
SHRINK_ROWS = 2_000  # with this many rows, learned and prior weights count equally
MIN_SWAP_SHOWN = 20  # shown rows per (rank, slot) cell before a slot ratio is believed
MIN_SWAP_TAKEN = 10  # and take-ups in each of the two slots compared
MIN_EXAMINATION = 0.05  # no take-up counts for more than 20
L2 = 1.0  # ridge penalty on the coefficients (not the intercept)


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One ranked pair a worker was shown, its features then, and what came of it."""

    worker: str
    job: str
    features: tuple[float, ...]  # FEATURES order, as scored when shown
    outcome: Outcome
    position: int = 0  # slot it was shown in (0 = top)
    rank: int | None = None  # slot the ranker gave it before exploring (None: `position`)
    day: int = 0  # day it was shown (any ordinal): one list per worker and day in `replay`
    propensity: float = 1.0  # probability the exploring put it in this slot

    @property
    def taken(self) -> bool:
        return self.outcome in TAKEN


def history_row(
    *, worker: Worker, job: Job, outcome: Outcome, position: int = 0
) -> HistoryRow | None:
    """A history row for a shown pair, or None when the pair is not feasible any more."""
    pairs = score_pairs(
        WorkerColumns.build([worker]),
        JobColumns.build([job]),
        np.zeros(1, np.int64),
        np.zeros(1, np.int64),
    )
    if len(pairs.score) == 0:
        return None
    return HistoryRow(
        worker.id, job.id, tuple(float(x) for x in pairs.features[0]), outcome, position
    )


# ---------------------------------------------------------------- exploring and its propensity


def explore(n: int, *, rng: random.Random, epsilon: float) -> list[tuple[int, float]]:
    """Swap adjacent slots of a ranked list of `n` at random: per slot shown, the rank put
    there and the probability of that placement.

    The pairs are (0,1), (2,3)... or (1,2), (3,4)... (a coin decides), each swapped with
    probability `epsilon`: a card moves at most one slot, and each move is as likely as
    `placement_propensity` says."""
    order = list(range(n))
    if epsilon > 0 and n > 1:
        for i in range(rng.randrange(2), n - 1, 2):
            if rng.random() < epsilon:
                order[i], order[i + 1] = order[i + 1], order[i]
    return [(rank, placement_propensity(rank, slot, n, epsilon)) for slot, rank in enumerate(order)]


def placement_propensity(rank: int, slot: int, n: int, epsilon: float) -> float:
    """The probability that `explore` shows the card ranked `rank` (of `n`) in `slot`."""
    if rank != slot:
        return epsilon / 2
    neighbours = (rank > 0) + (rank < n - 1)
    return 1.0 - epsilon / 2 * neighbours


def examination(history: Sequence[HistoryRow], *, slots: int) -> FloatArray:
    """How much each slot is looked at, relative to the top one (1.0), from the swaps.

    Cards ranked k or k+1 land in slot k or k+1 by a coin, whatever their appeal, so the
    take-up rate of those cards in slot k+1 over that in slot k estimates the ratio of the
    two slots' examination. A slot without enough swapped rows (or take-ups among them)
    keeps its upper neighbour's
    value (no evidence, no correction); the ratio is kept within [0.2, 1]."""
    shown: dict[tuple[int, int], int] = defaultdict(int)
    taken: dict[tuple[int, int], int] = defaultdict(int)
    for row in history:
        cell = (row.position if row.rank is None else row.rank, row.position)
        shown[cell] += 1
        taken[cell] += row.taken

    def rate(rank: int, slot: int) -> float | None:
        n = shown[(rank, slot)]
        return taken[(rank, slot)] / n if n >= MIN_SWAP_SHOWN else None

    theta = np.ones(max(slots, 1))
    for k in range(len(theta) - 1):
        cells = [rate(k, k), rate(k + 1, k), rate(k, k + 1), rate(k + 1, k + 1)]
        upper = taken[(k, k)] + taken[(k + 1, k)]
        lower = taken[(k, k + 1)] + taken[(k + 1, k + 1)]
        ratio = 1.0
        if all(c is not None for c in cells) and min(upper, lower) >= MIN_SWAP_TAKEN:
            a, b, c, d = (float(x or 0.0) for x in cells)
            if a + b > 0:
                ratio = min(1.0, max(0.2, (c + d) / (a + b)))
        theta[k + 1] = max(MIN_EXAMINATION, theta[k] * ratio)
    return theta


# ---------------------------------------------------------------- fitting


def fit_coefficients(
    history: Sequence[HistoryRow], *, ipw: bool = True, theta: FloatArray | None = None
) -> FloatArray:
    """Logistic-regression coefficients (FEATURES order) of take-up on the features.

    scikit-learn's L2-penalised logistic regression, each row weighted by its outcome. With
    `ipw`, a take-up in a slot examined θ as often as the top counts 1/θ times (inverse
    propensity weighting: the take-ups low slots lost to not being looked at are given back).
    `theta`: the slots' examination (default: estimated from `history` itself)."""
    from sklearn.linear_model import LogisticRegression  # heavy: load only when learning

    x = np.array([row.features for row in history], dtype=np.float64)
    taken = np.array([row.taken for row in history], dtype=bool)
    weight = np.array([OUTCOME_WEIGHT[row.outcome] for row in history], dtype=np.float64)
    if ipw:
        if theta is None:
            theta = examination(history, slots=max(row.position for row in history) + 1)
        at = np.minimum([row.position for row in history], len(theta) - 1)
        weight = np.where(taken, weight / theta[at], weight)
    if taken.all() or not taken.any():
        return np.zeros(x.shape[1])
    model = LogisticRegression(C=1.0 / L2, max_iter=1000)
    model.fit(x, taken, sample_weight=weight)
    coefficients: FloatArray = model.coef_[0]
    return coefficients


def fit(
    history: Sequence[HistoryRow],
    *,
    min_rows: int = MIN_ROWS,
    ipw: bool = True,
    prior: Weights = DEFAULT_WEIGHTS,
    shrink_rows: int = SHRINK_ROWS,
) -> Weights:
    """Weights learned from outcome history, or `prior` when there is too little."""
    if len(history) < min_rows or any(len(row.features) != len(FEATURES) for row in history):
        return prior
    taken = sum(row.taken for row in history)
    if min(taken, len(history) - taken) < MIN_EACH_CLASS:
        return prior
    learned = np.maximum(fit_coefficients(history, ipw=ipw), 0.0)
    if learned.sum() <= 0:
        return prior
    trust = len(history) / (len(history) + shrink_rows)
    blended = trust * learned / learned.sum() + (1 - trust) * prior.vector()
    values = {name: round(float(v) * 10, 4) for name, v in zip(FEATURES, blended, strict=True)}
    return Weights(**values, source=f"learned from {len(history)} outcomes")


PER_WORKER_MIN_ROWS = 40  # a worker's own impressions before their taste is fitted
PER_WORKER_MIN_TAKEN = 5
PER_WORKER_SHRINK = (
    100  # with this many rows, the worker's own split and the market's count equally
)
DISTANCE = FEATURES.index("distance")
WAGE = FEATURES.index("wage")


def worker_taste(
    history: Sequence[HistoryRow], market: Weights, *, theta: FloatArray | None = None
) -> float | None:
    """How much distance counts against pay for one worker: the distance share of the two
    weights (0: only pay, 1: only the trip), from their own history, shrunk towards the
    market's split; None while they have too little history."""
    taken = sum(row.taken for row in history)
    if len(history) < PER_WORKER_MIN_ROWS or not PER_WORKER_MIN_TAKEN <= taken < len(history):
        return None
    vector = market.vector()
    market_split = vector[DISTANCE] / max(vector[DISTANCE] + vector[WAGE], 1e-12)
    learned = np.maximum(fit_coefficients(history, theta=theta), 0.0)
    pair = learned[DISTANCE] + learned[WAGE]
    own = learned[DISTANCE] / pair if pair > 0 else market_split
    trust = len(history) / (len(history) + PER_WORKER_SHRINK)
    return round(float(trust * own + (1 - trust) * market_split), 4)


def with_taste(market: Weights, distance_share: float) -> Weights:
    """The market's weights with distance and pay split as one worker splits them."""
    vector = market.vector()
    both = vector[DISTANCE] + vector[WAGE]
    vector[DISTANCE], vector[WAGE] = distance_share * both, (1 - distance_share) * both
    values = {name: round(float(v) * 10, 4) for name, v in zip(FEATURES, vector, strict=True)}
    return Weights(**values, source=f"{market.source}, the worker's own taste")


def replay(
    history: Sequence[HistoryRow], weights: Weights, *, k: int = 5, theta: FloatArray | None = None
) -> float:
    """Estimated take-ups per list in the top `k` if `weights` had ranked the recorded lists.

    Each worker's list of a day is ranked again among the cards it showed; a take-up among
    the new top k counts 1/θ of the slot it was shown in (θ from `examination`), so the
    figure does not favour the weights that ranked the history. Lists of k cards or fewer
    come out the same whatever the weights and are left out."""
    if not history:
        return 0.0
    if theta is None:
        theta = examination(history, slots=max(row.position for row in history) + 1)
    lists: dict[tuple[str, int], list[HistoryRow]] = defaultdict(list)
    for row in history:
        lists[(row.worker, row.day)].append(row)
    vector = weights.vector()
    total, counted = 0.0, 0
    for rows in lists.values():
        if len(rows) <= k:
            continue
        counted += 1
        scores = np.array([row.features for row in rows]) @ vector
        for i in np.argsort(-scores, kind="stable")[:k]:
            row = rows[int(i)]
            total += row.taken / theta[min(row.position, len(theta) - 1)]
    return total / counted if counted else 0.0


def save_weights(weights: Weights, path: str | Path) -> None:
    """Write the weights as JSON."""
    Path(path).write_text(weights.to_json() + "\n", encoding="utf-8")


def load_weights(path: str | Path) -> Weights:
    """Read weights written by save_weights; the defaults when the file does not exist."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return DEFAULT_WEIGHTS
    return Weights.from_dict(json.loads(text))
