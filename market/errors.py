"""Domain errors. Messages are translatable msgids; `web` turns them into HTTP in one place."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

# a write a refusal leaves behind although its own change is rolled back (see DomainError)
Trace = Callable[["Session"], None]


def N_(message: str) -> str:
    """Mark a string for translation without translating it here (Babel extracts `N_`)."""
    return message


class DomainError(Exception):
    """A refusal a person can act on. `message` is an English msgid with `{name}` params."""

    def __init__(
        self,
        message: str,
        /,
        *,
        field: str | None = None,
        trace: Trace | None = None,
        **params: Any,
    ) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params
        self.field = field
        # Nothing of a refused change is written; a `trace` is the exception: the record
        # of the refusal itself (a job offered below the union's wage floor is counted).
        # Whoever rolls the transaction back runs it in a transaction of its own
        # (`market.db.leave_traces`).
        self.trace = trace


def traces_of(error: BaseException | None) -> list[Trace]:
    """The traces of the domain errors in `error`'s chain (a page re-raises what it caught)."""
    traces: list[Trace] = []
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, DomainError) and error.trace is not None:
            traces.append(error.trace)
        error = error.__cause__ or error.__context__
    return traces


class NotFound(DomainError):
    """The thing asked for does not exist, or the user may not know it exists."""


class Conflict(DomainError):
    """The request clashes with the current state (job full, already applied, wrong state)."""


class NotAllowed(DomainError):
    """The user may not do this."""


class Invalid(DomainError):
    """The input breaks a rule (out of range, in the past, unknown trade)."""


class Unauthenticated(DomainError):
    """No valid session, or wrong credentials."""


class TooManyRequests(DomainError):
    """Over a rate limit (sign-ups, reports, job posts, claims): try again in `retry_after` s."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(N_("Too many requests; try again in {minutes} minutes"), minutes=minutes)
        self.retry_after = retry_after
