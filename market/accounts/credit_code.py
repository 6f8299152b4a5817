"""The 统一社会信用代码 (unified social credit code) of an organisation, GB 32100-2015.

18 characters from 0-9 and the capitals without I, O, Z, S and V: the registering
authority (1), the kind of organisation (1), the region (6), the organisation code (9) and
a check character, computed from the first 17 with weights 3^(i) mod 31.
"""

from __future__ import annotations

import re

from market.errors import N_

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
SHAPE = re.compile(rf"^[0-9A-HJ-NPQRTUWXY]{{2}}\d{{6}}[{CHARSET}]{{10}}$")


def check_character(first17: str) -> str:
    """The 18th character that the first 17 call for (GB 32100-2015, 4.2)."""
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalise_credit_code(raw: str) -> str:
    """The code in capitals without spaces, if its shape and check character are right."""
    code = re.sub(r"\s", "", raw).upper()
    if len(code) != 18 or not SHAPE.match(code):
        raise ValueError(
            N_("A unified social credit code has 18 characters: digits and capital letters")
        )
    if check_character(code[:17]) != code[17]:
        raise ValueError(
            N_("This unified social credit code does not add up; check it against the licence")
        )
    return code
