"""Keyset paging: a page of rows and an opaque cursor to the next, stable under new rows.

A cursor is the sort key of the last row shown (id last, as the tie-breaker), JSON-encoded
and base64url'd so clients treat it as opaque. Fetching `limit + 1` rows tells whether
there is more without counting.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from market.errors import N_, Invalid

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
Key = int | datetime


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next: str | None  # the cursor for the following page; None on the last


def clamp(limit: int) -> int:
    """The page size asked for, kept within 1..MAX_LIMIT."""
    return max(1, min(limit, MAX_LIMIT))


def encode(*key: Key) -> str:
    """The cursor of a row whose sort key (id last) is `key`."""
    parts = [k.isoformat() if isinstance(k, datetime) else k for k in key]
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def decode(cursor: str, *shape: type) -> tuple[Key, ...]:
    """The sort key inside `cursor`, each part of the type in `shape`, or `Invalid`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
        if not isinstance(parts, list) or len(parts) != len(shape):
            raise ValueError
        return tuple(_part(value, kind) for value, kind in zip(parts, shape, strict=True))
    except (ValueError, binascii.Error, UnicodeDecodeError, TypeError) as error:
        raise Invalid(N_("This page link is not valid"), field="after") from error


def _part(value: object, kind: type) -> Key:
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is datetime and isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(value)


def page_of(rows: Sequence[T], limit: int, key: Callable[[T], tuple[Key, ...]]) -> Page[T]:
    """The first `limit` of `rows` (fetched `limit + 1`) and the cursor after them, if more."""
    if len(rows) <= limit:
        return Page(items=rows, next=None)
    items = rows[:limit]
    return Page(items=items, next=encode(*key(items[-1])))


def beyond(
    columns: Sequence[Any], key: Sequence[Key], *, descending: bool = False
) -> ColumnElement[bool]:
    """Rows past `key` in the order of `columns` (all ascending, or all `descending`)."""
    first, *rest = columns
    value, *more = key
    past = first < value if descending else first > value
    if not rest:
        return past
    return or_(past, and_(first == value, beyond(rest, more, descending=descending)))
