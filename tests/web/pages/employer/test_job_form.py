"""Posting a job: every problem of the form is shown at once, the market's rules included."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.i18n import local
from market.models import Job, WageFloor, WageFloorRefusal
from market.types import utcnow
from tests.factories import make_employer
from tests.web.pages.staff.helpers import log_in


def _errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="([a-z_]+)-error" role="alert">([^<]+)</p>', html))


def test_every_problem_of_a_job_form_is_shown_at_once(client: TestClient, session: Session) -> None:
    employer = make_employer(session)
    session.add(WageFloor(trade="painter", district="芝罘区", daily_wage=260))
    session.commit()
    token = log_in(client, employer, page="/employer/jobs/new")
    yesterday = local(utcnow()).date() - timedelta(days=1)
    form = {
        "csrf_token": token,
        "trade": "",
        "district": "芝罘区",
        "date": yesterday.isoformat(),
        "start": "08:00",
        "end": "07:00",  # the next morning: 23 hours
        "headcount": "1",
        "wage": "200",
        "address": "",
    }
    answer = client.post("/employer/jobs/new", data=form)
    assert answer.status_code == 422
    errors = _errors(answer.text)
    assert set(errors) >= {"trade", "address", "start_at", "end_at"}, errors
    assert "现在之后" in errors["start_at"], errors

    # with the trade chosen, the union's wage floor is named beside the other problems
    answer = client.post("/employer/jobs/new", data={**form, "trade": "painter"})
    errors = _errors(answer.text)
    assert set(errors) >= {"address", "start_at", "end_at", "wage"}, errors
    assert "260" in errors["wage"]
    assert session.exec(select(Job)).all() == []
    session.expire_all()
    assert len(session.exec(select(WageFloorRefusal)).all()) == 1  # the refusal was counted
