"""Tuning of live updates, from `LINGGONG_LIVE_*` environment variables."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class LiveSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LINGGONG_LIVE_", extra="ignore")

    queue_size: int = 256  # messages waiting for one connection before it is dropped
    full_grace_s: float = 0.1  # how long a full queue may wait for room before the drop
    replay_limit: int = 1000  # a client further behind than this gets "resync"
    # safety net for commits made without a local wake-up (another process, a crashed
    # replica's leftovers); each replica's own commits wake its relay at once
    relay_poll_s: float = 1.0
    hub_poll_s: float = 1.0  # database check while the broker is healthy
    hub_poll_broker_down_s: float = 0.25  # database polling while Redis is away
    # live connections per user and per client address on one replica; past either a new
    # one is closed with 4429. A person has a phone and a desk, a few pages each; an address
    # can be a carrier's NAT in front of a whole district's phones, so its cap only stops
    # a script
    max_per_user: int = 10
    max_per_address: int = 1000
    ticket_ttl_s: int = 30  # how long a `/ws?ticket=` stays good (it is good once anyway)
    stream_maxlen: int = 10_000  # Redis stream cap (approximate)
    # thousands of connections keep many objects alive: with Python's default first GC
    # threshold (700) full collections stall the event loop for hundreds of ms. 0 = leave it.
    gc_threshold: int = 50_000
