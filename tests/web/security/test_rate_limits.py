"""Rate limits on sign-up, reports, job posts and claims: 429, Retry-After, the user's language."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.errors import TooManyRequests
from market.models import Application, Attendance, User
from market.settings import Settings
from tests.factories import (
    api_signup,
    auth,
    job_body,
    make_assisted_worker,
    make_employer,
    make_job,
    make_station,
    make_station_staff,
    make_worker,
    next_phone,
)
from tests.market.work.work_factories import code_on, make_hire
from tests.web.pages.forms import log_in
from web.security.rate_limits import CLAIM_PER_USER, RateLimiter


def _signup(client: TestClient, session: Session, **headers: str) -> int:
    body = {"phone": next_phone(), "password": "s3cret-pass", "name": "张三", "role": "worker"}
    return int(api_signup(client, session, body, **headers).status_code)


def _limited(**overrides: str) -> Settings:
    return Settings(environment="test", rate_limit_overrides=overrides)


def test_sixth_signup_from_one_address_in_an_hour_gets_429_in_the_users_language(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    client = make_client(_limited(signup_per_address="5/hour"))
    assert [_signup(client, session) for _ in range(5)] == [201] * 5
    refused = client.post(
        "/api/v1/auth/register",
        json={"phone": next_phone(), "password": "s3cret-pass", "name": "张三", "role": "worker",
              "code": "123456"},
    )  # fmt: skip
    assert refused.status_code == 429
    assert 3000 <= int(refused.headers["Retry-After"]) <= 3600
    assert refused.json()["detail"] == "操作太频繁，请 60 分钟后再试"
    english = client.post(
        "/api/v1/auth/register",
        json={
            "phone": next_phone(),
            "password": "s3cret-pass",
            "name": "Zhang",
            "role": "worker",
            "code": "123456",
        },
        headers={"Accept-Language": "en"},
    )
    assert english.status_code == 429 and "Retry-After" in english.headers
    assert english.json()["detail"] == "Too many requests; try again in 60 minutes"


def test_signup_from_another_address_still_goes_through(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    settings = _limited(signup_per_address="5/hour")
    first = make_client(settings)
    assert [_signup(first, session) for _ in range(6)] == [201] * 5 + [429]
    # the same app, another peer
    other = TestClient(first.app, client=("203.0.113.9", 40000))
    assert _signup(other, session) == 201


def test_signup_page_over_the_limit_shows_the_message(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    client = make_client(_limited(signup_per_address="1/hour"))
    assert _signup(client, session) == 201
    client.cookies.clear()
    page = client.get("/signup").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    answer = client.post(
        "/signup",
        data={"csrf_token": token.group(1), "phone": next_phone(), "password": "s3cret-pass",
              "name": "张三", "role": "worker", "code": "123456"},
    )  # fmt: skip
    assert answer.status_code == 429 and "Retry-After" in answer.headers
    assert "操作太频繁" in answer.text and "<html" in answer.text


def test_workers_61st_claim_in_an_hour_is_refused(client: TestClient, session: Session) -> None:
    job = make_job(session, instant=False)
    headers = auth(session, make_worker(session))
    session.commit()
    # repeating a claim is harmless (200), but every try counts
    codes = [client.post(f"/api/v1/jobs/{job.id}/claim", headers=headers).status_code]
    for _ in range(59):
        codes.append(client.post(f"/api/v1/jobs/{job.id}/claim", headers=headers).status_code)
    assert set(codes) <= {200, 201} and len(codes) == 60
    refused = client.post(f"/api/v1/jobs/{job.id}/claim", headers=headers)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # another worker on the same address is not held back by this one
    other = auth(session, make_worker(session))
    session.commit()
    assert client.post(f"/api/v1/jobs/{job.id}/claim", headers=other).status_code == 201


def test_station_staff_claiming_for_their_workers_are_limited_per_staff_member(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    staff = make_station_staff(session, station=make_station(session))
    workers = [make_assisted_worker(session, staff=staff) for _ in range(3)]
    job = make_job(session, instant=False)
    session.commit()
    client = make_client(_limited(claim_per_station_staff="2/hour"))
    token = log_in(client, staff, "/station")

    def claim(worker: User) -> int:
        path = f"/station/workers/{worker.id}/jobs/{job.id}/claim?terms={job.terms_version}"
        answer = client.post(path, data={"csrf_token": token}, follow_redirects=False)
        return int(answer.status_code)

    assert [claim(workers[0]), claim(workers[1])] == [303, 303]
    refused = client.post(
        f"/station/workers/{workers[2].id}/jobs/{job.id}/claim?terms={job.terms_version}",
        data={"csrf_token": token},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "Too many requests" in refused.text
    session.expire_all()
    claimed = session.exec(select(Application.worker_id).where(Application.job_id == job.id))
    assert set(claimed.all()) == {workers[0].id, workers[1].id}


def test_a_station_claim_counts_toward_the_workers_own_claim_limit(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    staff = make_station_staff(session, station=make_station(session))
    worker = make_assisted_worker(session, staff=staff)
    jobs = [make_job(session, instant=False) for _ in range(2)]
    session.commit()
    client = make_client(_limited(claim_per_user="1/hour"))
    token = log_in(client, staff, "/station")
    codes = [
        client.post(
            f"/station/workers/{worker.id}/jobs/{job.id}/claim?terms={job.terms_version}",
            data={"csrf_token": token},
            follow_redirects=False,
        ).status_code
        for job in jobs
    ]
    assert codes == [303, 429]


def test_employers_job_posts_are_limited(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    client = make_client(_limited(job_post_per_user="2/hour"))
    headers = auth(session, make_employer(session))
    session.commit()
    codes = [client.post("/api/v1/jobs", json=job_body(), headers=headers).status_code]
    codes += [client.post("/api/v1/jobs", json=job_body(), headers=headers).status_code]
    assert codes == [201, 201]
    refused = client.post("/api/v1/jobs", json=job_body(), headers=headers)
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_limits_off_lets_everything_through(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    client = make_client(
        Settings(environment="test", rate_limits="off", rate_limit_overrides={
            "signup_per_address": "1/hour"})
    )  # fmt: skip
    assert [_signup(client, session) for _ in range(3)] == [201] * 3


def test_two_app_instances_share_the_count_through_redis(
    make_client: Callable[..., TestClient], session: Session, redis_url: str
) -> None:
    settings = Settings(
        environment="test",
        redis_url=redis_url,
        # a secret of this run's own: counts left in Redis by an earlier run are other keys
        secret_key=f"rate-limit-test-{uuid.uuid4().hex}",
        rate_limit_overrides={"signup_per_address": "3/hour"},
    )
    first, second = make_client(settings), make_client(settings)
    signups = [_signup(first, session), _signup(second, session), _signup(first, session)]
    assert signups == [201] * 3
    assert _signup(second, session) == 429


def test_redis_down_still_limits_in_process() -> None:
    limiter = RateLimiter(
        secret="s" * 32,
        redis_url="redis://127.0.0.1:1/0",
        overrides={"claim_per_user": "2/hour"},
    )
    limiter.hit(CLAIM_PER_USER, "7")
    limiter.hit(CLAIM_PER_USER, "7")
    with pytest.raises(TooManyRequests):
        limiter.hit(CLAIM_PER_USER, "7")


def test_a_hired_worker_gets_three_tries_at_the_days_code_then_429(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    application, job = make_hire(session, start_at=datetime.now(UTC) - timedelta(hours=1))
    worker = auth(session, session.get_one(User, application.worker_id))
    employer = auth(session, session.get_one(User, job.employer_id))
    session.commit()
    client = make_client(_limited(code_per_worker="3/hour"))
    check_in = f"/api/v1/work/records/{application.id}/check-in"
    right = code_on(job, datetime.now(UTC))
    wrong = str((int(right) + 1) % 10**6).zfill(6)
    answers = [client.post(check_in, json={"code": wrong}, headers=worker) for _ in range(3)]
    assert [a.status_code for a in answers] == [422] * 3
    refused = client.post(check_in, json={"code": right}, headers=worker)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert refused.json()["detail"] == "操作太频繁，请 60 分钟后再试"
    assert session.exec(select(Attendance)).all() == []
    # the employer recording the crew's attendance types no code and is not counted
    times = [client.post(check_in, json={}, headers=employer).status_code for _ in range(4)]
    assert times == [201, 409, 409, 409]
