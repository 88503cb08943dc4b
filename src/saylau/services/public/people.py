"""Who stands and who won (issue #5 §1, second part): a body's candidates and party lists
(``elections/{election_id}/bodies/{body_id}/candidates/``) and its elected deputies
(``…/deputies/``), bounded by one body.

Only public data leave here (CL art. 106: the registered candidates are published): a candidate's
name, year of birth, nominator and party, never the IIN, the documents or the deposit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.states import CandidacyState
from saylau.law.nomination import RefusalReason
from saylau.services.public.body import BodyInfo
from saylau.services.public.common import (
    Crumb,
    ElectionInfo,
    MapParty,
    Progress,
    body_crumbs,
    body_instances,
    election_body,
    election_info,
    names,
    official,
    overall,
    synthetic,
    updated_at,
)
from saylau.services.public.tally import district_names
from saylau.storage.models import (
    Body,
    Contest,
    District,
    Election,
    ListEntry,
    Mandate,
    MandateSource,
    MandateState,
    Nomination,
    Party,
    PartyList,
    Person,
    Region,
)


@dataclass(frozen=True)
class CandidateRow:
    """One person standing in the body's contests: a district nominee or a list member.

    Public data only (CL art. 106: the registered candidates are published): the name, the year of
    birth, who nominated them and their party membership; never the IIN or the documents.
    """

    candidacy: str
    """``smd-<nomination id>`` or ``list-<list id>-<position>``."""
    contest_id: int
    kind: str
    district_number: int | None
    position: int | None
    """The place on the party list (lists only)."""
    name: str
    name_ru: str
    birth_year: int
    nominated_by: str
    """``party``, ``public_association`` or ``self`` (CL art. 103 para 1)."""
    nominator: str
    """The nominating party's code or the public association's name; empty for a self-nominee."""
    party: str | None
    """The person's party membership (code), if any."""
    status: str
    """``nominated``, ``registered``, ``refused``, ``cancelled``, ``withdrawn`` or ``elected``."""
    reason: str | None
    """The legal ground of a refusal or cancellation (``RefusalReason``)."""
    reason_kk: str | None
    reason_ru: str | None
    reason_en: str | None
    article: str | None


@dataclass(frozen=True)
class ListRow:
    """A party list of a list contest, with its members in list order."""

    list_id: int
    contest_id: int
    party: str
    party_kk: str
    party_ru: str
    party_en: str
    registration_order: int | None
    status: str
    reason: str | None
    reason_kk: str | None
    reason_ru: str | None
    reason_en: str | None
    members: tuple[CandidateRow, ...]


@dataclass(frozen=True)
class ContestCandidacies:
    contest_id: int
    kind: str
    seats: int
    district_number: int | None
    district_name: str | None
    candidates: tuple[CandidateRow, ...]
    """District nominees (single-member contests), by name."""
    lists: tuple[ListRow, ...]
    """Party lists (list contests), by registration order."""


@dataclass(frozen=True)
class BodyCandidates:
    """``elections/{election_id}/bodies/{body_id}/candidates/``."""

    election: ElectionInfo
    body: BodyInfo
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    contests: tuple[ContestCandidacies, ...]
    parties: tuple[MapParty, ...]
    """Every party named in the rows (nominators, lists, memberships), by code."""
    breadcrumbs: tuple[Crumb, ...]

    @property
    def rows(self) -> tuple[CandidateRow, ...]:
        """Every person, in page order (the CSV twin)."""
        return tuple(
            row
            for contest in self.contests
            for row in (*contest.candidates, *(m for lst in contest.lists for m in lst.members))
        )


_STATUS: Mapping[CandidacyState, str] = {
    CandidacyState.NOMINATED: "nominated",
    CandidacyState.DOCUMENTS_COMPLETE: "nominated",
    CandidacyState.DEPOSIT_PAID: "nominated",
    CandidacyState.REGISTERED: "registered",
    CandidacyState.REFUSED: "refused",
    CandidacyState.WITHDRAWN: "withdrawn",
    CandidacyState.CANCELLED: "cancelled",
}
"""The public status of a candidacy: the steps before registration are all "nominated"."""

_HOLDING = (MandateState.WON, MandateState.ASSIGNED, MandateState.REGISTERED)


def body_candidates(session: Session, *, election_id: int, body_id: int) -> BodyCandidates:
    """Every candidacy in the body's contests: district nominees and party lists with members."""
    election, body = election_body(session, election_id, body_id)
    contests = list(
        session.scalars(
            select(Contest)
            .where(Contest.election_id == election.id, Contest.body_id == body.id)
            .order_by(Contest.id)
        )
    )
    ids = [c.id for c in contests]
    districts = district_names(session, [c.district_id for c in contests if c.district_id])
    elected = _elected(session, ids)
    parties = {p.id: p for p in session.scalars(select(Party))}
    nominees: dict[int, list[CandidateRow]] = {}
    if ids:
        for nomination, person in session.execute(
            select(Nomination, Person)
            .join(Person, Person.id == Nomination.person_id)
            .where(Nomination.contest_id.in_(ids))
            .order_by(Nomination.contest_id, Person.surname, Person.name, Nomination.id)
        ):
            contest = next(c for c in contests if c.id == nomination.contest_id)
            status = _STATUS[nomination.state]
            if status == "registered" and (contest.id, person.id) in elected:
                status = "elected"
            route = nomination.route.value
            nominator = _code(parties, nomination.party_id) or nomination.association
            nominees.setdefault(contest.id, []).append(
                _candidate(
                    f"smd-{nomination.id}",
                    contest,
                    districts.get(contest.district_id or 0, (None, None))[0],
                    None,
                    person,
                    "self"
                    if route == "self_nominated_smd"
                    else "public_association"
                    if route == "public_association_smd"
                    else "party",
                    "" if route == "self_nominated_smd" else nominator,
                    parties,
                    status,
                    nomination.refusal_reason,
                )
            )
    lists: dict[int, list[ListRow]] = {}
    if ids:
        party_lists = list(
            session.scalars(
                select(PartyList)
                .where(PartyList.contest_id.in_(ids))
                .order_by(PartyList.contest_id, PartyList.registration_order, PartyList.id)
            )
        )
        entries: dict[int, list[tuple[ListEntry, Person]]] = {}
        if party_lists:
            for entry, person in session.execute(
                select(ListEntry, Person)
                .join(Person, Person.id == ListEntry.person_id)
                .where(ListEntry.party_list_id.in_([pl.id for pl in party_lists]))
                .order_by(ListEntry.party_list_id, ListEntry.position)
            ):
                entries.setdefault(entry.party_list_id, []).append((entry, person))
        for party_list in party_lists:
            contest = next(c for c in contests if c.id == party_list.contest_id)
            party = parties[party_list.party_id]
            list_status = _STATUS[party_list.state]
            members = []
            for entry, person in entries.get(party_list.id, []):
                status = list_status
                if entry.withdrawn and list_status in ("nominated", "registered"):
                    status = "withdrawn"
                elif list_status == "registered" and (contest.id, person.id) in elected:
                    status = "elected"
                members.append(
                    _candidate(
                        f"list-{party_list.id}-{entry.position}",
                        contest,
                        None,
                        entry.position,
                        person,
                        "party",
                        party.code,
                        parties,
                        status,
                        party_list.refusal_reason if status == list_status else None,
                    )
                )
            reason = party_list.refusal_reason
            lists.setdefault(contest.id, []).append(
                ListRow(
                    list_id=party_list.id,
                    contest_id=contest.id,
                    party=party.code,
                    party_kk=party.name_kk,
                    party_ru=party.name_ru or party.name_kk,
                    party_en=party.name_en,
                    registration_order=party_list.registration_order,
                    status=list_status,
                    reason=reason.value if reason else None,
                    reason_kk=reason.label.kk if reason else None,
                    reason_ru=reason.label.ru if reason else None,
                    reason_en=reason.label.en if reason else None,
                    members=tuple(members),
                )
            )
    out = []
    for contest in sorted(
        contests,
        key=lambda c: (
            not c.kind.is_list,
            districts.get(c.district_id or 0, (0, None))[0] or 0,
            c.id,
        ),
    ):
        number, name = districts.get(contest.district_id or 0, (None, None))
        out.append(
            ContestCandidacies(
                contest_id=contest.id,
                kind=contest.kind.value,
                seats=contest.seats,
                district_number=number,
                district_name=name,
                candidates=tuple(nominees.get(contest.id, [])),
                lists=tuple(lists.get(contest.id, [])),
            )
        )
    return BodyCandidates(
        **_header(session, election, body),
        contests=tuple(out),
        parties=_named_parties(parties, out),
    )


def _candidate(
    candidacy: str,
    contest: Contest,
    district_number: int | None,
    position: int | None,
    person: Person,
    nominated_by: str,
    nominator: str,
    parties: Mapping[int, Party],
    status: str,
    reason: RefusalReason | None,
) -> CandidateRow:
    shown = reason if status in ("refused", "cancelled") else None
    return CandidateRow(
        candidacy=candidacy,
        contest_id=contest.id,
        kind=contest.kind.value,
        district_number=district_number,
        position=position,
        name=person.full_name,
        name_ru=_russian(person),
        birth_year=person.birth_date.year,
        nominated_by=nominated_by,
        nominator=nominator,
        party=_code(parties, person.party_id),
        status=status,
        reason=shown.value if shown else None,
        reason_kk=shown.label.kk if shown else None,
        reason_ru=shown.label.ru if shown else None,
        reason_en=shown.label.en if shown else None,
        article=shown.article if shown else None,
    )


def _named_parties(
    parties: Mapping[int, Party], contests: Sequence[ContestCandidacies]
) -> tuple[MapParty, ...]:
    codes = {lst.party for c in contests for lst in c.lists}
    for contest in contests:
        for row in (*contest.candidates, *(m for lst in contest.lists for m in lst.members)):
            codes |= {row.party} if row.party else set()
            codes |= {row.nominator} if row.nominated_by == "party" and row.nominator else set()
    return tuple(
        MapParty(p.code, *names(p))
        for p in sorted(parties.values(), key=lambda p: p.code)
        if p.code in codes
    )


def _code(parties: Mapping[int, Party], party_id: int | None) -> str | None:
    party = parties.get(party_id) if party_id is not None else None
    return party.code if party is not None else None


def _russian(person: Person) -> str:
    """The name in its Russian spelling when one is recorded, else as registered."""
    russian = " ".join(p for p in (person.surname_ru, person.name_ru, person.patronymic_ru) if p)
    return russian or person.full_name


def _elected(session: Session, contest_ids: Sequence[int]) -> set[tuple[int, int]]:
    """(contest id, person id) of everyone holding a mandate won in these contests."""
    if not contest_ids:
        return set()
    rows = session.execute(
        select(Mandate.contest_id, Mandate.person_id).where(
            Mandate.contest_id.in_(contest_ids),
            Mandate.person_id.is_not(None),
            Mandate.state.in_(_HOLDING),
        )
    )
    return {(int(c), int(p)) for c, p in rows if p is not None}


class _Header(TypedDict):
    """What the candidates and the deputies views of a body say above their tables."""

    election: ElectionInfo
    body: BodyInfo
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    breadcrumbs: tuple[Crumb, ...]


def _header(session: Session, election: Election, body: Body) -> _Header:
    """The election, the body, the flags, the progress and the breadcrumbs of a body's view."""
    region = session.get(Region, body.region_id) if body.region_id is not None else None
    return _Header(
        election=election_info(election),
        body=BodyInfo(
            body.id, body.kind.value, region.code if region else None, *names(body), body.seats
        ),
        synthetic=synthetic(session, None),
        updated_at=updated_at(session, election.id, body_id=body.id),
        official=official(session, election.id, Contest.body_id == body.id),
        progress=overall(session, election.id, body_id=body.id),
        breadcrumbs=tuple(body_crumbs(session, election, body)),
    )


def candidates_instances(session: Session) -> Iterator[dict[str, int | str]]:
    """Every body of every election (its candidates' view; the deputies' view has the same)."""
    return body_instances(session)


# --- deputies -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeputyRow:
    """An elected person holding a seat of the body won in this election."""

    mandate_id: int
    name: str
    name_ru: str
    birth_year: int
    source: str
    """``party_list`` or ``single_member``."""
    party: str | None
    """The list's party, or the district winner's nominating party."""
    party_kk: str | None
    party_ru: str | None
    party_en: str | None
    contest_id: int
    district_number: int | None
    state: str
    """``registered`` (a deputy), ``assigned`` (a list seat given by the party) or ``won`` (a
    district winner not yet registered)."""
    registered_at: datetime | None


@dataclass(frozen=True)
class SeatCount:
    """Seats per party among the mandates (the seat chart)."""

    party: str | None
    party_kk: str | None
    party_ru: str | None
    party_en: str | None
    seats: int


@dataclass(frozen=True)
class BodyDeputies:
    """``elections/{election_id}/bodies/{body_id}/deputies/``."""

    election: ElectionInfo
    body: BodyInfo
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    seats_won: int
    """Mandates the published results created (CL art. 111-1 para 5: a list seat waits for the
    party branch's decision before it has a holder)."""
    unassigned: int
    """List seats won but not yet given to a person."""
    registered: int
    composition: tuple[SeatCount, ...]
    """Every mandate by party (not yet assigned list seats under their party too)."""
    deputies: tuple[DeputyRow, ...]
    breadcrumbs: tuple[Crumb, ...]


def body_deputies(session: Session, *, election_id: int, body_id: int) -> BodyDeputies:
    """The elected deputies of a body: mandates with a holder, by source and district."""
    election, body = election_body(session, election_id, body_id)
    rows = session.execute(
        select(Mandate, Person, Party, District.number)
        .join(Contest, Contest.id == Mandate.contest_id)
        .outerjoin(Person, Person.id == Mandate.person_id)
        .outerjoin(Party, Party.id == Mandate.party_id)
        .outerjoin(District, District.id == Contest.district_id)
        .where(
            Mandate.body_id == body.id,
            Contest.election_id == election.id,
            Mandate.state.in_(_HOLDING),
        )
        .order_by(Mandate.source, District.number, Person.surname, Mandate.id)
    )
    deputies = []
    counts: dict[str | None, SeatCount] = {}
    won = unassigned = registered = 0
    for mandate, person, party, number in rows:
        won += 1
        key = party.code if party else None
        held = counts.get(key) or SeatCount(
            key,
            party.name_kk if party else None,
            (party.name_ru or party.name_kk) if party else None,
            party.name_en if party else None,
            0,
        )
        counts[key] = replace(held, seats=held.seats + 1)
        if person is None:
            unassigned += 1
            continue
        if mandate.state is MandateState.REGISTERED:
            registered += 1
        deputies.append(
            DeputyRow(
                mandate_id=mandate.id,
                name=person.full_name,
                name_ru=_russian(person),
                birth_year=person.birth_date.year,
                source=mandate.source.value,
                party=key,
                party_kk=party.name_kk if party else None,
                party_ru=(party.name_ru or party.name_kk) if party else None,
                party_en=party.name_en if party else None,
                contest_id=mandate.contest_id,
                district_number=int(number)
                if number is not None and mandate.source is MandateSource.SINGLE_MEMBER
                else None,
                state=mandate.state.value,
                registered_at=mandate.registered_at,
            )
        )
    composition = tuple(
        sorted(counts.values(), key=lambda c: (c.party is None, -c.seats, c.party or ""))
    )
    return BodyDeputies(
        **_header(session, election, body),
        seats_won=won,
        unassigned=unassigned,
        registered=registered,
        composition=composition,
        deputies=tuple(deputies),
    )
