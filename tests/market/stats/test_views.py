"""The staff dashboard of a period, read in one call."""

from __future__ import annotations

from sqlmodel import Session

from market.stats import periods as period_service
from market.stats import service as stats_service
from market.stats import views as stats_views
from market.types import utcnow
from tests.staff_factories import make_application, make_district_worker, make_posted_job


def test_dashboard_has_the_summary_the_gap_and_every_breakdown(session: Session) -> None:
    job = make_posted_job(session, created_at=utcnow(), headcount=3, confirmed=1)
    make_application(session, job=job, worker=make_district_worker(session))
    make_district_worker(session, trade="mover", district="莱山区")
    period = period_service.period_for()
    board = stats_views.get_dashboard(session=session, period=period)
    assert board.period == period
    assert (board.summary.jobs_posted, board.summary.slots_filled) == (1, 1)
    assert board.gap == stats_service.list_gap(session=session, period=period)
    assert list(board.groups) == list(stats_views.BREAKDOWNS)
    assert [(g.key, g.slots_offered) for g in board.groups["trade"]] == [("painter", 3)]
    assert [g.key for g in board.groups["district"]] == ["芝罘区"]
