"""The long lists through the API: `?after=&limit=`, the next page in a `Link` header."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import auth, make_employer, make_staff, make_worker
from tests.paging_factories import make_hires, make_jobs, make_reports


def _walk(client: TestClient, url: str, headers: dict[str, str], between=None) -> list[int]:  # type: ignore[no-untyped-def]
    """The ids of every page from `url` on, following `Link: rel="next"`."""
    ids: list[int] = []
    pages = 0
    while url:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        ids += [row["id"] for row in answer.json()]
        pages += 1
        if between and pages == 1:
            between()
        url = answer.links.get("next", {}).get("url", "")
    assert pages > 1, "the list came in one page"
    return ids


def test_the_staff_queue_pages_through_250_reports_even_when_one_arrives_between_pages(
    client: TestClient, session: Session
) -> None:
    made = make_reports(session, 250)
    staff = auth(session, make_staff(session))
    session.commit()
    ids = _walk(
        client,
        "/api/v1/staff/reports?limit=100",
        staff,
        between=lambda: make_reports(session, 1, first=250) and session.commit(),
    )
    assert len(ids) == len(set(ids)) == 251
    assert ids[:250] == [r.id for r in made]


def test_the_employers_jobs_page_through_60_upcoming_jobs_soonest_shift_first(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    made = make_jobs(session, employer, 60)
    me = auth(session, employer)
    session.commit()
    first = client.get("/api/v1/employer/jobs", headers=me)
    assert len(first.json()) == 50 and "next" in first.links
    ids = _walk(client, "/api/v1/employer/jobs", me)
    soonest_first = sorted(made, key=lambda j: (j.start_at, j.id or 0))
    assert ids == [j.id for j in soonest_first]


def test_the_workers_applications_page_through_60_hires_soonest_first(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    made = make_hires(session, worker, 60)
    me = auth(session, worker)
    session.commit()
    ids = _walk(client, "/api/v1/worker/applications?limit=7", me)
    assert ids == [a.id for a in made]


@pytest.mark.parametrize("cursor", ["garbage", "eyJhIjoxfQ", "W10", "W1sxXV0"])
@pytest.mark.parametrize("path", ["/staff/reports", "/staff/moderation", "/employer/jobs"])
def test_a_bad_cursor_is_refused_with_422_and_a_clear_message(
    client: TestClient, session: Session, path: str, cursor: str
) -> None:
    user = make_staff(session) if path.startswith("/staff") else make_employer(session)
    headers = auth(session, user)
    session.commit()
    answer = client.get(f"/api/v1{path}?after={cursor}", headers=headers)
    assert answer.status_code == 422
    assert "page link is not valid" in answer.text or "翻页链接无效" in answer.text


def test_a_page_size_over_200_is_refused(client: TestClient, session: Session) -> None:
    headers = auth(session, make_staff(session))
    session.commit()
    assert client.get("/api/v1/staff/reports?limit=201", headers=headers).status_code == 422
