"""Session hardening: rotation at login, logout ends the cookie, timeouts, cookie attributes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from market.accounts import service as accounts
from market.models import UserSession
from market.settings import get_settings
from market.types import utcnow
from tests.factories import PASSWORD, make_worker

LOGIN = "/api/v1/auth/login"


def _login(client: TestClient, phone: str) -> dict[str, str]:
    answer = client.post(LOGIN, json={"phone": phone, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _session_cookie(answer_headers: list[str]) -> str:
    return next(c for c in answer_headers if "lg_session=" in c and "Max-Age=0" not in c)


def test_login_rotates_the_session_and_ends_the_one_the_browser_came_with(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    first = _login(client, worker.phone)
    old_cookie = client.cookies["lg_session"]
    second = _login(client, worker.phone)  # sent with the first cookie
    assert second["token"] != first["token"] and client.cookies["lg_session"] != old_cookie
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {first['token']}"})
    assert me.status_code == 401
    assert client.get("/api/v1/auth/me").status_code == 200  # the new cookie works


def test_old_cookie_stops_working_after_logout(client: TestClient, session: Session) -> None:
    worker = make_worker(session)
    data = _login(client, worker.phone)
    cookie = client.cookies["lg_session"]
    out = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": data["csrf_token"]})
    assert out.status_code == 204
    assert "lg_session" not in client.cookies
    client.cookies.set("lg_session", cookie)  # a copy kept by an attacker
    assert client.get("/api/v1/auth/me").status_code == 401
    assert client.get("/feed", follow_redirects=False).status_code == 303  # to the login page


def test_idle_session_expires(session: Session) -> None:
    worker = make_worker(session)
    token, row = accounts.session_create(session=session, user=worker)
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    start = row.last_seen_at
    later = start + idle - timedelta(minutes=1)
    assert accounts.get_session_user(session=session, token=token, now=later) is not None
    assert row.last_seen_at == later  # use moves the idle clock
    much_later = later + idle + timedelta(minutes=1)
    assert accounts.get_session_user(session=session, token=token, now=much_later) is None
    session.flush()
    assert session.get(UserSession, row.token_hash) is None  # and it is gone for good


def test_absolute_timeout_ends_even_a_busy_session(session: Session) -> None:
    worker = make_worker(session)
    token, row = accounts.session_create(session=session, user=worker)
    settings = get_settings()
    row.created_at = utcnow() - timedelta(days=settings.session_absolute_days, minutes=1)
    row.last_seen_at = utcnow()  # used a minute ago
    session.flush()
    assert accounts.get_session_user(session=session, token=token) is None


def test_over_plain_http_the_cookie_is_unprefixed_and_not_secure(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    answer = client.post(LOGIN, json={"phone": worker.phone, "password": PASSWORD})
    cookie = _session_cookie(answer.headers.get_list("set-cookie"))
    assert cookie.startswith("lg_session=") and "Secure" not in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_over_https_the_cookie_is_host_prefixed_and_a_plain_one_is_ignored(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    worker = make_worker(session)
    https = make_client(base_url="https://testserver")
    answer = https.post(LOGIN, json={"phone": worker.phone, "password": PASSWORD})
    cookie = _session_cookie(answer.headers.get_list("set-cookie"))
    assert cookie.startswith("__Host-lg_session=")
    for part in ("Secure", "HttpOnly", "SameSite=lax", "Path=/"):
        assert part in cookie
    assert "Domain" not in cookie
    token = answer.json()["token"]
    https.cookies.clear()
    https.cookies.set("lg_session", token)  # planted without the prefix
    assert https.get("/api/v1/auth/me").status_code == 401
    https.cookies.clear()
    https.cookies.set("__Host-lg_session", token)
    assert https.get("/api/v1/auth/me").status_code == 200


def test_forwarded_proto_is_believed_only_from_an_allowed_proxy(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    worker = make_worker(session)
    session.commit()
    body = {"phone": worker.phone, "password": PASSWORD}
    https_headers = {"X-Forwarded-Proto": "https"}
    proxied = make_client(wrap=lambda app: ProxyHeadersMiddleware(app, trusted_hosts="*"))
    answer = proxied.post(LOGIN, json=body, headers=https_headers)
    assert _session_cookie(answer.headers.get_list("set-cookie")).startswith("__Host-")
    direct = make_client(wrap=lambda app: ProxyHeadersMiddleware(app, trusted_hosts="10.9.9.9"))
    answer = direct.post(LOGIN, json=body, headers=https_headers)
    assert _session_cookie(answer.headers.get_list("set-cookie")).startswith("lg_session=")
