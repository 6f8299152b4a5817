from __future__ import annotations

from pathlib import Path

import numpy as np
from matching_factories import make_job, make_worker

from matching.learn import HistoryRow, fit, history_row, load_weights, save_weights
from matching.rank import rank_jobs_for_worker
from matching.score import DEFAULT_WEIGHTS, FEATURES, Weights


def _history(n: int, seed: int = 5) -> list[HistoryRow]:
    """Workers who only take jobs close by, whatever the pay."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        features = tuple(float(v) for v in rng.uniform(0.2, 1.0, len(FEATURES)))
        taken = features[FEATURES.index("distance")] + rng.normal(0, 0.1) > 0.6
        rows.append(HistoryRow(f"w{i}", f"j{i}", features, "completed" if taken else "ignored"))
    return rows


def test_too_little_history_falls_back_to_defaults() -> None:
    assert fit(_history(50)) == DEFAULT_WEIGHTS


def test_history_of_one_outcome_only_falls_back_to_defaults() -> None:
    rows = [HistoryRow("w", "j", (0.5,) * len(FEATURES), "ignored")] * 500
    assert fit(rows) == DEFAULT_WEIGHTS


def test_learned_weights_lean_towards_the_feature_that_decides_outcomes() -> None:
    learned = fit(_history(3000))
    distance = FEATURES.index("distance")
    assert learned.source.startswith("learned")
    assert learned.vector()[distance] > DEFAULT_WEIGHTS.vector()[distance]


def test_weights_survive_a_save_and_load(tmp_path: Path) -> None:
    learned = fit(_history(1000))
    save_weights(learned, tmp_path / "weights.json")
    assert load_weights(tmp_path / "weights.json") == learned


def test_missing_weights_file_gives_defaults(tmp_path: Path) -> None:
    assert load_weights(tmp_path / "absent.json") == DEFAULT_WEIGHTS


def test_weights_change_the_ranking() -> None:
    near_cheap = make_job(id="near", km_north=0.5, wage=260)
    far_rich = make_job(id="far", km_north=6, wage=500)
    pay_only = Weights(trade_fit=0, time_fit=0, distance=0, wage=1, reliability=0, rating=0)
    place_only = Weights(trade_fit=0, time_fit=0, distance=1, wage=0, reliability=0, rating=0)
    worker = make_worker(radius_km=10)
    assert rank_jobs_for_worker(worker, [near_cheap, far_rich], weights=pay_only)[0].job == "far"
    assert rank_jobs_for_worker(worker, [near_cheap, far_rich], weights=place_only)[0].job == "near"


def test_history_row_records_features_of_a_feasible_pair_only() -> None:
    row = history_row(worker=make_worker(), job=make_job(), outcome="claimed")
    assert row is not None and len(row.features) == len(FEATURES)
    assert (
        history_row(worker=make_worker(trades=(("cook", 1),)), job=make_job(), outcome="ignored")
        is None
    )
