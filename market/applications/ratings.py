"""Ratings both sides of a finished hire leave, and which ones a user has left."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from market.applications import service as application_service
from market.errors import N_, Conflict, Invalid
from market.events.service import event_record
from market.jobs import service as job_service
from market.models import (
    Application,
    ApplicationStatus,
    EmployerProfile,
    Rating,
    User,
    WorkerProfile,
)

S = ApplicationStatus


def rating_create(
    *, session: Session, application: Application, rater: User, stars: int, comment: str = ""
) -> Rating:
    """Rate the other side of a completed job, once."""
    job = job_service.get_job(session=session, job_id=application.job_id)
    side = application_service.side_of(application, job, rater)
    if application.status != S.completed:
        raise Conflict(N_("You can rate only after the job is done"))
    if not 1 <= stars <= 5:
        raise Invalid(N_("Give 1 to 5 stars"), field="stars")
    rated = job.employer_id if side == "worker" else application.worker_id
    assert application.id is not None and rater.id is not None
    already = session.exec(
        select(Rating.id).where(
            Rating.application_id == application.id, Rating.from_user_id == rater.id
        )
    ).first()
    if already is not None:
        raise Conflict(N_("You have already rated this job"))
    rating = Rating(
        application_id=application.id,
        from_user_id=rater.id,
        to_user_id=rated,
        stars=stars,
        comment=comment,
    )
    session.add(rating)
    try:
        session.flush()
    except IntegrityError as exc:  # the same rating sent twice at once
        raise Conflict(N_("You have already rated this job")) from exc
    profile: WorkerProfile | EmployerProfile | None = (
        session.get(EmployerProfile, rated)
        if side == "worker"
        else session.get(WorkerProfile, rated)
    )
    if profile is not None:
        profile.rating_sum += stars
        profile.rating_count += 1
        session.add(profile)
    event_record(
        session=session,
        kind="rating.created",
        job_id=job.id,
        worker_id=application.worker_id,
        employer_id=job.employer_id,
        payload={"application": application.id, "by": side, "stars": stars},
    )
    session.flush()
    return rating


def list_rated_application_ids(
    *, session: Session, user_id: int, application_ids: Sequence[int]
) -> set[int]:
    """Which of these applications `user_id` has already rated."""
    if not application_ids:
        return set()
    return set(
        session.exec(
            select(Rating.application_id).where(
                Rating.from_user_id == user_id,
                col(Rating.application_id).in_(list(application_ids)),
            )
        )
    )
