"""What the staff dashboard shows for a period, gathered in one call."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from market.stats import periods as period_service
from market.stats import service as stats_service
from market.wages import service as wage_service

# the breakdowns the dashboard charts, in the order staff read them
BREAKDOWNS = ("trade", "district", "day", "hour")


@dataclass(frozen=True)
class Dashboard:
    period: period_service.Period
    summary: stats_service.Summary
    gap: list[stats_service.GapRow]  # by trade and district, the widest gaps first
    groups: dict[str, list[stats_service.GroupRow]]  # per breakdown, in BREAKDOWNS order
    below_floor: int  # jobs refused in the period for paying under the union's wage floor


def get_dashboard(*, session: Session, period: period_service.Period) -> Dashboard:
    """The period's headline figures, its supply-and-demand gap and every breakdown."""
    return Dashboard(
        period=period,
        summary=stats_service.get_summary(session=session, period=period),
        gap=stats_service.list_gap(session=session, period=period),
        groups={
            by: stats_service.list_breakdown(session=session, period=period, by=by)
            for by in BREAKDOWNS
        },
        below_floor=wage_service.count_floor_refusals(
            session=session, start=period.start, end=period.end
        ),
    )
