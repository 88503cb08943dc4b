"""The public results read model (issue #5 §1): what the results site shows, as documents.

Each function ``fn(session, **params)`` reads without a context (the results are public, nothing is
changed or audited) and returns a frozen dataclass: the election overview, a region, a maslikhat
(body), a contest and a precinct. The same document is the page (rendered per language), its JSON
twin and its CSV twin, so they cannot disagree.

Only DEFINITIVE protocols count (CL art. 43; ``services/protocols.py``). Figures (votes, totals,
"X of Y precincts counted") are summed live in SQL from the definitive protocols, so a reader sees a
protocol as soon as it is definitive; the outcome (seats, elected, runoff, the allocation trace) is
the contest's latest tabulation (``ContestResult``, ``services/tabulation.py``), *official* once its
result is published (``published_at``) and *preliminary* before. Shares are exact fractions.

Scale (a national election: ~10,000 precincts, ~3,500 contests, ~49,000 protocols): every figure
is one SQL aggregation per view, never a query per precinct or contest; a contest's precinct table
is paged (:data:`PAGE_SIZE`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from saylau.domain.states import ProtocolState
from saylau.law.allocation import threshold_base
from saylau.law.bodies import ContestKind
from saylau.law.competitiveness import district_competitiveness
from saylau.services.deadlines import election_rules
from saylau.services.errors import NotFound
from saylau.services.protocols import COUNT_FIELDS
from saylau.services.tabulation import FINAL, TotalsLine, election_totals
from saylau.services.turnout import FINAL as TURNOUT_FINAL
from saylau.services.turnout import report_times
from saylau.storage.models import (
    BallotChoice,
    Body,
    BodyKind,
    Contest,
    ContestResult,
    District,
    DistrictPrecinct,
    Election,
    Party,
    PartyList,
    Precinct,
    Protocol,
    ProtocolVote,
    Region,
    TurnoutReport,
)
from saylau.storage.models.election import ElectionBody
from saylau.storage.types import UtcDateTime

PAGE_SIZE = 250
"""Precincts per page of a contest's precinct table (the Mazhilis list has every precinct)."""

TURNOUT_KINDS: tuple[ContestKind, ...] = (
    ContestKind.MAZHILIS_LIST,
    ContestKind.FIRST_LEVEL_LIST,
    ContestKind.FIRST_LEVEL_SMD,
    ContestKind.SECOND_LEVEL_LIST,
    ContestKind.SECOND_LEVEL_SMD,
    ContestKind.MAZHILIS_SMD,
)
"""Whose protocols give the final turnout: the first kind the election has, in this order. Every
voter of a precinct receives each ballot, so one kind with the widest territory is the turnout
(ballots in the boxes / voters on the list, CL art. 43 para 4-1(1)) without counting a voter twice."""

_DEFINITIVE = ProtocolState.DEFINITIVE


# --- the documents ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Crumb:
    """One step of the drill-down path national → region → maslikhat → contest → precinct."""

    level: str
    """``election``, ``region``, ``body``, ``contest`` or ``precinct``."""
    path: str
    """The view's path below the language or ``/data`` prefix, e.g. ``elections/1/``."""
    name_kk: str
    name_ru: str
    name_en: str
    kind: str | None = None
    """A contest's kind (translated on the page)."""
    number: int | None = None
    """A district's or a precinct's number."""


@dataclass(frozen=True)
class ElectionInfo:
    election_id: int
    name: str
    polling_day: date
    status: str
    purpose: str
    rules: str


@dataclass(frozen=True)
class Progress:
    """How complete the count is: a precinct is counted when the protocol of every contest on
    its ballots (within the view) is definitive."""

    precincts_counted: int
    precincts_total: int
    protocols_counted: int
    protocols_total: int


@dataclass(frozen=True)
class Turnout:
    """Final turnout from the definitive protocols of the precincts counted so far."""

    voters_on_list: int
    ballots_in_boxes: int
    share: Fraction | None
    kind: str | None
    """The contest kind whose protocols gave it (see :data:`TURNOUT_KINDS`)."""


@dataclass(frozen=True)
class TurnoutMark:
    """Turnout reported during polling day (10:00, 16:00) by the precincts that reported."""

    at: str
    reported: int
    precincts: int
    voted: int
    voters: int
    share: Fraction | None


@dataclass(frozen=True)
class ChoiceRow:
    """A ballot line of a contest with its votes (definitive protocols) and exact share."""

    choice_id: int
    position: int
    label: str
    party: str | None
    votes: int
    share: Fraction | None
    """Of the list threshold's base (lists) or of the valid votes (districts)."""
    passed: bool | None
    """Lists: the share reaches the threshold ("5% and more", CL art. 111-1 para 1)."""
    seats: int | None
    """Lists: seats of the latest tabulation (``None`` before the first)."""


@dataclass(frozen=True)
class ListResult:
    """A party-list contest in brief, with the threshold line (CL art. 111-1; art. 97-1)."""

    contest_id: int
    kind: str
    seats: int
    threshold: Fraction
    threshold_base: str
    base: int
    against_all: int
    status: str
    official: bool
    precincts_counted: int
    precincts_total: int
    choices: tuple[ChoiceRow, ...]


@dataclass(frozen=True)
class DistrictRow:
    """A single-member district in the maslikhat's table (CL art. 9, art. 109-1; decision #18)."""

    contest_id: int
    number: int
    name: str
    leader: str | None
    """The winner once elected; the leading candidate before (or in a runoff)."""
    leader_votes: int | None
    leader_share: Fraction | None
    runner_up: str | None
    runner_up_votes: int | None
    runner_up_share: Fraction | None
    against_all: int
    against_all_share: Fraction | None
    competitiveness: str | None
    """KB rounded to one decimal (decision #18)."""
    band: str | None
    status: str
    """The tabulation's outcome (``elected``, ``runoff``, ``repeat_election`` …),
    ``not_tabulated`` or ``no_protocols``."""
    official: bool
    precincts_counted: int
    precincts_total: int


@dataclass(frozen=True)
class RegionRow:
    region_code: str
    name_kk: str
    name_ru: str
    name_en: str
    precincts_counted: int
    precincts_total: int
    voters_on_list: int
    ballots_in_boxes: int
    turnout: Fraction | None


@dataclass(frozen=True)
class BodyRow:
    body_id: int
    kind: str
    region_code: str | None
    name_kk: str
    name_ru: str
    name_en: str
    seats: int
    precincts_counted: int
    precincts_total: int
    turnout: Fraction | None
    official: bool


@dataclass(frozen=True)
class ElectionResults:
    """``elections/{election_id}/``: the national overview."""

    election: ElectionInfo
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    turnout: Turnout
    turnout_marks: tuple[TurnoutMark, ...]
    mazhilis: ListResult | None
    regions: tuple[RegionRow, ...]
    bodies: tuple[BodyRow, ...]
    breadcrumbs: tuple[Crumb, ...]


@dataclass(frozen=True)
class RegionResults:
    """``elections/{election_id}/regions/{region_code}/``: a first-level region."""

    election: ElectionInfo
    region: RegionRow
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    turnout_marks: tuple[TurnoutMark, ...]
    bodies: tuple[BodyRow, ...]
    breadcrumbs: tuple[Crumb, ...]


@dataclass(frozen=True)
class BodyResults:
    """``elections/{election_id}/bodies/{body_id}/``: a maslikhat (or the Mazhilis)."""

    election: ElectionInfo
    body: BodyRow
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    list_result: ListResult | None
    districts: tuple[DistrictRow, ...]
    breadcrumbs: tuple[Crumb, ...]


@dataclass(frozen=True)
class Totals:
    protocols: int
    voters_on_list: int
    ballots_issued: int
    ballots_in_boxes: int
    valid: int
    """Votes + "against all" (ballots in the boxes − invalid)."""
    against_all: int
    invalid: int
    turnout: Fraction | None


@dataclass(frozen=True)
class ContestInfo:
    contest_id: int
    kind: str
    seats: int
    body_id: int
    body_kk: str
    body_ru: str
    body_en: str
    district_number: int | None
    district_name: str | None
    threshold: Fraction | None
    """Lists: the threshold share (CL art. 111-1 para 1; art. 97-1 para 1)."""


@dataclass(frozen=True)
class Outcome:
    """The contest's latest tabulation: its outcome and full trace, as stored."""

    status: str
    final: bool
    official: bool
    computed_at: datetime | None
    published_at: datetime | None
    precincts_counted: int
    """Precincts definitive when it was computed (the live count may be ahead)."""
    document: Mapping[str, Any]


@dataclass(frozen=True)
class PrecinctRow:
    """A precinct in a contest's table: its definitive figures (``None`` before)."""

    precinct_id: int
    region_code: str
    number: int
    address: str
    voters: int
    counted: bool
    voters_on_list: int | None
    ballots_in_boxes: int | None
    valid: int | None
    against_all: int | None
    invalid: int | None
    turnout: Fraction | None
    votes: Mapping[str, int | None]
    """Ballot choice id (as text) → votes (``None`` before the protocol is definitive)."""


@dataclass(frozen=True)
class ContestResults:
    """``elections/{election_id}/contests/{contest_id}/`` (and its further precinct pages)."""

    election: ElectionInfo
    contest: ContestInfo
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    totals: Totals
    choices: tuple[ChoiceRow, ...]
    against_all_share: Fraction | None
    competitiveness: str | None
    band: str | None
    outcome: Outcome | None
    precincts: tuple[PrecinctRow, ...]
    page: int
    pages: int
    breadcrumbs: tuple[Crumb, ...]


@dataclass(frozen=True)
class ProtocolLine:
    """One figure of a precinct's definitive protocol (``None`` until definitive)."""

    line_id: str
    """``<contest id>/<line>``: ``12/voters_on_list`` or ``12/choice/55``."""
    contest_id: int
    line: str
    """A protocol line (CL art. 43) or ``choice``."""
    label: str
    """The ballot line's label for ``choice``; empty otherwise (translated on the page)."""
    value: int | None


@dataclass(frozen=True)
class PrecinctProtocol:
    contest_id: int
    kind: str
    body_id: int
    body_kk: str
    body_ru: str
    body_en: str
    district_number: int | None
    definitive: bool
    definitive_at: datetime | None
    version: int
    lines: tuple[ProtocolLine, ...]


@dataclass(frozen=True)
class PrecinctInfo:
    precinct_id: int
    region_code: str
    number: int
    address: str
    voters: int
    unit_kk: str | None
    unit_ru: str | None
    unit_en: str | None


@dataclass(frozen=True)
class PrecinctResults:
    """``elections/{election_id}/precincts/{precinct_id}/``: every protocol of its ballots."""

    election: ElectionInfo
    precinct: PrecinctInfo
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    protocols: tuple[PrecinctProtocol, ...]
    breadcrumbs: tuple[Crumb, ...]


# --- the views ----------------------------------------------------------------------------------


def election_results(session: Session, *, election_id: int) -> ElectionResults:
    """The national overview: progress, turnout, the Mazhilis list, every region and body."""
    election = _election(session, election_id)
    totals = election_totals(session, election.id)
    kind = _turnout_kind(session, election.id)
    regions = _regions(session, election.id)
    region_progress = _coverage(session, election.id, "region")
    region_turnout = {
        line.key: line for line in totals if line.scope == "region" and line.kind is kind
    }
    region_rows = tuple(
        _region_row(region, region_progress.get(region.id), region_turnout.get(region.id))
        for region in regions
    )
    bodies = _body_rows(session, election.id, totals, None)
    mazhilis_list = session.scalars(
        select(Contest).where(
            Contest.election_id == election.id, Contest.kind == ContestKind.MAZHILIS_LIST
        )
    ).first()
    national = next(
        (line for line in totals if line.scope == "national" and line.kind is kind), None
    )
    return ElectionResults(
        election=_info(election),
        synthetic=_synthetic(session, None),
        updated_at=_updated_at(session, election.id),
        official=_official(session, election.id),
        progress=_coverage(session, election.id, None).get(None, _NO_PROGRESS),
        turnout=_turnout(national, kind),
        turnout_marks=_marks(session, election, None),
        mazhilis=None
        if mazhilis_list is None
        else _list_results(session, election, [mazhilis_list])[mazhilis_list.id],
        regions=region_rows,
        bodies=bodies,
        breadcrumbs=(_election_crumb(election),),
    )


def region_results(session: Session, *, election_id: int, region_code: str) -> RegionResults:
    """A region: its maslikhats (oblast or city, and its districts' and cities'), progress and
    turnout."""
    election = _election(session, election_id)
    region = session.scalars(select(Region).where(Region.code == region_code)).first()
    if region is None or region.id not in {r.id for r in _regions(session, election.id)}:
        raise NotFound(
            "not_found", f"no region {region_code!r} in election {election_id}", field="region_code"
        )
    totals = election_totals(session, election.id)
    kind = _turnout_kind(session, election.id)
    line = next(
        (t for t in totals if t.scope == "region" and t.key == region.id and t.kind is kind), None
    )
    progress = _coverage(session, election.id, None, region_id=region.id).get(None, _NO_PROGRESS)
    bodies = _body_rows(session, election.id, totals, region.id)
    return RegionResults(
        election=_info(election),
        region=_region_row(region, progress, line),
        synthetic=_synthetic(session, Precinct.region_id == region.id),
        updated_at=_updated_at(session, election.id, region_id=region.id),
        official=all(b.official for b in bodies),
        progress=progress,
        turnout_marks=_marks(session, election, region.id),
        bodies=bodies,
        breadcrumbs=(_election_crumb(election), _region_crumb(election, region)),
    )


def body_results(session: Session, *, election_id: int, body_id: int) -> BodyResults:
    """A maslikhat: its list contest with the threshold line and every single-member district."""
    election = _election(session, election_id)
    body = session.get(Body, body_id)
    if body is None or body.id not in _election_body_ids(session, election.id):
        raise NotFound("not_found", f"no body {body_id} in election {election_id}", field="body_id")
    totals = election_totals(session, election.id)
    row = next(r for r in _body_rows(session, election.id, totals, None) if r.body_id == body.id)
    contests = list(
        session.scalars(
            select(Contest)
            .where(Contest.election_id == election.id, Contest.body_id == body.id)
            .order_by(Contest.id)
        )
    )
    lists = [c for c in contests if c.kind.is_list]
    districts = [c for c in contests if not c.kind.is_list]
    list_results = _list_results(session, election, lists)
    region = session.get(Region, body.region_id) if body.region_id is not None else None
    crumbs = [_election_crumb(election)]
    if region is not None:
        crumbs.append(_region_crumb(election, region))
    crumbs.append(_body_crumb(election, body))
    return BodyResults(
        election=_info(election),
        body=row,
        synthetic=_synthetic(session, None),
        updated_at=_updated_at(session, election.id, body_id=body.id),
        official=row.official,
        progress=_coverage(session, election.id, None, body_id=body.id).get(None, _NO_PROGRESS),
        list_result=list_results[lists[0].id] if lists else None,
        districts=_district_rows(session, districts),
        breadcrumbs=tuple(crumbs),
    )


def contest_results(
    session: Session, *, election_id: int, contest_id: int, number: int = 1
) -> ContestResults:
    """A contest: totals, every line's votes and share, the outcome with its trace, and page
    ``number`` of its precincts (:data:`PAGE_SIZE` a page)."""
    election = _election(session, election_id)
    contest = session.get(Contest, contest_id)
    if contest is None or contest.election_id != election.id:
        raise NotFound(
            "not_found", f"no contest {contest_id} in election {election_id}", field="contest_id"
        )
    body = contest.body
    district = contest.district
    sums = _contest_sums(session, [contest.id]).get(contest.id, _ZERO_SUMS)
    votes = _choice_votes(session, [contest.id])
    lines = _ballot(session, [contest.id]).get(contest.id, [])
    result = session.scalars(
        select(ContestResult).where(ContestResult.contest_id == contest.id)
    ).first()
    progress = _coverage(session, election.id, None, contest_id=contest.id).get(None, _NO_PROGRESS)
    pages = max(1, -(-progress.precincts_total // PAGE_SIZE))
    if not 1 <= number <= pages:
        raise NotFound("not_found", f"contest {contest_id} has no page {number}", field="number")
    threshold = None
    if contest.kind.is_list:
        threshold = election_rules(election).list_rules(contest.kind.body).threshold
        choices = _list_choices(election, contest, lines, votes, sums, result)
        against_share = _share(sums.against_all, _list_base(election, contest, lines, votes, sums))
        kb = None
    else:
        choices = _district_choices(lines, votes, sums)
        against_share = _share(sums.against_all, sums.valid)
        kb = (
            district_competitiveness([votes.get(ln.choice_id, 0) for ln in lines])
            if lines and sums.protocols
            else None
        )
    region = session.get(Region, body.region_id) if body.region_id is not None else None
    crumbs = [_election_crumb(election)]
    if region is not None:
        crumbs.append(_region_crumb(election, region))
    crumbs += [_body_crumb(election, body), _contest_crumb(election, contest)]
    return ContestResults(
        election=_info(election),
        contest=ContestInfo(
            contest_id=contest.id,
            kind=contest.kind.value,
            seats=contest.seats,
            body_id=body.id,
            body_kk=body.name_kk,
            body_ru=body.name_ru or body.name_kk,
            body_en=body.name_en,
            district_number=district.number if district else None,
            district_name=district.name if district else None,
            threshold=threshold,
        ),
        synthetic=_synthetic(session, None),
        updated_at=_updated_at(session, election.id, contest_id=contest.id),
        official=result is not None and result.published_at is not None,
        progress=progress,
        totals=sums.totals(),
        choices=choices,
        against_all_share=against_share,
        competitiveness=kb.display if kb else None,
        band=kb.band.value if kb else None,
        outcome=None if result is None else _outcome(result),
        precincts=_precinct_rows(session, contest, [ln.choice_id for ln in lines], number),
        page=number,
        pages=pages,
        breadcrumbs=tuple(crumbs),
    )


def precinct_results(session: Session, *, election_id: int, precinct_id: int) -> PrecinctResults:
    """A precinct and the definitive protocol of every contest on its ballots, line by line."""
    election = _election(session, election_id)
    precinct = session.get(Precinct, precinct_id)
    pairs = _pairs(election.id)
    contest_ids = [
        int(cid)
        for (cid,) in session.execute(
            select(pairs.c.contest_id)
            .where(pairs.c.precinct_id == precinct_id)
            .order_by(pairs.c.contest_id)
        )
    ]
    if precinct is None or not contest_ids:
        raise NotFound(
            "not_found", f"no precinct {precinct_id} in election {election_id}", field="precinct_id"
        )
    contests = {
        c.id: c for c in session.scalars(select(Contest).where(Contest.id.in_(contest_ids)))
    }
    protocols = {
        p.contest_id: p
        for p in session.scalars(
            select(Protocol).where(
                Protocol.precinct_id == precinct.id, Protocol.contest_id.in_(contest_ids)
            )
        )
    }
    definitive_ids = [p.id for p in protocols.values() if p.state is _DEFINITIVE]
    votes: dict[int, int] = {}
    if definitive_ids:
        votes = {
            choice: int(n)
            for choice, n in session.execute(
                select(ProtocolVote.choice_id, ProtocolVote.votes).where(
                    ProtocolVote.protocol_id.in_(definitive_ids)
                )
            )
        }
    ballots = _ballot(session, contest_ids)
    documents = []
    for cid in contest_ids:
        contest = contests[cid]
        protocol = protocols.get(cid)
        definitive = protocol is not None and protocol.state is _DEFINITIVE
        lines = [
            ProtocolLine(
                f"{cid}/{name}",
                cid,
                name,
                "",
                getattr(protocol, name) if definitive and protocol is not None else None,
            )
            for name in COUNT_FIELDS
        ]
        lines += [
            ProtocolLine(
                f"{cid}/choice/{ln.choice_id}",
                cid,
                "choice",
                ln.label,
                votes.get(ln.choice_id, 0) if definitive else None,
            )
            for ln in ballots.get(cid, [])
        ]
        body = contest.body
        documents.append(
            PrecinctProtocol(
                contest_id=cid,
                kind=contest.kind.value,
                body_id=body.id,
                body_kk=body.name_kk,
                body_ru=body.name_ru or body.name_kk,
                body_en=body.name_en,
                district_number=contest.district.number if contest.district else None,
                definitive=definitive,
                definitive_at=protocol.definitive_at if definitive and protocol else None,
                version=protocol.version if protocol is not None else 0,
                lines=tuple(lines),
            )
        )
    counted = len(definitive_ids)
    region = precinct.region
    unit = precinct.unit
    crumbs = [_election_crumb(election), _region_crumb(election, region)]
    home_body = _home_body(session, election.id, precinct, [contests[c] for c in contest_ids])
    if home_body is not None:
        crumbs.append(_body_crumb(election, home_body))
    crumbs.append(
        Crumb(
            "precinct",
            _path(election.id, f"precincts/{precinct.id}/"),
            "",
            "",
            "",
            number=precinct.number,
        )
    )
    published = session.scalar(
        select(func.count(ContestResult.id)).where(
            ContestResult.contest_id.in_(contest_ids), ContestResult.published_at.is_not(None)
        )
    )
    return PrecinctResults(
        election=_info(election),
        precinct=PrecinctInfo(
            precinct_id=precinct.id,
            region_code=region.code,
            number=precinct.number,
            address=precinct.address,
            voters=precinct.voters,
            unit_kk=unit.name_kk if unit else None,
            unit_ru=(unit.name_ru or unit.name_kk) if unit else None,
            unit_en=unit.name_en if unit else None,
        ),
        synthetic=precinct.synthetic,
        updated_at=_updated_at(session, election.id, precinct_id=precinct.id),
        official=published == len(contest_ids),
        progress=Progress(1 if counted == len(contest_ids) else 0, 1, counted, len(contest_ids)),
        protocols=tuple(documents),
        breadcrumbs=tuple(crumbs),
    )


# --- instances (what the static publication writes) ------------------------------------------------


def election_ids(session: Session) -> list[int]:
    return [int(i) for i in session.scalars(select(Election.id).order_by(Election.id))]


def region_instances(session: Session) -> Iterator[dict[str, int | str]]:
    for election_id in election_ids(session):
        for region in _regions(session, election_id):
            yield {"election_id": election_id, "region_code": region.code}


def body_instances(session: Session) -> Iterator[dict[str, int | str]]:
    for election_id in election_ids(session):
        for body_id in sorted(_election_body_ids(session, election_id)):
            yield {"election_id": election_id, "body_id": body_id}


def contest_instances(session: Session) -> Iterator[dict[str, int | str]]:
    for election_id, contest_id in session.execute(
        select(Contest.election_id, Contest.id).order_by(Contest.election_id, Contest.id)
    ):
        yield {"election_id": int(election_id), "contest_id": int(contest_id)}


def contest_page_instances(session: Session) -> Iterator[dict[str, int | str]]:
    """Pages 2… of every contest whose precincts do not fit on one page."""
    for election_id in election_ids(session):
        pairs = _pairs(election_id)
        for contest_id, n in session.execute(
            select(pairs.c.contest_id, func.count())
            .group_by(pairs.c.contest_id)
            .order_by(pairs.c.contest_id)
        ):
            for number in range(2, -(-int(n) // PAGE_SIZE) + 1):
                yield {"election_id": election_id, "contest_id": int(contest_id), "number": number}


def precinct_instances(session: Session) -> Iterator[dict[str, int | str]]:
    for election_id in election_ids(session):
        pairs = _pairs(election_id)
        for (precinct_id,) in session.execute(
            select(pairs.c.precinct_id).distinct().order_by(pairs.c.precinct_id)
        ):
            yield {"election_id": election_id, "precinct_id": int(precinct_id)}


# --- internals: the election, its territory and its bodies ----------------------------------------


_NO_PROGRESS = Progress(0, 0, 0, 0)


def _election(session: Session, election_id: int) -> Election:
    election = session.get(Election, election_id)
    if election is None:
        raise NotFound(
            "not_found", f"no election with id {election_id}", field="election_id", id=election_id
        )
    return election


def _info(election: Election) -> ElectionInfo:
    return ElectionInfo(
        election.id,
        election.name,
        election.polling_day,
        election.status.value,
        election.purpose,
        election.rules,
    )


def _path(election_id: int, rest: str = "") -> str:
    return f"elections/{election_id}/{rest}"


def _election_crumb(election: Election) -> Crumb:
    return Crumb("election", _path(election.id), election.name, election.name, election.name)


def _region_crumb(election: Election, region: Region) -> Crumb:
    return Crumb(
        "region",
        _path(election.id, f"regions/{region.code}/"),
        region.name_kk,
        region.name_ru or region.name_kk,
        region.name_en,
    )


def _body_crumb(election: Election, body: Body) -> Crumb:
    return Crumb(
        "body",
        _path(election.id, f"bodies/{body.id}/"),
        body.name_kk,
        body.name_ru or body.name_kk,
        body.name_en,
    )


def _contest_crumb(election: Election, contest: Contest) -> Crumb:
    body = contest.body
    return Crumb(
        "contest",
        _path(election.id, f"contests/{contest.id}/"),
        body.name_kk,
        body.name_ru or body.name_kk,
        body.name_en,
        kind=contest.kind.value,
        number=contest.district.number if contest.district else None,
    )


def _home_body(
    session: Session, election_id: int, precinct: Precinct, contests: Sequence[Contest]
) -> Body | None:
    """The maslikhat a precinct's breadcrumb passes through: its district's or city's, else its
    region's (a city of republican significance has one level)."""
    bodies = {c.body_id: c.body for c in contests}
    for body in bodies.values():
        if precinct.unit_id is not None and body.unit_id == precinct.unit_id:
            return body
    for body in bodies.values():
        if body.unit_id is None and body.region_id == precinct.region_id:
            return body
    return next(iter(bodies.values()), None)


def _regions(session: Session, election_id: int) -> list[Region]:
    """The regions whose precincts vote in the election, by code."""
    pairs = _pairs(election_id)
    return list(
        session.scalars(
            select(Region)
            .where(
                Region.id.in_(
                    select(Precinct.region_id).join(pairs, pairs.c.precinct_id == Precinct.id)
                )
            )
            .order_by(Region.code)
        )
    )


def _election_body_ids(session: Session, election_id: int) -> set[int]:
    """The bodies the call names (CL art. 9) and those with a contest in the election."""
    named = session.scalars(
        select(ElectionBody.body_id).where(ElectionBody.election_id == election_id)
    )
    contested = session.scalars(
        select(Contest.body_id).where(Contest.election_id == election_id).distinct()
    )
    return {int(b) for b in named} | {int(b) for b in contested}


def _synthetic(session: Session, where: ColumnElement[bool] | None) -> bool:
    """Whether the data shown is invented by the demo generator (flagged on every page)."""
    condition: ColumnElement[bool] = Precinct.synthetic.is_(True)
    if where is not None:
        condition = and_(condition, where)
    return bool(session.scalar(select(exists().where(condition))))


def _official(session: Session, election_id: int, *where: ColumnElement[bool]) -> bool:
    """Every contest (within ``where``) has a published result."""
    unpublished = session.scalar(
        select(
            exists().where(
                Contest.election_id == election_id,
                *where,
                ~exists().where(
                    ContestResult.contest_id == Contest.id,
                    ContestResult.published_at.is_not(None),
                ),
            )
        )
    )
    any_contest = session.scalar(select(exists().where(Contest.election_id == election_id, *where)))
    return bool(any_contest) and not unpublished


def _updated_at(
    session: Session,
    election_id: int,
    *,
    region_id: int | None = None,
    body_id: int | None = None,
    contest_id: int | None = None,
    precinct_id: int | None = None,
) -> datetime | None:
    """The last moment a protocol in scope became definitive or a result was computed or
    published."""
    protocols = (
        select(type_coerce(func.max(Protocol.definitive_at), UtcDateTime()))
        .join(Contest, Contest.id == Protocol.contest_id)
        .join(Precinct, Precinct.id == Protocol.precinct_id)
        .where(Contest.election_id == election_id, Protocol.state == _DEFINITIVE)
    )
    results = (
        select(
            type_coerce(func.max(ContestResult.computed_at), UtcDateTime()),
            type_coerce(func.max(ContestResult.published_at), UtcDateTime()),
        )
        .join(Contest, Contest.id == ContestResult.contest_id)
        .join(Body, Body.id == Contest.body_id)
        .where(Contest.election_id == election_id)
    )
    if region_id is not None:
        protocols = protocols.where(Precinct.region_id == region_id)
        results = results.where(Body.region_id == region_id)
    if body_id is not None:
        protocols = protocols.where(Contest.body_id == body_id)
        results = results.where(Contest.body_id == body_id)
    if contest_id is not None:
        protocols = protocols.where(Contest.id == contest_id)
        results = results.where(Contest.id == contest_id)
    if precinct_id is not None:
        protocols = protocols.where(Protocol.precinct_id == precinct_id)
        results = results.where(
            Contest.id.in_(select(Protocol.contest_id).where(Protocol.precinct_id == precinct_id))
        )
    moments = [session.scalar(protocols), *session.execute(results).one()]
    present = [m for m in moments if m is not None]
    return max(present) if present else None


# --- internals: coverage ("X of Y precincts counted") ------------------------------------------


def _pairs(election_id: int) -> Any:
    """Every (contest, body, precinct) whose voters receive the contest's ballot — the protocols
    the election expects: a district's precincts (CL art. 22); a list contest's body territory
    (its unit, or its region); every precinct for the Mazhilis list (CL art. 9)."""
    in_election = Contest.election_id == election_id
    district = (
        select(
            Contest.id.label("contest_id"),
            Contest.body_id.label("body_id"),
            DistrictPrecinct.precinct_id.label("precinct_id"),
        )
        .join(DistrictPrecinct, DistrictPrecinct.district_id == Contest.district_id)
        .where(in_election)
    )
    national = (
        select(Contest.id, Contest.body_id, Precinct.id)
        .join(Body, Body.id == Contest.body_id)
        .join(Precinct, literal(True))
        .where(in_election, Contest.district_id.is_(None), Body.kind == BodyKind.MAZHILIS)
    )
    unit = (
        select(Contest.id, Contest.body_id, Precinct.id)
        .join(Body, Body.id == Contest.body_id)
        .join(Precinct, Precinct.unit_id == Body.unit_id)
        .where(in_election, Contest.district_id.is_(None), Body.unit_id.is_not(None))
    )
    region = (
        select(Contest.id, Contest.body_id, Precinct.id)
        .join(Body, Body.id == Contest.body_id)
        .join(Precinct, Precinct.region_id == Body.region_id)
        .where(
            in_election,
            Contest.district_id.is_(None),
            Body.unit_id.is_(None),
            Body.kind != BodyKind.MAZHILIS,
        )
    )
    return union_all(district, national, unit, region).subquery("pairs")


def _coverage(
    session: Session,
    election_id: int,
    by: str | None,
    *,
    region_id: int | None = None,
    body_id: int | None = None,
    contest_id: int | None = None,
) -> dict[Any, Progress]:
    """Progress per region (``by="region"``), per body (``"body"``) or overall (``None``).

    One aggregation: the expected protocols (:func:`_pairs`) left-joined to the definitive ones,
    counted per precinct, then per group.
    """
    pairs = _pairs(election_id)
    conditions: list[ColumnElement[bool]] = []
    if region_id is not None:
        conditions.append(Precinct.region_id == region_id)
    if body_id is not None:
        conditions.append(pairs.c.body_id == body_id)
    if contest_id is not None:
        conditions.append(pairs.c.contest_id == contest_id)
    keys: list[Any] = []
    if by == "region":
        keys = [Precinct.region_id.label("key")]
    elif by == "body":
        keys = [pairs.c.body_id.label("key")]
    per_precinct = (
        select(
            *keys,
            pairs.c.precinct_id,
            func.count().label("expected"),
            func.count(Protocol.id).label("done"),
        )
        .select_from(pairs)
        .join(Precinct, Precinct.id == pairs.c.precinct_id)
        .outerjoin(
            Protocol,
            and_(
                Protocol.contest_id == pairs.c.contest_id,
                Protocol.precinct_id == pairs.c.precinct_id,
                Protocol.state == _DEFINITIVE,
            ),
        )
        .where(*conditions)
        .group_by(*keys, pairs.c.precinct_id)
        .subquery()
    )
    group = [per_precinct.c.key] if keys else []
    rows = session.execute(
        select(
            *group,
            func.count(),
            func.coalesce(
                func.sum(case((per_precinct.c.expected == per_precinct.c.done, 1), else_=0)), 0
            ),
            func.coalesce(func.sum(per_precinct.c.expected), 0),
            func.coalesce(func.sum(per_precinct.c.done), 0),
        ).group_by(*group)
    ).all()
    out: dict[Any, Progress] = {}
    for row in rows:
        key = row[0] if keys else None
        total, counted, expected, done = (int(x or 0) for x in row[len(group) :])
        if total:
            out[key] = Progress(counted, total, done, expected)
    return out


# --- internals: turnout ------------------------------------------------------------------------------


def _turnout_kind(session: Session, election_id: int) -> ContestKind | None:
    kinds = set(
        session.scalars(select(Contest.kind).where(Contest.election_id == election_id).distinct())
    )
    return next((k for k in TURNOUT_KINDS if k in kinds), None)


def _turnout(line: TotalsLine | None, kind: ContestKind | None) -> Turnout:
    if line is None:
        return Turnout(0, 0, None, kind.value if kind else None)
    return Turnout(
        line.voters_on_list,
        line.ballots_in_boxes,
        _share(line.ballots_in_boxes, line.voters_on_list),
        line.kind.value,
    )


def _marks(session: Session, election: Election, region_id: int | None) -> tuple[TurnoutMark, ...]:
    """The day's turnout reports (10:00, 16:00; ``services/turnout.py``), where reported."""
    marks = [m for m in report_times(election) if m != TURNOUT_FINAL]
    if not marks:
        return ()
    scope = Precinct.region_id == region_id if region_id is not None else literal(True)
    precincts = session.scalar(select(func.count(Precinct.id)).where(scope)) or 0
    rows = session.execute(
        select(
            TurnoutReport.at,
            func.count(TurnoutReport.id),
            func.coalesce(func.sum(TurnoutReport.voted), 0),
            func.coalesce(func.sum(Precinct.voters), 0),
        )
        .join(Precinct, Precinct.id == TurnoutReport.precinct_id)
        .where(TurnoutReport.election_id == election.id, TurnoutReport.at.in_(marks), scope)
        .group_by(TurnoutReport.at)
    ).all()
    found = {at: (int(n), int(voted), int(voters)) for at, n, voted, voters in rows}
    return tuple(
        TurnoutMark(at, n, int(precincts), voted, voters, _share(voted, voters))
        for at in marks
        if at in found
        for n, voted, voters in [found[at]]
    )


def _region_row(region: Region, progress: Progress | None, line: TotalsLine | None) -> RegionRow:
    p = progress or _NO_PROGRESS
    voters = line.voters_on_list if line else 0
    boxes = line.ballots_in_boxes if line else 0
    return RegionRow(
        region.code,
        region.name_kk,
        region.name_ru or region.name_kk,
        region.name_en,
        p.precincts_counted,
        p.precincts_total,
        voters,
        boxes,
        _share(boxes, voters),
    )


def _body_rows(
    session: Session, election_id: int, totals: Sequence[TotalsLine], region_id: int | None
) -> tuple[BodyRow, ...]:
    """Every body of the election (or of one region), with progress, turnout and whether its
    results are official; the Mazhilis first, then by region code and body id."""
    ids = _election_body_ids(session, election_id)
    query = (
        select(Body, Region.code)
        .outerjoin(Region, Region.id == Body.region_id)
        .where(Body.id.in_(ids))
        .order_by(Region.code.is_not(None), Region.code, Body.unit_id.is_not(None), Body.id)
    )
    if region_id is not None:
        query = query.where(Body.region_id == region_id)
    progress = _coverage(session, election_id, "body")
    turnout: dict[int, TotalsLine] = {}
    for line in totals:
        if line.scope != "body" or line.key is None:
            continue
        held = turnout.get(line.key)
        if held is None or (line.kind.is_list and not held.kind.is_list):
            turnout[line.key] = line
    unpublished = set(
        session.scalars(
            select(Contest.body_id)
            .outerjoin(ContestResult, ContestResult.contest_id == Contest.id)
            .where(Contest.election_id == election_id, ContestResult.published_at.is_(None))
        )
    )
    contested = set(
        session.scalars(select(Contest.body_id).where(Contest.election_id == election_id))
    )
    rows = []
    for body, code in session.execute(query):
        p = progress.get(body.id, _NO_PROGRESS)
        body_line = turnout.get(body.id)
        rows.append(
            BodyRow(
                body.id,
                body.kind.value,
                code,
                body.name_kk,
                body.name_ru or body.name_kk,
                body.name_en,
                body.seats,
                p.precincts_counted,
                p.precincts_total,
                _share(body_line.ballots_in_boxes, body_line.voters_on_list) if body_line else None,
                body.id in contested and body.id not in unpublished,
            )
        )
    return tuple(rows)


# --- internals: sums and ballot lines ----------------------------------------------------------------


@dataclass(frozen=True)
class _ContestSums:
    protocols: int
    voters_on_list: int
    ballots_issued: int
    ballots_in_boxes: int
    against_all: int
    invalid: int

    @property
    def valid(self) -> int:
        return self.ballots_in_boxes - self.invalid

    def totals(self) -> Totals:
        return Totals(
            self.protocols,
            self.voters_on_list,
            self.ballots_issued,
            self.ballots_in_boxes,
            self.valid,
            self.against_all,
            self.invalid,
            _share(self.ballots_in_boxes, self.voters_on_list),
        )


_ZERO_SUMS = _ContestSums(0, 0, 0, 0, 0, 0)


def _contest_sums(session: Session, contest_ids: Sequence[int]) -> dict[int, _ContestSums]:
    if not contest_ids:
        return {}
    rows = session.execute(
        select(
            Protocol.contest_id,
            func.count(Protocol.id),
            func.coalesce(func.sum(Protocol.voters_on_list), 0),
            func.coalesce(func.sum(Protocol.ballots_issued), 0),
            func.coalesce(func.sum(Protocol.ballots_in_boxes), 0),
            func.coalesce(func.sum(Protocol.against_all), 0),
            func.coalesce(func.sum(Protocol.invalid), 0),
        )
        .where(Protocol.contest_id.in_(contest_ids), Protocol.state == _DEFINITIVE)
        .group_by(Protocol.contest_id)
    )
    return {int(row[0]): _ContestSums(*(int(x or 0) for x in row[1:])) for row in rows}


def _choice_votes(session: Session, contest_ids: Sequence[int]) -> dict[int, int]:
    """Ballot choice id → votes in the definitive protocols."""
    if not contest_ids:
        return {}
    rows = session.execute(
        select(ProtocolVote.choice_id, func.sum(ProtocolVote.votes))
        .join(Protocol, Protocol.id == ProtocolVote.protocol_id)
        .where(ProtocolVote.contest_id.in_(contest_ids), Protocol.state == _DEFINITIVE)
        .group_by(ProtocolVote.choice_id)
    )
    return {int(choice): int(votes) for choice, votes in rows}


@dataclass(frozen=True)
class _Line:
    choice_id: int
    position: int
    label: str
    party: str | None


def _ballot(session: Session, contest_ids: Iterable[int]) -> dict[int, list[_Line]]:
    ids = list(contest_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(
            BallotChoice.contest_id,
            BallotChoice.id,
            BallotChoice.position,
            BallotChoice.label,
            Party.code,
        )
        .outerjoin(PartyList, PartyList.id == BallotChoice.party_list_id)
        .outerjoin(Party, Party.id == PartyList.party_id)
        .where(BallotChoice.contest_id.in_(ids))
        .order_by(BallotChoice.contest_id, BallotChoice.position)
    )
    lines: dict[int, list[_Line]] = {}
    for contest_id, choice_id, position, label, party in rows:
        lines.setdefault(int(contest_id), []).append(_Line(choice_id, position, label, party))
    return lines


def _share(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


def _list_base(
    election: Election,
    contest: Contest,
    lines: Sequence[_Line],
    votes: Mapping[int, int],
    sums: _ContestSums,
) -> int:
    """The threshold's base (decision #1: party votes + "against all" under the 2023 rules)."""
    rules = election_rules(election).list_rules(contest.kind.body)
    party_votes = sum(votes.get(ln.choice_id, 0) for ln in lines)
    return threshold_base(party_votes, sums.against_all, sums.invalid, rules.threshold_base)


def _stored_seats(result: ContestResult | None) -> dict[int, int] | None:
    if result is None or not isinstance(result.outcome, dict):
        return None
    lists = result.outcome.get("lists")
    if not isinstance(lists, list):
        return None
    return {int(item["choice_id"]): int(item["seats"]) for item in lists}


def _list_choices(
    election: Election,
    contest: Contest,
    lines: Sequence[_Line],
    votes: Mapping[int, int],
    sums: _ContestSums,
    result: ContestResult | None,
) -> tuple[ChoiceRow, ...]:
    threshold = election_rules(election).list_rules(contest.kind.body).threshold
    base = _list_base(election, contest, lines, votes, sums)
    seats = _stored_seats(result)
    rows = []
    for ln in lines:
        n = votes.get(ln.choice_id, 0)
        share = _share(n, base)
        rows.append(
            ChoiceRow(
                ln.choice_id,
                ln.position,
                ln.label,
                ln.party,
                n,
                share,
                None if share is None else share >= threshold,
                None if seats is None else seats.get(ln.choice_id, 0),
            )
        )
    return tuple(rows)


def _district_choices(
    lines: Sequence[_Line], votes: Mapping[int, int], sums: _ContestSums
) -> tuple[ChoiceRow, ...]:
    """Candidates by votes (then ballot position); shares of the valid votes (CL art. 9)."""
    ranked = sorted(lines, key=lambda ln: (-votes.get(ln.choice_id, 0), ln.position))
    return tuple(
        ChoiceRow(
            ln.choice_id,
            ln.position,
            ln.label,
            ln.party,
            votes.get(ln.choice_id, 0),
            _share(votes.get(ln.choice_id, 0), sums.valid),
            None,
            None,
        )
        for ln in ranked
    )


def _results(session: Session, contest_ids: Sequence[int]) -> dict[int, ContestResult]:
    if not contest_ids:
        return {}
    return {
        r.contest_id: r
        for r in session.scalars(
            select(ContestResult).where(ContestResult.contest_id.in_(contest_ids))
        )
    }


def _contest_progress(
    session: Session, election_id: int, contest_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """Contest id → (definitive protocols, precincts receiving its ballot)."""
    if not contest_ids:
        return {}
    pairs = _pairs(election_id)
    rows = session.execute(
        select(pairs.c.contest_id, func.count(), func.count(Protocol.id))
        .select_from(pairs)
        .outerjoin(
            Protocol,
            and_(
                Protocol.contest_id == pairs.c.contest_id,
                Protocol.precinct_id == pairs.c.precinct_id,
                Protocol.state == _DEFINITIVE,
            ),
        )
        .where(pairs.c.contest_id.in_(contest_ids))
        .group_by(pairs.c.contest_id)
    )
    return {int(cid): (int(done), int(total)) for cid, total, done in rows}


def _status(result: ContestResult | None, counted: int) -> str:
    if result is not None and isinstance(result.outcome, dict) and result.outcome.get("status"):
        return str(result.outcome["status"])
    return "no_protocols" if counted == 0 else "not_tabulated"


def _list_results(
    session: Session, election: Election, contests: Sequence[Contest]
) -> dict[int, ListResult]:
    ids = [c.id for c in contests]
    sums = _contest_sums(session, ids)
    votes = _choice_votes(session, ids)
    ballots = _ballot(session, ids)
    results = _results(session, ids)
    progress = _contest_progress(session, election.id, ids)
    out = {}
    for contest in contests:
        rules = election_rules(election).list_rules(contest.kind.body)
        contest_sums = sums.get(contest.id, _ZERO_SUMS)
        lines = ballots.get(contest.id, [])
        result = results.get(contest.id)
        counted, total = progress.get(contest.id, (0, 0))
        out[contest.id] = ListResult(
            contest_id=contest.id,
            kind=contest.kind.value,
            seats=contest.seats,
            threshold=rules.threshold,
            threshold_base=rules.threshold_base.value,
            base=_list_base(election, contest, lines, votes, contest_sums),
            against_all=contest_sums.against_all,
            status=_status(result, counted),
            official=result is not None and result.published_at is not None,
            precincts_counted=counted,
            precincts_total=total,
            choices=_list_choices(election, contest, lines, votes, contest_sums, result),
        )
    return out


def _district_rows(session: Session, contests: Sequence[Contest]) -> tuple[DistrictRow, ...]:
    """Every single-member district of a body: leader, runner-up, "against all", KB, status."""
    if not contests:
        return ()
    ids = [c.id for c in contests]
    sums = _contest_sums(session, ids)
    votes = _choice_votes(session, ids)
    ballots = _ballot(session, ids)
    results = _results(session, ids)
    progress = _contest_progress(session, contests[0].election_id, ids)
    numbers = {
        int(i): (int(n), name)
        for i, n, name in session.execute(
            select(District.id, District.number, District.name).where(
                District.id.in_([c.district_id for c in contests if c.district_id])
            )
        )
    }
    rows = []
    for contest in contests:
        contest_sums = sums.get(contest.id, _ZERO_SUMS)
        choices = _district_choices(ballots.get(contest.id, []), votes, contest_sums)
        counted, total = progress.get(contest.id, (0, 0))
        number, name = numbers.get(contest.district_id or 0, (0, ""))
        kb = (
            district_competitiveness([c.votes for c in choices])
            if choices and contest_sums.protocols
            else None
        )
        first = choices[0] if choices and contest_sums.protocols else None
        second = choices[1] if len(choices) > 1 and contest_sums.protocols else None
        result = results.get(contest.id)
        rows.append(
            DistrictRow(
                contest_id=contest.id,
                number=number,
                name=name,
                leader=first.label if first else None,
                leader_votes=first.votes if first else None,
                leader_share=first.share if first else None,
                runner_up=second.label if second else None,
                runner_up_votes=second.votes if second else None,
                runner_up_share=second.share if second else None,
                against_all=contest_sums.against_all,
                against_all_share=_share(contest_sums.against_all, contest_sums.valid),
                competitiveness=kb.display if kb else None,
                band=kb.band.value if kb else None,
                status=_status(result, counted),
                official=result is not None and result.published_at is not None,
                precincts_counted=counted,
                precincts_total=total,
            )
        )
    rows.sort(key=lambda r: (r.number, r.contest_id))
    return tuple(rows)


def _outcome(result: ContestResult) -> Outcome:
    document = result.outcome if isinstance(result.outcome, dict) else {}
    return Outcome(
        status=str(document.get("status") or result.status),
        final=result.status == FINAL,
        official=result.published_at is not None,
        computed_at=result.computed_at,
        published_at=result.published_at,
        precincts_counted=result.precincts_counted,
        document=document,
    )


def _precinct_rows(
    session: Session, contest: Contest, choice_ids: Sequence[int], number: int
) -> tuple[PrecinctRow, ...]:
    """Page ``number`` of the contest's precincts (by region code and number) with their
    definitive figures: two queries for the page, whatever its size."""
    pairs = _pairs(contest.election_id)
    query = (
        select(Precinct, Region.code, Protocol)
        .join(pairs, pairs.c.precinct_id == Precinct.id)
        .join(Region, Region.id == Precinct.region_id)
        .outerjoin(
            Protocol,
            and_(
                Protocol.contest_id == contest.id,
                Protocol.precinct_id == Precinct.id,
                Protocol.state == _DEFINITIVE,
            ),
        )
        .where(pairs.c.contest_id == contest.id)
        .order_by(Region.code, Precinct.number, Precinct.id)
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    rows = session.execute(query).all()
    protocol_ids = [p.id for _, _, p in rows if p is not None]
    votes: dict[int, dict[str, int]] = {}
    if protocol_ids:
        for protocol_id, choice_id, n in session.execute(
            select(ProtocolVote.protocol_id, ProtocolVote.choice_id, ProtocolVote.votes)
            .where(ProtocolVote.protocol_id.in_(protocol_ids))
            .order_by(ProtocolVote.protocol_id, ProtocolVote.choice_id)
        ):
            votes.setdefault(int(protocol_id), {})[str(choice_id)] = int(n)
    out = []
    for precinct, code, protocol in rows:
        if protocol is None:
            out.append(
                PrecinctRow(
                    precinct.id,
                    code,
                    precinct.number,
                    precinct.address,
                    precinct.voters,
                    False,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    {str(c): None for c in choice_ids},
                )
            )
            continue
        boxes = protocol.ballots_in_boxes or 0
        invalid = protocol.invalid or 0
        voters = protocol.voters_on_list or 0
        out.append(
            PrecinctRow(
                precinct.id,
                code,
                precinct.number,
                precinct.address,
                precinct.voters,
                True,
                voters,
                boxes,
                boxes - invalid,
                protocol.against_all or 0,
                invalid,
                _share(boxes, voters),
                {str(c): votes.get(protocol.id, {}).get(str(c), 0) for c in choice_ids},
            )
        )
    return tuple(out)
