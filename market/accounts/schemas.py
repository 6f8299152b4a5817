"""Input shapes of sign-up and login."""

from __future__ import annotations

import re

from pydantic import (
    Field,
    field_validator,
)

from market.errors import N_
from market.fields import Strict

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(raw: str) -> str:
    """A mainland mobile number without spaces, dashes or the +86 prefix."""
    phone = re.sub(r"[\s\-()]", "", raw)
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
    if not PHONE_RE.match(phone):
        raise ValueError(N_("Enter an 11-digit mainland mobile number, e.g. 13800138000"))
    return phone


class Registration(Strict):
    phone: str = Field(max_length=20)
    password: str = Field(min_length=8, max_length=128)
    name: str = Field(min_length=1, max_length=50)
    role: str = Field(pattern="^(worker|employer)$")
    org_name: str = Field(default="", max_length=100)

    _phone = field_validator("phone")(normalise_phone)


class Credentials(Strict):
    phone: str = Field(max_length=20)
    password: str = Field(max_length=128)

    _phone = field_validator("phone")(normalise_phone)
