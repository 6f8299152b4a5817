"""Live match statistics for union staff, with CSV export of every table; and the ranking's
weights: which version is live, the versions kept, and making one live (a rollback)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query
from fastapi.responses import Response

from market.errors import N_
from market.learning import service as learning_service
from market.learning.schemas import WeightsLive
from market.stats import service as stats_service
from web.api import console_router
from web.api.downloads import csv_response, download
from web.api.schemas.stats import (
    GAP_COLUMNS,
    GROUP_COLUMNS,
    SUMMARY_LABELS,
    VERDICTS,
    GapOut,
    GroupOut,
    SummaryOut,
    WeightsOut,
    gap_out,
    group_out,
    summary_out,
    weights_out,
)
from web.deps import CurrentStaff, LocaleDep, PeriodDep, SessionDep, writes_on_read
from web.i18n import translate

router = console_router()

Breakdown = Literal["trade", "district", "day", "hour"]
GapBy = Annotated[Literal["trade", "district", "trade_district"], Query()]


@router.get("/stats/summary")
@writes_on_read
def stats_summary(session: SessionDep, period: PeriodDep) -> SummaryOut:
    """Headline figures of the period (default: today)."""
    return summary_out(stats_service.get_summary(session=session, period=period), period)


@router.get("/stats/gap")
@writes_on_read
def stats_gap(
    session: SessionDep, period: PeriodDep, locale: LocaleDep, by: GapBy = "trade_district"
) -> list[GapOut]:
    """Supply against demand per trade and district, the widest gaps first."""
    rows = stats_service.list_gap(session=session, period=period, by=by)
    return [gap_out(r, locale) for r in rows]


@router.get("/stats/breakdown/{by}")
@writes_on_read
def stats_breakdown(
    by: Breakdown, session: SessionDep, period: PeriodDep, locale: LocaleDep
) -> list[GroupOut]:
    """Jobs, slots and fill rate per trade, district, local day or hour of the day."""
    rows = stats_service.list_breakdown(session=session, period=period, by=by)
    return [group_out(r, by, locale) for r in rows]


@router.get(
    "/stats/export/{table}.csv",
    response_class=Response,
    responses=download("text/csv", "The table as CSV"),
)
@writes_on_read
def stats_csv(
    table: Literal["summary", "gap", "trade", "district", "day", "hour"],
    session: SessionDep,
    period: PeriodDep,
    locale: LocaleDep,
) -> Response:
    """Any statistics table as CSV (UTF-8 with BOM, opens in Excel)."""
    name = f"{table}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    if table == "summary":
        figures = summary_out(stats_service.get_summary(session=session, period=period), period)
        rows = [
            {"k": translate(locale, SUMMARY_LABELS[k]), "v": v} for k, v in figures.figures.items()
        ]
        columns = (("k", N_("Figure")), ("v", N_("Value")))
        return csv_response(name, locale, columns, rows)
    if table == "gap":
        gap = stats_service.list_gap(session=session, period=period)
        out = [gap_out(r, locale).model_dump() for r in gap]
        for row in out:
            row["verdict"] = translate(locale, VERDICTS[row["verdict"]])
        return csv_response(name, locale, GAP_COLUMNS, out)
    groups = stats_service.list_breakdown(session=session, period=period, by=table)
    return csv_response(
        name, locale, GROUP_COLUMNS, (group_out(r, table, locale).model_dump() for r in groups)
    )


@router.get("/weights")
def weights_list(session: SessionDep) -> WeightsOut:
    """The ranking's live weights and the versions `linggong learn` kept, newest first."""
    return weights_out(
        learning_service.get_live_version(session=session),
        learning_service.list_versions(session=session),
    )


@router.put("/weights/live")
def weights_live(data: WeightsLive, staff: CurrentStaff, session: SessionDep) -> WeightsOut:
    """Make a kept version live (a rollback), or none: `version_id` null ranks by the defaults."""
    live = learning_service.weights_make_live(
        session=session, version_id=data.version_id, staff_id=staff.id or 0
    )
    return weights_out(live, learning_service.list_versions(session=session))
