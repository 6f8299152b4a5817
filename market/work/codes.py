"""The day's attendance code of a job: six digits from the app's secret, nothing stored.

The employer's page shows today's code (and its QR code); a worker on the site types it
or scans it. A new code each local day: yesterday's no longer works.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import date

from market.settings import get_settings

DIGITS = 6


def attendance_code(*, job_id: int, day: date, secret: str | None = None) -> str:
    """The six-digit code of `job_id` on local day `day`."""
    key = (secret or get_settings().secret_key.get_secret_value()).encode()
    message = f"linggong-attendance:{job_id}:{day.isoformat()}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**DIGITS).zfill(DIGITS)


def normalise_code(text: str) -> str:
    """The digits of what was typed ("123 456", full-width digits) as a plain string."""
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


def code_matches(*, job_id: int, day: date, code: str) -> bool:
    """Whether `code` is the job's code on `day` (compared in constant time)."""
    return hmac.compare_digest(attendance_code(job_id=job_id, day=day), code)
