"""Live updates for one app: the relay, the broker and the hub, started in the lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Awaitable
from typing import Any

from anyio import to_thread
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from market.events import outbox as outbox
from market.feed.prices import PRICE_DUTY
from market.feed.readmodel import FeedReadModel
from market.settings import Settings
from web.live.config import LiveSettings
from web.live.hub import Hub
from web.live.relay import Broker, LocalBroker, RedisBroker, Relay
from web.observability import Metrics
from web.tracing import OFF, Off, Tracing

log = logging.getLogger("linggong.live")

PRICE_WAIT_S = 1.0  # how often the price loop looks whether the read model is ready


class LiveService:
    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        live: LiveSettings | None = None,
        tracing: Tracing | Off = OFF,
        metrics: Metrics | None = None,
    ) -> None:
        self.engine = engine
        self.metrics = metrics
        self.tracing = tracing
        self.settings = settings
        self.live = live or LiveSettings()
        self.hub = Hub(engine=engine, settings=self.live)
        self.broker: Broker | None = None
        self.relay: Relay | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._unwatch: Any = None
        # the open jobs in memory, for feeds; follows the events this hub dispatches
        self.feed: FeedReadModel | None = None
        if settings.feed_read_model == "on":
            self.feed = FeedReadModel(engine)
            self.hub.after_ingest = self._follow
            self.hub.on_lost = self._lost

    async def start(self) -> None:
        if self.live.gc_threshold:
            gc.freeze()  # what start-up built lives as long as the process
            _, second, third = gc.get_threshold()
            gc.set_threshold(self.live.gc_threshold, second, third)
        await self.hub.start()
        await self._build_feed()  # after the hub read its place: later events are applied
        if self.live.gc_threshold and self.feed is not None:
            # the books too: a full collection would otherwise walk every open job and
            # worker (tens of ms at city scale, a pause in every request under way)
            gc.freeze()
        if self.settings.redis_url:
            self.broker = RedisBroker(
                self.hub,
                url=self.settings.redis_url,
                stream=outbox.stream_name(self.engine.url.render_as_string(hide_password=True)),
                maxlen=self.live.stream_maxlen,
            )
        else:
            self.broker = LocalBroker(self.hub)
        self.relay = Relay(
            engine=self.engine,
            publish=self.broker.publish,
            settings=self.live,
            tracing=self.tracing,
        )
        self._unwatch = outbox.watch_commits(self.relay.wake_threadsafe)
        self._tasks = [
            asyncio.create_task(self.relay.run(), name="live-relay"),
            asyncio.create_task(self._quietly(self.broker.run()), name="live-broker"),
            asyncio.create_task(self._quietly(self._poll()), name="live-poll"),
        ]
        if self.feed is not None and self.settings.prices_seconds > 0:
            self._tasks.append(asyncio.create_task(self._price(), name="live-prices"))

    async def _quietly(self, work: Awaitable[None]) -> None:
        """Polling traces nothing: the stream read each second, the outbox read each second
        (and what they hand the hub) would each be a trace of their own."""
        with self.tracing.quiet():
            await work

    async def _poll(self) -> None:
        """The hub's safety net: the outbox itself, often while the broker is away."""
        assert self.broker is not None
        while True:
            healthy = self.broker.healthy
            await asyncio.sleep(
                self.live.hub_poll_s if healthy else self.live.hub_poll_broker_down_s
            )
            try:
                await self.hub.catch_up()
            except OperationalError as exc:  # the database is away: no traceback needed
                log.warning("live: reading the outbox failed (%s)", exc.orig)
            except Exception:
                log.exception("live: reading the outbox failed")
            if self.feed is not None and not self.feed.ready:
                await self._build_feed()
            elif self.feed is not None:
                await self._fresh_workers()

    async def _price(self) -> None:
        """Solve the read model's slot prices once it is ready, then again and again, pausing
        `prices_seconds` and at least PRICE_DUTY times as long as the last solve took."""
        assert self.feed is not None
        while True:
            if not self.feed.ready:
                await asyncio.sleep(PRICE_WAIT_S)
                continue
            started = time.monotonic()
            try:
                priced = await to_thread.run_sync(self.feed.solve_prices)
            except OperationalError as exc:
                log.warning("feed prices: database unavailable (%s)", exc.orig)
                self._count(ok=False)
            except Exception:
                log.exception("feed prices: solving failed")
                self._count(ok=False)
            else:
                log.info(
                    "feed prices: %d jobs in %.0f ms", priced, (time.monotonic() - started) * 1000
                )
                self._count(ok=True)
            took = time.monotonic() - started
            await asyncio.sleep(max(self.settings.prices_seconds, PRICE_DUTY * took))

    def _count(self, *, ok: bool) -> None:
        if self.metrics is not None:
            self.metrics.count_background("prices", ok=ok)

    async def _build_feed(self) -> None:
        """(Re)build the feed's read model; on failure it stays stale and feeds use the DB."""
        if self.feed is None:
            return
        try:
            await to_thread.run_sync(self.feed.build)
        except OperationalError as exc:
            log.warning("feed read model: database unavailable (%s); will rebuild", exc.orig)
        except Exception:
            log.exception("feed read model: building failed; will rebuild")

    async def _fresh_workers(self) -> None:
        """Read the workers events named this past second into the book, in one batch."""
        assert self.feed is not None
        try:
            await to_thread.run_sync(self.feed.fresh_workers)
        except OperationalError as exc:  # left stale: rebuilt by the poll loop
            log.warning("feed read model: database unavailable (%s); will rebuild", exc.orig)
        except Exception:
            log.exception("feed read model: reading workers failed; will rebuild")

    async def _follow(self, events: list[outbox.Published]) -> None:
        assert self.feed is not None
        try:
            await to_thread.run_sync(self.feed.apply, events)
        except OperationalError as exc:  # left stale: rebuilt by the poll loop
            log.warning("feed read model: database unavailable (%s); will rebuild", exc.orig)
        except Exception:
            log.exception("feed read model: applying events failed; will rebuild")

    def _lost(self) -> None:
        """Events are gone for good (the relay lost its place): rebuild from the database."""
        if self.feed is not None:
            self.feed.ready = False

    async def stop(self) -> None:
        if self._unwatch is not None:
            self._unwatch()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.broker is not None:
            await self.broker.close()
