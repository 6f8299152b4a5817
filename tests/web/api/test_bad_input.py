"""Bad input on every input path: a clear 4xx in the user's language, and nothing written.

Each case is sent twice (zh-CN by default, then `Accept-Language: en`); the whole database
is compared before and after, so a refusal that half-wrote something fails here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session

from market.applications.service import application_claim
from market.db import session_scope
from market.models import metadata
from tests.factories import auth, job_body, make_employer, make_job, make_worker, tomorrow_at
from web.app import create_app

TWO_MB = 2 * 1024 * 1024


def _job_body(**overrides: Any) -> dict[str, Any]:
    return job_body(
        start_hour=2,
        **{
            "trade": "普工",
            "title": "仓库搬货",
            "description": "卸两车纸箱",
            "lat": 37.54,
            "lon": 121.38,
            "address": "烟台市莱山区港城东大街 1 号",
            "district": "莱山区",
            "headcount": 3,
            "wage": 220,
            **overrides,
        },
    )


def _shift(start_hours: float, end_hours: float) -> dict[str, str]:
    start = tomorrow_at(2)
    return {
        "start_at": (start + timedelta(hours=start_hours)).isoformat(),
        "end_at": (start + timedelta(hours=end_hours)).isoformat(),
    }


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    path: str  # {job}, {application} and {others_application} are filled in
    who: str  # anon, worker, other_worker, employer, other_employer
    status: int
    zh: str
    en: str
    body: Callable[[], Any] | None = None  # sent as JSON
    raw: bytes | None = None  # sent as is, with a JSON content type
    params: dict[str, str] = field(default_factory=dict)


CASES = [
    # ------------------------------------------------------------ posting a job
    Case("malformed_json", "POST", "/jobs", "employer", 422,
         "body: 提交的内容不是有效的 JSON", "body: The request body is not valid JSON",
         raw='{"title": "搬货", '.encode()),
    Case("body_not_utf8", "POST", "/jobs", "employer", 400,
         "无法读取提交的内容，请检查它的编码",
         "The request body could not be read; check how it is encoded",
         raw=b'{"title": "\xff\xfe"}'),
    Case("body_is_a_list", "POST", "/jobs", "employer", 422,
         "body: 格式不对，应为对象", "body: Must be an object", body=lambda: [1, 2]),
    Case("latitude_as_text", "POST", "/jobs", "employer", 422,
         "lat: 请填写数字", "lat: Must be a number", body=lambda: _job_body(lat="north")),
    Case("headcount_as_boolean", "POST", "/jobs", "employer", 422,
         "headcount: 请填写数字", "headcount: Must be a number",
         body=lambda: _job_body(headcount=True)),
    Case("headcount_as_fraction", "POST", "/jobs", "employer", 422,
         "headcount: 请填写整数", "headcount: Must be a whole number",
         body=lambda: _job_body(headcount=2.5)),
    Case("latitude_above_90", "POST", "/jobs", "employer", 422,
         "lat: 不能大于 90.0", "lat: Must be at most 90.0", body=lambda: _job_body(lat=91)),
    Case("longitude_below_minus_180", "POST", "/jobs", "employer", 422,
         "lon: 不能小于 -180.0", "lon: Must be at least -180.0",
         body=lambda: _job_body(lon=-181)),
    Case("latitude_not_a_number", "POST", "/jobs", "employer", 422,
         "lat: 请填写数字", "lat: Must be a number",
         raw=json.dumps(_job_body(lat=float("nan"))).encode()),
    Case("end_before_start", "POST", "/jobs", "employer", 422,
         "结束时间必须晚于开始时间", "The shift must end after it starts",
         body=lambda: _job_body(**_shift(8, 1))),
    Case("shift_in_the_past", "POST", "/jobs", "employer", 422,
         "开工时间必须在现在之后", "The shift must start in the future",
         body=lambda: _job_body(**_shift(-72, -64))),
    Case("shift_in_year_one", "POST", "/jobs", "employer", 422,
         "开工时间必须在现在之后", "The shift must start in the future",
         body=lambda: _job_body(start_at="0001-01-01T00:00:00+08:00",
                                end_at="0001-01-01T08:00:00+08:00")),
    Case("time_without_zone", "POST", "/jobs", "employer", 422,
         "start_at: 时间需要带时区，例如 +08:00",
         "start_at: Give the time with its time zone, e.g. +08:00",
         body=lambda: _job_body(start_at="2030-01-01T08:00:00")),
    Case("headcount_zero", "POST", "/jobs", "employer", 422,
         "headcount: 不能小于 1", "headcount: Must be at least 1",
         body=lambda: _job_body(headcount=0)),
    Case("headcount_ten_thousand", "POST", "/jobs", "employer", 422,
         "headcount: 不能大于 500", "headcount: Must be at most 500",
         body=lambda: _job_body(headcount=10_000)),
    Case("description_of_two_megabytes", "POST", "/jobs", "employer", 413,
         "提交的内容太大", "The request is too large",
         body=lambda: _job_body(description="好" * (TWO_MB // 3))),
    Case("unknown_trade", "POST", "/jobs", "employer", 422,
         "trade: 未知工种，请从工种列表中选择",
         "trade: Unknown trade; choose one from the trade list",
         body=lambda: _job_body(trade="宇航员")),
    Case("unknown_certificate", "POST", "/jobs", "employer", 422,
         "certificates: 未知证书，请从证书列表中选择",
         "certificates: Unknown certificate; choose one from the certificate list",
         body=lambda: _job_body(certificates=["pilot"])),
    Case("extra_field", "POST", "/jobs", "employer", 422,
         "salary: 未知字段", "salary: Unknown field", body=lambda: _job_body(salary=999)),
    Case("nul_character_in_title", "POST", "/jobs", "employer", 422,
         "title: 文字中不能包含控制字符", "title: Text may not contain control characters",
         body=lambda: _job_body(title="搬\x00货")),
    Case("worker_posting_a_job", "POST", "/jobs", "worker", 403,
         "只有用工方可以这样操作", "Only employers can do this", body=_job_body),
    Case("posting_without_login", "POST", "/jobs", "anon", 401,
         "请先登录", "Please log in", body=_job_body),
    # ------------------------------------------------------------ someone's job
    Case("unknown_job", "GET", "/jobs/999999", "worker", 404, "找不到该工作", "Job not found"),
    Case("job_id_not_a_number", "GET", "/jobs/abc", "worker", 422,
         "job_id: 请填写整数", "job_id: Must be a whole number"),
    Case("job_id_past_the_id_columns", "GET", "/jobs/2147483648", "worker", 422,
         "job_id: 不能大于 2147483647", "job_id: Must be at most 2147483647"),
    Case("claim_unknown_job", "POST", "/jobs/999999/claim", "worker", 404,
         "找不到该工作", "Job not found"),
    Case("edit_unknown_job", "PATCH", "/jobs/999999", "employer", 404,
         "找不到该工作", "Job not found", body=lambda: {"wage": 300}),
    Case("edit_another_employers_job", "PATCH", "/jobs/{job}", "other_employer", 403,
         "这不是您发布的工作", "This is not your job", body=lambda: {"wage": 300}),
    Case("cancel_another_employers_job", "POST", "/jobs/{job}/cancel", "other_employer", 403,
         "这不是您发布的工作", "This is not your job", body=lambda: {"reason": "不干了"}),
    Case("complete_another_employers_job", "POST", "/jobs/{job}/complete", "other_employer",
         403, "这不是您发布的工作", "This is not your job"),
    Case("applications_of_another_employers_job", "GET", "/jobs/{job}/applications",
         "other_employer", 403, "这不是您发布的工作", "This is not your job"),
    Case("candidates_of_another_employers_job", "GET", "/jobs/{job}/candidates",
         "other_employer", 403, "这不是您发布的工作", "This is not your job"),
    Case("worker_editing_a_job", "PATCH", "/jobs/{job}", "worker", 403,
         "只有用工方可以这样操作", "Only employers can do this", body=lambda: {"wage": 900}),
    Case("employer_claiming", "POST", "/jobs/{job}/claim", "employer", 403,
         "只有零工可以这样操作", "Only workers can do this"),
    Case("claiming_without_login", "POST", "/jobs/{job}/claim", "anon", 401,
         "请先登录", "Please log in"),
    Case("edit_with_latitude_only", "PATCH", "/jobs/{job}", "employer", 422,
         "请同时填写纬度和经度", "Give both lat and lon", body=lambda: {"lat": 37.5}),
    Case("edit_to_end_before_start", "PATCH", "/jobs/{job}", "employer", 422,
         "结束时间必须晚于开始时间", "The shift must end after it starts",
         body=lambda: _shift(8, 1)),
    Case("edit_headcount_to_ten_thousand", "PATCH", "/jobs/{job}", "employer", 422,
         "headcount: 不能大于 500", "headcount: Must be at most 500",
         body=lambda: {"headcount": 10_000}),
    Case("cancel_with_a_blank_reason", "POST", "/jobs/{job}/cancel", "employer", 422,
         "reason: 至少 1 个字", "reason: Must be at least 1 characters",
         body=lambda: {"reason": "   "}),
    Case("candidates_limit_zero", "GET", "/jobs/{job}/candidates", "employer", 422,
         "limit: 不能小于 1", "limit: Must be at least 1", params={"limit": "0"}),
    # ------------------------------------------------------------ applications
    Case("unknown_application", "GET", "/applications/999999", "worker", 404,
         "找不到该申请", "Application not found"),
    Case("another_workers_application", "GET", "/applications/{others_application}",
         "worker", 404, "找不到该申请", "Application not found"),
    Case("withdraw_another_workers_application", "POST",
         "/applications/{others_application}/cancel", "worker", 404,
         "找不到该申请", "Application not found", body=lambda: {"reason": "不去了"}),
    Case("confirm_on_another_employers_job", "POST", "/applications/{application}/confirm",
         "other_employer", 404, "找不到该申请", "Application not found"),
    Case("worker_confirming_own_application", "POST", "/applications/{application}/confirm",
         "worker", 403, "只有用工方可以这样操作", "Only employers can do this"),
    Case("rating_with_six_stars", "POST", "/applications/{application}/rating", "worker", 422,
         "stars: 不能大于 5", "stars: Must be at most 5", body=lambda: {"stars": 6}),
    Case("rating_before_the_work", "POST", "/applications/{application}/rating", "worker", 409,
         "完工后才能评价", "You can rate only after the job is done", body=lambda: {"stars": 5}),
    # ------------------------------------------------------------ worker profile and feed
    Case("profile_with_unknown_trade", "PATCH", "/worker/profile", "worker", 422,
         "trades.0.code: 未知工种，请从工种列表中选择",
         "trades.0.code: Unknown trade; choose one from the trade list",
         body=lambda: {"trades": [{"code": "astronaut"}]}),
    Case("profile_with_unknown_certificate", "PATCH", "/worker/profile", "worker", 422,
         "certificates: 未知证书，请从证书列表中选择",
         "certificates: Unknown certificate; choose one from the certificate list",
         body=lambda: {"certificates": ["pilot"]}),
    Case("profile_with_a_day_in_year_one", "PATCH", "/worker/profile", "worker", 422,
         "可工作日期必须在现在到 60 天之内",
         "Available days must lie between now and 60 days ahead",
         body=lambda: {"days": [{"start": "0001-01-01T00:00:00+08:00",
                                 "end": "0001-01-01T08:00:00+08:00"}]}),
    Case("profile_with_a_day_in_year_9999", "PATCH", "/worker/profile", "worker", 422,
         "可工作日期必须在现在到 60 天之内",
         "Available days must lie between now and 60 days ahead",
         body=lambda: {"days": [{"start": "9999-12-31T10:00:00-08:00",
                                 "end": "9999-12-31T20:00:00-08:00"}]}),
    Case("profile_radius_as_boolean", "PATCH", "/worker/profile", "worker", 422,
         "radius_km: 请填写数字", "radius_km: Must be a number", body=lambda: {"radius_km": True}),
    Case("profile_by_an_employer", "PATCH", "/worker/profile", "employer", 403,
         "只有零工可以这样操作", "Only workers can do this", body=lambda: {"radius_km": 5}),
    Case("feed_with_unknown_trade", "GET", "/worker/feed", "worker", 422,
         "trade: 未知工种，请从工种列表中选择",
         "trade: Unknown trade; choose one from the trade list",
         params={"trade": "astronaut"}),
    Case("feed_with_extra_parameter", "GET", "/worker/feed", "worker", 422,
         "sort: 未知字段", "sort: Unknown field", params={"sort": "wage"}),
    Case("feed_without_login", "GET", "/worker/feed", "anon", 401, "请先登录", "Please log in"),
    # ------------------------------------------------------------ accounts
    Case("register_with_a_short_number", "POST", "/auth/register", "anon", 422,
         "phone: 请输入 11 位手机号码，例如 13800138000",
         "phone: Enter an 11-digit mainland mobile number, e.g. 13800138000",
         body=lambda: {"phone": "12345", "password": "long-enough", "name": "张三",
                       "role": "worker", "code": "123456"}),
    Case("register_as_staff", "POST", "/auth/register", "anon", 422,
         "role: 格式不对", "role: Wrong format",
         body=lambda: {"phone": "13811112222", "password": "long-enough", "name": "张三",
                       "role": "staff", "code": "123456"}),
    Case("register_with_a_five_digit_code", "POST", "/auth/register", "anon", 422,
         "code: 请输入短信里的 6 位验证码", "code: Enter the 6-digit code from the text message",
         body=lambda: {"phone": "13811112222", "password": "long-enough", "name": "张三",
                       "role": "worker", "code": "12345"}),
    Case("register_without_a_code_sent", "POST", "/auth/register", "anon", 422,
         "没有待用的验证码，请重新获取", "No code is waiting for this number; ask for a new code",
         body=lambda: {"phone": "13811112223", "password": "long-enough", "name": "张三",
                       "role": "worker", "code": "123456"}),
    Case("code_for_a_short_number", "POST", "/auth/codes", "anon", 422,
         "phone: 请输入 11 位手机号码，例如 13800138000",
         "phone: Enter an 11-digit mainland mobile number, e.g. 13800138000",
         body=lambda: {"phone": "12345"}),
    Case("code_for_an_unknown_purpose", "POST", "/auth/codes", "anon", 422,
         "purpose: 填写的内容无效", "purpose: Invalid value",
         body=lambda: {"phone": "13811112222", "purpose": "login"}),
    Case("reset_with_a_short_password", "POST", "/auth/password/reset", "anon", 422,
         "password: 至少 8 个字", "password: Must be at least 8 characters",
         body=lambda: {"phone": "13811112222", "code": "123456", "password": "short"}),
    Case("password_change_with_a_wrong_old_one", "POST", "/auth/password", "worker", 422,
         "当前密码不对", "The current password is wrong",
         body=lambda: {"old_password": "not-my-password", "new_password": "long-enough"}),
    Case("login_with_wrong_password", "POST", "/auth/login", "anon", 401,
         "手机号或密码不对", "Wrong phone number or password",
         body=lambda: {"phone": "13811112222", "password": "not-my-password"}),
]  # fmt: skip


@dataclass(frozen=True)
class Market:
    headers: dict[str, dict[str, str]]
    ids: dict[str, int]


@pytest.fixture
def market(session: Session) -> Market:
    """Two employers, two workers, one job with an application from each worker."""
    employer, other_employer = make_employer(session), make_employer(session, name="赵老板")
    worker, other_worker = make_worker(session), make_worker(session, name="刘师傅")
    job = make_job(session, employer=employer)
    assert job.id is not None
    mine = application_claim(session=session, job_id=job.id, worker=worker).application
    others = application_claim(session=session, job_id=job.id, worker=other_worker).application
    headers = {
        "anon": {},
        "worker": auth(session, worker),
        "other_worker": auth(session, other_worker),
        "employer": auth(session, employer),
        "other_employer": auth(session, other_employer),
    }
    session.commit()  # what the requests' rollbacks must leave alone
    return Market(
        headers=headers,
        ids={"job": job.id, "application": mine.id or 0, "others_application": others.id or 0},
    )


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table."""
    session.expire_all()
    return {
        table.name: sorted(map(tuple, session.execute(select(table)).all()), key=repr)
        for table in metadata.sorted_tables
    }


def _send(client: TestClient, case: Case, market: Market, language: str | None) -> Any:
    headers = dict(market.headers[case.who])
    if language:
        headers["Accept-Language"] = language
    kwargs: dict[str, Any] = {"headers": headers, "params": case.params}
    if case.raw is not None:
        kwargs["content"] = case.raw
        headers["Content-Type"] = "application/json"
    elif case.body is not None:
        kwargs["json"] = case.body()
    path = "/api/v1" + case.path.format(**market.ids)
    return client.request(case.method, path, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_in_the_users_language_and_writes_nothing(
    client: TestClient, session: Session, market: Market, case: Case
) -> None:
    before = snapshot(session)

    chinese = _send(client, case, market, None)
    english = _send(client, case, market, "en-US,en;q=0.9")

    assert (chinese.status_code, chinese.json()["detail"]) == (case.status, case.zh)
    assert (english.status_code, english.json()["detail"]) == (case.status, case.en)
    assert snapshot(session) == before


def test_a_chunked_body_over_the_limit_is_refused(
    client: TestClient, session: Session, market: Market
) -> None:
    before = snapshot(session)
    chunk = json.dumps(_job_body(description="x" * 1000)).encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts what arrives
        yield b'{"padding": "'
        for _ in range(400):
            yield b"y" * 1024
        yield b'", ' + chunk[1:]

    response = client.post(
        "/api/v1/jobs",
        content=chunks(),
        headers={**market.headers["employer"], "Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()["detail"]) == (413, "提交的内容太大")
    assert snapshot(session) == before


def test_a_body_just_under_the_limit_still_reaches_validation(
    client: TestClient, market: Market
) -> None:
    body = _job_body(description="x" * (200 * 1024))
    response = client.post("/api/v1/jobs", json=body, headers=market.headers["employer"])
    assert response.status_code == 422
    assert response.json()["detail"] == "description: 最多 2000 个字"


BACKEND_CASES = [c for c in CASES if c.id in {
    "nul_character_in_title", "profile_with_a_day_in_year_one",
    "profile_with_a_day_in_year_9999", "description_of_two_megabytes", "shift_in_year_one",
    "headcount_ten_thousand", "job_id_past_the_id_columns",
}]  # fmt: skip


def test_input_that_breaks_a_database_is_refused_on_every_backend(fresh_engine: Engine) -> None:
    """Real sessions and commits: no override, PostgreSQL included (it refuses NUL in text)."""
    with session_scope(fresh_engine) as session:
        employer, worker = make_employer(session), make_worker(session)
        job = make_job(session, employer=employer)
        headers = {"anon": {}, "worker": auth(session, worker), "employer": auth(session, employer)}
        market = Market(headers=headers, ids={"job": job.id or 0})
    with TestClient(create_app(engine=fresh_engine), raise_server_exceptions=False) as client:
        with Session(fresh_engine) as session:
            before = snapshot(session)
        for case in BACKEND_CASES:
            response = _send(client, case, market, None)
            assert (response.status_code, response.json()["detail"]) == (case.status, case.zh)
        with Session(fresh_engine) as session:
            assert snapshot(session) == before
