"""Reading the small action forms (cancel with a reason, stars) into checked values."""

from __future__ import annotations

from starlette.datastructures import FormData

from market.errors import N_, Invalid
from market.types import MAX_ID


def cancel_reason(form: FormData) -> str:
    """The tapped reason, or the typed one when "other" was chosen; never empty."""
    chosen = form.get("reason")
    typed = form.get("reason_other")
    reason = typed if chosen == "other" or not chosen else chosen
    text = reason.strip()[:200] if isinstance(reason, str) else ""
    if not text:
        raise Invalid(N_("Give a reason"), field="reason")
    return text


def stars_of(form: FormData) -> int:
    """1 to 5 stars."""
    value = form.get("stars")
    if not isinstance(value, str) or value not in {"1", "2", "3", "4", "5"}:
        raise Invalid(N_("Give 1 to 5 stars"), field="stars")
    return int(value)


def id_of(form: FormData, name: str) -> int:
    """A posted record id (a worker, a job): a whole number in the ids' range."""
    value = form.get(name)
    if not isinstance(value, str) or not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise Invalid(N_("Choose one from the list"), field=name)
    return int(value)
