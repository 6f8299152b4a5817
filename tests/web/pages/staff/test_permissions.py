"""Every `/staff` page: workers and employers get 403, strangers go to login, staff get 200."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session

from market.stations import service as station_service
from market.stations.schemas import StationCreate
from tests.factories import make_employer, make_job, make_staff, make_worker
from tests.web.pages.staff.helpers import log_in, make_report
from web.pages.staff import dashboard, dispatch, memberships, moderation, reports, stations

MODULES = (dashboard, dispatch, memberships, moderation, reports, stations)

PAGES = [
    "/staff",
    "/staff/figures",
    "/staff/dispatch",
    "/staff/dispatch/print",
    "/staff/reports",
    "/staff/reports/{report}",
    "/staff/moderation",
    "/staff/moderation/jobs/{job}",
    "/staff/stations",
    "/staff/stations/{station}",
    "/staff/memberships",
]


def test_the_list_covers_every_staff_page_route() -> None:
    routes = {
        route.path
        for module in MODULES
        for route in module.router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods
    }
    assert routes == {
        p.replace("{report}", "{report_id}")
        .replace("{station}", "{station_id}")
        .replace("{job}", "{job_id}")
        for p in PAGES
    }


@pytest.fixture
def targets(session: Session) -> dict[str, int]:
    report = make_report(session)
    station = station_service.station_create(
        session=session,
        data=StationCreate(name="南大街驿站", address="芝罘区南大街 1 号", lat=37.53, lon=121.39),
    )
    job = make_job(session)
    session.commit()
    return {"report": report.id or 0, "station": station.id or 0, "job": job.id or 0}


@pytest.mark.parametrize("page", PAGES)
def test_staff_pages_answer_by_role(
    client: TestClient, session: Session, targets: dict[str, int], page: str
) -> None:
    path = page.format(**targets)
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=/staff")
    for user in (make_worker(session), make_employer(session)):
        session.commit()
        client.cookies.clear()
        log_in(client, user, page="/login")
        refused = client.get(path)
        assert refused.status_code == 403, (path, user.role)
        assert "工会工作人员" in refused.text
    client.cookies.clear()
    staff = make_staff(session)
    session.commit()
    log_in(client, staff, page="/login")
    shown = client.get(path)
    assert shown.status_code == 200, (path, shown.text[:400])
