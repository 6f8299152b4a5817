"""A worker's legal name and 身份证 number: checked (GB 11643), stored encrypted, shown masked.

Given by choice, for the evidence sheet of the work record and for legal aid. The number is
encrypted with Fernet under LINGGONG_ID_KEY (required in production; elsewhere a key derived
from the secret key stands in), so a copy of the database does not hold it in the clear. Only
the worker, their evidence sheets and staff handling their case see it; it never reaches an
employer and is never logged.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from sqlmodel import Session, col, select

from market.errors import N_, Invalid
from market.i18n import local
from market.models import User, WorkerIdentity
from market.settings import get_settings
from market.types import utcnow

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(17-i) mod 11
CHECK = "10X98765432"  # the check character for (sum mod 11) = 0 .. 10
SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    """The 18th character that the first 17 digits call for (GB 11643, ISO 7064 MOD 11-2)."""
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise_id_number(raw: str, *, today: date | None = None) -> str:
    """The number without spaces, final x in capitals, if its shape, birth date and check
    digit are right; `Invalid` (never echoing the number) otherwise."""
    number = re.sub(r"\s", "", raw).upper()
    if not SHAPE.match(number):
        raise Invalid(
            N_("An ID card number has 18 characters: 17 digits, then a digit or X"),
            field="id_number",
        )
    try:
        born = datetime.strptime(number[6:14], "%Y%m%d").date()
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > (today or local(utcnow()).date()):
        raise Invalid(
            N_("The birth date in this ID card number is not a real date"), field="id_number"
        )
    if check_digit(number[:17]) != number[17]:
        raise Invalid(
            N_("This ID card number does not add up; check it against the card"),
            field="id_number",
        )
    return number


def mask(number: str) -> str:
    """The first 4 and last 4 characters, the rest starred: 3706**********1234."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key)


def _cipher() -> Fernet:
    settings = get_settings()
    if settings.id_key is not None:
        return _fernet(settings.id_key.get_secret_value())
    # development and tests only: settings refuse production without LINGGONG_ID_KEY
    secret = settings.secret_key.get_secret_value().encode()
    derived = hashlib.sha256(b"linggong id-number key\0" + secret).digest()
    return _fernet(base64.urlsafe_b64encode(derived).decode())


@dataclass(frozen=True)
class Identity:
    legal_name: str
    id_number: str

    @property
    def masked(self) -> str:
        return mask(self.id_number)


def _read(row: WorkerIdentity) -> Identity:
    try:
        number = _cipher().decrypt(row.id_number_encrypted.encode()).decode()
    except InvalidToken:  # encrypted under a key since replaced: shown as unreadable
        number = "?" * 18
    return Identity(legal_name=row.legal_name, id_number=number)


def identity_set(*, session: Session, worker: User, legal_name: str, id_number: str) -> Identity:
    """Give or change my legal name and ID number (both together, checked first)."""
    name = legal_name.strip()
    if not 2 <= len(name) <= 50:
        raise Invalid(
            N_("Write your name as on your ID card (2 to 50 characters)"), field="legal_name"
        )
    number = normalise_id_number(id_number)
    row = session.get(WorkerIdentity, worker.id) or WorkerIdentity(
        user_id=worker.id or 0, legal_name=name, id_number_encrypted=""
    )
    row.legal_name = name
    row.id_number_encrypted = _cipher().encrypt(number.encode()).decode()
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return Identity(legal_name=name, id_number=number)


def identity_remove(*, session: Session, worker_id: int) -> None:
    """Remove my legal name and ID number (or those of a deleted account)."""
    row = session.get(WorkerIdentity, worker_id)
    if row is not None:
        session.delete(row)
        session.flush()


def get_identity(*, session: Session, worker_id: int) -> Identity | None:
    """A worker's legal name and ID number, decrypted: for their own pages, their evidence
    sheets and staff handling their case only."""
    row = session.get(WorkerIdentity, worker_id)
    return _read(row) if row is not None else None


def get_identities(*, session: Session, worker_ids: list[int]) -> dict[int, Identity]:
    """Several workers' identities at once (an evidence sheet of several records)."""
    if not worker_ids:
        return {}
    rows = session.exec(select(WorkerIdentity).where(col(WorkerIdentity.user_id).in_(worker_ids)))
    return {row.user_id: _read(row) for row in rows}
