"""Plain data the matching module takes and gives: no database, no HTTP.

`market` builds these from its tables; the scenario reader builds them from a file.
Times are timezone-aware datetimes; distances are kilometres; wages are CNY per shift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

Window = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class TradeSkill:
    code: str
    level: int = 1  # 1 helper .. 3 master


@dataclass(frozen=True, slots=True)
class Worker:
    id: str
    lat: float
    lon: float
    radius_km: float
    trades: tuple[TradeSkill, ...]
    certificates: frozenset[str] = frozenset()
    available: tuple[Window, ...] = ()
    min_wage: float = 0.0
    reliability: float | None = None  # share of confirmed jobs completed, 0..1
    rating: float | None = None  # mean stars from employers, 1..5
    busy: tuple[Window, ...] = ()  # shifts of jobs the worker is already confirmed on
    idle_days: int = 0  # whole days since the worker last had work (the hiring hall's rotation)


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    lat: float
    lon: float
    trade: str
    start: datetime
    end: datetime
    headcount: int
    wage: float
    certificates: frozenset[str] = frozenset()
    booked: tuple[str, ...] = ()  # worker ids already confirmed (they use slots)
    employer_rating: float | None = None

    @property
    def slots_left(self) -> int:
        return max(0, self.headcount - len(self.booked))


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a pair fits, as data; `matching.reasons.format_reason` renders it per language."""

    trade: str
    exact_trade: bool
    distance_km: float
    full_shift: bool
    wage: float
    level: int = 1


@dataclass(frozen=True, slots=True)
class Match:
    worker: str
    job: str
    score: float
    reason: Reason
    extras: dict[str, float] = field(default_factory=dict, compare=False)
    features: tuple[float, ...] = field(default=(), compare=False)  # FEATURES order, as scored
