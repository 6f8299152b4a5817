"""Input shapes of sign-up, login, codes and passwords."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import (
    Field,
    field_validator,
)

from market.errors import N_
from market.fields import Strict

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
CODE_RE = re.compile(r"^\d{6}$")


def normalise_phone(raw: str) -> str:
    """A mainland mobile number without spaces, dashes or the +86 prefix."""
    phone = re.sub(r"[\s\-()]", "", raw)
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :]
    if not PHONE_RE.match(phone):
        raise ValueError(N_("Enter an 11-digit mainland mobile number, e.g. 13800138000"))
    return phone


def normalise_code(raw: str) -> str:
    """The 6 digits of a text-message code, spaces allowed in between."""
    code = re.sub(r"\s", "", raw)
    if not CODE_RE.match(code):
        raise ValueError(N_("Enter the 6-digit code from the text message"))
    return code


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


class CodeRequest(Strict):
    """Send me a code: to sign up with this phone, or to reset its password."""

    phone: str = Field(max_length=20)
    purpose: Literal["signup", "reset"] = "signup"

    _phone = field_validator("phone")(normalise_phone)


class Signup(Registration):
    """Sign-up through the API and the page: the account, with the code sent to its phone."""

    code: str = Field(max_length=20)

    _code = field_validator("code")(normalise_code)


class PasswordReset(Strict):
    phone: str = Field(max_length=20)
    code: str = Field(max_length=20)
    password: str = Field(min_length=8, max_length=128)

    _phone = field_validator("phone")(normalise_phone)
    _code = field_validator("code")(normalise_code)


class PasswordChange(Strict):
    old_password: str = Field(max_length=128)
    new_password: str = Field(min_length=8, max_length=128)


class EmployerIdentityUpdate(Strict):
    """Who an employer is: a 统一社会信用代码, or private_person with none."""

    credit_code: str | None = Field(default=None, max_length=30)
    private_person: bool = False


class PhoneCodeRequest(Strict):
    """Text a code to the number I want my account moved to."""

    phone: str = Field(max_length=20)

    _phone = field_validator("phone")(normalise_phone)


class PhoneChange(PhoneCodeRequest):
    """Move my account to the new number: the code texted to it, and my current password."""

    code: str = Field(max_length=20)
    password: str = Field(max_length=128)

    _code = field_validator("code")(normalise_code)
