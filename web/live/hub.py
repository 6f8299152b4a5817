"""The hub: this replica's live connections, and who gets which numbered event.

Events arrive in number order from the broker (or the database, to fill a gap). Each
event is encoded once; every connection that may see it gets the same text put on its
bounded queue, never awaited, so one stuck client cannot stall the others.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Any, Protocol

from anyio import to_thread
from sqlalchemy import Engine

from market.events import outbox as outbox
from market.models import Role
from matching import model as m
from web.live.caps import ConnectionCaps
from web.live.config import LiveSettings
from web.live.feed import FeedMatcher, FeedMessages, Fit

log = logging.getLogger("linggong.live")

FEED_KINDS = frozenset({"job.posted", "job.updated", "job.reopened"})
GONE_KINDS = frozenset({"job.filled", "job.cancelled", "job.completed"})
# hires and called-off hires: the job's slots change in the feeds it is shown in
SLOT_KINDS = frozenset({"application.created", "application.confirmed", "application.cancelled"})
# events after which a worker's matching view (availability, busy shifts) may have changed
WORKER_CHANGES = ("worker.", "application.confirmed", "application.cancelled")
BLOCK_KINDS = frozenset({"user.blocked", "user.unblocked"})
CLOSE_TOO_SLOW = 4008


def encode(seq: int | None, kind: str, data: Any = None) -> str:
    message: dict[str, Any] = {"type": kind} if seq is None else {"id": seq, "type": kind}
    if data is not None:
        message["data"] = data
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


class Sink(Protocol):
    user_id: int
    role: str
    lang: str

    def push(self, seq: int, text: str) -> None: ...


class Connection:
    """One websocket: a bounded queue of frames, emptied by its own sender task."""

    __slots__ = (
        "after",
        "busy",
        "closed",
        "dropped",
        "lang",
        "on_full",
        "overflow",
        "queue",
        "role",
        "user_id",
        "write",
    )

    def __init__(
        self,
        *,
        user_id: int,
        role: str,
        lang: str,
        queue_size: int,
        on_full: Callable[[Connection], None],
    ) -> None:
        self.user_id, self.role, self.lang = user_id, role, lang
        self.queue: asyncio.Queue[str] = asyncio.Queue(queue_size)
        self.after = 0  # frames up to this id were already sent (replay) or seen (resume)
        self.closed = False
        self.dropped = asyncio.Event()  # set when the hub gave up on this client
        self.on_full = on_full
        self.overflow: list[str] = []
        # the fast path (web.live.wire), set once the socket is live; while the sender task
        # holds a frame (`busy`) or frames wait in the queue, new ones queue behind them
        self.write: Callable[[str], bool] | None = None
        self.busy = False

    def push(self, seq: int, text: str) -> None:
        if self.closed or seq <= self.after:
            return
        if self.overflow:
            self.overflow.append(text)
            return
        write = self.write  # `_write_now`, inlined: this runs once per frame and client
        if write is not None and not self.busy and self.queue.empty() and write(text):
            return
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            self.overflow.append(text)  # the hub gives it a moment, then drops it
            self.on_full(self)

    def _write_now(self, text: str) -> bool:
        """Write through the fast path when nothing is ahead of `text`; False if it queues."""
        write = self.write
        return write is not None and not self.busy and self.queue.empty() and write(text)

    def settle(self) -> bool:
        """Move overflow into the queue as space frees; True when nothing is left over."""
        while self.overflow and not self.queue.full():
            self.queue.put_nowait(self.overflow.pop(0))
        return not self.overflow

    def push_control(self, text: str) -> None:
        if self.closed or self.overflow or self._write_now(text):
            return
        if not self.queue.full():
            self.queue.put_nowait(text)


class Collector:
    """A sink that keeps frames in a list: what one resuming connection missed."""

    def __init__(self, user_id: int, role: str, lang: str) -> None:
        self.user_id, self.role, self.lang = user_id, role, lang
        self.frames: list[str] = []

    def push(self, seq: int, text: str) -> None:
        self.frames.append(text)


class Hub:
    def __init__(self, *, engine: Engine, settings: LiveSettings) -> None:
        self.engine = engine
        self.settings = settings
        self.seq = 0  # the last event dispatched here: all below it were too
        self.staff: set[Connection] = set()
        self.employers: dict[int, set[Connection]] = {}
        self.workers: dict[int, set[Connection]] = {}
        self.feed = FeedMatcher()
        self.lock = asyncio.Lock()
        self.dropped = 0  # connections dropped for not reading
        self.dropped_messages = 0  # and the messages they never got
        self._full: set[Connection] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        # told of each batch of events dispatched, and of events lost for good (the feed's
        # read model follows the stream through these)
        self.after_ingest: Callable[[list[outbox.Published]], Awaitable[None]] | None = None
        self.on_lost: Callable[[], None] | None = None
        self.caps = ConnectionCaps(
            per_user=settings.max_per_user, per_address=settings.max_per_address
        )

    async def start(self) -> None:
        self.seq = await to_thread.run_sync(lambda: outbox.current_seq(engine=self.engine))

    # ------------------------------------------------------------ connections

    def _group(self, conn: Sink) -> dict[int, set[Connection]] | None:
        if conn.role == Role.worker:
            return self.workers
        if conn.role == Role.employer:
            return self.employers
        return None

    async def load_worker(self, worker_id: int) -> m.Worker | None:
        """The worker as matching sees them; whom they are blocked with goes to the feed."""
        found, blocked = await to_thread.run_sync(
            lambda: (
                outbox.live_workers(engine=self.engine, worker_ids=[worker_id]),
                outbox.live_blocks(engine=self.engine, worker_id=worker_id),
            )
        )
        self.feed.set_blocked(worker_id, blocked)
        return found.get(worker_id)

    def register(self, conn: Connection, worker: m.Worker | None) -> None:
        """Start routing events to `conn` (call holding `lock`, after `seq` was read)."""
        group = self._group(conn)
        if group is None:
            self.staff.add(conn)
            return
        group.setdefault(conn.user_id, set()).add(conn)
        if conn.role == Role.worker:
            self.feed.set(conn.user_id, worker)

    def unregister(self, conn: Connection) -> None:
        conn.closed = True
        group = self._group(conn)
        if group is None:
            self.staff.discard(conn)
            return
        mine = group.get(conn.user_id)
        if mine is not None:
            mine.discard(conn)
            if not mine:
                del group[conn.user_id]
                if conn.role == Role.worker:
                    self.feed.discard(conn.user_id)

    def full(self, conn: Connection) -> None:
        self._full.add(conn)

    async def _settle(self) -> None:
        """Give clients whose queue is full a short grace (a burst), then drop the stuck."""
        deadline = asyncio.get_running_loop().time() + self.settings.full_grace_s
        while True:
            self._full = {c for c in self._full if not c.closed and not c.settle()}
            if not self._full:
                return
            if asyncio.get_running_loop().time() >= deadline:
                for conn in self._full:
                    self.drop(conn)
                self._full = set()
                return
            await asyncio.sleep(0.001)

    def drop(self, conn: Connection) -> None:
        """A client that does not read: forget it now, close it in the background."""
        if conn.closed:
            return
        self.unregister(conn)
        self.dropped_messages += len(conn.overflow) + conn.queue.qsize()
        conn.overflow.clear()
        self.dropped += 1
        log.warning("dropped a live connection of user %s: send queue full", conn.user_id)
        conn.dropped.set()

    def connections(self) -> int:
        return (
            len(self.staff)
            + sum(len(s) for s in self.employers.values())
            + sum(len(s) for s in self.workers.values())
        )

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------ events in

    async def ingest(self, events: Iterable[outbox.Published]) -> None:
        """Dispatch events in number order, once each; fetch any gap from the database."""
        async with self.lock:
            dispatched: list[outbox.Published] = []
            for event in sorted(events, key=lambda e: e.seq):
                if event.seq <= self.seq:
                    continue
                while event.seq > self.seq + 1:
                    after, until = self.seq, event.seq - 1
                    missing = await to_thread.run_sync(
                        partial(outbox.list_since, engine=self.engine, after=after, until=until)
                    )
                    if not missing:
                        log.warning("events %s..%s missing from the outbox", after + 1, until)
                        if self.on_lost is not None:
                            self.on_lost()
                        break
                    log.info("filled a gap of %d events from the outbox", len(missing))
                    for found in missing:
                        await self._dispatch(found)
                    dispatched += missing
                await self._dispatch(event)
                dispatched.append(event)
            if dispatched and self.after_ingest is not None:
                await self.after_ingest(dispatched)

    async def catch_up(self) -> int:
        """Dispatch whatever the database has beyond `seq` (the safety net)."""
        after = self.seq
        events = await to_thread.run_sync(
            lambda: outbox.list_since(engine=self.engine, after=after)
        )
        if events:
            await self.ingest(events)
        return len(events)

    async def _dispatch(self, event: outbox.Published) -> None:
        self.seq = event.seq
        fits = await self._fits(event, None) if self.workers else {}
        self._route(
            event,
            staff=self.staff,
            employers=self.employers,
            workers=self.workers,
            fits=fits,
        )
        if self._full:
            await self._settle()
        if event.worker_id in self.workers and event.kind.startswith(WORKER_CHANGES):
            self._spawn(self._refresh_worker(event.worker_id))
        if event.kind in BLOCK_KINDS:  # a blocked pair: the worker's side may be connected
            for user_id in (event.payload.get("by"), event.payload.get("user")):
                if user_id in self.workers:
                    self._spawn(self._refresh_worker(user_id))

    async def _refresh_worker(self, worker_id: int) -> None:
        worker = await self.load_worker(worker_id)
        if worker_id in self.workers:
            self.feed.set(worker_id, worker)

    async def _summary(self, event: outbox.Published) -> dict[str, Any] | None:
        if event.kind in ("job.posted", "job.updated"):
            return event.payload
        job_id = event.job_id
        if job_id is None:
            return None
        found = await to_thread.run_sync(
            lambda: outbox.job_summaries(engine=self.engine, job_ids=[job_id])
        )
        return found.get(job_id)

    async def _fits(
        self, event: outbox.Published, only: m.Worker | None
    ) -> dict[int, Fit] | dict[str, Any]:
        """For a job event: the worker fits, plus the job summary under key "summary"."""
        if event.kind not in FEED_KINDS and not _slots_changed(event):
            return {}
        summary = await self._summary(event)
        if summary is None or summary.get("status", "open") != "open":
            return {"summary": summary}
        found = await to_thread.run_sync(lambda: self.feed.fits(summary, only))
        return {"summary": summary, "fits": found}

    @staticmethod
    def _route(
        event: outbox.Published,
        *,
        staff: Iterable[Sink],
        employers: dict[int, set[Connection]] | dict[int, list[Sink]],
        workers: dict[int, set[Connection]] | dict[int, list[Sink]],
        fits: dict[Any, Any],
    ) -> None:
        """Put the event's frames on every sink that may see them."""
        seq = event.seq
        text = encode(seq, event.kind, event.payload)
        for sink in staff:
            sink.push(seq, text)
        if event.employer_id is not None:
            for sink in employers.get(event.employer_id, ()):
                sink.push(seq, text)
        if event.worker_id is not None:
            for sink in workers.get(event.worker_id, ()):
                sink.push(seq, text)
        if not workers:
            return
        gone = event.kind in GONE_KINDS or (event.kind in FEED_KINDS and "fits" not in fits)
        if gone:
            job_id = event.job_id if event.job_id is not None else event.payload.get("job")
            remove = encode(seq, "feed.remove", {"job": job_id})
            for sinks in workers.values():
                for sink in sinks:
                    sink.push(seq, remove)
            return
        if "fits" not in fits:
            return
        matched: dict[int, Fit] = fits["fits"]
        if event.kind in SLOT_KINDS:  # public job data, to the feeds that show the job
            slots = encode(
                seq, "feed.slots", {"job": event.job_id, "slots_left": event.payload["slots_left"]}
            )
            for worker_id in matched:
                for sink in workers.get(worker_id, ()):
                    sink.push(seq, slots)
            return
        remove_unfit = event.kind == "job.updated"
        if not matched and not remove_unfit:
            return
        frames = FeedMessages(seq, fits["summary"] or {})
        remove = encode(seq, "feed.remove", {"job": event.job_id}) if remove_unfit else ""
        for worker_id, sinks in workers.items():
            fit = matched.get(worker_id)
            for sink in sinks:
                if fit is not None:
                    sink.push(seq, frames.text(fit, sink.lang))
                elif remove_unfit:
                    sink.push(seq, remove)

    # ------------------------------------------------------------ resume

    async def missed(
        self, *, user_id: int, role: str, lang: str, worker: m.Worker | None, after: int, until: int
    ) -> list[str] | None:
        """Frames a reconnecting user missed between two ids, or None when too far behind."""
        if after >= until:
            return []
        limit = self.settings.replay_limit
        if until - after > limit:
            return None
        events = await to_thread.run_sync(
            lambda: outbox.list_since(engine=self.engine, after=after, until=until, limit=limit)
        )
        if len(events) != until - after:
            return None
        sink = Collector(user_id, role, lang)
        staff: list[Sink] = [sink] if role not in (Role.worker, Role.employer) else []
        employers: dict[int, list[Sink]] = {user_id: [sink]} if role == Role.employer else {}
        workers: dict[int, list[Sink]] = {user_id: [sink]} if role == Role.worker else {}
        for event in events:
            fits: dict[Any, Any] = {}
            if workers:
                fits = await self._fits(event, worker) if worker is not None else {}
                if worker is None and event.kind in FEED_KINDS:
                    fits = {"summary": None, "fits": {}}
            self._route(event, staff=staff, employers=employers, workers=workers, fits=fits)
        return sink.frames


def _slots_changed(event: outbox.Published) -> bool:
    """A hire or a called-off hire that leaves the job open (a full one leaves the feeds)."""
    if event.kind not in SLOT_KINDS or event.job_id is None:
        return False
    if event.kind == "application.created" and event.payload.get("status") != "confirmed":
        return False
    return int(event.payload.get("slots_left") or 0) > 0
