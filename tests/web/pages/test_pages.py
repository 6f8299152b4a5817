"""The pages over the app in-process: routing, CSRF, privacy, languages, errors, caching."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from market.models import Application, Job
from tests.factories import PASSWORD, make_employer, make_job, make_worker, tomorrow_at
from tests.web.pages.forms import form_token, log_in
from web.pages.places import BY_NAME

ZHIFU = BY_NAME["芝罘区"]


def test_root_sends_each_user_to_their_home_and_others_to_the_landing_page(
    client: TestClient, session: Session
) -> None:
    landing = client.get("/")
    assert landing.status_code == 200 and "我要找活" in landing.text
    log_in(client, make_worker(session))
    assert client.get("/", follow_redirects=False).headers["location"] == "/feed"
    client.cookies.clear()
    log_in(client, make_employer(session))
    assert client.get("/", follow_redirects=False).headers["location"] == "/employer/jobs"


@pytest.mark.parametrize(
    ("accept", "lang", "text"),
    [
        ("zh-Hans-CN,zh;q=0.9", "zh-CN", "登录"),
        ("zh-TW", "zh-CN", "登录"),
        ("en-GB,en;q=0.9", "en", "Log in"),
        ("", "zh-CN", "登录"),
    ],
)
def test_language_follows_accept_language_with_chinese_by_default(
    client: TestClient, accept: str, lang: str, text: str
) -> None:
    page = client.get("/login", headers={"Accept-Language": accept})
    assert f'<html lang="{lang}">' in page.text
    assert f">{text}</h1>" in page.text


def test_language_switch_keeps_the_choice_and_goes_back_only_to_our_own_pages(
    client: TestClient,
) -> None:
    answer = client.get("/lang/en?next=/login%3Fnext%3D/feed", follow_redirects=False)
    assert answer.headers["location"] == "/login?next=/feed"
    assert "lang=en" in answer.headers["set-cookie"]
    assert '<html lang="en">' in client.get("/login").text
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        away = client.get("/lang/zh_CN", params={"next": target}, follow_redirects=False)
        assert away.headers["location"] == "/"


def test_a_logged_in_users_language_switch_is_kept_for_their_texts_and_pushes(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    session.commit()
    log_in(client, worker)
    seen = []
    for code in ("en", "fr", "zh_CN", "en"):
        assert client.get(f"/lang/{code}", follow_redirects=False).status_code == 303
        session.refresh(worker)
        seen.append(worker.locale)
    assert seen == ["en", "en", "zh_CN", "en"]  # an unknown language changes nothing


def test_page_of_a_logged_out_visitor_redirects_to_login_and_back(client: TestClient) -> None:
    answer = client.get("/my/jobs?ok=rated", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/my/jobs%3Fok%3Drated"


def test_login_sets_an_http_only_same_site_cookie_secure_over_https(session: Session) -> None:
    from web import deps
    from web.app import create_app

    worker = make_worker(session)
    app = create_app(engine=session.get_bind())  # type: ignore[arg-type]
    app.dependency_overrides[deps._session] = lambda: session
    with TestClient(app, base_url="https://testserver") as https:
        token = form_token(https.get("/login").text)
        answer = https.post(
            "/login",
            data={"csrf_token": token, "phone": worker.phone, "password": PASSWORD},
            follow_redirects=False,
        )
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("__Host-lg_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie
    assert "Path=/" in cookie and "Domain" not in cookie


def test_login_form_without_its_token_is_refused(client: TestClient, session: Session) -> None:
    worker = make_worker(session)
    client.get("/login")
    answer = client.post("/login", data={"phone": worker.phone, "password": PASSWORD})
    assert answer.status_code == 403
    assert "页面已过期" in answer.text and "lg_session" not in client.cookies


def test_wrong_password_is_shown_next_to_the_field(client: TestClient, session: Session) -> None:
    worker = make_worker(session)
    token = form_token(client.get("/login").text)
    answer = client.post(
        "/login", data={"csrf_token": token, "phone": worker.phone, "password": "not-it-at-all"}
    )
    assert answer.status_code == 422
    assert 'id="password-error"' in answer.text and "手机号或密码不对" in answer.text


def test_post_without_the_session_form_token_changes_nothing(
    client: TestClient, session: Session
) -> None:
    job = make_job(session, instant=True)
    log_in(client, make_worker(session))
    answer = client.post(f"/jobs/{job.id}/claim", data={"csrf_token": "forged"})
    assert answer.status_code == 403 and "<html" in answer.text
    assert session.exec(select(Application).where(Application.job_id == job.id)).first() is None


def test_signup_errors_are_inline_in_chinese(client: TestClient) -> None:
    token = form_token(client.get("/signup").text)
    first = client.post("/signup/code", data={"csrf_token": token, "phone": "12345"})
    assert first.status_code == 422
    assert 'id="phone-error"' in first.text and "11 位" in first.text
    answer = client.post(
        "/signup",
        data={"csrf_token": token, "phone": "13800138000", "code": "12", "password": "short",
              "name": "张三"},
    )  # fmt: skip
    assert answer.status_code == 422
    assert 'id="code-error"' in answer.text and "6 位验证码" in answer.text
    assert 'id="password-error"' in answer.text and "至少 8 个字" in answer.text
    assert 'value="张三"' in answer.text  # what was typed stays


def test_worker_profile_saves_tiles_district_and_hours_then_shows_the_feed(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session, trades=(("painter", 3),))
    token = log_in(client, worker)
    answer = client.post(
        "/profile",
        data={
            "csrf_token": token,
            "name": "王师傅",
            "trades": ["painter", "tiler"],
            "certificates": ["work_at_height"],
            "radius_km": "20",
            "min_wage": "250",
            "days": ["0", "1", "2"],
            "start": "06:30",
            "end": "18:00",
            "district": "莱山区",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/feed?ok=saved"
    profile = client.get("/api/v1/worker/profile").json()
    assert {t["code"]: t["level"] for t in profile["trades"]} == {"painter": 3, "tiler": 1}
    assert profile["district"] == "莱山区" and profile["home_lat"] == BY_NAME["莱山区"].lat
    assert profile["weekly"][0] == {"weekday": 0, "start": "06:30", "end": "18:00"}
    assert profile["min_wage"] == 250 and profile["radius_km"] == 20


def test_profile_without_a_trade_is_shown_again_with_the_error(
    client: TestClient, session: Session
) -> None:
    token = log_in(client, make_worker(session))
    answer = client.post(
        "/profile",
        data={"csrf_token": token, "name": "王", "radius_km": "10", "days": ["0"]},
    )
    assert answer.status_code == 422 and "请至少选一个工种" in answer.text


def test_feed_ranks_fitting_jobs_and_filters_by_day(client: TestClient, session: Session) -> None:
    near = make_job(session, title="近处刷墙", lat=ZHIFU.lat + 0.01, lon=ZHIFU.lon)
    far = make_job(session, title="远处刷墙", lat=ZHIFU.lat + 0.12, lon=ZHIFU.lon)
    make_job(session, trade="cook", title="后厨帮忙", lat=ZHIFU.lat, lon=ZHIFU.lon)
    log_in(client, make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon, radius_km=20))
    page = client.get("/feed").text
    assert page.index(f'id="job-{near.id}"') < page.index(f'id="job-{far.id}"')
    assert "后厨帮忙" not in page
    assert "同工种" in page and "¥300" in page
    cards = client.get("/feed/cards?max_km=5").text
    assert f'id="job-{near.id}"' in cards and f'id="job-{far.id}"' not in cards
    assert "<html" not in cards  # a fragment for the page script


def test_claim_without_javascript_confirms_then_shows_the_employer_phone(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session, name="李老板")
    job = make_job(session, employer=employer, instant=True, lat=ZHIFU.lat, lon=ZHIFU.lon)
    log_in(client, make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon))
    confirm = client.get(f"/jobs/{job.id}/claim")
    assert confirm.status_code == 200 and "抢这个活？" in confirm.text
    done = client.post(f"/jobs/{job.id}/claim", data={"csrf_token": form_token(confirm.text)})
    assert done.status_code == 200 and "抢到了" in done.text
    assert f'href="tel:{employer.phone}"' in done.text
    assert "no-store" in done.headers["cache-control"]


def test_employer_sees_applicants_without_phone_until_hiring_them(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    job = make_job(session, employer=employer, instant=False, lat=ZHIFU.lat, lon=ZHIFU.lon)
    worker = make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon, name="赵师傅")
    worker_token = log_in(client, worker)
    client.post(f"/jobs/{job.id}/claim", data={"csrf_token": worker_token})
    client.cookies.clear()
    token = log_in(client, employer)
    fragment = client.get(f"/employer/jobs/{job.id}/applicants").text
    assert "赵师傅" in fragment and worker.phone not in fragment
    application = session.exec(select(Application).where(Application.job_id == job.id)).one()
    hired = client.post(
        f"/employer/applications/{application.id}/confirm", data={"csrf_token": token}
    )
    assert hired.status_code == 200 and "已录用" in hired.text
    assert f'href="tel:{worker.phone}"' in hired.text


def test_employer_posts_a_job_from_the_form_with_district_and_night_shift(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    token = log_in(client, employer)
    day = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    answer = client.post(
        "/employer/jobs/new",
        data={
            "csrf_token": token,
            "trade": "security",
            "address": "莱山区港城东大街 1 号",
            "district": "莱山区",
            "date": day,
            "start": "20:00",
            "end": "06:00",
            "headcount": "2",
            "wage": "260",
            "instant": "1",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    job = session.exec(select(Job).where(Job.employer_id == employer.id)).one()
    assert job.title == "保安" and job.instant and job.headcount == 2
    assert job.end_at - job.start_at == timedelta(hours=10)
    assert (job.lat, job.lon) == (BY_NAME["莱山区"].lat, BY_NAME["莱山区"].lon)


def test_job_in_the_past_is_refused_inline_and_nothing_is_written(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    token = log_in(client, employer)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    answer = client.post(
        "/employer/jobs/new",
        data={
            "csrf_token": token,
            "trade": "painter",
            "address": "芝罘区南大街",
            "district": "芝罘区",
            "date": yesterday,
            "start": "08:00",
            "end": "17:00",
            "headcount": "1",
            "wage": "300",
        },
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 422
    assert (
        'id="start_at-error"' in answer.text and "The shift must start in the future" in answer.text
    )
    assert session.exec(select(Job).where(Job.employer_id == employer.id)).first() is None


def test_worker_cancels_a_hire_with_a_reason_the_employer_then_sees(
    client: TestClient, session: Session
) -> None:
    job = make_job(session, instant=True, lat=ZHIFU.lat, lon=ZHIFU.lon, start_at=tomorrow_at(9))
    token = log_in(client, make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon))
    client.post(f"/jobs/{job.id}/claim", data={"csrf_token": token})
    application = session.exec(select(Application).where(Application.job_id == job.id)).one()
    form = client.get("/my/jobs").text
    assert f'for="reason-other-{application.id}"' in form and 'name="reason_other"' in form
    answer = client.post(
        f"/my/applications/{application.id}/cancel",
        data={"csrf_token": token, "reason": "生病了"},
    )
    assert answer.status_code == 200 and "已取消" in answer.text
    session.refresh(application)
    assert application.status == "cancelled" and application.cancel_reason == "生病了"


def test_other_roles_pages_answer_with_a_page_not_json(
    client: TestClient, session: Session
) -> None:
    log_in(client, make_worker(session))
    answer = client.get("/employer/jobs")
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert "这个页面是给雇主用的" in answer.text


def test_installable_app_manifest_service_worker_and_offline_page(client: TestClient) -> None:
    manifest = client.get("/manifest.webmanifest", headers={"Accept-Language": "zh-CN"})
    assert manifest.json()["short_name"] == "零工"
    icons = {icon["sizes"] for icon in manifest.json()["icons"]}
    assert {"192x192", "512x512"} <= icons
    worker_js = client.get("/sw.js")
    assert worker_js.headers["content-type"].startswith("text/javascript")
    assert 'request.mode === "navigate"' in worker_js.text
    offline = client.get("/offline")
    assert offline.status_code == 200 and "tel:" not in offline.text


def test_static_files_are_compressed_and_cached_by_version(client: TestClient) -> None:
    page = client.get("/login")
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', page.text)
    assert css
    answer = client.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"
    assert "immutable" in answer.headers["cache-control"]
    assert "leaflet" not in client.get("/feed", follow_redirects=True).text.lower()


def test_after_the_shift_employer_marks_done_and_both_sides_rate_once(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    job = make_job(session, employer=employer, instant=True, lat=ZHIFU.lat, lon=ZHIFU.lon)
    worker = make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon)
    worker_token = log_in(client, worker)
    client.post(f"/jobs/{job.id}/claim", data={"csrf_token": worker_token})
    job.start_at = datetime.now(UTC) - timedelta(hours=9)  # the shift has been worked
    job.end_at = datetime.now(UTC) - timedelta(hours=1)
    session.add(job)
    session.flush()
    client.cookies.clear()
    token = log_in(client, employer)
    done = client.post(f"/employer/jobs/{job.id}/complete", data={"csrf_token": token})
    assert done.status_code == 200 and "已标记完工" in done.text
    application = session.exec(select(Application).where(Application.job_id == job.id)).one()
    rate = f"/employer/applications/{application.id}/rate"
    assert client.post(rate, data={"csrf_token": token, "stars": "4"}).status_code == 200
    again = client.post(rate, data={"csrf_token": token, "stars": "4"})
    assert again.status_code == 409 and "已经评价" in again.text
    client.cookies.clear()
    worker_token = log_in(client, worker)
    rated = client.post(
        f"/my/applications/{application.id}/rate",
        data={"csrf_token": worker_token, "stars": "5", "comment": "工钱当天结清"},
    )
    assert rated.status_code == 200 and "你已评价" in rated.text


def test_employer_sees_ranked_candidates_with_reasons_but_no_phone_or_place(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    job = make_job(session, employer=employer, lat=ZHIFU.lat, lon=ZHIFU.lon)
    near = make_worker(session, lat=ZHIFU.lat + 0.003, lon=ZHIFU.lon, name="近师傅")
    log_in(client, employer)
    page = client.get(f"/employer/jobs/{job.id}").text
    assert "近师傅" in page and "同工种" in page
    assert near.phone not in page
    assert f"{ZHIFU.lat + 0.003}" not in page  # rounded distances only
    assert 'for="job-reason-other"' in page  # the call-off form with its reasons


def test_feed_ignores_filters_that_make_no_sense(client: TestClient, session: Session) -> None:
    job = make_job(session, lat=ZHIFU.lat, lon=ZHIFU.lon)
    log_in(client, make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon))
    page = client.get("/feed?day=someday&max_km=far&trade=astronaut")
    assert page.status_code == 200 and f'id="job-{job.id}"' in page.text


def test_my_jobs_list_fragment_shows_the_hire_once_the_employer_confirms(
    client: TestClient, session: Session
) -> None:
    employer = make_employer(session)
    job = make_job(session, employer=employer, instant=False, lat=ZHIFU.lat, lon=ZHIFU.lon)
    token = log_in(client, make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon))
    client.post(f"/jobs/{job.id}/claim", data={"csrf_token": token})
    before = client.get("/my/jobs/list")
    assert "等雇主确认" in before.text and "tel:" not in before.text
    assert "<html" not in before.text and "no-store" in before.headers["cache-control"]


@pytest.mark.parametrize(
    ("lang", "painter", "bricklayer"),
    [("en", "Painter", "Bricklayer"), ("zh_CN", "油漆工", "瓦工")],
)
def test_the_feed_trade_chips_name_each_trade_in_the_language_and_mason_is_the_bricklayer(
    client: TestClient, session: Session, lang: str, painter: str, bricklayer: str
) -> None:
    trades = (("painter", 2), ("bricklayer", 2))
    make_job(session, trade="bricklayer", title="砌墙", lat=ZHIFU.lat, lon=ZHIFU.lon)
    log_in(client, make_worker(session, lat=ZHIFU.lat, lon=ZHIFU.lon, trades=trades))
    client.get(f"/lang/{lang}")
    page = client.get("/feed?trade=Mason").text  # the English word for 瓦工, as a filter
    chips = re.findall(r'name="trade" value="(\w+)" (checked)?><span>\S+ ([^<]+)</span>', page)
    assert sorted(chips) == [("bricklayer", "checked", bricklayer), ("painter", "", painter)]


def test_a_test_worker_cannot_be_given_a_trade_outside_the_catalogue(session: Session) -> None:
    with pytest.raises(AssertionError, match="mason"):
        make_worker(session, trades=(("painter", 2), ("mason", 2)))
