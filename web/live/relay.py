"""The relay loop and the brokers that carry numbered events to every replica's hub.

- `LocalBroker`: one process, no Redis: the relay hands events straight to the hub.
- `RedisBroker`: a capped Redis stream whose entry ids are the event numbers. A hub that
  was away (Redis restarted, connection killed) reads on from its last number; whatever the
  stream no longer holds shows up as a gap in the numbers and is read from the outbox.
  While Redis is unreachable the hub polls the outbox instead, so delivery goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from anyio import to_thread
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from market.events import outbox as outbox
from web.live.config import LiveSettings
from web.live.hub import Hub
from web.tracing import OFF, Off, Tracing

log = logging.getLogger("linggong.live")


class LocalBroker:
    healthy = True

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def publish(self, events: Sequence[outbox.Published]) -> None:
        await self.hub.ingest(events)

    async def run(self) -> None:
        await asyncio.Event().wait()

    async def close(self) -> None:
        return None


class RedisBroker:
    """Publishes to and reads from one Redis stream; reconnects with backoff."""

    def __init__(self, hub: Hub, *, url: str, stream: str, maxlen: int) -> None:
        from redis.asyncio import Redis

        self.hub = hub
        self.stream = stream
        self.maxlen = maxlen
        self.healthy = False
        # socket_timeout above the XREAD block time: a silent dead link errors, never hangs
        options: dict[str, Any] = dict(
            socket_timeout=5,
            socket_connect_timeout=2,
            socket_keepalive=True,
            client_name="linggong-live",
        )
        self.reader = Redis.from_url(url, **options)
        self.writer = Redis.from_url(url, **options)

    async def publish(self, events: Sequence[outbox.Published]) -> None:
        """XADD each event under its number; an id already there (a repeat) is skipped."""
        from redis.exceptions import ResponseError

        pipe = self.writer.pipeline(transaction=False)
        for event in events:
            pipe.xadd(
                self.stream,
                {"e": event.to_json()},
                id=f"{event.seq}-1",
                maxlen=self.maxlen,
                approximate=True,
            )
        for result in await pipe.execute(raise_on_error=False):
            if isinstance(result, ResponseError) and "equal or smaller" not in str(result):
                raise result
            if isinstance(result, Exception) and not isinstance(result, ResponseError):
                raise result

    async def run(self) -> None:
        from redis.exceptions import RedisError

        backoff = 0.05
        while True:
            try:
                reply = await self.reader.xread(
                    {self.stream: f"{self.hub.seq}-1"}, count=1000, block=1000
                )
                if not self.healthy:
                    log.info("live: Redis stream readable")
                    self.healthy = True
                    backoff = 0.05
                    await self.hub.catch_up()  # what was committed while we were away
                for _name, entries in reply or ():
                    await self.hub.ingest(outbox.Published.from_json(f[b"e"]) for _, f in entries)
            except (RedisError, OSError) as exc:
                if self.healthy:
                    log.warning("live: Redis unavailable (%s); polling the outbox", exc)
                self.healthy = False
                await asyncio.sleep(backoff)
                backoff = min(2.0, backoff * 2)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.reader.aclose()
        with contextlib.suppress(Exception):
            await self.writer.aclose()


Broker = LocalBroker | RedisBroker


class Relay:
    """Numbers committed events and publishes them: woken by local commits, else polling."""

    def __init__(
        self,
        *,
        engine: Engine,
        publish: Callable[[Sequence[outbox.Published]], Awaitable[None]],
        settings: LiveSettings,
        tracing: Tracing | Off = OFF,
    ) -> None:
        self.engine = engine
        self.publish = publish
        self.settings = settings
        self.tracing = tracing
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._unpublished: list[outbox.Published] = []

    def wake_threadsafe(self) -> None:
        self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.relay_poll_s)
            self._wake.clear()
            try:
                await self._step()
            except OperationalError as exc:  # the database is away: expected, no traceback
                log.warning("live relay: database unavailable (%s); retrying", exc.orig)
                await asyncio.sleep(0.5)
            except Exception:
                log.exception("live relay step failed; retrying")
                await asyncio.sleep(0.5)

    async def _step(self) -> None:
        if self._unpublished:
            await self._publish_pending()
        with self.tracing.quiet():  # an idle look is no trace; a round with events is one
            waiting = await to_thread.run_sync(lambda: outbox.has_pending(engine=self.engine))
        if not waiting:
            return
        with self.tracing.span("outbox relay") as span:
            numbered = await to_thread.run_sync(
                lambda: outbox.number_pending(engine=self.engine, looked=True)
            )
            if numbered is None:  # another replica's relay holds the lock: look again soon
                span.set_attribute("linggong.relay.lock_busy", True)
                await asyncio.sleep(0.01)
                self._wake.set()
                return
            span.set_attribute("linggong.relay.events", len(numbered))
            if numbered:
                span.set_attribute("linggong.relay.first_seq", numbered[0].seq)
                span.set_attribute("linggong.relay.last_seq", numbered[-1].seq)
                self._unpublished.extend(numbered)
                await self._publish_pending()
                if len(numbered) >= outbox.BATCH:
                    self._wake.set()

    async def _publish_pending(self) -> None:
        batch, self._unpublished = self._unpublished, []
        try:
            await self.publish(batch)
        except Exception as exc:
            # numbered and committed: hubs find them in the outbox; we retry the broker too
            log.warning("live: publishing %d events failed (%s); will retry", len(batch), exc)
            self._unpublished = (batch + self._unpublished)[-self.settings.stream_maxlen :]
