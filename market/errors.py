"""Domain errors. Messages are translatable msgids; `web` turns them into HTTP in one place."""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a string for translation without translating it here (Babel extracts `N_`)."""
    return message


class DomainError(Exception):
    """A refusal a person can act on. `message` is an English msgid with `{name}` params."""

    def __init__(self, message: str, /, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params
        self.field = field


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
