"""Moderation: each posting names who posted it and opens a page of its own."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.models import EmployerProfile
from tests.factories import make_employer, make_job, make_staff
from tests.web.pages.staff.helpers import log_in


def test_posting_rows_name_the_employer_and_link_to_the_job(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session, name="黑心老板")
    profile = session.exec(
        select(EmployerProfile).where(EmployerProfile.user_id == employer.id)
    ).one()
    profile.org_name = "烟台速成劳务"
    session.add(profile)
    job = make_job(session, employer=employer, title="高薪日结无需经验")
    log_in(client, make_staff(session), "/staff/moderation")
    page = client.get("/staff/moderation").text
    row = page.split(f'<tr id="job-{job.id}">')[1].split("</tr>")[0]
    assert f'href="/staff/moderation/jobs/{job.id}"' in row
    assert "黑心老板" in row and "烟台速成劳务" in row
    assert f'href="/staff/moderation?q={employer.phone}"' in row

    record = client.get(f"/staff/moderation/jobs/{job.id}")
    assert record.status_code == 200
    assert "高薪日结无需经验" in record.text and "黑心老板" in record.text
    assert employer.phone in record.text  # staff may call the employer
    assert f'action="/staff/moderation/jobs/{job.id}/hide"' in record.text
    assert client.get("/staff/moderation/jobs/999999").status_code == 404


def test_only_staff_open_a_postings_moderation_page(client: TestClient, session: Session) -> None:
    employer = make_employer(session)
    job = make_job(session, employer=employer)
    log_in(client, employer, "/employer/jobs")
    assert client.get(f"/staff/moderation/jobs/{job.id}").status_code in (403, 404)
