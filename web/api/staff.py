"""The union staff console's JSON API: live statistics with CSV export, and morning dispatch.

Every route here is for staff only: the router's guard answers 401 or 403 first.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import HTMLResponse, Response

from market.dispatch import service as dispatch_service
from market.dispatch.schemas import DispatchSend
from market.errors import N_
from market.i18n import local
from market.stats import service as stats_service
from web.deps import CurrentStaff, LocaleDep, SessionDep, writes_on_read
from web.errors import download
from web.i18n import translate
from web.staff_deps import PeriodDep, require_staff
from web.staff_schemas import (
    GAP_COLUMNS,
    GROUP_COLUMNS,
    SUMMARY_LABELS,
    VERDICTS,
    GapOut,
    GroupOut,
    PlanOut,
    ProposalOut,
    SentOut,
    SummaryOut,
    csv_response,
    gap_out,
    group_out,
    plan_out,
    sent_out,
    summary_out,
)

router = APIRouter(prefix="/staff", tags=["staff"], dependencies=[Depends(require_staff)])

Breakdown = Literal["trade", "district", "day", "hour"]
GapBy = Annotated[Literal["trade", "district", "trade_district"], Query()]
Day = Annotated[date, Query(description="local date of the gig market")]
District = Annotated[str, Query(max_length=40)]


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


@router.get("/dispatch/plan")
def dispatch_plan(
    day: Day, session: SessionDep, locale: LocaleDep, district: District = ""
) -> PlanOut:
    """Dry run: the proposed assignment for the day's open jobs, with reasons and gaps."""
    plan = dispatch_service.plan_dispatch(session=session, day=day, district=district)
    return plan_out(plan, locale)


@router.post("/dispatch/send", status_code=status.HTTP_201_CREATED)
def dispatch_send(
    data: DispatchSend, staff: CurrentStaff, session: SessionDep
) -> list[ProposalOut]:
    """Plan afresh and send each assignment (or the chosen ones) to the workers' phones."""
    only = None if data.only is None else [(p.job_id, p.worker_id) for p in data.only]
    proposals = dispatch_service.dispatch_send(
        session=session, staff=staff, day=data.day, district=data.district, only=only
    )
    return [ProposalOut.model_validate(p) for p in proposals]


@router.get("/dispatch/sent")
def dispatch_sent(day: Day, session: SessionDep, district: District = "") -> list[SentOut]:
    """The proposals sent for the day, with contacts, and whether workers answered."""
    rows = dispatch_service.list_sent(session=session, day=day, district=district)
    return [sent_out(*row) for row in rows]


SENT_COLUMNS = (
    ("start", N_("Start")),
    ("title", N_("Job")),
    ("address", N_("Address")),
    ("wage", N_("Daily wage")),
    ("employer_name", N_("Employer")),
    ("employer_phone", N_("Employer phone")),
    ("worker_name", N_("Worker")),
    ("worker_phone", N_("Worker phone")),
    ("status", N_("Answer")),
)
PROPOSAL_STATUS = {
    "proposed": N_("waiting for the worker"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
}


def _printable(session: SessionDep, day: date, district: str, locale: str) -> list[dict[str, str]]:
    rows = []
    for row in dispatch_service.list_sent(session=session, day=day, district=district):
        out = sent_out(*row)
        rows.append(
            {
                **{k: str(v) for k, v in out.model_dump().items()},
                "start": local(out.start_at).strftime("%H:%M"),
                "status": translate(locale, PROPOSAL_STATUS[out.status]),
            }
        )
    return rows


@router.get(
    "/dispatch/sent.csv", response_class=Response, responses=download("text/csv", "The list as CSV")
)
def dispatch_sent_csv(
    day: Day, session: SessionDep, locale: LocaleDep, district: District = ""
) -> Response:
    """The day's list for the physical gig market, as CSV."""
    rows = _printable(session, day, district, locale)
    return csv_response(f"dispatch-{day.isoformat()}.csv", locale, SENT_COLUMNS, rows)


@router.get(
    "/dispatch/print",
    response_class=Response,
    responses=download("text/html", "An HTML fragment to print"),
)
def dispatch_print(
    day: Day, session: SessionDep, locale: LocaleDep, district: District = ""
) -> HTMLResponse:
    """The day's list as a printable HTML table (a fragment pages can embed)."""
    rows = _printable(session, day, district, locale)
    title = translate(locale, N_("Dispatch list for {day}"), day=day.isoformat())
    head = "".join(f"<th>{html.escape(translate(locale, label))}</th>" for _, label in SENT_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(r[k])}</td>" for k, _ in SENT_COLUMNS) + "</tr>"
        for r in rows
    )
    district_note = f" · {html.escape(district)}" if district else ""
    return HTMLResponse(
        f'<section class="dispatch-print"><h2>{html.escape(title)}{district_note}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>"
    )
