"""The staff dashboard: the period's figures, the supply-and-demand gap's worst cells, live."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from market.errors import N_, Invalid
from market.stats import periods as period_service
from market.stats import views as stats_views
from web.api.schemas.stats import SUMMARY_LABELS, VERDICTS
from web.deps import CurrentStaff, SessionDep, writes_on_read
from web.errors.pages import PageRoute
from web.i18n import locale_of, trade_name, translate
from web.pages.rendering import district_name, render
from web.pages.staff import charts

router = APIRouter(prefix="/staff", route_class=PageRoute)

DateQuery = Annotated[str | None, Query(max_length=10)]
GapQuery = Annotated[str | None, Query(max_length=5)]  # "all": every row of the gap table
GAP_ROWS = 12  # the worst cells; the rest behind "show all"
BREAKDOWN_TITLES = {
    "trade": N_("By trade"),
    "district": N_("By district"),
    "day": N_("By day"),
    "hour": N_("By hour of posting"),
}
GAP_TITLE, SHORT, IDLE = N_("Supply and demand gap"), N_("short of workers"), N_("workers idle")
NO_DISTRICT = N_("(no district)")
OFFERED, FILLED = N_("Slots offered"), N_("Slots filled")
# the headline cards, in the order staff read them
HEADLINE = (
    "jobs_posted",
    "slots_offered",
    "slots_filled",
    "fill_rate",
    "median_hours_to_first_hire",
    "median_hours_to_full",
    "median_distance_km",
    "workers_active",
    "workers_placed",
    "workers_idle",
    "cancelled_by_worker",
    "cancelled_by_employer",
    "no_shows",
    "jobs_cancelled",
    "workers_registered",
    "workers_available_now",
    "average_wage",
    "members",
)


def _parse_period(
    first: str | None, last: str | None, locale: str
) -> tuple[period_service.Period, str | None]:
    """The period asked for; a date that makes no sense gives today and the message why."""
    try:
        try:
            day0 = date.fromisoformat(first) if first else None
            day1 = date.fromisoformat(last) if last else None
        except ValueError as exc:
            raise Invalid(N_("Give dates as YYYY-MM-DD"), field="first") from exc
        return period_service.period_for(first=day0, last=day1), None
    except Invalid as exc:
        return period_service.period_for(), translate(locale, exc.message, **exc.params)


def _presets() -> list[tuple[str, date, date]]:
    day = period_service.today()
    return [
        (N_("Today"), day, day),
        (N_("Yesterday"), day - timedelta(days=1), day - timedelta(days=1)),
        (N_("Last 7 days"), day - timedelta(days=6), day),
        (N_("Last 30 days"), day - timedelta(days=29), day),
    ]


def _figures(board: stats_views.Dashboard, locale: str, all_gap: bool = False) -> dict[str, Any]:
    """The dashboard's figures, breakdowns and charts, named in the page's language."""

    def t(message: str) -> str:
        return translate(locale, message)

    def district(name: str) -> str:
        return district_name(name, locale) if name else t(NO_DISTRICT)

    names = {
        "trade": lambda key: trade_name(key, locale),
        "district": district,
        "day": lambda key: key[5:],
        "hour": lambda key: f"{key}:00",
    }
    bars = {
        by: charts.paired_bars(
            [charts.Pair(names[by](g.key), g.slots_offered, g.slots_filled) for g in rows],
            title=f"{t(BREAKDOWN_TITLES[by])} · {t(OFFERED)} / {t(FILLED)}",
            offered=t(OFFERED),
            filled=t(FILLED),
        )
        for by, rows in board.groups.items()
    }
    worst = sorted((r for r in board.gap if r.gap), key=lambda r: -abs(r.gap))[:12]
    gap_chart = charts.gap_bars(
        [
            charts.Gap(f"{trade_name(r.trade, locale)} · {district(r.district)}", r.gap)
            for r in worst
        ],
        title=t(GAP_TITLE),
        short=t(SHORT),
        idle=t(IDLE),
    )
    period = board.period
    return {
        "period": period,
        "query": f"first={period.first.isoformat()}&last={period.last.isoformat()}",
        "summary": asdict(board.summary),
        "headline": HEADLINE,
        "labels": SUMMARY_LABELS,
        "gap": list(board.gap),
        "gap_rows": GAP_ROWS,
        "all_gap": all_gap,
        "gap_chart": gap_chart,
        "verdicts": VERDICTS,
        "groups": board.groups,
        "breakdowns": tuple(BREAKDOWN_TITLES.items()),
        "bars": bars,
        "group_name": names,
        "below_floor": board.below_floor,
    }


@router.get("")
@writes_on_read
def dashboard(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    first: DateQuery = None,
    last: DateQuery = None,
    gap: GapQuery = None,
) -> Response:
    """The period's figures, the gap's worst cells by trade and district, breakdowns, charts."""
    locale = locale_of(request)
    period, problem = _parse_period(first, last, locale)
    board = stats_views.get_dashboard(session=session, period=period)
    context = _figures(board, locale, all_gap=gap == "all")
    context["presets"] = _presets()
    context["errors"] = {"first": problem} if problem else {}
    return render(request, "staff/dashboard.html", context, status_code=422 if problem else 200)


@router.get("/figures")
@writes_on_read
def figures(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    first: DateQuery = None,
    last: DateQuery = None,
    gap: GapQuery = None,
) -> Response:
    """Only the figures: the dashboard's script swaps them in as events arrive."""
    locale = locale_of(request)
    period, _problem = _parse_period(first, last, locale)
    board = stats_views.get_dashboard(session=session, period=period)
    return render(request, "staff/_figures.html", _figures(board, locale, all_gap=gap == "all"))
