"""New-job alerts: a job just posted tells the workers it suits, a few a day, then a digest.

A `job.posted` event becomes an alert for the workers the matching module ranks best for
the job (its hard constraints hold: trade, certificates, hours, reach, wage, no clash).
Each worker is pushed at most `daily_alerts` of them a local day (their setting, 5 unless
changed); the rest reach the inbox only and are counted in the day's `alert_tally`.

Workers on the posting employer's rehire list (常用工友) hear first: among the workers the
job suits, their alert comes first, says it is from an employer they worked for, and is
always pushed, whatever the day's number (it still counts in it).

At 18:00 local time (DIGEST_HOUR) a worker who had alerts held that day gets one digest,
"今天还有 K 个新活适合你", linking to the feed. It is written as an outbox event
(`job.digest`) in the transaction that stamps the tally, under an advisory lock on
PostgreSQL and a conditional update everywhere, so a restart neither loses nor repeats it
and two replicas never both write it. Quiet hours hold it like any message that is not
urgent (a worker quiet from 17:00 gets it when they end). Alerts held after the day's
digest went out stay in the inbox and the feed: there is no second digest for a day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from market.db import among, try_xact_lock
from market.errors import N_
from market.events.service import event_record
from market.feed import candidates as candidate_service
from market.feed.readmodel import FeedReadModel
from market.i18n import local
from market.models import Event, Job, JobStatus, Rehire
from market.notifications.models import AlertTally, NotifyPreference
from market.notifications.texts import Draft, shift_when
from market.types import utcnow

KIND = "job.posted"
DIGEST_KIND = "job.digest"
HELD = "held for the digest"  # the push delivery's note in the log
DIGEST_HOUR = 18  # local time the day's digest is written
DIGEST_LOCK = 0x6C675F6469676573  # "lg_diges"
FRESH = timedelta(hours=2)  # a job posted longer ago than this is no longer news
DEFAULT_DAILY_ALERTS = 5  # NotifyPreference.daily_alerts of a user who never chose
BEST = 50  # a new job alerts at most this many workers, the best ranked
POOL = 400  # ... ranked among this many nearest whose minimum pay it meets
CHUNK = 1000  # workers a statement: SQLite caps a statement's parameters


def alert_drafts(
    *, session: Session, events: list[Event], now: datetime, model: FeedReadModel | None = None
) -> dict[int, list[Draft]]:
    """By event id, an alert for each worker the job just posted suits (none once it
    closed, began or was posted hours ago). The workers near all these jobs are loaded
    once: the producer holds its lock meanwhile. With the replica's ready read `model` they
    come from its workers book (as the employer's candidates do), else from the database."""
    jobs = {}
    for event in events:
        job = session.get(Job, event.job_id) if event.job_id else None
        if job is None or job.status != JobStatus.open or job.start_at <= now:
            continue
        if now - job.created_at > FRESH:
            continue  # the loop was down, or a market was loaded: old news is no alert
        jobs[event.id or 0] = job
    if not jobs:
        return {}
    found = candidate_service.rank_candidates_many(
        session=session, jobs=list(jobs.values()), k=BEST, now=now, nearest=POOL, model=model
    )
    regulars = set(
        session.exec(
            select(Rehire.employer_id, Rehire.worker_id).where(
                col(Rehire.employer_id).in_({j.employer_id for j in jobs.values()})
            )
        ).all()
    )
    title, body = N_("A new job for you"), N_("{job}, {when}, ¥{wage} a day: tap to see it")
    out = {}
    for event_id, job in jobs.items():
        params = {"job": job.title, "when": shift_when(job), "wage": job.wage}
        # the candidates leave out who applied already (market.feed.candidates._offered)
        drafts = [
            Draft(int(match.worker), title, body, f"/jobs/{job.id}", params)
            for match in found[job.id or 0]
        ]
        first = [
            replace(d, title=N_("An employer you worked for has a new job"), first=True)
            for d in drafts
            if (job.employer_id, d.user_id) in regulars
        ]
        out[event_id] = first + [d for d in drafts if (job.employer_id, d.user_id) not in regulars]
    return out


def alerts_capped(*, session: Session, drafts: list[Draft], now: datetime) -> list[Draft]:
    """The alerts as written: past a worker's number for the day, held for the digest.

    Counts them in the day's tally, in the caller's transaction (the producer's lock), in
    `drafts`' order: one read and one upsert a batch (an ORM object a worker cost as much
    as ranking them).
    """
    day = local(now).date()
    users = sorted({d.user_id for d in drafts})
    if not users:
        return []
    tallies: dict[int, list[int]] = {}  # user id: [alerted, held]
    allowed: dict[int, int] = {}
    for at in range(0, len(users), CHUNK):
        chunk = users[at : at + CHUNK]
        tallies.update(
            (user_id, [alerted, held])
            for user_id, alerted, held in session.exec(
                select(AlertTally.user_id, AlertTally.alerted, AlertTally.held).where(
                    among(session, col(AlertTally.user_id), chunk),
                    col(AlertTally.day) == day,
                )
            )
        )
        allowed.update(
            session.exec(
                select(NotifyPreference.user_id, NotifyPreference.daily_alerts).where(
                    among(session, col(NotifyPreference.user_id), chunk)
                )
            ).all()
        )
    out = []
    for draft in drafts:
        tally = tallies.setdefault(draft.user_id, [0, 0])
        if draft.first or tally[0] < allowed.get(draft.user_id, DEFAULT_DAILY_ALERTS):
            tally[0] += 1
        else:
            tally[1] += 1
            draft = replace(draft, held=True)
        out.append(draft)
    rows = [
        {"user_id": user_id, "day": day, "alerted": alerted, "held": held}
        for user_id, (alerted, held) in tallies.items()
    ]
    if session.get_bind().dialect.name == "postgresql":
        # one statement of four arrays: its text never changes, so it is compiled once,
        # where a VALUES list of a thousand rows was compiled afresh for every batch
        session.execute(
            TALLY_UPSERT,
            {
                "users": [r["user_id"] for r in rows],
                "days": [r["day"] for r in rows],
                "alerted": [r["alerted"] for r in rows],
                "held": [r["held"] for r in rows],
            },
        )
        return out
    for at in range(0, len(rows), CHUNK):  # new tallies and changed ones, in one statement
        statement = sqlite_insert(AlertTally).values(rows[at : at + CHUNK])
        session.connection().execute(
            statement.on_conflict_do_update(
                index_elements=["user_id", "day"],
                set_={"alerted": statement.excluded.alerted, "held": statement.excluded.held},
            )
        )
    return out


TALLY_UPSERT = text(
    "INSERT INTO alert_tally (user_id, day, alerted, held) "
    "SELECT * FROM unnest(CAST(:users AS integer[]), CAST(:days AS date[]), "
    "CAST(:alerted AS integer[]), CAST(:held AS integer[])) "
    "ON CONFLICT (user_id, day) DO UPDATE SET alerted = excluded.alerted, held = excluded.held"
)


def digest_day(now: datetime) -> date:
    """The newest local day whose digest is due at `now` (today from 18:00, else yesterday)."""
    here = local(now)
    return here.date() if here.hour >= DIGEST_HOUR else here.date() - timedelta(days=1)


def digests_send(*, session: Session, now: datetime | None = None) -> list[tuple[int, int]]:
    """Write the digests now due: (worker id, alerts held) of each.

    A day whose digest was missed (the loop was down) still gets it the next day, before
    that day's own; older ones are dropped (the jobs have moved on).
    """
    now = now or utcnow()
    if not try_xact_lock(session, DIGEST_LOCK):
        return []
    last = digest_day(now)
    tallies = session.exec(
        select(AlertTally)
        .where(
            col(AlertTally.held) > 0,
            col(AlertTally.digest_at).is_(None),
            col(AlertTally.day).between(last - timedelta(days=1), last),
        )
        .order_by(col(AlertTally.day), col(AlertTally.user_id))
    ).all()
    sent = []
    for tally in tallies:
        stamped = session.execute(
            update(AlertTally)
            .where(
                col(AlertTally.user_id) == tally.user_id,
                col(AlertTally.day) == tally.day,
                col(AlertTally.digest_at).is_(None),
            )
            .values(digest_at=now)
            .execution_options(synchronize_session=False)
        )
        if not stamped.rowcount:  # type: ignore[attr-defined]
            continue  # another pass wrote it meanwhile: never twice
        event_record(
            session=session,
            kind=DIGEST_KIND,
            worker_id=tally.user_id,
            payload={"user": tally.user_id, "count": tally.held, "day": tally.day.isoformat()},
        )
        sent.append((tally.user_id, tally.held))
    session.flush()
    return sent
