"""How many live connections one user, and one client address, may hold on this replica.

A session could open any number of sockets, each holding a queue and a share of every
fan-out; past the cap a new one is accepted and closed at once with `CLOSE_TOO_MANY`
(4429) and a reason in the user's language, so a client can tell it apart from a network
drop. Counts are per replica (a user's sockets on two replicas count apart): a cap bounds
what one process holds, which is what it protects.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

CLOSE_TOO_MANY = 4429  # 4000-4999: the application's own; 429 as in Too Many Requests


class ConnectionCaps:
    """Claim a slot before serving a socket, release it when the socket ends.

    `claim` checks and counts in one step with no await in between, so on the event loop
    two handshakes cannot both take the last slot.
    """

    def __init__(self, *, per_user: int, per_address: int) -> None:
        self.per_user = per_user
        self.per_address = per_address
        self._users: Counter[int] = Counter()
        self._addresses: Counter[str] = Counter()

    def claim(self, user_id: int, address: str) -> Literal["user", "address"] | None:
        """Take a slot; or say which cap is full (and take nothing)."""
        if self._users[user_id] >= self.per_user:
            return "user"
        if self._addresses[address] >= self.per_address:
            return "address"
        self._users[user_id] += 1
        self._addresses[address] += 1
        return None

    def release(self, user_id: int, address: str) -> None:
        self._users[user_id] -= 1
        if self._users[user_id] <= 0:
            del self._users[user_id]
        self._addresses[address] -= 1
        if self._addresses[address] <= 0:
            del self._addresses[address]

    def held(self, user_id: int) -> int:
        return self._users[user_id]
