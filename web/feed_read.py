"""Reads that take the login from memory: the feed's request dependency (the worker's login
and what their feed reads besides the job book, from memory when all of it is cached
(`market.accounts.logins`), else from one read-only transaction on one worker thread), and
`read_with_login` for another safe request that needs the database anyway (a job's page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from market.accounts import logins
from market.feed import service as feed_service
from market.feed.readmodel import FeedReadModel
from market.feed.service import FeedContext
from market.models import Role, User, UserSession
from market.types import utcnow
from web.deps import (
    SAFE_METHODS,
    SentCsrf,
    admit,
    as_role,
    feed_model_of,
    read_database,
    read_login,
    request_token,
)


@dataclass(frozen=True)
class FeedRead:
    """A worker's feed request as read from the database: the login and, with a ready read
    model, the model and everything else the ranking needs (None: rank from the database)."""

    worker: User
    ready: tuple[FeedReadModel, FeedContext] | None


async def _feed_read(request: Request, sent: SentCsrf) -> FeedRead:
    """A worker's login and, with a ready read model, what their feed reads besides it.

    When the login was read a moment ago and the worker's entry, weights and the employers
    in arrears are all cached (`market.accounts.logins`, `feed_service.cached_feed_context`),
    nothing is read: no transaction, no thread. Otherwise one read-only transaction on a
    worker thread reads them (`read_with_login`: the login too when it is not remembered,
    then kept for the next feed); the ranking that
    follows runs in memory on the event loop either way."""
    model = feed_model_of(request)
    found = cached_login(request)
    if model is not None and found is not None and found[0].role == Role.worker:
        user, login = found
        context = feed_service.cached_feed_context(
            key=_database_key(request), worker_id=user.id or 0, model=model
        )
        if context is not None:
            admit(request, user, login)
            return FeedRead(user, (model, context))

    def read(session: Session, user: User) -> FeedRead:
        as_role(user, Role.worker)
        if model is None or not model.ready:
            return FeedRead(user, None)
        context = feed_service.feed_context(session=session, worker_id=user.id or 0, model=model)
        return FeedRead(user, (model, context))

    return await read_with_login(request, sent, read)


def cached_login(request: Request) -> tuple[User, UserSession] | None:
    """The request's login from this replica's memory, for a safe method while the read
    model that drops ended logins (`FeedReadModel.apply`) is current; None: ask the
    database. Writes always ask the database."""
    token, _ = request_token(request)
    model = feed_model_of(request)
    if not token or model is None or not model.ready or request.method not in SAFE_METHODS:
        return None
    return logins.remembered(token, utcnow())


T = TypeVar("T")


async def read_with_login(
    request: Request, sent: str | None, read: Callable[[Session, User], T]
) -> T:
    """`read(session, user)` in one read-only transaction on one worker thread, the login
    taken from memory when it is there (`cached_login`), else read in the same transaction
    and kept for the next request: a dependency per step was a thread hop each, and the
    login its own query."""
    known = cached_login(request)

    def run(session: Session) -> tuple[T, User, UserSession]:
        user, login = known if known is not None else read_login(request, session, sent)
        return read(session, user), user, login

    async with _memory_first_reads(request):
        answer, user, login = await run_in_threadpool(read_database, request, run)
    if known is None:
        logins.remember(user, login)  # committed: these rows expire no more
    else:
        admit(request, user, login)
    return answer


# Reads that go to the database only for what memory lacks wait here rather than for a
# thread; beside the routes' own MAX_DB_REQUESTS, this keeps the replica's sessions under
# its connection pool (30).
MAX_FEED_READS = 8


def _memory_first_reads(request: Request) -> anyio.Semaphore:
    state = request.app.state
    found: anyio.Semaphore | None = getattr(state, "feed_reads", None)
    if found is None:
        found = state.feed_reads = anyio.Semaphore(MAX_FEED_READS)
    return found


def _database_key(request: Request) -> str:
    state = request.app.state
    found: str | None = getattr(state, "database_key", None)
    if found is None:  # as learning_service.cache_key names it
        found = state.database_key = str(state.engine.url)
    return found


FeedReadDep = Annotated[FeedRead, Depends(_feed_read)]
