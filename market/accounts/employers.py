"""Who an employer is: their 统一社会信用代码, or that they hire as a private person, and the
photo of their business licence (营业执照).

The union's verified badge means staff checked one of the two against the licence photo (or
the person's ID); changing what was verified, or sending a new licence photo, takes the
badge away until staff look again.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from market.accounts.credit_code import normalise_credit_code
from market.errors import N_, Invalid, NotFound
from market.events.service import event_record
from market.models import EmployerLicence, EmployerProfile, User
from market.types import utcnow

MAX_LICENCE_BYTES = 5 * 1024 * 1024
# what a licence photo may be, told by its first bytes (a file's name says nothing)
IMAGE_MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def _unverify(session: Session, profile: EmployerProfile) -> None:
    if profile.verified:
        profile.verified = False
        session.add(profile)
        event_record(
            session=session,
            kind="employer.unverified",
            employer_id=profile.user_id,
            payload={"employer": profile.user_id, "verified": False},
        )


def employer_identity_set(
    *, session: Session, employer: User, credit_code: str | None, private_person: bool
) -> EmployerProfile:
    """State my organisation's credit code, or that I hire as a private person."""
    profile = session.get(EmployerProfile, employer.id)
    if profile is None:
        raise NotFound(N_("Employer not found"))
    code: str | None = None
    if not private_person:
        if not (credit_code or "").strip():
            raise Invalid(
                N_(
                    "Give your unified social credit code, "
                    "or state that you hire as a private person"
                ),
                field="credit_code",
            )
        try:
            code = normalise_credit_code(credit_code or "")
        except ValueError as exc:
            raise Invalid(str(exc.args[0]), field="credit_code") from None
    if (code, private_person) != (profile.credit_code, profile.private_person):
        _unverify(session, profile)  # staff verified something else: they look again
        profile.credit_code, profile.private_person = code, private_person
        session.add(profile)
        session.flush()
    return profile


def verifiable(profile: EmployerProfile) -> bool:
    """Whether the employer stated who they are in a way staff can verify."""
    if profile.private_person:
        return True
    try:
        normalise_credit_code(profile.credit_code or "")
    except ValueError:
        return False
    return True


def get_employer_profile(*, session: Session, employer_id: int) -> EmployerProfile:
    """An employer's profile (name, credit code or private person, verified), or NotFound."""
    profile = session.get(EmployerProfile, employer_id)
    if profile is None:
        raise NotFound(N_("Employer not found"))
    return profile


def image_type(data: bytes) -> str | None:
    """The content type of a JPEG, PNG or WebP image, by its first bytes; None otherwise."""
    for magic, content_type in IMAGE_MAGIC.items():
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def licence_set(
    *, session: Session, employer: User, data: bytes, now: datetime | None = None
) -> EmployerLicence:
    """Keep the photo of my business licence, replacing any earlier one.

    A new photo takes the verified badge away: staff verified against the old one.
    """
    profile = get_employer_profile(session=session, employer_id=employer.id or 0)
    if len(data) > MAX_LICENCE_BYTES:
        raise Invalid(N_("The photo may be at most 5 MB"), field="photo")
    content_type = image_type(data)
    if content_type is None:
        raise Invalid(N_("The photo must be a JPEG, PNG or WebP image"), field="photo")
    at = now or utcnow()
    licence = session.get(EmployerLicence, profile.user_id)
    if licence is None:
        licence = EmployerLicence(
            employer_id=profile.user_id, content_type=content_type, data=data, uploaded_at=at
        )
        try:
            with session.begin_nested():
                session.add(licence)
        except IntegrityError:  # a photo sent at the same moment was kept first: replace it
            licence = session.get_one(EmployerLicence, profile.user_id)
    licence.content_type, licence.data, licence.uploaded_at = content_type, data, at
    session.add(licence)
    _unverify(session, profile)
    session.flush()
    return licence


def get_licence(*, session: Session, employer_id: int) -> EmployerLicence:
    """The employer's licence photo, or NotFound."""
    licence = session.get(EmployerLicence, employer_id)
    if licence is None:
        raise NotFound(N_("No licence photo has been sent"))
    return licence


def licence_times(*, session: Session, employer_ids: Collection[int]) -> dict[int, datetime]:
    """When each of these employers sent their licence photo (the photos are not loaded)."""
    if not employer_ids:
        return {}
    rows = session.exec(
        select(EmployerLicence.employer_id, EmployerLicence.uploaded_at).where(
            col(EmployerLicence.employer_id).in_(employer_ids)
        )
    ).all()
    return dict(rows)
