"""The public overview read model (issue #5 §1, second part): turnout through the day, the regional
map, candidates and party lists, and elected deputies, as documents.

Like :mod:`saylau.services.public_results` (whose helpers for the election, progress, breadcrumbs
and the synthetic flag it shares), each function ``fn(session, **params)`` reads without a context
and returns a frozen dataclass that is the page, its JSON twin and its CSV twin. Only DEFINITIVE
protocols count (CL art. 43); the reported day-time turnout (10:00, 16:00) comes from the precinct
reports (``services/turnout.py``). Every figure is one SQL aggregation per view, never a query per
precinct or contest; the candidates and deputies views are bounded by one body.

Only public data leave here: a candidate's name, year of birth, nominator and party, never the IIN,
the documents or the deposit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.domain.states import CandidacyState, ProtocolState
from saylau.law.bodies import ContestKind
from saylau.law.competitiveness import district_competitiveness, mean_competitiveness
from saylau.law.nomination import RefusalReason
from saylau.reference.region_grid import GRID
from saylau.services.errors import NotFound
from saylau.services.public_results import (
    _NO_PROGRESS,
    Crumb,
    ElectionInfo,
    Progress,
    _body_crumb,
    _coverage,
    _election,
    _election_body_ids,
    _election_crumb,
    _info,
    _official,
    _region_crumb,
    _regions,
    _synthetic,
    _turnout_kind,
    _updated_at,
    body_instances,
    election_ids,
)
from saylau.services.tabulation import election_totals
from saylau.services.turnout import FINAL as TURNOUT_FINAL
from saylau.services.turnout import report_times
from saylau.storage.models import (
    BallotChoice,
    Body,
    BodyKind,
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
    Precinct,
    Protocol,
    ProtocolVote,
    Region,
    TurnoutReport,
)

_DEFINITIVE = ProtocolState.DEFINITIVE
NATIONAL = "KZ"
"""The national row's code (ISO 3166-1 alpha-2 of Kazakhstan) in the turnout table."""
MEASURES = ("turnout", "party", "competitiveness")
"""What the map is coloured by."""
FIRST_LEVEL = (BodyKind.OBLAST, BodyKind.REPUBLICAN_CITY, BodyKind.CAPITAL)


# --- turnout ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnoutRow:
    """Turnout of a region (or of the country, code ``KZ``) through polling day.

    The day-time marks (``10:00``, ``16:00``) are the precincts' reports: voted / voters on the
    lists of the precincts that reported. The final figure is ballots in the boxes / voters on the
    lists of the definitive protocols (CL art. 43 para 4-1(1)). ``evening`` is final − the last
    day-time share; ``change`` is final − the previous election's final (both in share units,
    shown as percentage points).
    """

    region_code: str
    name_kk: str
    name_ru: str
    name_en: str
    precincts: int
    reported: Mapping[str, int]
    voted: Mapping[str, int]
    voters: Mapping[str, int]
    share: Mapping[str, Fraction | None]
    precincts_counted: int
    voters_on_list: int
    ballots_in_boxes: int
    final: Fraction | None
    evening: Fraction | None
    previous: Fraction | None
    change: Fraction | None


@dataclass(frozen=True)
class PreviousElection:
    election_id: int
    name: str
    polling_day: date


@dataclass(frozen=True)
class TurnoutOverview:
    """``elections/{election_id}/turnout/``."""

    election: ElectionInfo
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    marks: tuple[str, ...]
    """The day-time reporting marks of the election's rule set, e.g. ``("10:00", "16:00")``."""
    kind: str | None
    """The contest kind whose protocols give the final turnout."""
    previous: PreviousElection | None
    """The latest earlier election with the same purpose, if any is in the database."""
    national: TurnoutRow
    regions: tuple[TurnoutRow, ...]
    breadcrumbs: tuple[Crumb, ...]


def turnout_overview(session: Session, *, election_id: int) -> TurnoutOverview:
    """National and regional turnout at each reporting mark and final, with the evening increment
    and the change from the previous election of the same purpose."""
    election = _election(session, election_id)
    marks = tuple(m for m in report_times(election) if m != TURNOUT_FINAL)
    regions = _regions(session, election.id)
    precincts = _precinct_counts(session)
    reports = _reports(session, election.id, marks)
    finals = _finals(session, election.id)
    previous = _previous(session, election)
    before = _finals(session, previous.id) if previous is not None else {}
    coverage = _coverage(session, election.id, "region")
    rows = []
    for region in regions:
        rows.append(
            _turnout_row(
                region.code,
                (region.name_kk, region.name_ru or region.name_kk, region.name_en),
                precincts.get(region.id, 0),
                {m: reports.get((region.id, m), (0, 0, 0)) for m in marks},
                coverage.get(region.id, _NO_PROGRESS).precincts_counted,
                finals.get(region.id, (0, 0)),
                before.get(region.id) if previous is not None else None,
                marks,
            )
        )
    ids = {r.id for r in regions}

    def total(mark: str) -> tuple[int, int, int]:
        found = [reports.get((i, mark), (0, 0, 0)) for i in ids]
        return (sum(f[0] for f in found), sum(f[1] for f in found), sum(f[2] for f in found))

    final_sum = [finals.get(i, (0, 0)) for i in ids]
    previous_sum = list(before.values())
    national = _turnout_row(
        NATIONAL,
        ("Қазақстан Республикасы", "Республика Казахстан", "Republic of Kazakhstan"),
        sum(precincts.get(i, 0) for i in ids),
        {m: total(m) for m in marks},
        sum(coverage.get(i, _NO_PROGRESS).precincts_counted for i in ids),
        (sum(v for v, _ in final_sum), sum(b for _, b in final_sum)),
        (sum(v for v, _ in previous_sum), sum(b for _, b in previous_sum))
        if previous is not None
        else None,
        marks,
    )
    kind = _turnout_kind(session, election.id)
    return TurnoutOverview(
        election=_info(election),
        synthetic=_synthetic(session, None),
        updated_at=_updated_at(session, election.id),
        official=_official(session, election.id),
        progress=_coverage(session, election.id, None).get(None, _NO_PROGRESS),
        marks=marks,
        kind=kind.value if kind else None,
        previous=None
        if previous is None
        else PreviousElection(previous.id, previous.name, previous.polling_day),
        national=national,
        regions=tuple(rows),
        breadcrumbs=(_election_crumb(election),),
    )


def _turnout_row(
    code: str,
    names: tuple[str, str, str],
    precincts: int,
    marks: Mapping[str, tuple[int, int, int]],
    counted: int,
    final: tuple[int, int],
    previous: tuple[int, int] | None,
    order: Sequence[str],
) -> TurnoutRow:
    voters, boxes = final
    final_share = _share(boxes, voters)
    shares = {m: _share(marks[m][1], marks[m][2]) for m in order}
    last = shares[order[-1]] if order else None
    before = _share(previous[1], previous[0]) if previous is not None else None
    return TurnoutRow(
        region_code=code,
        name_kk=names[0],
        name_ru=names[1],
        name_en=names[2],
        precincts=precincts,
        reported={m: marks[m][0] for m in order},
        voted={m: marks[m][1] for m in order},
        voters={m: marks[m][2] for m in order},
        share=shares,
        precincts_counted=counted,
        voters_on_list=voters,
        ballots_in_boxes=boxes,
        final=final_share,
        evening=None if final_share is None or last is None else final_share - last,
        previous=before,
        change=None if final_share is None or before is None else final_share - before,
    )


def _share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def _precinct_counts(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Precinct.region_id, func.count(Precinct.id)).group_by(Precinct.region_id)
    )
    return {int(region): int(n) for region, n in rows}


def _reports(
    session: Session, election_id: int, marks: Sequence[str]
) -> dict[tuple[int, str], tuple[int, int, int]]:
    """(region id, mark) → (precincts reporting, voted, voters on their lists): one query."""
    if not marks:
        return {}
    rows = session.execute(
        select(
            Precinct.region_id,
            TurnoutReport.at,
            func.count(TurnoutReport.id),
            func.coalesce(func.sum(TurnoutReport.voted), 0),
            func.coalesce(func.sum(Precinct.voters), 0),
        )
        .join(Precinct, Precinct.id == TurnoutReport.precinct_id)
        .where(TurnoutReport.election_id == election_id, TurnoutReport.at.in_(marks))
        .group_by(Precinct.region_id, TurnoutReport.at)
    )
    return {(int(r), str(at)): (int(n), int(v), int(w)) for r, at, n, v, w in rows}


def _finals(session: Session, election_id: int) -> dict[int, tuple[int, int]]:
    """Region id → (voters on the lists, ballots in the boxes) of the definitive protocols of the
    election's turnout kind (``public_results.TURNOUT_KINDS``)."""
    kind = _turnout_kind(session, election_id)
    return {
        int(line.key): (line.voters_on_list, line.ballots_in_boxes)
        for line in election_totals(session, election_id)
        if line.scope == "region" and line.kind is kind and line.key is not None
    }


def _previous(session: Session, election: Election) -> Election | None:
    """The latest election with the same purpose held before this one."""
    return session.scalars(
        select(Election)
        .where(
            Election.purpose == election.purpose,
            Election.polling_day < election.polling_day,
            Election.id != election.id,
        )
        .order_by(Election.polling_day.desc(), Election.id.desc())
    ).first()


# --- the map ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapRegion:
    """One region of the map with the three values it can be coloured by."""

    region_code: str
    name_kk: str
    name_ru: str
    name_en: str
    column: int
    row: int
    in_election: bool
    turnout: Fraction | None
    """Final turnout of the definitive protocols (as in the turnout view)."""
    leader: str | None
    """The party code leading the region's maslikhat list contest (votes of the definitive
    protocols); ``None`` before any vote or on a tie for first place."""
    leader_kk: str | None
    leader_ru: str | None
    leader_en: str | None
    leader_votes: int | None
    leader_share: Fraction | None
    """Of the party-list votes of the contest."""
    competitiveness: str | None
    """The mean KB of the region's single-member districts with definitive protocols, rounded to
    one decimal (decision #18)."""
    band: str | None
    districts: int
    """Districts in that mean."""


@dataclass(frozen=True)
class MapParty:
    code: str
    name_kk: str
    name_ru: str
    name_en: str


@dataclass(frozen=True)
class RegionMap:
    """``elections/{election_id}/map/{measure}/``."""

    election: ElectionInfo
    measure: str
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    parties: tuple[MapParty, ...]
    """Every party leading somewhere, for the legend (by code)."""
    regions: tuple[MapRegion, ...]
    """The 20 regions of the grid (``saylau.reference.region_grid``), then any other region of
    the election."""
    breadcrumbs: tuple[Crumb, ...]


def region_map(session: Session, *, election_id: int, measure: str) -> RegionMap:
    """The regions' final turnout, leading party and mean competitiveness, for the tile map."""
    election = _election(session, election_id)
    if measure not in MEASURES:
        raise NotFound(
            "not_found", f"no map of {measure!r}; one of {', '.join(MEASURES)}", field="measure"
        )
    regions = {r.code: r for r in _regions(session, election.id)}
    everywhere = {r.code: r for r in session.scalars(select(Region))}
    finals = _finals(session, election.id)
    leaders = _leaders(session, election.id)
    kb = _competitiveness(session, election.id)
    parties: dict[str, MapParty] = {}
    out = []
    codes = [c.code for c in GRID] + sorted(set(regions) - {c.code for c in GRID})
    positions = {c.code: (c.column, c.row) for c in GRID}
    for code in codes:
        region = regions.get(code) or everywhere.get(code)
        column, row = positions.get(code, (-1, -1))
        names = (
            (region.name_kk, region.name_ru or region.name_kk, region.name_en)
            if region is not None
            else (code, code, code)
        )
        if code not in regions or region is None:
            out.append(_absent(code, names, column, row))
            continue
        voters, boxes = finals.get(region.id, (0, 0))
        lead = leaders.get(region.id)
        if lead is not None:
            parties[lead.code] = lead
        mean = kb.get(region.id)
        out.append(
            MapRegion(
                region_code=code,
                name_kk=names[0],
                name_ru=names[1],
                name_en=names[2],
                column=column,
                row=row,
                in_election=True,
                turnout=_share(boxes, voters),
                leader=lead.code if lead else None,
                leader_kk=lead.name_kk if lead else None,
                leader_ru=lead.name_ru if lead else None,
                leader_en=lead.name_en if lead else None,
                leader_votes=lead.votes if lead else None,
                leader_share=lead.share if lead else None,
                competitiveness=mean[0] if mean else None,
                band=mean[1] if mean else None,
                districts=mean[2] if mean else 0,
            )
        )
    return RegionMap(
        election=_info(election),
        measure=measure,
        synthetic=_synthetic(session, None),
        updated_at=_updated_at(session, election.id),
        official=_official(session, election.id),
        progress=_coverage(session, election.id, None).get(None, _NO_PROGRESS),
        parties=tuple(sorted(parties.values(), key=lambda p: p.code)),
        regions=tuple(out),
        breadcrumbs=(_election_crumb(election),),
    )


def _absent(code: str, names: tuple[str, str, str], column: int, row: int) -> MapRegion:
    """A region of the grid without precincts in this election (shown, not linked)."""
    return MapRegion(
        region_code=code,
        name_kk=names[0],
        name_ru=names[1],
        name_en=names[2],
        column=column,
        row=row,
        in_election=False,
        turnout=None,
        leader=None,
        leader_kk=None,
        leader_ru=None,
        leader_en=None,
        leader_votes=None,
        leader_share=None,
        competitiveness=None,
        band=None,
        districts=0,
    )


@dataclass(frozen=True)
class _Leader(MapParty):
    votes: int
    share: Fraction | None


def _leaders(session: Session, election_id: int) -> dict[int, _Leader]:
    """Region id → the party with the most votes in the region's first-level maslikhat list
    contest (definitive protocols); no entry before any vote or on a tie for first place."""
    rows = session.execute(
        select(
            Body.region_id,
            Party.code,
            Party.name_kk,
            Party.name_ru,
            Party.name_en,
            func.sum(ProtocolVote.votes),
        )
        .select_from(ProtocolVote)
        .join(Protocol, Protocol.id == ProtocolVote.protocol_id)
        .join(Contest, Contest.id == ProtocolVote.contest_id)
        .join(Body, Body.id == Contest.body_id)
        .join(BallotChoice, BallotChoice.id == ProtocolVote.choice_id)
        .join(PartyList, PartyList.id == BallotChoice.party_list_id)
        .join(Party, Party.id == PartyList.party_id)
        .where(
            Contest.election_id == election_id,
            Contest.kind == ContestKind.FIRST_LEVEL_LIST,
            Body.kind.in_(FIRST_LEVEL),
            Body.unit_id.is_(None),
            Protocol.state == _DEFINITIVE,
        )
        .group_by(Body.region_id, Party.code, Party.name_kk, Party.name_ru, Party.name_en)
    )
    by_region: dict[int, list[tuple[str, str, str, str, int]]] = {}
    for region_id, code, kk, ru, en, votes in rows:
        if region_id is None:
            continue
        by_region.setdefault(int(region_id), []).append((code, kk, ru or kk, en, int(votes or 0)))
    out = {}
    for region_id, found in by_region.items():
        found.sort(key=lambda f: (-f[4], f[0]))
        total = sum(f[4] for f in found)
        top = found[0]
        if top[4] == 0 or (len(found) > 1 and found[1][4] == top[4]):
            continue
        out[region_id] = _Leader(top[0], top[1], top[2], top[3], top[4], _share(top[4], total))
    return out


def _competitiveness(session: Session, election_id: int) -> dict[int, tuple[str, str, int]]:
    """Region id → (mean KB rounded, band, districts) over the maslikhat single-member districts
    of the region with at least one definitive protocol (decision #18: the mean of the districts'
    unrounded KB). Two queries for the whole election."""
    smd = (ContestKind.FIRST_LEVEL_SMD, ContestKind.SECOND_LEVEL_SMD)
    counted = {
        int(c)
        for (c,) in session.execute(
            select(Protocol.contest_id)
            .join(Contest, Contest.id == Protocol.contest_id)
            .where(
                Contest.election_id == election_id,
                Contest.kind.in_(smd),
                Protocol.state == _DEFINITIVE,
            )
            .distinct()
        )
    }
    if not counted:
        return {}
    votes = (
        select(ProtocolVote.choice_id, func.sum(ProtocolVote.votes).label("votes"))
        .join(Protocol, Protocol.id == ProtocolVote.protocol_id)
        .join(Contest, Contest.id == ProtocolVote.contest_id)
        .where(
            Contest.election_id == election_id,
            Contest.kind.in_(smd),
            Protocol.state == _DEFINITIVE,
        )
        .group_by(ProtocolVote.choice_id)
        .subquery()
    )
    rows = session.execute(
        select(Body.region_id, BallotChoice.contest_id, func.coalesce(votes.c.votes, 0))
        .select_from(BallotChoice)
        .join(Contest, Contest.id == BallotChoice.contest_id)
        .join(Body, Body.id == Contest.body_id)
        .outerjoin(votes, votes.c.choice_id == BallotChoice.id)
        .where(Contest.election_id == election_id, Contest.kind.in_(smd))
    )
    per_contest: dict[tuple[int, int], list[int]] = {}
    for region_id, contest_id, n in rows:
        if region_id is not None and int(contest_id) in counted:
            per_contest.setdefault((int(region_id), int(contest_id)), []).append(int(n))
    per_region: dict[int, list[Fraction]] = {}
    for (region_id, _), values in per_contest.items():
        kb = district_competitiveness(values)
        if kb is not None:
            per_region.setdefault(region_id, []).append(kb.index)
    out = {}
    for region_id, indices in per_region.items():
        mean = mean_competitiveness(indices)
        out[region_id] = (mean.display, mean.band.value, len(indices))
    return out


def map_instances(session: Session) -> Iterator[dict[str, int | str]]:
    for election_id in election_ids(session):
        for measure in MEASURES:
            yield {"election_id": election_id, "measure": measure}


# --- candidates and party lists ---------------------------------------------------------------------


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
class BodyInfo:
    body_id: int
    kind: str
    region_code: str | None
    name_kk: str
    name_ru: str
    name_en: str
    seats: int


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
    election, body = _body(session, election_id, body_id)
    contests = list(
        session.scalars(
            select(Contest)
            .where(Contest.election_id == election.id, Contest.body_id == body.id)
            .order_by(Contest.id)
        )
    )
    ids = [c.id for c in contests]
    districts = _districts(session, [c.district_id for c in contests if c.district_id])
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
        election=_info(election),
        body=_body_info(session, body),
        synthetic=_synthetic(session, None),
        updated_at=_updated_at(session, election.id, body_id=body.id),
        official=_official(session, election.id, Contest.body_id == body.id),
        progress=_coverage(session, election.id, None, body_id=body.id).get(None, _NO_PROGRESS),
        contests=tuple(out),
        parties=_named_parties(parties, out),
        breadcrumbs=_body_crumbs(session, election, body),
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
        MapParty(p.code, p.name_kk, p.name_ru or p.name_kk, p.name_en)
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


def _districts(session: Session, ids: Sequence[int]) -> dict[int, tuple[int | None, str | None]]:
    if not ids:
        return {}
    return {
        int(i): (int(n), name)
        for i, n, name in session.execute(
            select(District.id, District.number, District.name).where(District.id.in_(ids))
        )
    }


def _body(session: Session, election_id: int, body_id: int) -> tuple[Election, Body]:
    election = _election(session, election_id)
    body = session.get(Body, body_id)
    if body is None or body.id not in _election_body_ids(session, election.id):
        raise NotFound("not_found", f"no body {body_id} in election {election_id}", field="body_id")
    return election, body


def _body_info(session: Session, body: Body) -> BodyInfo:
    region = session.get(Region, body.region_id) if body.region_id is not None else None
    return BodyInfo(
        body.id,
        body.kind.value,
        region.code if region else None,
        body.name_kk,
        body.name_ru or body.name_kk,
        body.name_en,
        body.seats,
    )


def _body_crumbs(session: Session, election: Election, body: Body) -> tuple[Crumb, ...]:
    crumbs = [_election_crumb(election)]
    region = session.get(Region, body.region_id) if body.region_id is not None else None
    if region is not None:
        crumbs.append(_region_crumb(election, region))
    crumbs.append(_body_crumb(election, body))
    return tuple(crumbs)


def candidates_instances(session: Session) -> Iterator[dict[str, int | str]]:
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
    election, body = _body(session, election_id, body_id)
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
        election=_info(election),
        body=_body_info(session, body),
        synthetic=_synthetic(session, None),
        updated_at=_updated_at(session, election.id, body_id=body.id),
        official=_official(session, election.id, Contest.body_id == body.id),
        progress=_coverage(session, election.id, None, body_id=body.id).get(None, _NO_PROGRESS),
        seats_won=won,
        unassigned=unassigned,
        registered=registered,
        composition=composition,
        deputies=tuple(deputies),
        breadcrumbs=_body_crumbs(session, election, body),
    )


__all__ = [
    "MEASURES",
    "NATIONAL",
    "BodyCandidates",
    "BodyDeputies",
    "RegionMap",
    "TurnoutOverview",
    "body_candidates",
    "body_deputies",
    "candidates_instances",
    "map_instances",
    "region_map",
    "turnout_overview",
]
