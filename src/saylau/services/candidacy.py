"""A candidacy (a party list or a single-member nomination) and its state machine.

A candidacy is named ``list:ID`` or ``smd:ID`` (:class:`CandidacyRef`). It moves through
``domain.states``: nominated → documents_complete → deposit_paid → registered | refused, later
withdrawn | cancelled, only by :func:`transition`, which audits each step. :func:`advance` takes
the automatic steps: a complete file (CL art. 104 paras 3, 3-1), then a deposit paid in full
(art. 104 paras 1, 1-1). The nomination and registration services share what is here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TypeAlias

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from saylau.domain.states import (
    CANDIDACY_TRANSITIONS,
    CandidacyState,
)
from saylau.law.deposit import DepositDue, deposit_due
from saylau.law.errors import LawInputError
from saylau.law.nomination import NominationRoute, RefusalReason
from saylau.services.audit import snapshot
from saylau.services.contests import contest_scope
from saylau.services.context import Context, Scope
from saylau.services.deadlines import election_rules
from saylau.services.documents import DocumentsReport, check_nomination_documents
from saylau.services.errors import InvalidInput, law_input, require_step
from saylau.storage.models import (
    BallotChoice,
    Contest,
    DepositEntry,
    DepositKind,
    ListEntry,
    Nomination,
    PartyList,
    SubmittedDocument,
)

INACTIVE_STATES = frozenset(
    {CandidacyState.REFUSED, CandidacyState.WITHDRAWN, CandidacyState.CANCELLED}
)
"""A candidacy in these states no longer counts: its person may be nominated elsewhere."""

PENDING_STATES = frozenset(
    {CandidacyState.NOMINATED, CandidacyState.DOCUMENTS_COMPLETE, CandidacyState.DEPOSIT_PAID}
)
"""A candidacy on its way to registration: its file and deposit may still change."""


# --- what a candidacy is -------------------------------------------------------------------------


class CandidacyKind(StrEnum):
    """A party list or a single-member nomination."""

    LIST = "list"
    SMD = "smd"


Candidacy: TypeAlias = PartyList | Nomination


@dataclass(frozen=True)
class CandidacyRef:
    """Names a candidacy: ``list:3`` (a party list) or ``smd:12`` (a single-member nomination)."""

    kind: CandidacyKind
    id: int

    @classmethod
    def parse(cls, text: str) -> CandidacyRef:
        kind, _, number = text.strip().partition(":")
        if kind not in {k.value for k in CandidacyKind} or not number.isdigit():
            raise InvalidInput(
                "bad_reference",
                f"candidacy={text!r}: write list:ID for a party list or smd:ID for a "
                "single-member nomination",
                field="candidacy",
            )
        return cls(CandidacyKind(kind), int(number))

    @classmethod
    def of(cls, candidacy: Candidacy) -> CandidacyRef:
        kind = CandidacyKind.LIST if isinstance(candidacy, PartyList) else CandidacyKind.SMD
        return cls(kind, candidacy.id)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"


def load_candidacy(ctx: Context, ref: CandidacyRef) -> Candidacy:
    """The candidacy ``ref`` names, or NotFound."""
    if ref.kind is CandidacyKind.LIST:
        return ctx.get(PartyList, ref.id, "party_list")
    return ctx.get(Nomination, ref.id, "nomination")


def route_of(candidacy: Candidacy) -> NominationRoute:
    """The nomination route, which decides the checklist and the deposit."""
    return NominationRoute.PARTY_LIST if isinstance(candidacy, PartyList) else candidacy.route


def contest_of(session: Session, candidacy: Candidacy) -> Contest:
    """The contest the candidacy stands in."""
    contest = session.get(Contest, candidacy.contest_id)
    assert contest is not None  # a foreign key
    return contest


def candidacy_scope(session: Session, candidacy: Candidacy) -> Scope:
    """The territory of a candidacy's contest and its party, for permission checks."""
    return contest_scope(session, contest_of(session, candidacy), candidacy.party_id)


def entity_name(candidacy: Candidacy) -> str:
    """The audit log's entity name of a candidacy."""
    return "party_list" if isinstance(candidacy, PartyList) else "nomination"


def owner_ids(candidacy: Candidacy) -> dict[str, int | None]:
    """The columns that tie a ledger line or a document to this candidacy, for a new row."""
    is_list = isinstance(candidacy, PartyList)
    return {
        "nomination_id": None if is_list else candidacy.id,
        "party_list_id": candidacy.id if is_list else None,
    }


def owned_by(
    model: type[BallotChoice] | type[DepositEntry] | type[SubmittedDocument], candidacy: Candidacy
) -> ColumnElement[bool]:
    """The condition selecting ``model``'s rows (ballot lines, ledger lines, documents) of this
    candidacy."""
    if isinstance(candidacy, PartyList):
        return model.party_list_id == candidacy.id
    return model.nomination_id == candidacy.id


def active_entries(candidacy: PartyList) -> list[ListEntry]:
    """The persons of a list who have not withdrawn from it."""
    return [entry for entry in candidacy.entries if not entry.withdrawn]


# --- the state machine ---------------------------------------------------------------------------


def transition(
    ctx: Context,
    candidacy: Candidacy,
    target: CandidacyState,
    *,
    reason: RefusalReason | None = None,
    note: str = "",
    changes: Mapping[str, object] | None = None,
) -> None:
    """Move a candidacy through the registration state machine (domain.states), audited;
    ``changes`` are further columns set by the same step (e.g. the registration order)."""
    before = snapshot(candidacy)
    require_step(
        str(CandidacyRef.of(candidacy)),
        CANDIDACY_TRANSITIONS,
        candidacy.state,
        target,
        field="state",
    )
    candidacy.state = target
    if reason is not None:
        candidacy.refusal_reason = reason
    if note:
        candidacy.state_note = note[:500]
    if target is CandidacyState.REGISTERED:
        candidacy.registered_at = ctx.now
    for attr, value in (changes or {}).items():
        setattr(candidacy, attr, value)
    ctx.session.flush()
    ctx.audit(
        f"candidacy_{target.value}",
        entity_name(candidacy),
        candidacy.id,
        before,
        snapshot(candidacy),
    )


def advance(ctx: Context, candidacy: Candidacy) -> None:
    """Take the automatic steps of the state machine: a complete file makes the candidacy
    ``documents_complete`` (CL art. 104 paras 3, 3-1); a deposit paid in full then makes it
    ``deposit_paid`` (art. 104 paras 1, 1-1)."""
    if (
        candidacy.state is CandidacyState.NOMINATED
        and documents_report(ctx.session, candidacy).complete
    ):
        transition(ctx, candidacy, CandidacyState.DOCUMENTS_COMPLETE)
    if candidacy.state is CandidacyState.DOCUMENTS_COMPLETE:
        due = deposit_due_for(ctx.session, candidacy)
        if deposit_paid(ctx.session, candidacy) >= due.amount:
            transition(ctx, candidacy, CandidacyState.DEPOSIT_PAID)


# --- its file and deposit ------------------------------------------------------------------------


def documents_report(session: Session, candidacy: Candidacy) -> DocumentsReport:
    """The checklist of a recorded candidacy against the documents received."""
    rows = session.execute(
        select(SubmittedDocument.document, SubmittedDocument.person_id).where(
            owned_by(SubmittedDocument, candidacy)
        )
    ).all()
    own = {document for document, person_id in rows if person_id is None}
    persons: dict[str, set[str]] = {}
    if isinstance(candidacy, PartyList):
        by_person: dict[int, set[str]] = {}
        for document, person_id in rows:
            if person_id is not None:
                by_person.setdefault(person_id, set()).add(document)
        for entry in active_entries(candidacy):
            persons[entry.person.iin] = by_person.get(entry.person_id, set())
    return check_nomination_documents(route_of(candidacy), own, persons)


def deposit_due_for(session: Session, candidacy: Candidacy) -> DepositDue:
    """The deposit a candidacy owes (CL art. 104 paras 1, 1-1; art. 88; decision #15): per
    person on the list (withdrawn persons excluded), reduced by the party's previous result."""
    contest = contest_of(session, candidacy)
    election = contest.election
    previous: Fraction | None = None
    persons = 1
    if isinstance(candidacy, PartyList):
        persons = len(active_entries(candidacy))
        if candidacy.previous_result is not None:
            previous = Fraction(candidacy.previous_result)
    try:
        return deposit_due(
            route_of(candidacy),
            persons,
            election.polling_day.year,
            previous,
            election_rules(election),
            body=contest.kind.body,
        )
    except LawInputError as error:
        raise law_input(error, "deposit") from error


def deposit_paid(session: Session, candidacy: Candidacy) -> int:
    """Tenge paid in so far (the ledger's ``paid`` lines)."""
    total = session.execute(
        select(func.coalesce(func.sum(DepositEntry.amount), 0)).where(
            owned_by(DepositEntry, candidacy), DepositEntry.kind == DepositKind.PAID
        )
    ).scalar_one()
    return int(total)
