"""Single-use tickets for `/ws?ticket=`: a non-browser client's way in without its session
token in the URL (proxies log URLs; a ticket is dead 30 seconds later, or once used).

A ticket is bound to the user and the session that asked for it; the socket it opens is
that user's, and only while that session lasts. Tickets live in Redis when the app has a
Redis URL (any replica takes a ticket another issued), in the process otherwise. The store
keys an HMAC of the ticket under the app's secret, never the ticket itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT_TTL = 30


class TicketStore(Protocol):
    def put(self, key: str, value: str, ttl: int) -> bool:
        """Store `value` under `key` for `ttl` seconds unless the key exists."""
        ...

    def take(self, key: str) -> str | None:
        """The value under `key`, removed in the same atomic step (None: unknown or expired)."""
        ...


class MemoryTicketStore:
    """This process only (one replica, development, tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._items: dict[str, tuple[str, float]] = {}  # key -> (value, expires at)

    def put(self, key: str, value: str, ttl: int) -> bool:
        with self._lock:
            now = self._clock()
            if len(self._items) > 10_000:  # tickets nobody used must not pile up
                self._items = {k: v for k, v in self._items.items() if v[1] > now}
            found = self._items.get(key)
            if found is not None and found[1] > now:
                return False
            self._items[key] = (value, now + ttl)
            return True

    def take(self, key: str) -> str | None:
        with self._lock:
            found = self._items.pop(key, None)
            if found is None or found[1] <= self._clock():
                return None
            return found[0]


class RedisTicketStore:
    """Shared by every replica: SET NX EX to issue, GETDEL to consume (atomic, once)."""

    def __init__(self, client: Any, prefix: str = "lg:ws-ticket:") -> None:
        self._client = client
        self._prefix = prefix

    def put(self, key: str, value: str, ttl: int) -> bool:
        return bool(self._client.set(self._prefix + key, value, nx=True, ex=ttl))

    def take(self, key: str) -> str | None:
        value = self._client.getdel(self._prefix + key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)


def store_for(redis_url: str | None) -> TicketStore:
    """Redis-backed when a URL is configured (no connection is made until first use)."""
    if not redis_url:
        return MemoryTicketStore()
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
    return RedisTicketStore(client)


@dataclass(frozen=True)
class Holder:
    """Whom a ticket was issued to: the user and their session (its token hash)."""

    user_id: int
    session_hash: str


class Tickets:
    def __init__(self, store: TicketStore, *, secret: str, ttl: int = DEFAULT_TTL) -> None:
        if not secret:
            raise ValueError("websocket tickets need a secret key")
        self.store = store
        self.ttl = ttl
        self._secret = secret.encode()

    def _key(self, ticket: str) -> str:
        return hmac.new(self._secret, ticket.encode(), hashlib.sha256).hexdigest()

    def issue(self, *, user_id: int, session_hash: str) -> str:
        """A new ticket for this user's session, valid `ttl` seconds and once."""
        while True:
            ticket = secrets.token_urlsafe(32)
            if self.store.put(self._key(ticket), f"{user_id}:{session_hash}", self.ttl):
                return ticket

    def redeem(self, ticket: str) -> Holder | None:
        """Whom the ticket names, consuming it; None if unknown, used or expired."""
        if not ticket or len(ticket) > 128:
            return None
        value = self.store.take(self._key(ticket))
        if value is None:
            return None
        user_id, _, session_hash = value.partition(":")
        return Holder(user_id=int(user_id), session_hash=session_hash)
