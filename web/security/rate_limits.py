"""Rate limits on the writes that cost us or others something: sign-up, reports, job posts,
claims, and the tries at a day's attendance code.

Each limit counts per user (an HMAC of the user id under the secret key) or per client
address (`request.client.host`, which uvicorn takes from the trusted proxy only). Counts
live in Redis when the app has a Redis URL (every replica sees them), in the process
otherwise, and in the process too while Redis is down, like the login throttle. Over a
limit the route is refused with `TooManyRequests`: 429, `Retry-After`, and a message in the
user's language, from the one error place (`web.errors`).

Why these numbers: a day-labour market's workers often share one address (a dormitory's
Wi-Fi, a labour-market square's hotspot, a carrier's NAT), so per-address limits are set
well above what one person does and only stop a script; the per-user limits are what a
busy person never reaches.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from market.errors import TooManyRequests
from market.models import User
from web.deps import (
    AssistedWorkerDep,
    CurrentEmployer,
    CurrentStationStaff,
    CurrentUser,
    CurrentWorker,
    PartyRecordDep,
)
from web.security.login import client_address

log = logging.getLogger("linggong.rate_limits")


@dataclass(frozen=True)
class Limit:
    name: str
    per: Literal["user", "address"]
    rate: str  # `limits` notation: "10/hour"


# Sign-up costs an Argon2 hash and answers whether a phone is registered: one address gets
# ten an hour (a union sign-up evening in a dormitory is a few people an hour; a script
# probing phone numbers is thousands).
SIGNUP_PER_ADDRESS = Limit("signup_per_address", "address", "10/hour")
# A one-time code costs a text message and lands on somebody's phone: ten an hour from one
# address (each phone also gets at most a few an hour, counted by the market). Finishing a
# sign-up or a reset guesses a code if it is not the holder's: twenty an hour per address
# on top of the five tries a code allows.
CODE_PER_ADDRESS = Limit("code_per_address", "address", "10/hour")
RESET_PER_ADDRESS = Limit("reset_per_address", "address", "20/hour")
# Changing a password checks the old one: a stolen session must not make it a guessing oracle.
PASSWORD_CHANGE_PER_USER = Limit("password_change_per_user", "user", "10/hour")
# A report carries a photo of up to 2 MB and lands in the staff's queue: one worker has no
# reason to file more than ten an hour; thirty per address leaves room for a crew that
# was cheated together reporting from one dormitory.
REPORT_PER_USER = Limit("report_per_user", "user", "10/hour")
REPORT_PER_ADDRESS = Limit("report_per_address", "address", "30/hour")
# A labour agent posting a morning's shifts posts a few dozen jobs; more is a flood of the
# workers' feeds.
JOB_POST_PER_USER = Limit("job_post_per_user", "user", "30/hour")
# Claims are the busiest write: a worker tapping through a morning's feed claims a few
# dozen, withdrawing and re-claiming included; a dormitory of a few hundred workers
# sharing one address stays under 300 an hour, a claiming bot does not.
CLAIM_PER_USER = Limit("claim_per_user", "user", "60/hour")
CLAIM_PER_ADDRESS = Limit("claim_per_address", "address", "300/hour")
# Station staff claim for the workers they registered, the worker beside them: each claim is
# a conversation of a minute or more, so one staff member stays under 120 an hour even on a
# busy morning; a stolen station account claiming for its workers does not. The worker's own
# per-user count goes on too, whoever taps for them.
CLAIM_PER_STATION_STAFF = Limit("claim_per_station_staff", "user", "120/hour")
# The day's attendance code is six digits and a hired worker may type it: unlimited tries
# would find it in time. A worker checks in and out once a shift, typos included a handful
# of times; twenty tries an hour leave a guesser one chance in 50,000 an hour. The employer
# recording attendance for the crew types no code and is not counted.
CODE_PER_WORKER = Limit("code_per_worker", "user", "20/hour")

LIMITS = (
    SIGNUP_PER_ADDRESS,
    CODE_PER_ADDRESS,
    RESET_PER_ADDRESS,
    PASSWORD_CHANGE_PER_USER,
    REPORT_PER_USER,
    REPORT_PER_ADDRESS,
    JOB_POST_PER_USER,
    CLAIM_PER_USER,
    CLAIM_PER_ADDRESS,
    CLAIM_PER_STATION_STAFF,
    CODE_PER_WORKER,
)


class RateLimiter:
    """Counts hits per limit and key, in Redis when configured, in memory otherwise."""

    def __init__(
        self,
        *,
        secret: str,
        redis_url: str | None = None,
        enabled: bool = True,
        overrides: dict[str, str] | None = None,
    ) -> None:
        unknown = set(overrides or {}) - {limit.name for limit in LIMITS}
        if unknown:
            raise ValueError(f"unknown rate limits: {', '.join(sorted(unknown))}")
        self.enabled = enabled
        self._secret = secret.encode()
        self._items: dict[str, RateLimitItem] = {
            limit.name: parse((overrides or {}).get(limit.name, limit.rate)) for limit in LIMITS
        }
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._shared = (
            MovingWindowRateLimiter(
                storage_from_string(redis_url, socket_timeout=1, socket_connect_timeout=1)
            )
            if redis_url
            else None
        )

    def _key(self, limit: Limit, value: str) -> str:
        message = f"{limit.name}\x1f{value}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:32]

    def hit(self, limit: Limit, value: str) -> None:
        """Count one hit of `limit` for `value`; raise TooManyRequests when over it."""
        if not self.enabled:
            return
        item, key = self._items[limit.name], self._key(limit, value)
        if self._shared is not None:
            try:
                if self._shared.hit(item, "lg", key):
                    return
                reset = self._shared.get_window_stats(item, "lg", key).reset_time
                raise TooManyRequests(max(1, math.ceil(reset - time.time())))
            except TooManyRequests:
                raise
            except Exception as exc:  # redis down: keep limiting, per process
                log.warning("rate limits: redis unavailable (%s); counting in process", exc)
        if not self._memory.hit(item, "lg", key):
            reset = self._memory.get_window_stats(item, "lg", key).reset_time
            raise TooManyRequests(max(1, math.ceil(reset - time.time())))


def rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def _signup(request: Request) -> None:
    rate_limiter(request).hit(SIGNUP_PER_ADDRESS, client_address(request))


def _code(request: Request) -> None:
    rate_limiter(request).hit(CODE_PER_ADDRESS, client_address(request))


def _reset(request: Request) -> None:
    rate_limiter(request).hit(RESET_PER_ADDRESS, client_address(request))


def _password_change(request: Request, user: CurrentUser) -> None:
    rate_limiter(request).hit(PASSWORD_CHANGE_PER_USER, str(user.id))


def _report(request: Request, worker: CurrentWorker) -> None:
    _user_and_address(request, worker, REPORT_PER_USER, REPORT_PER_ADDRESS)


def _job_post(request: Request, employer: CurrentEmployer) -> None:
    rate_limiter(request).hit(JOB_POST_PER_USER, str(employer.id))


def _claim(request: Request, worker: CurrentWorker) -> None:
    _user_and_address(request, worker, CLAIM_PER_USER, CLAIM_PER_ADDRESS)


def _station_claim(request: Request, staff: CurrentStationStaff, worker: AssistedWorkerDep) -> None:
    limiter = rate_limiter(request)
    limiter.hit(CLAIM_PER_STATION_STAFF, str(staff.id))
    limiter.hit(CLAIM_PER_USER, str(worker.id))


def _attendance_code(request: Request, user: CurrentUser, application: PartyRecordDep) -> None:
    if user.id == application.worker_id:
        rate_limiter(request).hit(CODE_PER_WORKER, str(user.id))


def _user_and_address(request: Request, user: User, per_user: Limit, per_address: Limit) -> None:
    limiter = rate_limiter(request)
    limiter.hit(per_user, str(user.id))
    limiter.hit(per_address, client_address(request))


# dependencies for the routes: `_: SignupLimit` in the signature, or `dependencies=[...]`
SignupLimit = Annotated[None, Depends(_signup)]
CodeLimit = Annotated[None, Depends(_code)]
ResetLimit = Annotated[None, Depends(_reset)]
PasswordChangeLimit = Annotated[None, Depends(_password_change)]
ReportLimit = Annotated[None, Depends(_report)]
JobPostLimit = Annotated[None, Depends(_job_post)]
ClaimLimit = Annotated[None, Depends(_claim)]
StationClaimLimit = Annotated[None, Depends(_station_claim)]
AttendanceCodeLimit = Annotated[None, Depends(_attendance_code)]
