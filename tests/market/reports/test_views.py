"""One report as staff see it, read in one call."""

from __future__ import annotations

from sqlmodel import Session

from market.reports import service as report_service
from market.reports import views as report_views
from tests.factories import make_staff
from tests.web.pages.staff.helpers import make_report


def test_report_detail_has_both_sides_and_the_notes_in_order(session: Session) -> None:
    report = make_report(session)
    staff = make_staff(session)
    empty = report_views.get_report_detail(session=session, report=report)
    assert (empty.worker.id, empty.employer.id) == (report.worker_id, report.employer_id)
    assert list(empty.notes) == []
    for text in ("打电话给老板", "老板答应周五付"):
        report_service.report_note_add(session=session, report=report, staff=staff, text=text)
    detail = report_views.get_report_detail(session=session, report=report)
    assert [n.text for n in detail.notes] == ["打电话给老板", "老板答应周五付"]
    assert detail.report is report
