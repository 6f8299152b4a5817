"""Login throttling: failures counted per phone and per client address in a fixed window.

Counts live in Redis when the app has a Redis URL (every replica sees the same counts), in
the process otherwise. Phones and addresses are stored hashed, never as themselves.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from market.errors import N_, DomainError

log = logging.getLogger("linggong.throttle")


class TooManyAttempts(DomainError):
    """Too many failed logins: try again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            N_("Too many failed logins; try again in {minutes} minutes"), minutes=minutes
        )
        self.retry_after = retry_after


class Counter(Protocol):
    def count(self, key: str) -> tuple[int, int]:
        """Failures so far under `key` and the seconds until they are forgotten."""
        ...

    def add(self, key: str, window: int) -> None:
        """One more failure; the window starts at the first one."""
        ...

    def clear(self, key: str) -> None: ...


class MemoryCounter:
    """Counts in this process only (one replica, development, tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)

    def count(self, key: str) -> tuple[int, int]:
        with self._lock:
            found = self._counts.get(key)
            now = self._clock()
            if found is None or found[1] <= now:
                self._counts.pop(key, None)
                return 0, 0
            return found[0], math.ceil(found[1] - now)

    def add(self, key: str, window: int) -> None:
        with self._lock:
            now = self._clock()
            count, expires = self._counts.get(key, (0, 0.0))
            if expires <= now:
                count, expires = 0, now + window
            self._counts[key] = (count + 1, expires)
            if len(self._counts) > 100_000:  # an address sweep must not grow memory forever
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


class RedisCounter:
    """Counts in Redis, shared by every replica; falls back to this process if Redis fails."""

    def __init__(self, client: Any, prefix: str = "lg:throttle:") -> None:
        self._client = client
        self._prefix = prefix
        self._fallback = MemoryCounter()

    def count(self, key: str) -> tuple[int, int]:
        try:
            pipe = self._client.pipeline()
            pipe.get(self._prefix + key)
            pipe.ttl(self._prefix + key)
            raw, ttl = pipe.execute()
        except Exception as exc:  # redis down: keep throttling, per process
            log.warning("throttle: redis unavailable (%s); counting in process", type(exc).__name__)
            return self._fallback.count(key)
        return (int(raw), max(int(ttl), 1)) if raw is not None else (0, 0)

    def add(self, key: str, window: int) -> None:
        try:
            pipe = self._client.pipeline()
            pipe.incr(self._prefix + key)
            pipe.expire(self._prefix + key, window, nx=True)
            pipe.execute()
        except Exception as exc:
            log.warning("throttle: redis unavailable (%s); counting in process", type(exc).__name__)
            self._fallback.add(key, window)

    def clear(self, key: str) -> None:
        try:
            self._client.delete(self._prefix + key)
        except Exception:
            self._fallback.clear(key)


def counter_for(redis_url: str | None) -> Counter:
    """Redis-backed when a URL is configured (no connection is made until first use)."""
    if not redis_url:
        return MemoryCounter()
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
    return RedisCounter(client)


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:24]}"


@dataclass(frozen=True)
class LoginLimits:
    per_phone: int = 5
    per_address: int = 30
    window_seconds: int = 15 * 60


class LoginGuard:
    """Refuses logins for a phone or an address that failed too often lately."""

    def __init__(self, counter: Counter, limits: LoginLimits | None = None) -> None:
        self.counter = counter
        self.limits = limits or LoginLimits()

    def check(self, *, phone: str, address: str) -> None:
        """Raise TooManyAttempts when either the phone or the address is over its limit."""
        waits = []
        for key, limit in (
            (_key("phone", phone), self.limits.per_phone),
            (_key("addr", address), self.limits.per_address),
        ):
            count, ttl = self.counter.count(key)
            if count >= limit:
                waits.append(ttl)
        if waits:
            raise TooManyAttempts(max(waits))

    def failed(self, *, phone: str, address: str) -> None:
        window = self.limits.window_seconds
        self.counter.add(_key("phone", phone), window)
        self.counter.add(_key("addr", address), window)

    def succeeded(self, *, phone: str) -> None:
        """A right password clears the phone's count (the address keeps its own)."""
        self.counter.clear(_key("phone", phone))
