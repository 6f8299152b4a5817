"""Login throttling: per phone and per client address, for the API and the login page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from market.accounts.throttle import LoginGuard, LoginLimits, MemoryCounter, RedisCounter
from market.settings import Settings
from tests.factories import PASSWORD, make_worker, next_phone
from tests.web.conftest import unique_prefix

LOGIN = "/api/v1/auth/login"


def _fail(client: TestClient, phone: str, **headers: str) -> int:
    body = {"phone": phone, "password": "wrong-password"}
    return client.post(LOGIN, json=body, headers=headers).status_code


def test_sixth_wrong_password_for_a_phone_gets_429_with_retry_after(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    assert [_fail(client, worker.phone) for _ in range(5)] == [401] * 5
    answer = client.post(LOGIN, json={"phone": worker.phone, "password": PASSWORD})
    assert answer.status_code == 429  # even the right password waits
    assert 0 < int(answer.headers["Retry-After"]) <= 15 * 60
    assert "登录失败次数太多" in answer.json()["detail"]


def test_right_password_clears_the_phone_count(client: TestClient, session: Session) -> None:
    worker = make_worker(session)
    session.commit()  # a failed request rolls the session back: keep the worker
    for _ in range(4):
        _fail(client, worker.phone)
    ok = client.post(LOGIN, json={"phone": worker.phone, "password": PASSWORD})
    assert ok.status_code == 200
    assert [_fail(client, worker.phone) for _ in range(5)] == [401] * 5


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_on_another(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    worker = make_worker(session)
    session.commit()  # a failed request rolls the session back: keep the worker
    app = make_client(wrap=lambda app: ProxyHeadersMiddleware(app, trusted_hosts="*"))
    attacker = {"X-Forwarded-For": "203.0.113.66"}
    assert [_fail(app, worker.phone, **attacker) for _ in range(6)] == [401] * 5 + [429]
    owner = app.post(
        LOGIN,
        json={"phone": worker.phone, "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.20"},
    )
    assert owner.status_code == 200
    assert _fail(app, worker.phone, **attacker) == 429  # the attacker is still held


def test_wrong_passwords_from_another_peer_do_not_lock_the_owner_out(
    make_client: Callable[..., TestClient], session: Session
) -> None:
    """The same, with two TestClient peers of one app (no proxy in between)."""
    worker = make_worker(session)
    session.commit()
    attacker = make_client(peer=("203.0.113.7", 40000))
    owner = TestClient(attacker.app, client=("198.51.100.9", 40001))
    assert [_fail(attacker, worker.phone) for _ in range(6)] == [401] * 5 + [429]
    answer = owner.post(LOGIN, json={"phone": worker.phone, "password": PASSWORD})
    owner.close()
    assert answer.status_code == 200


def test_one_phone_guessed_from_many_addresses_stops_at_its_ceiling(
    make_client: Callable[..., TestClient],
) -> None:
    proxied = make_client(wrap=lambda app: ProxyHeadersMiddleware(app, trusted_hosts="*"))
    phone = next_phone()
    codes = [_fail(proxied, phone, **{"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(51)]
    assert codes[:50] == [401] * 50 and codes[50] == 429


def test_one_address_trying_many_phones_is_stopped(client: TestClient) -> None:
    codes = [_fail(client, next_phone()) for _ in range(31)]
    assert codes[:30] == [401] * 30 and codes[30] == 429


def test_window_passing_lets_the_phone_try_again() -> None:
    now = [1000.0]
    counter = MemoryCounter(clock=lambda: now[0])
    guard = LoginGuard(counter, LoginLimits(per_phone_and_address=2), secret="test-secret")
    for _ in range(2):
        guard.attempt(phone="13900000000", address="10.0.0.1")
    with pytest.raises(Exception, match="Too many"):
        guard.attempt(phone="13900000000", address="10.0.0.1")
    now[0] += 15 * 60 + 1
    guard.attempt(phone="13900000000", address="10.0.0.1")


def test_login_page_is_throttled_too_with_a_translated_message(
    client: TestClient, session: Session
) -> None:
    worker = make_worker(session)
    session.commit()
    for _ in range(5):
        _fail(client, worker.phone)  # failures through the API count for the page as well
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    answer = client.post(
        "/login", data={"csrf_token": token.group(1), "phone": worker.phone, "password": PASSWORD}
    )
    assert answer.status_code == 429 and "Retry-After" in answer.headers
    assert "登录失败次数太多" in answer.text and "<form" in answer.text


def test_forged_forwarded_for_from_an_untrusted_peer_does_not_escape_the_address_limit(
    make_client: Callable[..., TestClient],
) -> None:
    """Behind uvicorn's proxy handling: only an allowed proxy's X-Forwarded-For is believed."""
    untrusted = make_client(wrap=lambda app: ProxyHeadersMiddleware(app, trusted_hosts="10.9.9.9"))
    codes = [
        _fail(untrusted, next_phone(), **{"X-Forwarded-For": f"203.0.113.{i}"}) for i in range(31)
    ]
    assert codes[30] == 429  # every forged address still counted as the one real peer


def test_trusted_proxy_forwarded_address_is_the_one_counted(
    make_client: Callable[..., TestClient],
) -> None:
    # TestClient's peer is "testclient": trust it as if it were the proxy
    proxied = make_client(wrap=lambda app: ProxyHeadersMiddleware(app, trusted_hosts="*"))
    for _ in range(30):
        _fail(proxied, next_phone(), **{"X-Forwarded-For": "198.51.100.7"})
    assert _fail(proxied, next_phone(), **{"X-Forwarded-For": "198.51.100.7"}) == 429
    assert _fail(proxied, next_phone(), **{"X-Forwarded-For": "198.51.100.8"}) == 401


@pytest.mark.redis
def test_two_app_instances_share_the_count_through_redis(
    make_client: Callable[..., TestClient], session: Session, redis_url: str
) -> None:
    import redis

    settings = Settings(environment="test", redis_url=redis_url)
    first, second = make_client(settings), make_client(settings)
    prefix = unique_prefix()
    for client in (first, second):  # a key space of this test's own
        guard: LoginGuard = client.app_state.login_guard  # type: ignore[attr-defined]
        assert isinstance(guard.counter, RedisCounter)
        guard.counter._prefix = prefix
    worker = make_worker(session)
    codes = [_fail(first if i % 2 else second, worker.phone) for i in range(5)]
    assert codes == [401] * 5
    assert _fail(first, worker.phone) == 429 and _fail(second, worker.phone) == 429
    client = redis.Redis.from_url(redis_url)
    stored = [k.decode() for k in client.scan_iter(prefix + "*")]
    assert stored and not any(worker.phone in k for k in stored)  # phones stored hashed
    client.delete(*stored)
    client.close()


def test_redis_down_still_throttles_in_process() -> None:
    import redis

    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    guard = LoginGuard(RedisCounter(dead), LoginLimits(per_phone=1), secret="test-secret")
    guard.attempt(phone="13900000001", address="a")
    with pytest.raises(Exception, match="Too many"):
        guard.attempt(phone="13900000001", address="b")
