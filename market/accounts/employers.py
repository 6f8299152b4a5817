"""Who an employer is: their 统一社会信用代码, or that they hire as a private person.

The union's verified badge means staff checked one of the two against the licence (or the
person's ID); changing what was verified takes the badge away until staff look again.
"""

from __future__ import annotations

from sqlmodel import Session

from market.accounts.credit_code import normalise_credit_code
from market.errors import N_, Invalid, NotFound
from market.events.service import event_record
from market.models import EmployerProfile, User


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
        if profile.verified:  # staff verified something else: they look again
            profile.verified = False
            event_record(
                session=session,
                kind="employer.unverified",
                employer_id=profile.user_id,
                payload={"employer": profile.user_id, "verified": False},
            )
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
