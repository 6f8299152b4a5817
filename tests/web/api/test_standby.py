"""The standby list (候补) through the API: join a full job, the offer after a call-off, take
it; bad requests (unknown ids, someone else's offer, twice, a clash) write nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.applications import service as application_service
from market.models import Application, Event, Job, Standby, User
from market.types import utcnow
from tests.factories import auth, make_employer, make_job, make_worker

ZH, EN = {"Accept-Language": "zh-CN"}, {"Accept-Language": "en"}


def _full(session: Session) -> tuple[Job, User, Application]:
    """A one-place 抢单 job a day ahead, taken."""
    job = make_job(
        session,
        employer=make_employer(session),
        headcount=1,
        instant=True,
        start_at=utcnow() + timedelta(days=1),
    )
    worker = make_worker(session)
    application = application_service.application_claim(
        session=session, job_id=job.id or 0, worker=worker
    ).application
    assert job.status == "filled"
    return job, worker, application


def _rows(session: Session) -> list[Any]:
    session.expire_all()
    return [
        [r.model_dump() for r in session.exec(select(Standby)).all()],
        [r.model_dump() for r in session.exec(select(Application)).all()],
        [r.model_dump() for r in session.exec(select(Job)).all()],
        session.exec(select(Event.id)).all(),
    ]


def test_a_standby_worker_is_offered_the_freed_place_and_takes_it(
    client: TestClient, session: Session
) -> None:
    job, hired, application = _full(session)
    me, other = auth(session, make_worker(session)), auth(session, make_worker(session))
    joined = client.post(f"/api/v1/jobs/{job.id}/standby", headers=me)
    assert joined.status_code == 201, joined.text
    assert (joined.json()["status"], joined.json()["offer_deadline"]) == ("waiting", None)

    called_off = client.post(
        f"/api/v1/applications/{application.id}/cancel",
        json={"reason": "家里有事"},
        headers=auth(session, hired),
    )
    assert called_off.status_code == 200, called_off.text
    [mine] = client.get("/api/v1/worker/standby", headers=me).json()
    assert mine["status"] == "offered" and mine["offer_deadline"] is not None
    held = client.post(f"/api/v1/jobs/{job.id}/claim", headers={**other, **EN})
    assert (held.status_code, held.json()["detail"]) == (
        409,
        "The free place is being offered to a worker on the standby list",
    )
    taken = client.post(f"/api/v1/worker/standby/{mine['id']}/accept", headers=me)
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "confirmed"
    session.expire_all()
    assert session.get_one(Job, job.id).status == "filled"
    assert client.get("/api/v1/worker/standby", headers=me).json() == []


def test_declining_passes_the_offer_and_leaving_works(client: TestClient, session: Session) -> None:
    job, hired, application = _full(session)
    first, second = auth(session, make_worker(session)), auth(session, make_worker(session))
    one = client.post(f"/api/v1/jobs/{job.id}/standby", headers=first).json()
    two = client.post(f"/api/v1/jobs/{job.id}/standby", headers=second).json()
    application_service.application_cancel(
        session=session, application=application, user=hired, reason="病了"
    )
    declined = client.post(f"/api/v1/worker/standby/{one['id']}/decline", headers=first)
    assert declined.json()["status"] == "declined"
    assert client.get("/api/v1/worker/standby", headers=second).json()[0]["status"] == "offered"
    left = client.post(f"/api/v1/worker/standby/{two['id']}/leave", headers=second)
    assert left.json()["status"] == "left"


def test_bad_standby_requests_are_refused_in_both_languages_and_write_nothing(
    client: TestClient, session: Session
) -> None:
    job, hired, _application = _full(session)
    worker = make_worker(session)
    me, stranger = auth(session, worker), auth(session, make_worker(session))
    entry = client.post(f"/api/v1/jobs/{job.id}/standby", headers=me).json()
    open_job = make_job(session, headcount=2)
    busy = make_worker(session)
    clash = make_job(session, headcount=1, instant=True, start_at=job.start_at)
    application_service.application_claim(session=session, job_id=clash.id or 0, worker=busy)
    boss = auth(session, session.get_one(User, job.employer_id))
    # an offer whose deadline passed before the sweep came round
    job2, hired2, application2 = _full(session)
    late = client.post(f"/api/v1/jobs/{job2.id}/standby", headers=me).json()
    application_service.application_cancel(
        session=session, application=application2, user=hired2, reason="x"
    )
    offer = session.get_one(Standby, late["id"])
    offer.offer_deadline = utcnow() - timedelta(minutes=1)
    session.add(offer)
    cases = [
        (
            f"/api/v1/worker/standby/{late['id']}/accept",
            me,
            409,
            "邀请已过期，空位已给下一位候补",
            "This offer has run out; the place has gone to the next worker",
        ),
        (
            f"/api/v1/jobs/{job.id}/standby",
            me,
            409,
            "你已在这个活的候补名单上",
            "You are already on this job's standby list",
        ),
        (
            f"/api/v1/jobs/{job.id}/standby",
            auth(session, hired),
            409,
            "你已被录用做这个活",
            "You are already hired for this job",
        ),
        (
            f"/api/v1/jobs/{open_job.id}/standby",
            me,
            409,
            "这个活还有空位，直接抢单吧",
            "This job still has free places: claim it instead",
        ),
        (
            f"/api/v1/jobs/{job.id}/standby",
            auth(session, busy),
            409,
            None,
            "You are already booked for another job at this time",
        ),
        ("/api/v1/jobs/999999/standby", me, 404, None, "Job not found"),
        (
            f"/api/v1/worker/standby/{entry['id']}/accept",
            stranger,
            404,
            "找不到这个候补",
            "Standby place not found",
        ),
        ("/api/v1/worker/standby/999999/decline", me, 404, None, "Standby place not found"),
        (
            f"/api/v1/worker/standby/{entry['id']}/accept",
            me,
            409,
            "这里没有给你的空位邀请",
            "There is no open offer here: the place was not offered to you",
        ),
        (f"/api/v1/jobs/{job.id}/standby", boss, 403, None, None),
    ]
    session.commit()  # a refused request rolls back to here
    before = _rows(session)
    for url, who, status, zh, en in cases:
        for lang, detail in ((ZH, zh), (EN, en)):
            answer = client.post(url, headers={**who, **lang})
            assert answer.status_code == status, (url, answer.text)
            if detail is not None:
                assert answer.json()["detail"] == detail, url
    assert _rows(session) == before
