"""Learn score weights from the market's own outcomes (shown, claimed, confirmed, completed).

A logistic regression predicts whether a shown pair was taken up from the pair's score
features. Its non-negative coefficients become feature weights, shrunk towards the
defaults in proportion to how little history there is; with too little history (or only
one kind of outcome) the defaults are returned unchanged.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from matching.columns import JobColumns, WorkerColumns, score_pairs
from matching.model import Job, Worker
from matching.score import DEFAULT_WEIGHTS, FEATURES, Weights

Outcome = Literal["ignored", "claimed", "confirmed", "completed"]
OUTCOME_WEIGHT: dict[str, float] = {
    "ignored": 1.0,
    "claimed": 1.0,
    "confirmed": 1.5,
    "completed": 2.0,
}
MIN_ROWS = 200
MIN_EACH_CLASS = 30
SHRINK_ROWS = 2_000  # with this many rows, learned and default weights count equally


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One ranked pair a worker was shown, its features then, and what came of it."""

    worker: str
    job: str
    features: tuple[float, ...]  # FEATURES order, as scored when shown
    outcome: Outcome
    position: int = 0  # place in the list when shown (kept for later position-bias work)


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


def fit(history: Sequence[HistoryRow], *, min_rows: int = MIN_ROWS) -> Weights:
    """Weights learned from outcome history, or the defaults when there is too little."""
    if len(history) < min_rows:
        return DEFAULT_WEIGHTS
    x = np.array([row.features for row in history], dtype=np.float64)
    taken = np.array([row.outcome != "ignored" for row in history])
    if min(taken.sum(), (~taken).sum()) < MIN_EACH_CLASS or x.shape[1] != len(FEATURES):
        return DEFAULT_WEIGHTS
    from sklearn.linear_model import LogisticRegression  # heavy: load only when learning

    sample_weight = np.array([OUTCOME_WEIGHT[row.outcome] for row in history])
    model = LogisticRegression(C=1.0, max_iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)  # convergence chatter on tiny sets
        model.fit(x, taken, sample_weight=sample_weight)
    learned = np.maximum(model.coef_[0], 0.0)
    if learned.sum() <= 0:
        return DEFAULT_WEIGHTS
    trust = len(history) / (len(history) + SHRINK_ROWS)
    blended = trust * learned / learned.sum() + (1 - trust) * DEFAULT_WEIGHTS.vector()
    values = {name: round(float(v) * 10, 4) for name, v in zip(FEATURES, blended, strict=True)}
    return Weights(**values, source=f"learned from {len(history)} outcomes")


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
