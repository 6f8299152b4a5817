"""The learning loop on a simulated market whose workers' taste and position bias are known.

Workers care about pay (and a little about distance) and nothing else; they look at the
top card of a list always and at lower ones less (θ = 0.85^slot). The feed that showed
them the lists ranked by the default weights (distance first), with the randomised
adjacent swaps of `explore`. The loop must find the taste from what it recorded, and the
position-bias correction must get closer to it than the naive fit.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from matching.learn import (
    HistoryRow,
    examination,
    explore,
    fit,
    fit_coefficients,
    placement_propensity,
    replay,
    with_taste,
    worker_taste,
)
from matching.score import DEFAULT_WEIGHTS, FEATURES, Weights

TRUE_TASTE = np.array([0.0, 0.0, 1.0, 4.0, 0.0, 0.0])  # pay-driven, a little distance-averse
TRUE_BIAS = -3.5
TRUE_EXAMINATION = 0.85 ** np.arange(10)
WAGE = FEATURES.index("wage")


def simulated_history(lists: int, *, seed: int = 3, epsilon: float = 0.3) -> list[HistoryRow]:
    """`lists` feeds of 10 cards each, ranked by the defaults, explored, and what was taken."""
    rng = np.random.default_rng(seed)
    coin = random.Random(seed)
    rows = []
    for n in range(lists):
        features = rng.uniform(0.1, 1.0, (10, len(FEATURES)))
        ranked = np.argsort(-(features @ DEFAULT_WEIGHTS.vector()), kind="stable")
        for slot, (rank, propensity) in enumerate(explore(10, rng=coin, epsilon=epsilon)):
            x = features[ranked[rank]]
            appeal = 1 / (1 + np.exp(-(TRUE_BIAS + x @ TRUE_TASTE)))
            taken = rng.random() < TRUE_EXAMINATION[slot] * appeal
            rows.append(
                HistoryRow(
                    worker=f"w{n % 300}",
                    job=f"j{n}-{rank}",
                    features=tuple(float(v) for v in x),
                    outcome="claimed" if taken else "ignored",
                    position=slot,
                    rank=rank,
                    day=n // 300,
                    propensity=propensity,
                )
            )
    return rows


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_explore_moves_a_card_at_most_one_slot_with_the_logged_probability() -> None:
    coin = random.Random(1)
    moved = np.zeros((10, 10))
    for _ in range(20_000):
        for slot, (rank, propensity) in enumerate(explore(10, rng=coin, epsilon=0.2)):
            assert abs(rank - slot) <= 1
            assert propensity == placement_propensity(rank, slot, 10, 0.2)
            moved[rank, slot] += 1
    share = moved / 20_000
    assert abs(share[0, 1] - 0.1) < 0.01 and abs(share[4, 4] - 0.8) < 0.015
    assert abs(share[9, 9] - 0.9) < 0.01


def test_no_exploring_keeps_the_ranked_order() -> None:
    assert explore(5, rng=random.Random(1), epsilon=0.0) == [(i, 1.0) for i in range(5)]


def test_examination_is_recovered_from_the_swaps() -> None:
    theta = examination(simulated_history(4000), slots=10)
    assert theta[0] == 1.0
    assert np.abs(theta[:6] - TRUE_EXAMINATION[:6]).max() < 0.1


def test_the_fit_recovers_the_known_taste_and_ipw_beats_the_naive_fit() -> None:
    history = simulated_history(4000)
    corrected = np.maximum(fit_coefficients(history, ipw=True), 0)
    naive = np.maximum(fit_coefficients(history, ipw=False), 0)
    assert _cosine(corrected, TRUE_TASTE) > 0.97
    assert _cosine(corrected, TRUE_TASTE) > _cosine(naive, TRUE_TASTE)
    # the naive fit credits what the default ranking put on top (trade fit, distance)
    assert abs(corrected[WAGE] / corrected.sum() - 0.8) < abs(naive[WAGE] / naive.sum() - 0.8)


def test_learned_weights_move_from_the_defaults_towards_the_truth() -> None:
    learned = fit(simulated_history(4000))
    truth = TRUE_TASTE / TRUE_TASTE.sum()
    before = np.abs(DEFAULT_WEIGHTS.vector() - truth).sum()
    assert np.abs(learned.vector() - truth).sum() < before / 2
    assert learned.vector()[WAGE] > DEFAULT_WEIGHTS.vector()[WAGE]


def test_replay_prefers_the_true_taste_on_days_it_was_not_fitted_on() -> None:
    history = simulated_history(4000, seed=11)
    held_out = [row for row in history if row.day >= 10]
    truth = Weights(**dict(zip(FEATURES, TRUE_TASTE.tolist(), strict=True)))
    learned = fit([row for row in history if row.day < 10])
    assert replay(held_out, learned) > replay(held_out, DEFAULT_WEIGHTS)
    assert replay(held_out, truth) > replay(held_out, DEFAULT_WEIGHTS)


def test_a_worker_with_little_history_keeps_the_prior() -> None:
    prior = Weights(distance=1.0, wage=1.0, source="market")
    assert fit(simulated_history(10)[:50], prior=prior, min_rows=100) == prior


def _one_worker(n: int, taste: np.ndarray, seed: int = 2) -> list[HistoryRow]:
    """`n` cards one worker was shown (no position bias) and took by `taste`."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        x = rng.uniform(0.1, 1.0, len(FEATURES))
        taken = rng.random() < 1 / (1 + np.exp(-(-3.0 + x @ taste)))
        rows.append(
            HistoryRow("w", f"j{i}", tuple(x), "claimed" if taken else "ignored", position=i % 10)
        )
    return rows


def test_a_workers_own_taste_leans_to_what_they_take_shrunk_to_the_market() -> None:
    market = DEFAULT_WEIGHTS.vector()
    market_split = market[2] / (market[2] + market[WAGE])
    pay_first = np.array([0.0, 0.0, 0.5, 5.0, 0.0, 0.0])
    trip_first = np.array([0.0, 0.0, 5.0, 0.5, 0.0, 0.0])
    few = worker_taste(_one_worker(60, pay_first), DEFAULT_WEIGHTS)
    many = worker_taste(_one_worker(600, pay_first), DEFAULT_WEIGHTS)
    assert few is not None and many is not None
    assert many < few < market_split  # more history, further from the market
    near = worker_taste(_one_worker(600, trip_first), DEFAULT_WEIGHTS)
    assert near is not None and near > market_split
    assert worker_taste(_one_worker(30, pay_first), DEFAULT_WEIGHTS) is None  # too little


def test_a_taste_moves_weight_between_distance_and_pay_only() -> None:
    tasted = with_taste(DEFAULT_WEIGHTS, 0.1).vector()
    market = DEFAULT_WEIGHTS.vector()
    assert tasted[2] + tasted[WAGE] == pytest.approx(market[2] + market[WAGE], abs=1e-4)
    assert tasted[2] / (tasted[2] + tasted[WAGE]) == pytest.approx(0.1, abs=1e-3)
    others = [i for i in range(len(FEATURES)) if i not in (2, WAGE)]
    assert tasted[others] == pytest.approx(market[others], abs=1e-3)
