"""What a hire agreed to pay and when: the one place the work record reads the terms.

Each application keeps the terms its worker accepted (market/applications/terms.py); the
pay after a hire only goes up, so the agreed pay is what the record measures payments by.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col

from market.models import Application, Job


def agreed_wage(application: Application, job: Job) -> int:
    """The pay the worker agreed to for this hire, in whole yuan."""
    return application.agreed_wage


def agreed_at(application: Application) -> datetime | None:
    """When the worker accepted the terms that hold (the claim, or the last change agreed)."""
    return application.terms_accepted_at


def agreed_wage_sql() -> Any:
    """`agreed_wage` as a SQL expression over `application` (joined with its `job`)."""
    return col(Application.agreed_wage)
