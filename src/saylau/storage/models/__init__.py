"""All models, imported here so that the metadata is complete for Alembic and the services."""

from saylau.storage.models.approval import Approval, ApprovalState
from saylau.storage.models.audit import AuditEvent, AuditHead
from saylau.storage.models.auth import LoginThrottle, TotpEnrolment, UserSession
from saylau.storage.models.base import Base
from saylau.storage.models.candidacy import (
    DepositEntry,
    DepositKind,
    ListEntry,
    Nomination,
    Party,
    PartyAdmission,
    PartyBranch,
    PartyList,
    Person,
    SubmittedDocument,
)
from saylau.storage.models.election import (
    BallotChoice,
    BallotDefinition,
    Body,
    BodyKind,
    Contest,
    ContestStatus,
    District,
    DistrictPrecinct,
    Election,
    ElectionStatus,
    LotRecord,
    StageOverrideRecord,
)
from saylau.storage.models.observers import Observer, ObserverAssignment, ObserverOrganisation
from saylau.storage.models.organisation import (
    ApiToken,
    Commission,
    CommissionMember,
    RoleAssignment,
    User,
)
from saylau.storage.models.outcome import (
    ContestResult,
    Mandate,
    MandateSource,
    MandateState,
    RecallCase,
    Vacancy,
    VacancyOutcome,
)
from saylau.storage.models.portal import CandidateApplication, DocumentFile
from saylau.storage.models.protocol import Protocol, ProtocolEntry, ProtocolVote, TurnoutReport
from saylau.storage.models.subscription import (
    Delivery,
    Subscription,
    SubscriptionEvent,
    SubscriptionKind,
)
from saylau.storage.models.territory import Precinct, Region, Unit

__all__ = [
    "ApiToken",
    "Approval",
    "ApprovalState",
    "AuditEvent",
    "AuditHead",
    "BallotChoice",
    "BallotDefinition",
    "Base",
    "Body",
    "BodyKind",
    "CandidateApplication",
    "Commission",
    "CommissionMember",
    "Contest",
    "ContestResult",
    "ContestStatus",
    "Delivery",
    "DepositEntry",
    "DepositKind",
    "District",
    "DistrictPrecinct",
    "DocumentFile",
    "Election",
    "ElectionStatus",
    "ListEntry",
    "LoginThrottle",
    "LotRecord",
    "Mandate",
    "MandateSource",
    "MandateState",
    "Nomination",
    "Observer",
    "ObserverAssignment",
    "ObserverOrganisation",
    "Party",
    "PartyAdmission",
    "PartyBranch",
    "PartyList",
    "Person",
    "Precinct",
    "Protocol",
    "ProtocolEntry",
    "ProtocolVote",
    "RecallCase",
    "Region",
    "RoleAssignment",
    "StageOverrideRecord",
    "SubmittedDocument",
    "Subscription",
    "SubscriptionEvent",
    "SubscriptionKind",
    "TotpEnrolment",
    "TurnoutReport",
    "Unit",
    "User",
    "UserSession",
    "Vacancy",
    "VacancyOutcome",
]
