"""Field types and the strict base of every input shape; the limits are the market's rules."""

from __future__ import annotations

import re
from copy import copy
from typing import Annotated, Any, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
)

from market.errors import N_
from matching import trades as catalogue

Latitude = Annotated[
    float, Field(ge=-90, le=90, allow_inf_nan=False, description="WGS-84 latitude")
]


Longitude = Annotated[
    float, Field(ge=-180, le=180, allow_inf_nan=False, description="WGS-84 longitude")
]


Radius = Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]


Stars = Annotated[int, Field(ge=1, le=5)]


Reason = Annotated[str, Field(min_length=1, max_length=200)]


# C0 controls but tab, newline and carriage return; PostgreSQL refuses NUL in text outright
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


MAX_HEADCOUNT = 500


MIN_WAGE, MAX_WAGE = 50, 5000


MAX_SHIFT_HOURS = 16


MAX_DAYS_AHEAD = 60


def trade_code(value: str) -> str:
    code = catalogue.resolve_trade(value)
    if code is None:
        raise ValueError(N_("Unknown trade; choose one from the trade list"))
    return code


def certificate_codes(values: list[str]) -> list[str]:
    unknown = [v for v in values if not catalogue.is_certificate(v)]
    if unknown:
        raise ValueError(N_("Unknown certificate; choose one from the certificate list"))
    return sorted(set(values))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _plain_values(cls, value: Any, info: ValidationInfo) -> Any:
        """No control characters in text, and no true/false where a number belongs."""
        if isinstance(value, str) and CONTROL_RE.search(value):
            raise ValueError(N_("Text may not contain control characters"))
        name = info.field_name
        if isinstance(value, bool) and name and _is_number(cls.model_fields[name].annotation):
            raise ValueError(N_("Must be a number"))
        return value


def _is_number(annotation: Any) -> bool:
    """True for int and float fields, optional or constrained ones too (not for bool)."""
    if annotation in (int, float):
        return True
    return any(_is_number(a) for a in get_args(annotation))


def optional_fields(
    base: type[BaseModel], *, name: str, exclude: frozenset[str] | set[str] = frozenset()
) -> type[Strict]:
    """A strict input shape with `base`'s fields, limits kept, each optional (an update)."""
    fields: dict[str, Any] = {}
    for field_name, info in base.model_fields.items():
        if field_name in exclude:
            continue
        optional = copy(info)
        optional.default, optional.default_factory = None, None
        annotation: Any = info.annotation
        fields[field_name] = (annotation | None, optional)
    return create_model(name, __base__=Strict, **fields)
