"""Logging in through the real form (cookie and CSRF token), as a browser would."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from market.models import Report, User
from market.reports import service as protection_service
from tests.factories import make_employer, make_job, make_worker
from tests.staff_factories import make_application
from tests.web.pages import forms


def log_in(client: TestClient, user: User, page: str = "/staff") -> str:
    """Log in through the login form; returns the session's form token (read off `page`)."""
    return forms.log_in(client, user, page)


def _png(width: int = 160, height: int = 100) -> bytes:
    """A real (solid orange) PNG, so the browser test shows the photo as a worker sent it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xf5\x8a\x1e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = _png()


def make_report(session: Session, *, description: str = "干完活老板不给钱") -> Report:
    """A worker who did yesterday's job reports the wage unpaid, with a photo."""
    yesterday = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    employer, worker = make_employer(session, name="黑心老板"), make_worker(session)
    job = make_job(session, employer=employer, start_at=yesterday, title="工地搬砖")
    make_application(session, job=job, worker=worker, status="completed")
    return protection_service.report_create(
        session=session,
        worker=worker,
        job_id=job.id or 0,
        kind="unpaid",
        agreed_wage=300,
        work_from=yesterday.date(),
        work_to=yesterday.date(),
        description=description,
        photo=protection_service.photo_check(PNG),
    )
