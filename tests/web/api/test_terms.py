"""The agreed terms through the API: a cut after a hire is a 409, changed terms go back to
the worker, who accepts them (only their own) before the employer can hire them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.models import Application, Event, Job
from tests.factories import auth, job_body, make_employer, make_worker

ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}


class Gig:
    """An employer's job at 320 a shift, posted through the API, and two workers."""

    def __init__(self, client: TestClient, session: Session, **fields: Any) -> None:
        self.client, self.session = client, session
        self.boss = auth(session, make_employer(session))
        self.me = auth(session, make_worker(session))
        self.other = auth(session, make_worker(session))
        posted = client.post("/api/v1/jobs", json=job_body(**fields), headers=self.boss)
        assert posted.status_code == 201, posted.text
        self.job = posted.json()

    def claim(self, who: dict[str, str] | None = None, **body: Any) -> Any:
        return self.client.post(
            f"/api/v1/jobs/{self.job['id']}/claim", json=body or None, headers=who or self.me
        )

    def edit(self, lang: dict[str, str] = ZH, **fields: Any) -> Any:
        return self.client.patch(
            f"/api/v1/jobs/{self.job['id']}", json=fields, headers={**self.boss, **lang}
        )

    def confirm(self, application: int, lang: dict[str, str] = ZH) -> Any:
        return self.client.post(
            f"/api/v1/applications/{application}/confirm", headers={**self.boss, **lang}
        )

    def accept(self, application: int, who: dict[str, str] | None = None, **body: Any) -> Any:
        return self.client.post(
            f"/api/v1/applications/{application}/accept-terms",
            json=body or None,
            headers={**(who or self.me), **ZH},
        )

    def rows(self) -> list[tuple[Any, ...]]:
        """The job's and its applications' rows and events, to see that nothing changed."""
        self.session.expire_all()
        job = self.session.get_one(Job, self.job["id"])
        applications = self.session.exec(
            select(Application).where(Application.job_id == job.id)
        ).all()
        events = self.session.exec(select(Event.id)).all()
        return [job.model_dump(), *(a.model_dump() for a in applications), tuple(events)]


def test_cutting_the_pay_after_a_hire_answers_409_in_both_languages(
    client: TestClient, session: Session
) -> None:
    gig = Gig(client, session, wage=400)
    hired = gig.claim().json()
    assert gig.confirm(hired["id"]).status_code == 200
    before = gig.rows()

    zh = gig.edit(wage=50)
    en = gig.edit(EN, wage=50)

    assert (zh.status_code, en.status_code) == (409, 409)
    assert zh.json()["detail"] == "已按 400 元录用工人：工钱只能加，不能减"
    assert en.json()["detail"] == (
        "Workers are already hired at 400 yuan: the pay can only go up, never down"
    )
    assert zh.json()["errors"] == [{"field": "wage", "message": zh.json()["detail"]}]
    assert gig.rows() == before


def test_moving_the_place_after_a_hire_answers_409(client: TestClient, session: Session) -> None:
    gig = Gig(client, session)
    gig.confirm(gig.claim().json()["id"])
    before = gig.rows()
    zh = gig.edit(lat=31.23, lon=121.47, address="上海市黄浦区")
    en = gig.edit(EN, lat=31.23, lon=121.47)
    assert (zh.status_code, en.status_code) == (409, 409)
    assert zh.json()["detail"] == "已录用工人：工作地点不能再更改"
    assert en.json()["detail"] == "Workers are already hired: the place of work can no longer move"
    assert gig.rows() == before


def test_the_hired_workers_page_keeps_the_agreed_pay_and_place(
    client: TestClient, session: Session
) -> None:
    gig = Gig(client, session, wage=400)
    gig.confirm(gig.claim().json()["id"])
    gig.edit(wage=50)
    gig.edit(lat=31.23, lon=121.47)
    assert gig.edit(wage=450).status_code == 200  # a raise goes through
    [mine] = client.get("/api/v1/worker/applications", headers=gig.me).json()
    assert (mine["agreed"]["wage"], mine["agreed"]["confirmed_wage"]) == (450, 400)
    assert (mine["agreed"]["lat"], mine["agreed"]["address"]) == (
        gig.job["lat"],
        gig.job["address"],
    )
    assert mine["terms_changed"] is False


def test_changed_terms_go_back_to_the_worker_before_the_hire(
    client: TestClient, session: Session
) -> None:
    gig = Gig(client, session, wage=400)
    application = gig.claim().json()
    assert application["agreed"]["version"] == 1
    cut = gig.edit(wage=300)
    assert (cut.status_code, cut.json()["terms_version"]) == (200, 2)

    zh, en = gig.confirm(application["id"]), gig.confirm(application["id"], EN)
    assert (zh.status_code, en.status_code) == (409, 409)
    assert zh.json()["detail"] == "该工人报名后工作条件已变更：需工人接受新条件后才能录用"
    assert en.json()["detail"].startswith("The terms changed after this worker applied")

    [mine] = client.get("/api/v1/worker/applications", headers=gig.me).json()
    assert (mine["terms_changed"], mine["agreed"]["wage"], mine["job"]["wage"]) == (True, 400, 300)
    [applicant] = client.get(f"/api/v1/jobs/{gig.job['id']}/applications", headers=gig.boss).json()
    assert applicant["terms_changed"] is True

    accepted = gig.accept(application["id"], terms_version=2)
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["agreed"]["wage"], accepted.json()["agreed"]["version"]) == (300, 2)
    hired = gig.confirm(application["id"])
    assert hired.status_code == 200, hired.text
    assert hired.json()["agreed"]["confirmed_wage"] == 300

    told = session.exec(select(Event).where(Event.kind == "application.terms_changed")).all()
    assert [(e.worker_id, e.payload["application"]) for e in told] == [
        (application["worker_id"], application["id"])
    ]


def test_accepting_someone_elses_terms_is_refused_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    gig = Gig(client, session)
    application = gig.claim().json()
    gig.edit(wage=300)
    before = gig.rows()

    stranger = gig.accept(application["id"], gig.other)
    employer = gig.accept(application["id"], gig.boss)

    assert (stranger.status_code, stranger.json()["detail"]) == (404, "找不到该申请")
    assert employer.status_code == 403
    assert gig.rows() == before


def test_accepting_terms_that_changed_again_answers_409(
    client: TestClient, session: Session
) -> None:
    gig = Gig(client, session)
    application = gig.claim().json()
    gig.edit(wage=300)
    gig.edit(wage=280)
    before = gig.rows()
    answer = gig.accept(application["id"], terms_version=2)
    assert answer.status_code == 409
    assert answer.json()["detail"] == "条件刚刚又变了，请重新查看后再确认"
    assert gig.rows() == before


@pytest.mark.parametrize(
    "body",
    [{"terms_version": -1}, {"terms_version": 0}, {"terms_version": "二"}, {"version": 2}],
)
def test_accepting_with_a_bad_version_is_a_clear_422(
    client: TestClient, session: Session, body: dict[str, Any]
) -> None:
    gig = Gig(client, session)
    application = gig.claim().json()
    gig.edit(wage=300)
    before = gig.rows()
    answer = gig.accept(application["id"], **body)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["message"]
    assert gig.rows() == before


def test_an_instant_claim_on_terms_cut_since_it_was_read_answers_409(
    client: TestClient, session: Session
) -> None:
    gig = Gig(client, session, instant=True, wage=400)
    assert gig.edit(wage=300).json()["terms_version"] == 2
    before = gig.rows()
    stale = gig.claim(terms_version=1)
    assert stale.status_code == 409
    assert stale.json()["detail"] == "您打开后这份工作的条件已变更，请重新查看"
    assert gig.rows() == before
    fresh = gig.claim(terms_version=2)
    assert fresh.status_code == 201
    assert (fresh.json()["status"], fresh.json()["agreed"]["confirmed_wage"]) == ("confirmed", 300)


def test_a_claim_without_a_body_still_works(client: TestClient, session: Session) -> None:
    gig = Gig(client, session)
    answer = client.post(f"/api/v1/jobs/{gig.job['id']}/claim", headers=gig.me)
    assert answer.status_code == 201
    assert answer.json()["agreed"]["wage"] == 320
