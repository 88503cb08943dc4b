"""Nomination: persons, party lists and single-member nominations, their documents.

A party list goes to a list contest (parties only, one list per party per contest: CL art. 103
para 1, art. 104 para 4); a single-member nomination comes from a party, a public association or
the citizen (art. 103 paras 1, 5-1). Both are accepted only within the nomination window
(E−60 → E−30 18:00 local, monograph [L232]), from an admitted party with a branch in the region
(monograph [L224]), for eligible persons (Const. arts. 33, 51, 86; CL art. 4) nominated in one
district of the whole election (CL art. 103 paras 3-1, 6). Documents follow the checklist of each
route (CL art. 104 paras 3, 3-1; monograph Table 4) and can be checked before submission.

This module also holds what the registration and ballot services share about a candidacy and its
contest: the contest's territory and calendar (the lead may merge the calendar helper with the
election-setup one), the candidacy reference and its state transitions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction
from typing import TypeAlias

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.domain.states import (
    CANDIDACY_TRANSITIONS,
    CandidacyState,
    InvalidTransition,
    require_transition,
)
from saylau.law.calendar import Calendar, Stage, StageOverride, election_calendar
from saylau.law.deposit import DepositDue, deposit_due
from saylau.law.eligibility import (
    CandidateFacts,
    DistrictNomination,
    check_candidate_eligibility,
    check_one_district_per_candidate,
)
from saylau.law.errors import LawInputError
from saylau.law.iin import Iin, IinError, Sex, check_iin_matches, parse_iin
from saylau.law.nomination import Contest as ContestType
from saylau.law.nomination import (
    Label,
    NominationRoute,
    Nominator,
    Provider,
    RefusalReason,
    check_documents,
    required_documents,
    route_for,
)
from saylau.law.quota import ListPerson, QuotaCheck, check_list_quota
from saylau.law.rules import Body as LawBody
from saylau.law.rules import RuleSet, rule_set
from saylau.reference.regions import CAPITAL_CODE, zone
from saylau.reference.regions import region as reference_region
from saylau.services.audit import snapshot
from saylau.services.context import NATIONAL, Context, Scope
from saylau.services.errors import Conflict, InvalidInput, ServiceError
from saylau.services.parties import require_may_nominate
from saylau.storage.models import (
    Contest,
    DepositEntry,
    DepositKind,
    DistrictPrecinct,
    Election,
    ListEntry,
    Nomination,
    Party,
    PartyList,
    Person,
    Precinct,
    Region,
    StageOverrideRecord,
    SubmittedDocument,
)

INACTIVE_STATES = frozenset(
    {CandidacyState.REFUSED, CandidacyState.WITHDRAWN, CandidacyState.CANCELLED}
)
"""A candidacy in these states no longer counts: its person may be nominated elsewhere."""


def law_input(error: LawInputError, prefix: str = "") -> InvalidInput:
    """A law-core refusal as a service error naming the field, the value and the rule."""
    name = f"{prefix}.{error.field}" if prefix else error.field
    return InvalidInput(
        "law_rule", f"{name}={error.value!r}: {error.rule}", field=name, value=str(error.value)
    )


# --- the contest's territory and calendar ---------------------------------------------------------


def contest_region_id(session: Session, contest: Contest) -> int | None:
    """The region a contest lies in; None for a national contest (the Mazhilis list, or a
    Mazhilis district spanning regions)."""
    if contest.body.region_id is not None:
        return contest.body.region_id
    if contest.district_id is None:
        return None
    regions = (
        session.execute(
            select(Precinct.region_id)
            .join(DistrictPrecinct, DistrictPrecinct.precinct_id == Precinct.id)
            .where(DistrictPrecinct.district_id == contest.district_id)
            .distinct()
        )
        .scalars()
        .all()
    )
    return regions[0] if len(regions) == 1 else None


def contest_scope(session: Session, contest: Contest, party_id: int | None = None) -> Scope:
    """The territory of a contest (and the party acting in it) for permission checks."""
    region_id = contest_region_id(session, contest)
    if region_id is None:
        return Scope(party_id=party_id) if party_id is not None else NATIONAL
    return Scope(region_id=region_id, unit_id=contest.body.unit_id, party_id=party_id)


def _zone_name(session: Session, region_id: int | None) -> str:
    if region_id is not None:
        region = session.get(Region, region_id)
        if region is not None:
            return region.iana_zone
    capital = session.execute(
        select(Region.iana_zone).where(Region.code == CAPITAL_CODE)
    ).scalar_one_or_none()
    return capital or reference_region(CAPITAL_CODE).iana_zone


def _calendar(
    session: Session, election: Election, region_id: int | None, body: LawBody
) -> Calendar:
    overrides = {
        record.stage: StageOverride(at=record.at, reason=record.reason, until=record.until)
        for record in session.execute(
            select(StageOverrideRecord).where(StageOverrideRecord.election_id == election.id)
        ).scalars()
    }
    try:
        return election_calendar(
            election.polling_day,
            zone(_zone_name(session, region_id)),
            rule_set(election.rules).calendar,
            election.kind,
            election.called_on,
            overrides,
            body=body,
        )
    except LawInputError as error:
        raise law_input(error, "election") from error


def contest_calendar(session: Session, contest: Contest) -> Calendar:
    """The election calendar in the contest's local time, with the election's stage overrides
    (decisions #12–#14). National contests use the capital's zone, where the CEC sits."""
    return _calendar(
        session, contest.election, contest_region_id(session, contest), contest.kind.body
    )


def local(stage_at: datetime) -> str:
    zone_name = getattr(stage_at.tzinfo, "key", str(stage_at.tzinfo))
    return f"{stage_at:%Y-%m-%d %H:%M} {zone_name}"


def _stage_text(stage: Stage) -> str:
    return f"{local(stage.at)} ({stage.id}, {stage.article})"


def require_before(ctx: Context, calendar: Calendar, stage_id: str, what: str) -> Stage:
    """Refuse ``what`` once the deadline ``stage_id`` has passed (a Conflict naming it)."""
    stage = calendar.stage(stage_id)
    if ctx.now > stage.at:
        raise Conflict(
            "deadline_passed",
            f"{what}: the deadline passed at {_stage_text(stage)}",
            field="now",
            stage=stage.id,
            deadline=stage.at.isoformat(),
        )
    return stage


def require_after(ctx: Context, calendar: Calendar, stage_id: str, what: str) -> Stage:
    """Refuse ``what`` before the stage ``stage_id`` has begun."""
    stage = calendar.stage(stage_id)
    if ctx.now < stage.at:
        raise Conflict(
            "not_yet_open",
            f"{what}: not before {_stage_text(stage)}",
            field="now",
            stage=stage.id,
            opens=stage.at.isoformat(),
        )
    return stage


def describe_contest(contest: Contest) -> str:
    """A human name of the contest for messages: body, kind and district."""
    text = f"{contest.body.name_en} {contest.kind.value} (contest {contest.id})"
    if contest.district is not None:
        text = f"{contest.body.name_en} district {contest.district.number} (contest {contest.id})"
    return text


# --- candidacies: a party list or a single-member nomination --------------------------------------


class CandidacyKind(StrEnum):
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
    if ref.kind is CandidacyKind.LIST:
        return ctx.get(PartyList, ref.id, "party_list")
    return ctx.get(Nomination, ref.id, "nomination")


def route_of(candidacy: Candidacy) -> NominationRoute:
    return NominationRoute.PARTY_LIST if isinstance(candidacy, PartyList) else candidacy.route


def contest_of(session: Session, candidacy: Candidacy) -> Contest:
    contest = session.get(Contest, candidacy.contest_id)
    assert contest is not None  # a foreign key
    return contest


def candidacy_scope(session: Session, candidacy: Candidacy) -> Scope:
    return contest_scope(session, contest_of(session, candidacy), candidacy.party_id)


def _entity(candidacy: Candidacy) -> str:
    return "party_list" if isinstance(candidacy, PartyList) else "nomination"


def active_entries(candidacy: PartyList) -> list[ListEntry]:
    return [entry for entry in candidacy.entries if not entry.withdrawn]


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
    try:
        require_transition("candidacy", CANDIDACY_TRANSITIONS, candidacy.state, target)
    except InvalidTransition as error:
        raise Conflict(
            "invalid_transition",
            f"{CandidacyRef.of(candidacy)} is {candidacy.state.value}: it cannot become "
            f"{target.value}",
            field="state",
            current=candidacy.state.value,
            target=target.value,
        ) from error
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
        f"candidacy_{target.value}", _entity(candidacy), candidacy.id, before, snapshot(candidacy)
    )


# --- deposits (the ledger is written by the registration service) ---------------------------------


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
            rule_set(election.rules),
            body=contest.kind.body,
        )
    except LawInputError as error:
        raise law_input(error, "deposit") from error


def deposit_paid(session: Session, candidacy: Candidacy) -> int:
    """Tenge paid in so far (the ledger's ``paid`` lines)."""
    column = (
        DepositEntry.party_list_id
        if isinstance(candidacy, PartyList)
        else DepositEntry.nomination_id
    )
    total = session.execute(
        select(func.coalesce(func.sum(DepositEntry.amount), 0)).where(
            column == candidacy.id, DepositEntry.kind == DepositKind.PAID
        )
    ).scalar_one()
    return int(total)


# --- documents ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingDocument:
    """A document of the checklist not (yet) received; ``iin`` names the list person it is for."""

    document: str
    name: Label
    article: str
    provided_by: Provider
    iin: str | None = None


@dataclass(frozen=True)
class DocumentsReport:
    """What a nomination's file lacks (CL art. 104 paras 3, 3-1; monograph Table 4)."""

    route: NominationRoute
    required: tuple[str, ...]
    missing: tuple[MissingDocument, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def check_nomination_documents(
    route: NominationRoute,
    documents: Collection[str],
    persons: Mapping[str, Collection[str]] | None = None,
) -> DocumentsReport:
    """The documents a file would still lack, checked before submission; writes nothing.

    ``documents`` are the file's own documents; for a party list, ``persons`` maps each listed
    person's IIN to their per-person documents (consent, biography, asset certificate,
    membership), which every person on the list needs (CL art. 104 para 3). The checklist and its
    order are the law core's (``saylau.law.nomination.check_documents``), which also refuses an
    unknown document id, so a typo cannot make a file look complete.
    """
    checklist = required_documents(route)
    per_person = {d.id for d in checklist if d.per_person}
    own = set(documents)
    misplaced = sorted(own & per_person)
    if misplaced:
        raise InvalidInput(
            "per_person_document",
            f"documents={misplaced}: each listed person hands these in; give them per person "
            "(CL art. 104 para 3)",
            field="documents",
        )
    try:
        missing = [
            MissingDocument(d.id, d.name, d.article, d.provided_by)
            for d in check_documents(route, own | per_person)
        ]
    except LawInputError as error:
        raise law_input(error, "documents") from error
    for iin, given in (persons or {}).items():
        wrong = sorted(set(given) - per_person)
        if wrong:
            raise InvalidInput(
                "not_per_person",
                f"persons[{iin}].documents={wrong}: not a per-person document of route "
                f"{route.value}; per-person: {sorted(per_person)}",
                field=f"persons[{iin}].documents",
            )
        missing += [
            MissingDocument(d.id, d.name, d.article, d.provided_by, iin)
            for d in check_documents(route, set(given) | (set(required_ids(route)) - per_person))
        ]
    return DocumentsReport(route, required_ids(route), tuple(missing))


def required_ids(route: NominationRoute) -> tuple[str, ...]:
    """The checklist of a route, as document ids in order (monograph Table 4)."""
    return tuple(d.id for d in required_documents(route))


def documents_report(session: Session, candidacy: Candidacy) -> DocumentsReport:
    """The checklist of a recorded candidacy against the documents received."""
    column = (
        SubmittedDocument.party_list_id
        if isinstance(candidacy, PartyList)
        else SubmittedDocument.nomination_id
    )
    rows = session.execute(
        select(SubmittedDocument.document, SubmittedDocument.person_id).where(
            column == candidacy.id
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


@dataclass(frozen=True)
class DocumentReceipt:
    """A document received: its checklist id, and for a list's per-person document the IIN."""

    document: str
    iin: str | None = None


def _store_documents(
    ctx: Context, candidacy: Candidacy, receipts: Iterable[DocumentReceipt]
) -> list[str]:
    """Insert the receipts not yet recorded; return them as ``doc`` or ``doc@iin`` texts."""
    is_list = isinstance(candidacy, PartyList)
    persons: dict[str, int] = {}
    if isinstance(candidacy, PartyList):
        persons = {e.person.iin: e.person_id for e in active_entries(candidacy)}
    column = SubmittedDocument.party_list_id if is_list else SubmittedDocument.nomination_id
    have = {
        (document, person_id)
        for document, person_id in ctx.session.execute(
            select(SubmittedDocument.document, SubmittedDocument.person_id).where(
                column == candidacy.id
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
                nomination_id=None if is_list else candidacy.id,
                party_list_id=candidacy.id if is_list else None,
                person_id=person_id,
                document=receipt.document,
                received_at=ctx.now,
            )
        )
        added.append(
            receipt.document if receipt.iin is None else f"{receipt.document}@{receipt.iin}"
        )
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
    if candidacy.state not in {
        CandidacyState.NOMINATED,
        CandidacyState.DOCUMENTS_COMPLETE,
        CandidacyState.DEPOSIT_PAID,
    }:
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
            _entity(candidacy),
            candidacy.id,
            {"missing": [_missing_text(m) for m in before.missing]},
            {"received": added},
        )
    advance(ctx, candidacy)
    return documents_report(ctx.session, candidacy)


def documents_status(ctx: Context, ref: CandidacyRef) -> DocumentsReport:
    """What a candidacy's file still lacks (a read: nothing is written)."""
    return documents_report(ctx.session, load_candidacy(ctx, ref))


def _missing_text(missing: MissingDocument) -> str:
    return missing.document if missing.iin is None else f"{missing.document}@{missing.iin}"


# --- persons --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PersonInput:
    """A person to nominate: identity (names in Kazakh and Russian, IIN, date of birth, sex) and
    the facts eligibility needs, each stated explicitly (Const. arts. 33, 51, 86; CL art. 4).

    ``documents`` are this person's per-person documents on a party list; on a single-member
    nomination they are simply part of the file.
    """

    iin: str
    surname: str
    name: str
    birth_date: date
    sex: Sex
    citizen: bool
    incapacitated_by_court: bool
    imprisoned_by_sentence: bool
    corruption_crime_conviction: bool
    unexpunged_conviction: bool
    patronymic: str = ""
    surname_ru: str = ""
    name_ru: str = ""
    patronymic_ru: str = ""
    disability: bool = False
    party_id: int | None = None
    """Party membership, if any."""
    residence_years: int | None = None
    """Years of permanent residence in Kazakhstan; stated for Mazhilis candidates only."""
    documents: tuple[str, ...] = ()
    synthetic: bool = False


_NAME_FIELDS = ("surname", "name", "patronymic", "surname_ru", "name_ru", "patronymic_ru")


def validate_person(
    session: Session,
    data: PersonInput,
    where: str,
    contest: Contest,
    rules: RuleSet,
    nomination_day: date,
) -> Iin:
    """Check the IIN (structure and agreement with date of birth and sex), the names and
    eligibility for the contest's body on polling day (decision #17). Every problem is named."""
    for attr in ("surname", "name"):
        if not getattr(data, attr).strip():
            raise InvalidInput(
                "missing_name",
                f"{where}.{attr}: a candidate is recorded with surname and name "
                "(CL art. 37 para 1)",
                field=f"{where}.{attr}",
            )
    try:
        iin = parse_iin(data.iin)
    except IinError as error:
        raise InvalidInput(
            "invalid_iin",
            f"{where}.iin={data.iin!r}: {error.rule}",
            field=f"{where}.iin",
            reason=error.reason.value,
        ) from error
    mismatches = check_iin_matches(iin, data.birth_date, data.sex)
    if mismatches:
        first = mismatches[0]
        stated_field = "birth_date" if first.field == "date_of_birth" else first.field
        raise InvalidInput(
            "iin_mismatch",
            "; ".join(
                f"{where}.{'birth_date' if m.field == 'date_of_birth' else m.field}={m.stated}: "
                f"the IIN {data.iin} encodes {m.encoded}"
                for m in mismatches
            ),
            field=f"{where}.{stated_field}",
        )
    if data.party_id is not None and session.get(Party, data.party_id) is None:
        raise InvalidInput(
            "unknown_party",
            f"{where}.party_id={data.party_id}: no such party",
            field=f"{where}.party_id",
        )
    facts = CandidateFacts(
        birth_date=data.birth_date,
        citizen=data.citizen,
        incapacitated_by_court=data.incapacitated_by_court,
        imprisoned_by_sentence=data.imprisoned_by_sentence,
        corruption_crime_conviction=data.corruption_crime_conviction,
        unexpunged_conviction=data.unexpunged_conviction,
        residence_years=data.residence_years,
    )
    try:
        problems = check_candidate_eligibility(
            facts,
            contest.kind.body,
            contest.election.polling_day,
            rules,
            nomination_day=nomination_day,
        )
    except LawInputError as error:
        raise law_input(error, where) from error
    if problems:
        raise InvalidInput(
            "ineligible",
            f"{where} (IIN {data.iin}) cannot stand: "
            + "; ".join(f"{p.problem.value}: {p.detail} ({p.article})" for p in problems),
            field=where,
            problems=[p.problem.value for p in problems],
        )
    return iin


def record_person(ctx: Context, data: PersonInput, where: str) -> Person:
    """The person with this IIN, created on first nomination.

    A later nomination may fill in names left empty before (audited) but never silently changes a
    recorded one: a different name for the same IIN is a Conflict naming the field.
    """
    person = ctx.session.execute(select(Person).where(Person.iin == data.iin)).scalar_one_or_none()
    if person is None:
        person = Person(
            iin=data.iin,
            surname=data.surname.strip(),
            name=data.name.strip(),
            patronymic=data.patronymic.strip(),
            surname_ru=data.surname_ru.strip(),
            name_ru=data.name_ru.strip(),
            patronymic_ru=data.patronymic_ru.strip(),
            birth_date=data.birth_date,
            sex=data.sex,
            disability=data.disability,
            party_id=data.party_id,
            synthetic=data.synthetic,
        )
        ctx.session.add(person)
        ctx.session.flush()
        ctx.audit("record_person", "person", person.id, None, snapshot(person))
        return person
    before = snapshot(person)
    changed = False
    for attr in _NAME_FIELDS:
        new = getattr(data, attr).strip()
        old = getattr(person, attr)
        if not new or new == old:
            continue
        if old:
            raise Conflict(
                "person_differs",
                f"{where}.{attr}={new!r}: IIN {data.iin} is recorded with {attr} {old!r}",
                field=f"{where}.{attr}",
            )
        setattr(person, attr, new)
        changed = True
    if data.disability and not person.disability:
        person.disability = True
        changed = True
    if data.party_id is not None and person.party_id != data.party_id:
        person.party_id = data.party_id
        changed = True
    if changed:
        ctx.session.flush()
        ctx.audit("update_person", "person", person.id, before, snapshot(person))
    return person


# --- one district, one maslikhat across the whole election ----------------------------------------


def check_one_district(ctx: Context, election_id: int, person_ids: Collection[int]) -> None:
    """Refuse if any of these persons now stands in more than one district of the election —
    a party list counts as a district (CL art. 103 paras 3-1, 6) — or for more than one body
    (LSA art. 5 para 2; Const. art. 52 para 3). Withdrawn, refused and cancelled candidacies and
    persons withdrawn from a list do not count."""
    if not person_ids:
        return
    smd = (
        select(Person.iin, Person.id, Contest.body_id, Contest.id)
        .join(Nomination, Nomination.person_id == Person.id)
        .join(Contest, Contest.id == Nomination.contest_id)
        .where(
            Contest.election_id == election_id,
            Person.id.in_(person_ids),
            Nomination.state.not_in(INACTIVE_STATES),
        )
    )
    listed = (
        select(Person.iin, Person.id, Contest.body_id, Contest.id)
        .join(ListEntry, ListEntry.person_id == Person.id)
        .join(PartyList, PartyList.id == ListEntry.party_list_id)
        .join(Contest, Contest.id == PartyList.contest_id)
        .where(
            Contest.election_id == election_id,
            Person.id.in_(person_ids),
            ListEntry.withdrawn.is_(False),
            PartyList.state.not_in(INACTIVE_STATES),
        )
    )
    rows = [*ctx.session.execute(smd).all(), *ctx.session.execute(listed).all()]
    conflicts = check_one_district_per_candidate(
        DistrictNomination(person=iin, maslikhat=str(body_id), district=str(contest_id))
        for iin, _person_id, body_id, contest_id in rows
    )
    if not conflicts:
        return
    first = conflicts[0]
    contests = [ctx.session.get(Contest, int(district)) for _body, district in first.districts]
    names = "; ".join(describe_contest(c) for c in contests if c is not None)
    bodies = {body for body, _district in first.districts}
    if len(bodies) > 1:
        code = "one_maslikhat"
        article = f"{first.article}; LSA art. 5 para 2; Const. art. 52 para 3"
    else:
        code = "one_district"
        article = first.article
    raise Conflict(
        code,
        f"IIN {first.person} would stand in more than one district of this election: {names} "
        f"({article})",
        field="iin",
        iin=first.person,
    )


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
    closes = require_before(ctx, calendar, "nomination_closes", what)
    election = contest.election
    region_id = contest_region_id(ctx.session, contest)
    if party_id is not None:
        require_may_nominate(ctx.session, election.id, party_id, region_id)
    tz = closes.at.tzinfo
    return _Prepared(
        contest, election, rule_set(election.rules), region_id, ctx.now.astimezone(tz).date()
    )


def list_quota_of(session: Session, party_list: PartyList) -> QuotaCheck | None:
    """The 30% quota report of a list over the persons not withdrawn (CL art. 104 para 4;
    art. 89 para 4 for the Mazhilis); None where the rule set has no quota."""
    contest = contest_of(session, party_list)
    rules = rule_set(contest.election.rules)
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
        ctx.audit("record_documents", _entity(candidacy), candidacy.id, None, {"received": added})
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
