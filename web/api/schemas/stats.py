"""The staff's statistics as the API shows them, and the labels of their CSV columns."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from pydantic import BaseModel

from market.errors import N_
from market.learning import service as learning_service
from market.learning.models import WeightsVersion
from market.stats.periods import Period
from market.stats.service import GapRow, GroupRow, Summary
from matching.score import FEATURES, Weights
from web.i18n import trade_name


class PeriodOut(BaseModel):
    first: date
    last: date


class SummaryOut(BaseModel):
    period: PeriodOut
    figures: dict[str, float | int | None]


class GroupOut(BaseModel):
    key: str
    name: str  # the trade's name in the page's language, else the key
    jobs_posted: int
    slots_offered: int
    slots_filled: int
    unfilled: int
    fill_rate: float | None
    average_wage: float | None


class GapOut(BaseModel):
    trade: str
    trade_name: str
    district: str
    slots_offered: int
    slots_filled: int
    unfilled: int
    workers: int
    placed: int
    idle: int
    gap: int
    verdict: str


def period_out(period: Period) -> PeriodOut:
    return PeriodOut(first=period.first, last=period.last)


def summary_out(summary: Summary, period: Period) -> SummaryOut:
    return SummaryOut(period=period_out(period), figures=asdict(summary))


def group_out(row: GroupRow, by: str, locale: str) -> GroupOut:
    name = trade_name(row.key, locale) if by == "trade" else row.key
    return GroupOut(name=name, unfilled=row.unfilled, **asdict(row))


def gap_out(row: GapRow, locale: str) -> GapOut:
    return GapOut(trade_name=trade_name(row.trade, locale) if row.trade else "", **asdict(row))


SUMMARY_LABELS = {
    "jobs_posted": N_("Jobs posted"),
    "jobs_cancelled": N_("Jobs cancelled"),
    "slots_offered": N_("Slots offered"),
    "slots_filled": N_("Slots filled"),
    "fill_rate": N_("Fill rate"),
    "median_hours_to_first_hire": N_("Median hours to first hire"),
    "median_hours_to_full": N_("Median hours to full"),
    "median_distance_km": N_("Median travel distance (km)"),
    "average_wage": N_("Average daily wage"),
    "workers_registered": N_("Workers registered"),
    "workers_available_now": N_("Workers available now"),
    "workers_active": N_("Workers active"),
    "workers_placed": N_("Workers placed"),
    "workers_idle": N_("Workers idle"),
    "members": N_("Union members"),
    "members_active": N_("Members active"),
    "members_placed": N_("Members placed"),
    "members_idle": N_("Members idle"),
    "cancelled_by_worker": N_("Hires cancelled by workers"),
    "cancelled_by_employer": N_("Hires cancelled by employers"),
    "no_shows": N_("No-shows"),
}
GROUP_COLUMNS = (
    ("name", N_("Group")),
    ("jobs_posted", N_("Jobs posted")),
    ("slots_offered", N_("Slots offered")),
    ("slots_filled", N_("Slots filled")),
    ("unfilled", N_("Unfilled slots")),
    ("fill_rate", N_("Fill rate")),
    ("average_wage", N_("Average daily wage")),
)
GAP_COLUMNS = (
    ("trade_name", N_("Trade")),
    ("district", N_("District")),
    ("slots_offered", N_("Slots offered")),
    ("slots_filled", N_("Slots filled")),
    ("unfilled", N_("Unfilled slots")),
    ("workers", N_("Workers")),
    ("placed", N_("Placed")),
    ("idle", N_("Idle")),
    ("gap", N_("Gap (unfilled − idle)")),
    ("verdict", N_("Verdict")),
)
VERDICTS = {
    "match": N_("open places beside idle workers: match and dispatch"),
    "shortage": N_("short of workers: training need"),
    "surplus": N_("workers idle: lack of jobs"),
    "balanced": N_("balanced"),
}


class WeightsVersionOut(BaseModel):
    id: int
    created_at: datetime
    live: bool
    switched_by: str  # "learn" (it won the replay) or "staff:<id>" (made live by hand)
    switched_at: datetime | None
    shares: dict[str, float]  # each feature's share of the score (FEATURES order)
    metrics: dict[str, object]  # the fit's figures: rows, held-out days, replay take-ups


class WeightsOut(BaseModel):
    live_id: int | None  # None: the defaults rank
    live: dict[str, float]  # the live weights' shares
    versions: list[WeightsVersionOut]  # newest first


def shares_of(weights: Weights) -> dict[str, float]:
    return {name: round(float(v), 4) for name, v in zip(FEATURES, weights.vector(), strict=True)}


def weights_out(live: WeightsVersion | None, versions: list[WeightsVersion]) -> WeightsOut:
    return WeightsOut(
        live_id=None if live is None else live.id,
        live=shares_of(learning_service.weights_of(live)),
        versions=[
            WeightsVersionOut(
                id=v.id or 0,
                created_at=v.created_at,
                live=v.live,
                switched_by=v.switched_by,
                switched_at=v.switched_at,
                shares=shares_of(learning_service.weights_of(v)),
                metrics=dict(v.metrics),
            )
            for v in versions
        ],
    )
