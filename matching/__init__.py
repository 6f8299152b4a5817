"""Pure matching engine: plain data in, plain data out (no database, no web).

Heavy modules (scikit-learn, scipy) load on first use of the names that need them, so
importing `matching` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from matching.constraints import feasible, violations
from matching.geo import haversine_km
from matching.model import Job, Match, Reason, TradeSkill, Worker
from matching.reasons import format_reason
from matching.score import DEFAULT_WEIGHTS, MarketContext, Weights

_LAZY = {
    "rank_jobs_for_worker": "matching.rank",
    "rank_workers_for_job": "matching.rank",
    "JobIndex": "matching.index",
    "rank_market": "matching.index",
    "market_context": "matching.index",
    "dispatch": "matching.dispatch",
    "DispatchResult": "matching.dispatch",
    "load_scenario": "matching.scenario",
    "Scenario": "matching.scenario",
    "ScenarioError": "matching.scenario",
    "HistoryRow": "matching.learn",
    "fit": "matching.learn",
    "load_weights": "matching.learn",
    "save_weights": "matching.learn",
}

__all__ = [
    "DEFAULT_WEIGHTS",
    "Job",
    "MarketContext",
    "Match",
    "Reason",
    "TradeSkill",
    "Weights",
    "Worker",
    "feasible",
    "format_reason",
    "haversine_km",
    "violations",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'matching' has no attribute {name!r}")
