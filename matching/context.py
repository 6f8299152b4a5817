"""The market around a pair: how contested each job is and how many options each worker has.

A feed that ranks each pair alone sends every worker to the same best job. Knowing the
market, a ranker can lean each worker towards jobs that would otherwise stay empty and each
employer towards candidates who have few other options, while the pair score still leads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

DEFAULT_STRENGTH = 0.7  # tuned on the bench market: fill 0.95 -> 0.96+, satisfaction held
PINNED_RANK = 3  # the pair's own best job (or worker) is never pushed below this place


@dataclass(frozen=True, slots=True)
class MarketContext:
    """Competition and scarcity figures for a market, keyed by job and worker id.

    `job_demand[j]` is the number of workers expected to head for job j if each worker
    spread evenly over their feasible jobs (the sum of 1/options over its candidates);
    `worker_options[w]` is how many feasible jobs worker w has.
    """

    job_demand: Mapping[str, float] = field(default_factory=dict)
    worker_options: Mapping[str, int] = field(default_factory=dict)
    strength: float = DEFAULT_STRENGTH


def job_pressure(demand: FloatArray, own_share: FloatArray, slots_left: FloatArray) -> FloatArray:
    """Other workers' expected demand per open slot (0 = nobody else wants it)."""
    result: FloatArray = np.maximum(0.0, demand - own_share) / np.maximum(slots_left, 1)
    return result


def crowding_factor(pressure: FloatArray, strength: float) -> FloatArray:
    """Multiplier in (1-strength, 1]: an uncontested job keeps its score, a crowded one less."""
    result: FloatArray = 1.0 - strength * pressure / (1.0 + pressure)
    return result


def flexibility_factor(options: FloatArray, strength: float) -> FloatArray:
    """Multiplier in (1-strength/2, 1]: a candidate with few other options comes first."""
    result: FloatArray = 1.0 - 0.5 * strength * (1.0 - 1.0 / np.maximum(options, 1))
    return result
