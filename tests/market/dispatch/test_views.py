"""The staff's dispatch page for a day: what was sent, and the plan when asked for."""

from __future__ import annotations

from sqlmodel import Session

from market.dispatch import service as dispatch_service
from market.dispatch import views as dispatch_views
from market.i18n import local
from tests.factories import make_employer, make_job, make_staff, make_worker, tomorrow_at


def test_dispatch_day_plans_only_when_asked_and_lists_what_was_sent(session: Session) -> None:
    job = make_job(session, employer=make_employer(session), headcount=1, start_at=tomorrow_at(1))
    worker = make_worker(session)
    day = local(job.start_at).date()
    quiet = dispatch_views.get_dispatch_day(session=session, day=day, district="芝罘区")
    assert quiet.plan is None and list(quiet.sent) == []
    planned = dispatch_views.get_dispatch_day(session=session, day=day, plan=True)
    assert planned.plan is not None
    assert [(r.job.id, r.worker.id) for r in planned.plan.assignments] == [(job.id, worker.id)]
    staff = make_staff(session)
    dispatch_service.dispatch_send(session=session, staff=staff, day=day, district="芝罘区")
    after = dispatch_views.get_dispatch_day(session=session, day=day, district="芝罘区")
    assert [(p.job_id, j.id, w.id) for p, j, w, _e in after.sent] == [(job.id, job.id, worker.id)]
    elsewhere = dispatch_views.get_dispatch_day(session=session, day=day, district="莱山区")
    assert list(elsewhere.sent) == [] and elsewhere.district == "莱山区"
