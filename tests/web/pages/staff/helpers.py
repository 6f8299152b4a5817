"""Logging in through the real form (cookie and CSRF token), as a browser would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from market.models import Report, User
from market.reports import service as protection_service
from tests.factories import make_employer, make_job, make_worker, png_image
from tests.staff_factories import make_application
from tests.web.pages import forms


def log_in(client: TestClient, user: User, page: str = "/staff") -> str:
    """Log in through the login form; returns the session's form token (read off `page`)."""
    return forms.log_in(client, user, page)


# a real (solid orange) PNG, so the browser test shows the photo as a worker sent it
PNG = png_image(160, 100, (0xF5, 0x8A, 0x1E))


def make_report(session: Session, *, description: str = "干完活老板不给钱") -> Report:
    """A worker who did yesterday's job reports the wage unpaid, with a photo."""
    yesterday = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    employer, worker = make_employer(session, name="黑心老板"), make_worker(session)
    job = make_job(session, employer=employer, start_at=yesterday, title="工地搬砖")
    make_application(session, job=job, worker=worker, status="completed")
    return protection_service.report_create(
        session=session,
        worker=worker,
        job_id=job.id or 0,
        kind="unpaid",
        agreed_wage=300,
        work_from=yesterday.date(),
        work_to=yesterday.date(),
        description=description,
        photo=protection_service.photo_check(PNG),
    )
