"""Workflows of the demo election that one actor performs in one sitting: several calls of a
public service in one transaction (one ``execute``), as a commission records a batch of decisions.

Each function is an operation for :func:`saylau.services.context.execute`; every call inside keeps
its own permission checks and audit events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

from saylau.domain.roles import Role
from saylau.law.nomination import RefusalReason
from saylau.services.ballots import freeze_ballot
from saylau.services.candidacy import CandidacyRef
from saylau.services.context import Context
from saylau.services.districts import publish_districts
from saylau.services.mandates import assign_list_mandates, register_deputy
from saylau.services.nomination import (
    DocumentReceipt,
    ListSubmitted,
    PartyListInput,
    record_documents,
    submit_party_list,
)
from saylau.services.observers import (
    AccreditationApplication,
    accredit_organisation,
    apply_for_accreditation,
    assign_observer,
    issue_credentials,
)
from saylau.services.parties import admit_party
from saylau.services.protocols import resolve_protocol
from saylau.services.registration import record_deposit, refuse, register
from saylau.services.turnout import report_turnout
from saylau.services.users import NewUser, RoleGrant, assign_role, create_user

Refusal: TypeAlias = tuple[CandidacyRef, RefusalReason, str]
"""A candidacy refused, the reason of the law and the commission's note."""


@dataclass(frozen=True)
class Account:
    username: str
    full_name: str
    roles: tuple[tuple[Role, int | None, int | None], ...]
    """(role, commission id, party id) of each role the account holds."""
    copies: tuple[str, ...] = ("",)


def create_accounts(ctx: Context, accounts: Sequence[Account]) -> list[list[tuple[int, str]]]:
    """Create demo accounts without passwords (they cannot log in) and give them their roles."""
    made = []
    for account in accounts:
        users = []
        for copy in account.copies:
            username = f"{account.username}-{copy}" if copy else account.username
            name = f"{account.full_name} {copy.upper()}".strip()
            user = create_user(ctx, NewUser(username=username, full_name=name, password=None))
            for role, commission_id, party_id in account.roles:
                assign_role(ctx, RoleGrant(user.id, role, commission_id, party_id))
            users.append((user.id, user.username))
        made.append(users)
    return made


def admit_all(ctx: Context, election_id: int, party_ids: Sequence[int]) -> None:
    for party_id in party_ids:
        admit_party(ctx, election_id, party_id)


def publish_all(ctx: Context, election_id: int, body_ids: Sequence[int], reason: str) -> None:
    """Publish the districts of each body, with the reason for any deviation (decision #11)."""
    for body_id in body_ids:
        publish_districts(ctx, election_id, body_id, deviation_reason=reason)


def submit_lists(ctx: Context, inputs: Sequence[PartyListInput]) -> list[ListSubmitted]:
    return [submit_party_list(ctx, data) for data in inputs]


def late_biographies(ctx: Context, refs: Sequence[CandidacyRef]) -> None:
    for ref in refs:
        record_documents(ctx, ref, [DocumentReceipt("biography")])


def pay_deposits(ctx: Context, payments: Sequence[tuple[CandidacyRef, int]]) -> None:
    """Each candidacy's deposit, paid in full (the amount due when it was nominated)."""
    for ref, amount in payments:
        if amount:
            record_deposit(ctx, ref, amount, note="SYNTHETIC demo payment")


def decide_registrations(
    ctx: Context, standing: Sequence[CandidacyRef], refused: Sequence[Refusal]
) -> None:
    """The commission's decisions: the refusals with their reasons, then the registrations."""
    for ref, reason, note in refused:
        refuse(ctx, ref, reason, note)
    for ref in standing:
        register(ctx, ref)


def freeze_all(ctx: Context, contest_ids: Sequence[int]) -> None:
    for contest_id in contest_ids:
        freeze_ballot(ctx, contest_id)


def report_turnouts(
    ctx: Context, election_id: int, mark: str, figures: Sequence[tuple[int, int]]
) -> None:
    for precinct_id, voted in figures:
        report_turnout(ctx, election_id, precinct_id, mark, voted)


def resolve_all(ctx: Context, pending: Sequence[tuple[int, tuple[str, ...]]]) -> None:
    """The coordinator keeps the second entry (it matches the paper protocol)."""
    for protocol_id, warnings in pending:
        resolve_protocol(ctx, protocol_id, keep=2, acknowledge_warnings=warnings)


def assign_all(ctx: Context, party_id: int, decisions: Sequence[tuple[int, list[int]]]) -> None:
    """The party's decisions: its list seats go to the first persons of each list."""
    for contest_id, person_ids in decisions:
        if person_ids:
            assign_list_mandates(ctx, contest_id, party_id, person_ids)


def register_all(ctx: Context, mandate_ids: Sequence[int], applied_on: date) -> None:
    for mandate_id in mandate_ids:
        register_deputy(ctx, mandate_id, applied_on)


def accredit_observers(
    ctx: Context, application: AccreditationApplication, full_names: Sequence[str]
) -> list[int]:
    """An organisation applies, is accredited by the same commission and its observers get
    credentials (CL art. 20-1): the observer ids, in the order of ``full_names``."""
    organisation = apply_for_accreditation(ctx, application)
    accredit_organisation(ctx, organisation.id)
    return [o.id for o in issue_credentials(ctx, organisation.id, full_names)]


def assign_observers(
    ctx: Context, election_id: int, assignments: Sequence[tuple[int, Sequence[int]]]
) -> None:
    """Each observer (id) assigned to its precincts (ids) of the election."""
    for observer_id, precinct_ids in assignments:
        assign_observer(ctx, observer_id, election_id, precinct_ids)
