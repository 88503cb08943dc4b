"""Nomination: party lists and single-member nominations, and the documents received for them.

A party list goes to a list contest (parties only, one list per party per contest: CL art. 103
para 1, art. 104 para 4); a single-member nomination comes from a party, a public association or
the citizen (art. 103 paras 1, 5-1). Both are accepted only within the nomination window
(E−60 → E−30 18:00 local, monograph [L232]), from an admitted party with a branch in the region
(monograph [L224]), for eligible persons (Const. arts. 33, 51, 86; CL art. 4) nominated in one
district of the whole election (CL art. 103 paras 3-1, 6). Documents follow the checklist of each
route (CL art. 104 paras 3, 3-1; monograph Table 4) and can be checked before submission.

The persons and their eligibility are :mod:`saylau.services.persons`; the checklist is
:mod:`saylau.services.documents`; the candidacy and its state machine are
:mod:`saylau.services.candidacy`; the nomination window is :mod:`saylau.services.deadlines`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.domain.states import CandidacyState
from saylau.law.deposit import DepositDue
from saylau.law.errors import LawInputError
from saylau.law.nomination import Contest as ContestType
from saylau.law.nomination import NominationRoute, Nominator, required_documents, route_for
from saylau.law.quota import ListPerson, QuotaCheck, check_list_quota
from saylau.law.rules import RuleSet
from saylau.services.audit import snapshot
from saylau.services.candidacy import (
    INACTIVE_STATES,
    PENDING_STATES,
    Candidacy,
    CandidacyRef,
    active_entries,
    advance,
    candidacy_scope,
    contest_of,
    deposit_due_for,
    documents_report,
    entity_name,
    load_candidacy,
    owned_by,
    owner_ids,
    route_of,
)
from saylau.services.contests import contest_region_id, contest_scope, describe_contest
from saylau.services.context import Context
from saylau.services.deadlines import (
    contest_calendar,
    election_rules,
    local_today,
    require_after,
    require_before,
)
from saylau.services.documents import DocumentsReport, check_nomination_documents
from saylau.services.errors import Conflict, InvalidInput, ServiceError, law_input
from saylau.services.parties import require_may_nominate
from saylau.services.persons import PersonInput, check_one_district, record_person, validate_person
from saylau.storage.models import (
    Contest,
    Election,
    ListEntry,
    Nomination,
    PartyList,
    Person,
    SubmittedDocument,
)

# --- documents received ---------------------------------------------------------------------------


def required_ids(route: NominationRoute) -> tuple[str, ...]:
    """The checklist of a route, as document ids in order (monograph Table 4)."""
    return tuple(d.id for d in required_documents(route))


@dataclass(frozen=True)
class DocumentReceipt:
    """A document received: its checklist id, and for a list's per-person document the IIN."""

    document: str
    iin: str | None = None

    @property
    def text(self) -> str:
        """``document``, or ``document@iin`` for a list person's document."""
        return self.document if self.iin is None else f"{self.document}@{self.iin}"


def _store_documents(
    ctx: Context, candidacy: Candidacy, receipts: Iterable[DocumentReceipt]
) -> list[str]:
    """Insert the receipts not yet recorded; return them as ``doc`` or ``doc@iin`` texts."""
    persons: dict[str, int] = {}
    if isinstance(candidacy, PartyList):
        persons = {e.person.iin: e.person_id for e in active_entries(candidacy)}
    have = {
        (document, person_id)
        for document, person_id in ctx.session.execute(
            select(SubmittedDocument.document, SubmittedDocument.person_id).where(
                owned_by(SubmittedDocument, candidacy)
            )
        ).all()
    }
    added: list[str] = []
    for receipt in receipts:
        person_id: int | None = None
        if receipt.iin is not None:
            if receipt.iin not in persons:
                raise InvalidInput(
                    "not_on_list",
                    f"iin={receipt.iin!r}: no such person on {CandidacyRef.of(candidacy)}",
                    field="iin",
                )
            person_id = persons[receipt.iin]
        if (receipt.document, person_id) in have:
            continue
        have.add((receipt.document, person_id))
        ctx.session.add(
            SubmittedDocument(
                **owner_ids(candidacy),
                person_id=person_id,
                document=receipt.document,
                received_at=ctx.now,
            )
        )
        added.append(receipt.text)
    ctx.session.flush()
    return added


def _validate_receipts(candidacy: Candidacy, receipts: Sequence[DocumentReceipt]) -> None:
    own = [r.document for r in receipts if r.iin is None]
    persons: dict[str, list[str]] = {}
    for receipt in receipts:
        if receipt.iin is not None:
            persons.setdefault(receipt.iin, []).append(receipt.document)
    if persons and not isinstance(candidacy, PartyList):
        raise InvalidInput(
            "per_person_document",
            "iin: per-person documents belong to party lists only",
            field="iin",
        )
    check_nomination_documents(route_of(candidacy), own, persons)


def record_documents(
    ctx: Context, ref: CandidacyRef, receipts: Sequence[DocumentReceipt]
) -> DocumentsReport:
    """Record documents received for a candidacy and report what is still missing.

    Receiving the same document again changes nothing (idempotent). Documents are accepted until
    registration closes (E−25 18:00 local, monograph [L266]); a complete file moves the candidacy
    to ``documents_complete``.
    """
    candidacy = load_candidacy(ctx, ref)
    contest = contest_of(ctx.session, candidacy)
    ctx.authorize(Action.SUBMIT_NOMINATION, candidacy_scope(ctx.session, candidacy))
    if candidacy.state not in PENDING_STATES:
        raise Conflict(
            "not_pending",
            f"{ref} is {candidacy.state.value}: its file is closed",
            field="state",
        )
    require_before(
        ctx, contest_calendar(ctx.session, contest), "registration_closes", f"documents for {ref}"
    )
    _validate_receipts(candidacy, receipts)
    before = documents_report(ctx.session, candidacy)
    added = _store_documents(ctx, candidacy, receipts)
    if added:
        ctx.audit(
            "record_documents",
            entity_name(candidacy),
            candidacy.id,
            {"missing": [m.text for m in before.missing]},
            {"received": added},
        )
    advance(ctx, candidacy)
    return documents_report(ctx.session, candidacy)


def documents_status(ctx: Context, ref: CandidacyRef) -> DocumentsReport:
    """What a candidacy's file still lacks (a read: nothing is written)."""
    return documents_report(ctx.session, load_candidacy(ctx, ref))


# --- submissions ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PartyListInput:
    """A party's list for one list contest: persons in list order and the list's own documents.

    ``previous_result`` is the party's share of the vote at the previous election of this body,
    which reduces the deposit (CL art. 104 para 1); None if it did not stand.
    """

    contest_id: int
    party_id: int
    persons: tuple[PersonInput, ...]
    documents: tuple[str, ...] = ()
    previous_result: Fraction | None = None


@dataclass(frozen=True, kw_only=True)
class SmdNominationInput:
    """A nomination in a single-member district by a party, a public association or oneself."""

    contest_id: int
    nominator: Nominator
    person: PersonInput
    party_id: int | None = None
    association: str = ""
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListSubmitted:
    """A party list received: its quota report, missing documents and the deposit due."""

    party_list_id: int
    contest_id: int
    party_id: int
    state: CandidacyState
    persons: tuple[str, ...]
    """IINs in list order."""
    quota: QuotaCheck | None
    """The 30% quota (None where the rule set has none); a failing list is refused at
    registration (CL art. 104 para 4)."""
    documents: DocumentsReport
    deposit: DepositDue
    created: bool = True
    """False when the same list was submitted before: nothing new but documents is written."""


@dataclass(frozen=True)
class NominationSubmitted:
    nomination_id: int
    contest_id: int
    person_id: int
    iin: str
    route: NominationRoute
    state: CandidacyState
    documents: DocumentsReport
    deposit: DepositDue
    created: bool = True
    """False when the same nomination was submitted before (a re-run import)."""


@dataclass
class _Prepared:
    contest: Contest
    election: Election
    rules: RuleSet
    region_id: int | None
    nomination_day: date


def _prepare(ctx: Context, contest: Contest, party_id: int | None, what: str) -> _Prepared:
    """Permission, then the window and the party's standing, common to both submissions."""
    ctx.authorize(Action.SUBMIT_NOMINATION, contest_scope(ctx.session, contest, party_id))
    calendar = contest_calendar(ctx.session, contest)
    require_after(ctx, calendar, "nomination_opens", what)
    require_before(ctx, calendar, "nomination_closes", what)
    election = contest.election
    region_id = contest_region_id(ctx.session, contest)
    if party_id is not None:
        require_may_nominate(ctx.session, election.id, party_id, region_id)
    return _Prepared(
        contest, election, election_rules(election), region_id, local_today(ctx, region_id)
    )


def list_quota_of(session: Session, party_list: PartyList) -> QuotaCheck | None:
    """The 30% quota report of a list over the persons not withdrawn (CL art. 104 para 4;
    art. 89 para 4 for the Mazhilis); None where the rule set has no quota."""
    contest = contest_of(session, party_list)
    rules = election_rules(contest.election)
    entries = active_entries(party_list)
    if rules.quota is None or not entries:
        return None
    persons = [
        ListPerson(e.person.iin, e.person.sex, e.person.birth_date, e.person.disability)
        for e in entries
    ]
    try:
        return check_list_quota(
            persons, contest.election.polling_day, contest.kind.body, rules.quota
        )
    except LawInputError as error:
        raise law_input(error, "persons") from error


def list_quota(ctx: Context, party_list_id: int) -> QuotaCheck | None:
    """The quota report of a recorded list (a read), over the persons not withdrawn."""
    party_list = ctx.get(PartyList, party_list_id, "party_list")
    return list_quota_of(ctx.session, party_list)


def submit_party_list(ctx: Context, data: PartyListInput) -> ListSubmitted:
    """Receive a party's list for a list contest (CL art. 103 para 1; art. 104 paras 3–4).

    Refused: outside the nomination window; a party not admitted or without a branch in the
    region (monograph [L224]); a second list of the party in the contest (art. 104 para 4); an
    invalid or mismatching IIN; an ineligible person; a person already standing elsewhere in the
    election (art. 103 paras 3-1, 6). A list short of the 30% quota is accepted with the shortfall
    reported, and refused at registration. The same list submitted again (same persons in the same
    order) changes nothing but recording documents not yet received.
    """
    contest = ctx.get(Contest, data.contest_id, "contest")
    if not contest.kind.is_list:
        raise InvalidInput(
            "not_a_list_contest",
            f"contest_id={contest.id}: {describe_contest(contest)} is a single-member contest; "
            "lists go to list contests (CL art. 103 para 1)",
            field="contest_id",
        )
    route = route_for(Nominator.POLITICAL_PARTY, ContestType.PARTY_LIST)
    ready = _prepare(ctx, contest, data.party_id, f"a list for {describe_contest(contest)}")
    if not data.persons:
        raise InvalidInput("empty_list", "persons: a list has at least one person", field="persons")
    iins = [p.iin for p in data.persons]
    repeated = sorted({i for i in iins if iins.count(i) > 1})
    if repeated:
        raise InvalidInput(
            "duplicate_person",
            f"persons: IIN {repeated} appear more than once; a person is on a list once",
            field="persons",
        )
    if data.previous_result is not None and not 0 <= data.previous_result <= 1:
        raise InvalidInput(
            "bad_share",
            f"previous_result={data.previous_result}: a share of the vote lies between 0 and 1",
            field="previous_result",
        )
    for index, given in enumerate(data.persons, start=1):
        validate_person(
            ctx.session, given, f"persons[{index}]", contest, ready.rules, ready.nomination_day
        )
    check_nomination_documents(route, data.documents, {p.iin: p.documents for p in data.persons})
    existing = ctx.session.execute(
        select(PartyList).where(
            PartyList.contest_id == contest.id, PartyList.party_id == data.party_id
        )
    ).scalar_one_or_none()
    receipts = [DocumentReceipt(d) for d in data.documents] + [
        DocumentReceipt(d, p.iin) for p in data.persons for d in p.documents
    ]
    if existing is not None:
        same = [e.person.iin for e in existing.entries] == iins and existing.previous_result == (
            None if data.previous_result is None else str(data.previous_result)
        )
        if not same:
            raise Conflict(
                "one_list_per_party",
                f"party {data.party_id} already submitted list:{existing.id} in "
                f"{describe_contest(contest)}: one list per party (CL art. 104 para 4)",
                field="party_id",
            )
        _resubmitted(ctx, existing, receipts)
        return _list_result(ctx, existing, created=False)
    persons = [record_person(ctx, p, f"persons[{i}]") for i, p in enumerate(data.persons, start=1)]
    party_list = PartyList(
        contest_id=contest.id,
        party_id=data.party_id,
        state=CandidacyState.NOMINATED,
        submitted_at=ctx.now,
        previous_result=None if data.previous_result is None else str(data.previous_result),
    )
    ctx.session.add(party_list)
    ctx.session.flush()
    for position, person in enumerate(persons, start=1):
        ctx.session.add(
            ListEntry(party_list_id=party_list.id, position=position, person_id=person.id)
        )
    ctx.session.flush()
    ctx.session.refresh(party_list, ["entries"])
    check_one_district(ctx, ready.election.id, [p.id for p in persons])
    ctx.audit(
        "submit_party_list",
        "party_list",
        party_list.id,
        None,
        {**snapshot(party_list), "persons": iins},
    )
    _store_documents(ctx, party_list, receipts)
    advance(ctx, party_list)
    return _list_result(ctx, party_list, created=True)


def _list_result(ctx: Context, party_list: PartyList, *, created: bool) -> ListSubmitted:
    return ListSubmitted(
        party_list_id=party_list.id,
        contest_id=party_list.contest_id,
        party_id=party_list.party_id,
        state=party_list.state,
        persons=tuple(e.person.iin for e in party_list.entries),
        quota=list_quota_of(ctx.session, party_list),
        documents=documents_report(ctx.session, party_list),
        deposit=deposit_due_for(ctx.session, party_list),
        created=created,
    )


def _resubmitted(ctx: Context, candidacy: Candidacy, receipts: Sequence[DocumentReceipt]) -> None:
    """A re-run of the same submission: only documents not yet received are recorded."""
    if candidacy.state not in {CandidacyState.NOMINATED, CandidacyState.DOCUMENTS_COMPLETE}:
        return
    added = _store_documents(ctx, candidacy, receipts)
    if added:
        ctx.audit(
            "record_documents", entity_name(candidacy), candidacy.id, None, {"received": added}
        )
    advance(ctx, candidacy)


def _check_nominator(data: SmdNominationInput) -> None:
    association = data.association.strip()
    if data.nominator is Nominator.POLITICAL_PARTY:
        if data.party_id is None:
            raise InvalidInput(
                "party_required", "party_id: a party nomination names the party", field="party_id"
            )
        if association:
            raise InvalidInput(
                "unexpected_association",
                "association: a party nomination names no association",
                field="association",
            )
        return
    if data.party_id is not None:
        raise InvalidInput(
            "unexpected_party",
            f"party_id={data.party_id}: only a party nomination names a party "
            f"(nominator {data.nominator.value})",
            field="party_id",
        )
    if data.nominator is Nominator.PUBLIC_ASSOCIATION and not association:
        raise InvalidInput(
            "association_required",
            "association: a public association's nomination names the association "
            "(CL art. 103 para 1)",
            field="association",
        )
    if data.nominator is Nominator.CITIZEN and association:
        raise InvalidInput(
            "unexpected_association",
            "association: a self-nomination names no association (CL art. 103 para 5-1)",
            field="association",
        )


def submit_nomination(ctx: Context, data: SmdNominationInput) -> NominationSubmitted:
    """Receive a nomination in a single-member district (CL art. 103 paras 1, 5-1; art. 104
    para 3-1), by the route ``route_for(nominator, single_member)``.

    Refused like a list (window, party standing, IIN, eligibility, one district in the whole
    election); a person is nominated in a district once. Submitting the same nomination again
    (a re-run import) changes nothing but recording documents not yet received.
    """
    contest = ctx.get(Contest, data.contest_id, "contest")
    if contest.kind.is_list:
        raise InvalidInput(
            "not_a_district_contest",
            f"contest_id={contest.id}: {describe_contest(contest)} is a list contest; submit a "
            "party list there (CL art. 103 para 1)",
            field="contest_id",
        )
    try:
        route = route_for(data.nominator, ContestType.SINGLE_MEMBER)
    except LawInputError as error:
        raise law_input(error) from error
    _check_nominator(data)
    ready = _prepare(ctx, contest, data.party_id, f"a nomination in {describe_contest(contest)}")
    validate_person(ctx.session, data.person, "person", contest, ready.rules, ready.nomination_day)
    documents = tuple(dict.fromkeys((*data.documents, *data.person.documents)))
    check_nomination_documents(route, documents)
    person = record_person(ctx, data.person, "person")
    existing = ctx.session.execute(
        select(Nomination).where(
            Nomination.contest_id == contest.id, Nomination.person_id == person.id
        )
    ).scalar_one_or_none()
    if existing is not None:
        same = (
            existing.route is route
            and existing.party_id == data.party_id
            and existing.association == data.association.strip()
            and existing.state not in INACTIVE_STATES
        )
        if not same:
            raise Conflict(
                "already_nominated",
                f"IIN {person.iin} is already nominated in {describe_contest(contest)} "
                f"(smd:{existing.id}, {existing.route.value}, {existing.state.value})",
                field="person.iin",
            )
        _resubmitted(ctx, existing, [DocumentReceipt(d) for d in documents])
        return _nomination_result(ctx, existing, person, created=False)
    nomination = Nomination(
        contest_id=contest.id,
        person_id=person.id,
        route=route,
        party_id=data.party_id,
        association=data.association.strip(),
        state=CandidacyState.NOMINATED,
        submitted_at=ctx.now,
    )
    ctx.session.add(nomination)
    ctx.session.flush()
    check_one_district(ctx, ready.election.id, [person.id])
    ctx.audit("submit_nomination", "nomination", nomination.id, None, snapshot(nomination))
    _store_documents(ctx, nomination, [DocumentReceipt(d) for d in documents])
    advance(ctx, nomination)
    return _nomination_result(ctx, nomination, person, created=True)


def _nomination_result(
    ctx: Context, nomination: Nomination, person: Person, *, created: bool
) -> NominationSubmitted:
    return NominationSubmitted(
        nomination_id=nomination.id,
        contest_id=nomination.contest_id,
        person_id=person.id,
        iin=person.iin,
        route=nomination.route,
        state=nomination.state,
        documents=documents_report(ctx.session, nomination),
        deposit=deposit_due_for(ctx.session, nomination),
        created=created,
    )


def submit_nominations(
    ctx: Context, items: Sequence[SmdNominationInput]
) -> tuple[NominationSubmitted, ...]:
    """Several nominations as one transaction: one bad row refuses them all, naming the row."""
    results: list[NominationSubmitted] = []
    for row, item in enumerate(items, start=1):
        try:
            results.append(submit_nomination(ctx, item))
        except ServiceError as error:
            raise type(error)(
                error.code,
                f"row {row}: {error.message}",
                field=f"row {row}: {error.field}" if error.field else f"row {row}",
                row=row,
                **error.params,
            ) from error
    return tuple(results)
