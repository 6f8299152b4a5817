"""The login guard's counters: counted before compared, atomically, under HMAC keys."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from market.accounts.throttle import (
    Counter,
    LoginGuard,
    LoginLimits,
    MemoryCounter,
    RedisCounter,
    TooManyAttempts,
)
from tests.conftest import REDIS_URL

PHONE = "13912345678"


@pytest.fixture
def redis_client() -> Iterator[Any]:
    if not REDIS_URL:
        pytest.skip("LINGGONG_TEST_REDIS_URL is not set: Redis tests skipped")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def redis_counter(redis_client: Any) -> Iterator[RedisCounter]:
    prefix = f"lg:test:{uuid.uuid4().hex[:8]}:"
    yield RedisCounter(redis_client, prefix=prefix)
    stored = list(redis_client.scan_iter(prefix + "*"))
    if stored:
        redis_client.delete(*stored)


def _guesses_let_through(counter: Counter, *, guesses: int, limit: int) -> int:
    """`guesses` threads try one phone from one address at the same moment."""
    limits = LoginLimits(per_phone_and_address=limit, per_address=10_000, per_phone=10_000)
    guard = LoginGuard(counter, limits, secret="test-secret")
    start = threading.Barrier(guesses)
    passed: list[int] = []

    def guess() -> None:
        start.wait()
        try:
            guard.attempt(phone=PHONE, address="203.0.113.1")
        except TooManyAttempts:
            return
        passed.append(1)  # list.append is atomic

    threads = [threading.Thread(target=guess) for _ in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(passed)


def test_parallel_guesses_in_memory_never_pass_more_than_the_limit() -> None:
    assert _guesses_let_through(MemoryCounter(), guesses=64, limit=5) == 5


@pytest.mark.redis
def test_parallel_guesses_on_redis_never_pass_more_than_the_limit(
    redis_counter: RedisCounter,
) -> None:
    assert _guesses_let_through(redis_counter, guesses=64, limit=5) == 5


@pytest.mark.redis
def test_redis_keys_hold_no_phone_number_plain_or_hashed(
    redis_client: Any, redis_counter: RedisCounter
) -> None:
    guard = LoginGuard(redis_counter, secret="test-secret")
    guard.attempt(phone=PHONE, address="203.0.113.1")
    stored = [k.decode() for k in redis_client.scan_iter(redis_counter._prefix + "*")]
    assert len(stored) == 3  # (phone, address), address, phone
    sha = hashlib.sha256(PHONE.encode()).hexdigest()
    for key in stored:
        assert PHONE not in key and sha[:16] not in key and "203.0.113.1" not in key


def test_keys_depend_on_the_secret_key() -> None:
    counter = MemoryCounter()
    LoginGuard(counter, secret="one").attempt(phone=PHONE, address="a")
    LoginGuard(counter, secret="two").attempt(phone=PHONE, address="a")
    assert len(counter._counts) == 6 and all(n == 1 for n, _ in counter._counts.values())


def test_a_guard_without_a_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        LoginGuard(MemoryCounter(), secret="")


def test_right_passwords_give_their_attempts_back_to_the_address() -> None:
    """A shared address (a dormitory's Wi-Fi) is not locked by people logging in right."""
    guard = LoginGuard(MemoryCounter(), LoginLimits(per_address=3), secret="test-secret")
    for i in range(10):
        phone = f"1390000{i:04d}"
        guard.attempt(phone=phone, address="dorm")
        guard.succeeded(phone=phone, address="dorm")
    guard.attempt(phone=PHONE, address="dorm")


def test_refund_does_not_revive_an_expired_count() -> None:
    now = [0.0]
    counter = MemoryCounter(clock=lambda: now[0])
    counter.hit("k", 10)
    now[0] = 11.0
    counter.refund("k")
    assert counter.hit("k", 10) == (1, 10)


@pytest.mark.redis
def test_redis_refund_never_goes_below_zero_or_leaves_a_key_without_expiry(
    redis_client: Any, redis_counter: RedisCounter
) -> None:
    redis_counter.refund("gone")
    assert redis_client.get(redis_counter._prefix + "gone") is None
    redis_counter.hit("k", 60)
    redis_counter.refund("k")
    redis_counter.refund("k")
    assert int(redis_client.get(redis_counter._prefix + "k")) == 0
    assert 0 < redis_client.ttl(redis_counter._prefix + "k") <= 60
