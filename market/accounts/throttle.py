"""Login throttling: attempts counted per (phone, address), per address and per phone.

Each attempt is counted first, atomically, and only then compared with the limits, so
parallel guesses cannot all slip past a check made before any of them was counted. A right
password gives its attempt back. The tight limit is per phone *and* client address: an
attacker guessing from one address cannot lock the owner out on another, while a much
higher per-phone ceiling still stops a guess spread over many addresses.

Counts live in Redis when the app has a Redis URL (every replica sees the same counts), in
the process otherwise. Keys are an HMAC under the app's secret key: an 11-digit phone
number hashed without a secret is found again by trying every number.
"""

from __future__ import annotations

import hashlib
import hmac
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
    def hit(self, key: str, window: int) -> tuple[int, int]:
        """One more attempt under `key`, atomically: the count now and its seconds to live.

        The window starts at the first attempt.
        """
        ...

    def refund(self, key: str) -> None:
        """Give one attempt back (never below zero, never reviving an expired count)."""
        ...

    def clear(self, key: str) -> None: ...


class MemoryCounter:
    """Counts in this process only (one replica, development, tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}  # key -> (count, expires at)

    def hit(self, key: str, window: int) -> tuple[int, int]:
        with self._lock:
            now = self._clock()
            count, expires = self._counts.get(key, (0, 0.0))
            if expires <= now:
                count, expires = 0, now + window
            self._counts[key] = (count + 1, expires)
            if len(self._counts) > 100_000:  # an address sweep must not grow memory forever
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            return count + 1, max(1, math.ceil(expires - now))

    def refund(self, key: str) -> None:
        with self._lock:
            found = self._counts.get(key)
            if found is not None and found[1] > self._clock() and found[0] > 0:
                self._counts[key] = (found[0] - 1, found[1])

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


# DECR only a live count: a plain DECR on an expired key would create one without a TTL
_REFUND = """
local n = tonumber(redis.call('get', KEYS[1]) or '0')
if n > 0 then return redis.call('decr', KEYS[1]) end
return 0
"""


class RedisCounter:
    """Counts in Redis, shared by every replica; falls back to this process if Redis fails."""

    def __init__(self, client: Any, prefix: str = "lg:throttle:") -> None:
        self._client = client
        self._prefix = prefix
        self._fallback = MemoryCounter()

    def hit(self, key: str, window: int) -> tuple[int, int]:
        name = self._prefix + key
        try:
            pipe = self._client.pipeline(transaction=True)  # MULTI/EXEC: one atomic step
            pipe.incr(name)
            pipe.expire(name, window, nx=True)
            pipe.ttl(name)
            count, _, ttl = pipe.execute()
        except Exception as exc:  # redis down: keep throttling, per process
            log.warning("throttle: redis unavailable (%s); counting in process", type(exc).__name__)
            return self._fallback.hit(key, window)
        return int(count), max(int(ttl), 1)

    def refund(self, key: str) -> None:
        try:
            self._client.eval(_REFUND, 1, self._prefix + key)
        except Exception:
            self._fallback.refund(key)

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


@dataclass(frozen=True)
class LoginLimits:
    per_phone_and_address: int = 5
    per_address: int = 30
    per_phone: int = 50  # across all addresses: a guess spread over many still stops
    window_seconds: int = 15 * 60


class LoginGuard:
    """Refuses logins for a (phone, address), an address or a phone that tried too often."""

    def __init__(self, counter: Counter, limits: LoginLimits | None = None, *, secret: str) -> None:
        if not secret:
            raise ValueError("the login throttle needs a secret key to key its counters")
        self.counter = counter
        self.limits = limits or LoginLimits()
        self._secret = secret.encode()

    def _key(self, kind: str, *values: str) -> str:
        message = "\x1f".join((kind, *values)).encode()
        return f"{kind}:{hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]}"

    def _keys(self, phone: str, address: str) -> list[tuple[str, int]]:
        return [
            (self._key("pair", phone, address), self.limits.per_phone_and_address),
            (self._key("addr", address), self.limits.per_address),
            (self._key("phone", phone), self.limits.per_phone),
        ]

    def attempt(self, *, phone: str, address: str) -> None:
        """Count this attempt, then raise TooManyAttempts if any count is over its limit."""
        window = self.limits.window_seconds
        waits = []
        for key, limit in self._keys(phone, address):
            count, ttl = self.counter.hit(key, window)
            if count > limit:
                waits.append(ttl)
        if waits:
            raise TooManyAttempts(max(waits))

    def succeeded(self, *, phone: str, address: str) -> None:
        """A right password: this attempt is given back and the pair's count cleared."""
        pair, address_key, phone_key = (key for key, _ in self._keys(phone, address))
        self.counter.clear(pair)
        self.counter.refund(address_key)
        self.counter.refund(phone_key)


class CodeTries:
    """Tries at a phone's current one-time code, counted before the code is compared.

    The code table counts wrong tries too, but only after the refused request rolled back:
    parallel guesses would all be compared before any of them was counted. Here each try is
    counted first, atomically (Redis when configured), so at most `limit` are compared;
    sending a new code starts the count again.
    """

    def __init__(self, counter: Counter, *, secret: str, limit: int, window: int) -> None:
        self.counter = counter
        self.limit = limit
        self.window = window
        self._secret = secret.encode()

    def _key(self, phone: str, purpose: str) -> str:
        message = f"code\x1f{purpose}\x1f{phone}".encode()
        return f"code:{hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]}"

    def attempt(self, *, phone: str, purpose: str) -> bool:
        """Count one try; False when the code has had its `limit` tries already."""
        count, _ = self.counter.hit(self._key(phone, purpose), self.window)
        return count <= self.limit

    def restart(self, *, phone: str, purpose: str) -> None:
        """A new code was sent: its tries start from none."""
        self.counter.clear(self._key(phone, purpose))
