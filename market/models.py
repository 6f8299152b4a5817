"""Every table, imported from its domain so Alembic and the tests see one metadata."""

from __future__ import annotations

from market.accounts.models import (
    EmployerLicence,
    EmployerProfile,
    PhoneCode,
    Role,
    User,
    UserSession,
)
from market.applications.models import (
    HIRED,
    STATUS_LABELS,
    AgreedTerms,
    Application,
    ApplicationStatus,
    Rating,
)
from market.dispatch.models import DispatchProposal, ProposalStatus
from market.events.models import Event
from market.idempotency.models import IdempotencyRecord
from market.invites.models import Block, Invite, InviteStatus, Rehire
from market.jobs.models import Job, JobCertificate, JobStatus
from market.learning.models import Impression, WeightsVersion, WorkerTaste
from market.membership.models import Membership, MembershipStatus
from market.moderation.models import ModerationAction
from market.notifications.models import (
    AlertTally,
    Delivery,
    Notification,
    NotifyCursor,
    NotifyPreference,
    PushSubscription,
    ShiftReminder,
    SmsMessage,
)
from market.reliability.models import EmployerStrike, Strike, StrikeAppeal, StrikeKind
from market.reports.models import (
    UPHELD_OUTCOMES,
    Report,
    ReportKind,
    ReportNote,
    ReportOutcome,
    ReportPhoto,
    ReportStatus,
)
from market.standby.models import Standby, StandbyStatus
from market.stations.models import AssistedWorker, Station, StationStaff
from market.stats.models import (
    StatsCounts,
    StatsDay,
    StatsDistance,
    StatsHour,
    StatsMonth,
    StatsPeople,
    StatsRefresh,
    StatsSupply,
    StatsSupplyWorker,
    StatsWait,
    StatsWorker,
)
from market.types import metadata
from market.wages.models import WageFloor, WageFloorRefusal
from market.work.models import (
    Attendance,
    AttendanceKind,
    AttendanceMethod,
    Payment,
    PaymentMethod,
    PostingHold,
    Verdict,
    WorkAnswer,
)
from market.workers.models import (
    AvailableDay,
    WeeklyAvailability,
    WorkerCertificate,
    WorkerIdentity,
    WorkerProfile,
    WorkerTrade,
)

__all__ = [
    "HIRED",
    "STATUS_LABELS",
    "UPHELD_OUTCOMES",
    "AgreedTerms",
    "AlertTally",
    "Application",
    "ApplicationStatus",
    "AssistedWorker",
    "Attendance",
    "AttendanceKind",
    "AttendanceMethod",
    "AvailableDay",
    "Block",
    "Delivery",
    "DispatchProposal",
    "EmployerLicence",
    "EmployerProfile",
    "EmployerStrike",
    "Event",
    "IdempotencyRecord",
    "Impression",
    "Invite",
    "InviteStatus",
    "Job",
    "JobCertificate",
    "JobStatus",
    "Membership",
    "MembershipStatus",
    "ModerationAction",
    "Notification",
    "NotifyCursor",
    "NotifyPreference",
    "Payment",
    "PaymentMethod",
    "PhoneCode",
    "PostingHold",
    "ProposalStatus",
    "PushSubscription",
    "Rating",
    "Rehire",
    "Report",
    "ReportKind",
    "ReportNote",
    "ReportOutcome",
    "ReportPhoto",
    "ReportStatus",
    "Role",
    "ShiftReminder",
    "SmsMessage",
    "Standby",
    "StandbyStatus",
    "Station",
    "StationStaff",
    "StatsCounts",
    "StatsDay",
    "StatsDistance",
    "StatsHour",
    "StatsMonth",
    "StatsPeople",
    "StatsRefresh",
    "StatsSupply",
    "StatsSupplyWorker",
    "StatsWait",
    "StatsWorker",
    "Strike",
    "StrikeAppeal",
    "StrikeKind",
    "User",
    "UserSession",
    "Verdict",
    "WageFloor",
    "WageFloorRefusal",
    "WeeklyAvailability",
    "WeightsVersion",
    "WorkAnswer",
    "WorkerCertificate",
    "WorkerIdentity",
    "WorkerProfile",
    "WorkerTaste",
    "WorkerTrade",
    "metadata",
]
