"""Commission levels, user roles and what each role may do (issue #3 §1; issue #9 §2).

Roles are scoped to a commission: a TEC administrator of one region acts in that region only. The
permission matrix is data (:data:`PERMISSIONS`), enforced by the services, not only by the UI.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class CommissionLevel(StrEnum):
    """CEC → TEC (region, then second-level unit) → PEC (precinct): CL arts. 10–19."""

    CEC = "cec"
    TEC_REGION = "tec_region"
    TEC_UNIT = "tec_unit"
    PEC = "pec"


class Role(StrEnum):
    CEC_ADMIN = "cec_admin"
    TEC_ADMIN = "tec_admin"
    TEC_COORDINATOR = "tec_coordinator"
    PEC_TYPIST = "pec_typist"
    PARTY_AGENT = "party_agent"
    CANDIDATE = "candidate"
    """A self-nominee's own account (the portal's public sign-up): it acts on its own
    application only (``saylau.services.applicants``), never on anyone else's."""
    OBSERVER = "observer"
    ANALYST = "analyst"
    PUBLIC = "public"


class Action(StrEnum):
    """Everything a service may be asked to do; each is checked against :data:`PERMISSIONS`."""

    MANAGE_TERRITORY = "manage_territory"
    CALL_ELECTION = "call_election"
    MANAGE_DISTRICTS = "manage_districts"
    MANAGE_COMMISSIONS = "manage_commissions"
    MANAGE_USERS = "manage_users"
    ADMIT_PARTY = "admit_party"
    SUBMIT_NOMINATION = "submit_nomination"
    DECIDE_REGISTRATION = "decide_registration"
    RECORD_DEPOSIT = "record_deposit"
    MANAGE_BALLOTS = "manage_ballots"
    ENTER_PROTOCOL = "enter_protocol"
    RESOLVE_PROTOCOL = "resolve_protocol"
    CORRECT_DEFINITIVE_PROTOCOL = "correct_definitive_protocol"
    REPORT_TURNOUT = "report_turnout"
    TABULATE = "tabulate"
    PUBLISH_RESULTS = "publish_results"
    ASSIGN_MANDATE = "assign_mandate"
    REGISTER_DEPUTY = "register_deputy"
    HANDLE_VACANCY = "handle_vacancy"
    HANDLE_RECALL = "handle_recall"
    ACCREDIT_OBSERVERS = "accredit_observers"
    READ_AUDIT = "read_audit"
    READ_RESULTS = "read_results"


_ADMIN_ACTIONS = frozenset(Action) - {Action.ENTER_PROTOCOL}
_TEC_COORDINATOR = frozenset(
    {
        Action.ENTER_PROTOCOL,
        Action.RESOLVE_PROTOCOL,
        Action.REPORT_TURNOUT,
        Action.TABULATE,
        Action.READ_RESULTS,
        Action.READ_AUDIT,
    }
)

PERMISSIONS: Mapping[Role, frozenset[Action]] = MappingProxyType(
    {
        Role.CEC_ADMIN: _ADMIN_ACTIONS,
        Role.TEC_ADMIN: _ADMIN_ACTIONS - {Action.MANAGE_TERRITORY},
        Role.TEC_COORDINATOR: _TEC_COORDINATOR,
        Role.PEC_TYPIST: frozenset(
            {Action.ENTER_PROTOCOL, Action.REPORT_TURNOUT, Action.READ_RESULTS}
        ),
        Role.PARTY_AGENT: frozenset(
            {Action.SUBMIT_NOMINATION, Action.ASSIGN_MANDATE, Action.READ_RESULTS}
        ),
        Role.CANDIDATE: frozenset({Action.SUBMIT_NOMINATION, Action.READ_RESULTS}),
        Role.OBSERVER: frozenset({Action.READ_RESULTS, Action.READ_AUDIT}),
        Role.ANALYST: frozenset({Action.READ_RESULTS}),
        Role.PUBLIC: frozenset({Action.READ_RESULTS}),
    }
)
"""Role → actions. Territory is checked separately: the target must lie within the role's
commission (a CEC role covers the country). A candidate holds no commission, so by itself covers
nothing: ``saylau.services.applicants`` lets it act on its own application's contest only."""


def may(role: Role, action: Action) -> bool:
    return action in PERMISSIONS[role]
