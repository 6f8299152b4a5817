"""What a hire agreed to pay: the one place the work record reads it.

The application keeps the terms its worker accepted (`agreed_wage`, when that column is
there); until then, and for hires made before it, the job's wage is the agreed pay.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func

from market.models import Application, Job


def agreed_wage(application: Application, job: Job) -> int:
    """The pay the worker agreed to for this hire, in whole yuan."""
    value = getattr(application, "agreed_wage", None)
    return int(value) if value is not None else job.wage


def agreed_at(application: Application) -> datetime | None:
    """When the worker's terms were agreed: the hire (merge point: the moment the worker
    accepted the application's current terms, once the application records it)."""
    return application.decided_at


def agreed_wage_sql() -> Any:
    """`agreed_wage` as a SQL expression over `application` joined with its `job`."""
    column = getattr(Application, "agreed_wage", None)
    return Job.wage if column is None else func.coalesce(column, Job.wage)
