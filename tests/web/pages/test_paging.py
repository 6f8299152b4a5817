"""Long lists on the phone pages: a "More" link to the rest, without JavaScript."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import make_employer, make_staff, make_worker
from tests.paging_factories import make_hires, make_jobs, make_reports
from tests.web.pages.staff.helpers import log_in


def _more(html: str) -> str | None:
    found = re.search(r'<a class="btn btn-block" rel="next" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_report_queue_shows_more_and_following_it_shows_the_rest(
    client: TestClient, session: Session
) -> None:
    made = make_reports(session, 60)
    staff = make_staff(session)
    session.commit()
    log_in(client, staff)
    first = client.get("/staff/reports").text
    more = _more(first)
    assert more and "更多" in first and more.startswith("/staff/reports?after=")
    rest = client.get(more).text
    assert _more(rest) is None
    shown = re.findall(r'href="/staff/reports/(\d+)"', first + rest)
    assert [int(i) for i in shown] == [r.id for r in made]


def test_the_employers_jobs_page_shows_more_then_the_rest(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    made = make_jobs(session, employer, 55)
    session.commit()
    log_in(client, employer, page="/employer/jobs")
    first = client.get("/employer/jobs").text
    more = _more(first)
    assert more and more.startswith("/employer/jobs?after=")
    rest = client.get(more).text
    shown = re.findall(r'id="job-(\d+)"', first + rest)
    assert len(shown) == len(set(shown)) == len(made) and _more(rest) is None


def test_my_jobs_shows_more_then_the_rest(client: TestClient, session: Session) -> None:
    worker = make_worker(session)
    make_hires(session, worker, 55)
    session.commit()
    log_in(client, worker, page="/my/jobs")
    first = client.get("/my/jobs").text
    more = _more(first)
    assert more and more.startswith("/my/jobs?after=")
    rest = client.get(more).text
    assert _more(rest) is None and "更多" not in rest.split("</main>")[0][-400:]
