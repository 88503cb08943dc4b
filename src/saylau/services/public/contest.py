"""A contest on the results site (issue #5 §1): ``elections/{election_id}/contests/{contest_id}/``
— totals, every ballot line's votes and share, the outcome with the stored allocation trace, and
the first :data:`PAGE_SIZE` of the contest's precincts — and the further pages of its precinct
table (the Mazhilis list has every precinct of the country), which show their rows only: a new
protocol then changes the first page and the one page holding its precinct, not all forty of the
Mazhilis table (issue #8, B3)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, func, literal, select, tuple_
from sqlalchemy.orm import Session

from saylau.law.competitiveness import district_competitiveness
from saylau.services.deadlines import election_rules
from saylau.services.errors import NotFound
from saylau.services.public.common import (
    DEFINITIVE,
    NO_PROGRESS,
    Crumb,
    ElectionInfo,
    Progress,
    body_crumbs,
    contest_crumb,
    contest_updates,
    coverage,
    election_ids,
    election_info,
    expected_protocols,
    find_election,
    memo,
    names,
    overall,
    published,
    remembering,
    share,
    synthetic,
    updated_at,
)
from saylau.services.public.tally import (
    ZERO_SUMS,
    ChoiceRow,
    Totals,
    ballot_lines,
    choice_votes,
    contest_sums,
    district_choices,
    election_tallies,
    list_base,
    list_choices,
)
from saylau.services.tabulation import FINAL
from saylau.storage.models import (
    Contest,
    ContestResult,
    Election,
    Precinct,
    Protocol,
    ProtocolVote,
    Region,
)

PAGE_SIZE = 250
"""Precincts per page of a contest's precinct table (the Mazhilis list has every precinct)."""


@dataclass(frozen=True)
class ContestInfo:
    """The contest: its kind, seats, body and district."""

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
class Column:
    """A ballot line as a column of the precinct table, in ballot order whatever the votes, so
    that every page of the table has the same columns."""

    choice_id: int
    label: str


@dataclass(frozen=True)
class ContestResults:
    """``elections/{election_id}/contests/{contest_id}/``: the contest and the first page of
    its precinct table."""

    election: ElectionInfo
    contest: ContestInfo
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    totals: Totals
    choices: tuple[ChoiceRow, ...]
    columns: tuple[Column, ...]
    against_all_share: Fraction | None
    competitiveness: str | None
    band: str | None
    outcome: Outcome | None
    precincts: tuple[PrecinctRow, ...]
    page: int
    pages: int
    breadcrumbs: tuple[Crumb, ...]


@dataclass(frozen=True)
class ContestPrecincts:
    """``elections/{election_id}/contests/{contest_id}/precincts/{number}/``: a further page of
    the contest's precinct table, its rows only — the totals, the outcome and its trace are on
    the first page, so that this page changes only with its own precincts' protocols."""

    election: ElectionInfo
    contest: ContestInfo
    synthetic: bool
    columns: tuple[Column, ...]
    counted: int
    """Precincts of this page with a definitive protocol."""
    precincts: tuple[PrecinctRow, ...]
    page: int
    pages: int
    breadcrumbs: tuple[Crumb, ...]


def _find_contest(session: Session, election: Election, contest_id: int) -> Contest:
    contest = session.get(Contest, contest_id)
    if contest is None or contest.election_id != election.id:
        raise NotFound(
            "not_found", f"no contest {contest_id} in election {election.id}", field="contest_id"
        )
    return contest


def _contest_info(election: Election, contest: Contest) -> ContestInfo:
    """The contest's heading facts; a list's threshold share (CL art. 111-1 para 1)."""
    body = contest.body
    district = contest.district
    threshold = (
        election_rules(election).list_rules(contest.kind.body).threshold
        if contest.kind.is_list
        else None
    )
    return ContestInfo(
        contest.id,
        contest.kind.value,
        contest.seats,
        body.id,
        *names(body),
        district_number=district.number if district else None,
        district_name=district.name if district else None,
        threshold=threshold,
    )


def _page_count(precincts: int, number: int, contest_id: int) -> int:
    """The pages of a table of ``precincts`` rows; ``not_found`` unless page ``number`` is one."""
    pages = max(1, -(-precincts // PAGE_SIZE))
    if not 1 <= number <= pages:
        raise NotFound("not_found", f"contest {contest_id} has no page {number}", field="number")
    return pages


def contest_results(session: Session, *, election_id: int, contest_id: int) -> ContestResults:
    """A contest: totals, every line's votes and share, the outcome with its trace, and the
    first page of its precincts (:data:`PAGE_SIZE` a page)."""
    election = find_election(session, election_id)
    contest = _find_contest(session, election, contest_id)
    body = contest.body
    if remembering(session):  # the publication: every contest of the election from one read
        shared = memo(
            session,
            ("contest.tallies", election.id),
            lambda: election_tallies(session, election.id),
        )
        sums = shared.sums.get(contest.id, ZERO_SUMS)
        votes = shared.votes.get(contest.id, {})
        lines = shared.lines.get(contest.id, [])
        progress = memo(
            session,
            ("contest.progress", election.id),
            lambda: coverage(session, election.id, "contest"),
        ).get(contest.id, NO_PROGRESS)
        updated = memo(
            session,
            ("contest.updated", election.id),
            lambda: contest_updates(session, election.id),
        ).get(contest.id)
        is_synthetic = memo(session, ("synthetic",), lambda: synthetic(session, None))
    else:
        sums = contest_sums(session, [contest.id]).get(contest.id, ZERO_SUMS)
        votes = choice_votes(session, [contest.id])
        lines = ballot_lines(session, [contest.id]).get(contest.id, [])
        progress = overall(session, election.id, contest_id=contest.id)
        updated = updated_at(session, election.id, contest_id=contest.id)
        is_synthetic = synthetic(session, None)
    result = session.scalars(
        select(ContestResult).where(ContestResult.contest_id == contest.id)
    ).first()
    pages = _page_count(progress.precincts_total, 1, contest.id)
    if contest.kind.is_list:
        choices = list_choices(election, contest, lines, votes, sums, result)
        against_share = share(sums.against_all, list_base(election, contest, lines, votes, sums))
        kb = None
    else:
        choices = district_choices(lines, votes, sums)
        against_share = share(sums.against_all, sums.valid)
        kb = (
            district_competitiveness([votes.get(ln.choice_id, 0) for ln in lines])
            if lines and sums.protocols
            else None
        )
    crumbs = [*body_crumbs(session, election, body), contest_crumb(election, contest)]
    return ContestResults(
        election=election_info(election),
        contest=_contest_info(election, contest),
        synthetic=is_synthetic,
        updated_at=updated,
        official=published(result),
        progress=progress,
        totals=sums.totals(),
        choices=choices,
        columns=tuple(Column(ln.choice_id, ln.label) for ln in lines),
        against_all_share=against_share,
        competitiveness=kb.display if kb else None,
        band=kb.band.value if kb else None,
        outcome=None if result is None else _outcome(result),
        precincts=_precinct_rows(session, contest, [ln.choice_id for ln in lines], 1),
        page=1,
        pages=pages,
        breadcrumbs=tuple(crumbs),
    )


def contest_precincts(
    session: Session, *, election_id: int, contest_id: int, number: int
) -> ContestPrecincts:
    """Page ``number`` of a contest's precinct table (:data:`PAGE_SIZE` a page), its rows
    only: nothing on it depends on another page's protocols."""
    election = find_election(session, election_id)
    contest = _find_contest(session, election, contest_id)
    if remembering(session):
        lines = memo(
            session,
            ("contest.tallies", election.id),
            lambda: election_tallies(session, election.id),
        ).lines.get(contest.id, [])
        total = len(
            memo(
                session,
                ("contest.precinct_rows", election.id),
                lambda: election_precinct_rows(session, election.id),
            ).get(contest.id, [])
        )
        is_synthetic = memo(session, ("synthetic",), lambda: synthetic(session, None))
    else:
        lines = ballot_lines(session, [contest.id]).get(contest.id, [])
        pairs = expected_protocols(election.id)
        total = (
            session.scalar(
                select(func.count()).select_from(pairs).where(pairs.c.contest_id == contest.id)
            )
            or 0
        )
        is_synthetic = synthetic(session, None)
    pages = _page_count(total, number, contest.id)
    rows = _precinct_rows(session, contest, [ln.choice_id for ln in lines], number)
    crumbs = [*body_crumbs(session, election, contest.body), contest_crumb(election, contest)]
    return ContestPrecincts(
        election=election_info(election),
        contest=_contest_info(election, contest),
        synthetic=is_synthetic,
        columns=tuple(Column(ln.choice_id, ln.label) for ln in lines),
        counted=sum(row.counted for row in rows),
        precincts=rows,
        page=number,
        pages=pages,
        breadcrumbs=tuple(crumbs),
    )


def precinct_pages(
    session: Session, election_id: int, contest_id: int, precinct_ids: Collection[int]
) -> set[int]:
    """The pages of the contest's precinct table that hold ``precinct_ids`` (those that vote in
    it): a precinct's rank in the table order (region code, number, id) counted in SQL, so that
    re-publishing after its protocol touches its page only (issue #8, B3)."""
    pairs = expected_protocols(election_id)
    order = tuple_(Region.code, Precinct.number, Precinct.id)
    table = (
        select(Region.code, Precinct.number, Precinct.id)
        .select_from(pairs)
        .join(Precinct, Precinct.id == pairs.c.precinct_id)
        .join(Region, Region.id == Precinct.region_id)
        .where(pairs.c.contest_id == contest_id)
    )
    pages = set()
    for code, number, precinct_id in session.execute(table.where(Precinct.id.in_(precinct_ids))):
        before = session.scalar(
            select(func.count()).select_from(
                table.where(
                    order < tuple_(literal(code), literal(number), literal(precinct_id))
                ).subquery()
            )
        )
        pages.add(int(before or 0) // PAGE_SIZE + 1)
    return pages


def _outcome(result: ContestResult) -> Outcome:
    """The stored tabulation as the page shows it."""
    document = result.outcome if isinstance(result.outcome, dict) else {}
    return Outcome(
        status=str(document.get("status") or result.status),
        final=result.status == FINAL,
        official=published(result),
        computed_at=result.computed_at,
        published_at=result.published_at,
        precincts_counted=result.precincts_counted,
        document=document,
    )


_Place = tuple[int, str, int, str, int]
"""A precinct as a contest's table shows it: id, region code, number, address, voters."""
_Figures = tuple[int, int | None, int | None, int | None, int | None]
"""A definitive protocol's id, voters on the list, ballots in the boxes, invalid, against all."""


def election_precinct_rows(
    session: Session, election_id: int
) -> dict[int, list[tuple[_Place, _Figures | None]]]:
    """Contest id → its precincts in table order (region code, number, id), each with its
    definitive protocol's figures: every contest table of the election from one read (the
    publication writes all of them), plain rows."""
    pairs = expected_protocols(election_id)
    query = (
        select(
            pairs.c.contest_id,
            Precinct.id,
            Region.code,
            Precinct.number,
            Precinct.address,
            Precinct.voters,
            Protocol.id,
            Protocol.voters_on_list,
            Protocol.ballots_in_boxes,
            Protocol.invalid,
            Protocol.against_all,
        )
        .select_from(pairs)
        .join(Precinct, pairs.c.precinct_id == Precinct.id)
        .join(Region, Region.id == Precinct.region_id)
        .outerjoin(
            Protocol,
            and_(
                Protocol.contest_id == pairs.c.contest_id,
                Protocol.precinct_id == Precinct.id,
                Protocol.state == DEFINITIVE,
            ),
        )
        .order_by(pairs.c.contest_id, Region.code, Precinct.number, Precinct.id)
    )
    out: dict[int, list[tuple[_Place, _Figures | None]]] = {}
    for contest_id, pid, code, num, address, voters, protocol_id, *figures in session.execute(
        query
    ):
        place = (int(pid), str(code), int(num), address, int(voters))
        found = None if protocol_id is None else (int(protocol_id), *figures)
        out.setdefault(int(contest_id), []).append((place, found))
    return out


def _precinct_rows(
    session: Session, contest: Contest, choice_ids: Sequence[int], number: int
) -> tuple[PrecinctRow, ...]:
    """Page ``number`` of the contest's precincts (by region code and number) with their
    definitive figures: two queries for the page, whatever its size (in a publication, the
    page is cut from :func:`election_precinct_rows`, read once)."""
    if remembering(session):
        every = memo(
            session,
            ("contest.precinct_rows", contest.election_id),
            lambda: election_precinct_rows(session, contest.election_id),
        ).get(contest.id, [])
        start = (number - 1) * PAGE_SIZE
        return _rows(session, every[start : start + PAGE_SIZE], choice_ids)
    pairs = expected_protocols(contest.election_id)
    query = (
        select(Precinct, Region.code, Protocol)
        .join(pairs, pairs.c.precinct_id == Precinct.id)
        .join(Region, Region.id == Precinct.region_id)
        .outerjoin(
            Protocol,
            and_(
                Protocol.contest_id == contest.id,
                Protocol.precinct_id == Precinct.id,
                Protocol.state == DEFINITIVE,
            ),
        )
        .where(pairs.c.contest_id == contest.id)
        .order_by(Region.code, Precinct.number, Precinct.id)
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    page: list[tuple[_Place, _Figures | None]] = [
        (
            (precinct.id, code, precinct.number, precinct.address, precinct.voters),
            None
            if protocol is None
            else (
                protocol.id,
                protocol.voters_on_list,
                protocol.ballots_in_boxes,
                protocol.invalid,
                protocol.against_all,
            ),
        )
        for precinct, code, protocol in session.execute(query)
    ]
    return _rows(session, page, choice_ids)


def _rows(
    session: Session, page: Sequence[tuple[_Place, _Figures | None]], choice_ids: Sequence[int]
) -> tuple[PrecinctRow, ...]:
    """A page of a contest's table: its precincts with their protocols' votes (one query)."""
    protocol_ids = [f[0] for _, f in page if f is not None]
    votes: dict[int, dict[str, int]] = {}
    if protocol_ids:
        for protocol_id, choice_id, n in session.execute(
            select(ProtocolVote.protocol_id, ProtocolVote.choice_id, ProtocolVote.votes)
            .where(ProtocolVote.protocol_id.in_(protocol_ids))
            .order_by(ProtocolVote.protocol_id, ProtocolVote.choice_id)
        ):
            votes.setdefault(int(protocol_id), {})[str(choice_id)] = int(n)
    out = []
    for place, figures in page:
        if figures is None:
            empty = {str(c): None for c in choice_ids}
            out.append(PrecinctRow(*place, False, None, None, None, None, None, None, empty))
            continue
        protocol_id, on_list, in_boxes, spoilt, against = figures
        boxes = in_boxes or 0
        invalid = spoilt or 0
        voters = on_list or 0
        out.append(
            PrecinctRow(
                *place,
                True,
                voters,
                boxes,
                boxes - invalid,
                against or 0,
                invalid,
                share(boxes, voters),
                {str(c): votes.get(protocol_id, {}).get(str(c), 0) for c in choice_ids},
            )
        )
    return tuple(out)


# --- instances (what the static publication writes) ---------------------------------------------


def contest_instances(session: Session) -> Iterator[dict[str, int | str]]:
    """Every contest of every election (its first page)."""
    for election_id, contest_id in session.execute(
        select(Contest.election_id, Contest.id).order_by(Contest.election_id, Contest.id)
    ):
        yield {"election_id": int(election_id), "contest_id": int(contest_id)}


def contest_page_instances(session: Session) -> Iterator[dict[str, int | str]]:
    """Pages 2… of every contest whose precincts do not fit on one page."""
    for election_id in election_ids(session):
        pairs = expected_protocols(election_id)
        for contest_id, n in session.execute(
            select(pairs.c.contest_id, func.count())
            .group_by(pairs.c.contest_id)
            .order_by(pairs.c.contest_id)
        ):
            for number in range(2, -(-int(n) // PAGE_SIZE) + 1):
                yield {"election_id": election_id, "contest_id": int(contest_id), "number": number}
