"""What contests' definitive protocols add up to: totals, every ballot line's votes and share, the
threshold line of a list contest and the leaders of a single-member district (issue #5 §1).

Figures are summed live in SQL from the definitive protocols (CL art. 43), so a reader sees a
protocol as soon as it is definitive; the outcome (seats, elected, runoff) is the contest's latest
tabulation (``ContestResult``, ``services/tabulation.py``), *official* once published and
*preliminary* before. Shares are exact fractions. Shared by the national, body and contest views;
every loader takes many contests at once (one query each, whatever their number).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from saylau.law.allocation import threshold_base
from saylau.law.competitiveness import district_competitiveness
from saylau.services.deadlines import election_rules
from saylau.services.public.common import (
    DEFINITIVE,
    definitive_protocol,
    expected_protocols,
    published,
    share,
)
from saylau.storage.models import (
    BallotChoice,
    Contest,
    ContestResult,
    District,
    Election,
    Party,
    PartyList,
    Protocol,
    ProtocolVote,
)


@dataclass(frozen=True)
class Totals:
    """A contest's summed definitive protocols."""

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


# --- sums, votes and ballot lines ---------------------------------------------------------------


@dataclass(frozen=True)
class ContestSums:
    """The protocol lines of a contest summed over its definitive protocols."""

    protocols: int
    voters_on_list: int
    ballots_issued: int
    ballots_in_boxes: int
    against_all: int
    invalid: int

    @property
    def valid(self) -> int:
        """Ballots in the boxes − invalid (= votes + "against all")."""
        return self.ballots_in_boxes - self.invalid

    def totals(self) -> Totals:
        """The sums as the contest view shows them, with the exact turnout."""
        return Totals(
            self.protocols,
            self.voters_on_list,
            self.ballots_issued,
            self.ballots_in_boxes,
            self.valid,
            self.against_all,
            self.invalid,
            share(self.ballots_in_boxes, self.voters_on_list),
        )


ZERO_SUMS = ContestSums(0, 0, 0, 0, 0, 0)
"""The sums of a contest without a definitive protocol."""


@dataclass(frozen=True)
class BallotLine:
    """A line of a contest's ballot: a party list or a candidate."""

    choice_id: int
    position: int
    label: str
    party: str | None


def contest_sums(session: Session, contest_ids: Sequence[int]) -> dict[int, ContestSums]:
    """Contest id → its summed definitive protocols (absent: none yet)."""
    if not contest_ids:
        return {}
    return _sums(session, Protocol.contest_id.in_(contest_ids))


def _sums(session: Session, contests: ColumnElement[bool]) -> dict[int, ContestSums]:
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
        .where(contests, Protocol.state == DEFINITIVE)
        .group_by(Protocol.contest_id)
    )
    return {int(row[0]): ContestSums(*(int(x or 0) for x in row[1:])) for row in rows}


def choice_votes(session: Session, contest_ids: Sequence[int]) -> dict[int, int]:
    """Ballot choice id → votes in the definitive protocols (by choice id)."""
    if not contest_ids:
        return {}
    rows = session.execute(
        select(ProtocolVote.choice_id, func.sum(ProtocolVote.votes))
        .join(Protocol, Protocol.id == ProtocolVote.protocol_id)
        .where(ProtocolVote.contest_id.in_(contest_ids), Protocol.state == DEFINITIVE)
        .group_by(ProtocolVote.choice_id)
        .order_by(ProtocolVote.choice_id)
    )
    return {int(choice): int(votes) for choice, votes in rows}


@dataclass(frozen=True)
class ElectionTallies:
    """Every contest's sums, votes and ballot lines of one election, read at once (three
    aggregations for the whole election instead of three per contest): what the static
    publication's contest pages share (:func:`~saylau.services.public.common.remember`)."""

    sums: dict[int, ContestSums]
    votes: dict[int, dict[int, int]]
    """Contest id → ballot choice id → votes (by choice id, as :func:`choice_votes`)."""
    lines: dict[int, list[BallotLine]]


def election_tallies(session: Session, election_id: int) -> ElectionTallies:
    """The :class:`ElectionTallies` of ``election_id``."""
    in_election = select(Contest.id).where(Contest.election_id == election_id)
    votes: dict[int, dict[int, int]] = {}
    for contest_id, choice, n in session.execute(
        select(ProtocolVote.contest_id, ProtocolVote.choice_id, func.sum(ProtocolVote.votes))
        .join(Protocol, Protocol.id == ProtocolVote.protocol_id)
        .where(ProtocolVote.contest_id.in_(in_election), Protocol.state == DEFINITIVE)
        .group_by(ProtocolVote.contest_id, ProtocolVote.choice_id)
        .order_by(ProtocolVote.contest_id, ProtocolVote.choice_id)
    ):
        votes.setdefault(int(contest_id), {})[int(choice)] = int(n)
    return ElectionTallies(
        _sums(session, Protocol.contest_id.in_(in_election)),
        votes,
        _lines(session, BallotChoice.contest_id.in_(in_election)),
    )


def ballot_lines(session: Session, contest_ids: Iterable[int]) -> dict[int, list[BallotLine]]:
    """Contest id → its ballot lines in ballot order, with the party code of a list."""
    ids = list(contest_ids)
    if not ids:
        return {}
    return _lines(session, BallotChoice.contest_id.in_(ids))


def _lines(session: Session, contests: ColumnElement[bool]) -> dict[int, list[BallotLine]]:
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
        .where(contests)
        .order_by(BallotChoice.contest_id, BallotChoice.position)
    )
    lines: dict[int, list[BallotLine]] = {}
    for contest_id, choice_id, position, label, party in rows:
        lines.setdefault(int(contest_id), []).append(BallotLine(choice_id, position, label, party))
    return lines


def latest_results(session: Session, contest_ids: Sequence[int]) -> dict[int, ContestResult]:
    """Contest id → its latest tabulation (absent: not tabulated)."""
    if not contest_ids:
        return {}
    return {
        r.contest_id: r
        for r in session.scalars(
            select(ContestResult).where(ContestResult.contest_id.in_(contest_ids))
        )
    }


def contest_progress(
    session: Session, election_id: int, contest_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """Contest id → (definitive protocols, precincts receiving its ballot)."""
    if not contest_ids:
        return {}
    pairs = expected_protocols(election_id)
    rows = session.execute(
        select(pairs.c.contest_id, func.count(), func.count(Protocol.id))
        .select_from(pairs)
        .outerjoin(Protocol, definitive_protocol(pairs))
        .where(pairs.c.contest_id.in_(contest_ids))
        .group_by(pairs.c.contest_id)
    )
    return {int(cid): (int(done), int(total)) for cid, total, done in rows}


@dataclass(frozen=True)
class Tally:
    """Everything the tables of many contests need, loaded together (five queries)."""

    sums: dict[int, ContestSums]
    votes: dict[int, int]
    ballots: dict[int, list[BallotLine]]
    results: dict[int, ContestResult]
    progress: dict[int, tuple[int, int]]


def tally(session: Session, election_id: int, contest_ids: Sequence[int]) -> Tally:
    """The sums, votes, ballot lines, latest tabulations and progress of the contests."""
    return Tally(
        contest_sums(session, contest_ids),
        choice_votes(session, contest_ids),
        ballot_lines(session, contest_ids),
        latest_results(session, contest_ids),
        contest_progress(session, election_id, contest_ids),
    )


# --- the rows -------------------------------------------------------------------------------------


def outcome_status(result: ContestResult | None, counted: int) -> str:
    """The tabulation's outcome, else ``no_protocols`` or ``not_tabulated``."""
    if result is not None and isinstance(result.outcome, dict) and result.outcome.get("status"):
        return str(result.outcome["status"])
    return "no_protocols" if counted == 0 else "not_tabulated"


def list_base(
    election: Election,
    contest: Contest,
    lines: Sequence[BallotLine],
    votes: Mapping[int, int],
    sums: ContestSums,
) -> int:
    """The threshold's base (decision #1: party votes + "against all" under the 2023 rules)."""
    rules = election_rules(election).list_rules(contest.kind.body)
    party_votes = sum(votes.get(ln.choice_id, 0) for ln in lines)
    return threshold_base(party_votes, sums.against_all, sums.invalid, rules.threshold_base)


def _stored_seats(result: ContestResult | None) -> dict[int, int] | None:
    """Choice id → seats of the stored tabulation, if it allocated any."""
    if result is None or not isinstance(result.outcome, dict):
        return None
    lists = result.outcome.get("lists")
    if not isinstance(lists, list):
        return None
    return {int(item["choice_id"]): int(item["seats"]) for item in lists}


def list_choices(
    election: Election,
    contest: Contest,
    lines: Sequence[BallotLine],
    votes: Mapping[int, int],
    sums: ContestSums,
    result: ContestResult | None,
) -> tuple[ChoiceRow, ...]:
    """The party lists in ballot order with their share of the threshold's base, whether they
    pass it (CL art. 111-1 para 1; art. 97-1 para 1) and their seats."""
    threshold = election_rules(election).list_rules(contest.kind.body).threshold
    base = list_base(election, contest, lines, votes, sums)
    seats = _stored_seats(result)
    rows = []
    for ln in lines:
        n = votes.get(ln.choice_id, 0)
        part = share(n, base)
        rows.append(
            ChoiceRow(
                ln.choice_id,
                ln.position,
                ln.label,
                ln.party,
                n,
                part,
                None if part is None else part >= threshold,
                None if seats is None else seats.get(ln.choice_id, 0),
            )
        )
    return tuple(rows)


def district_choices(
    lines: Sequence[BallotLine], votes: Mapping[int, int], sums: ContestSums
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
            share(votes.get(ln.choice_id, 0), sums.valid),
            None,
            None,
        )
        for ln in ranked
    )


def list_results(
    session: Session, election: Election, contests: Sequence[Contest]
) -> dict[int, ListResult]:
    """Contest id → the list contest in brief: threshold line, status and progress."""
    found = tally(session, election.id, [c.id for c in contests])
    out = {}
    for contest in contests:
        rules = election_rules(election).list_rules(contest.kind.body)
        sums = found.sums.get(contest.id, ZERO_SUMS)
        lines = found.ballots.get(contest.id, [])
        result = found.results.get(contest.id)
        counted, total = found.progress.get(contest.id, (0, 0))
        out[contest.id] = ListResult(
            contest_id=contest.id,
            kind=contest.kind.value,
            seats=contest.seats,
            threshold=rules.threshold,
            threshold_base=rules.threshold_base.value,
            base=list_base(election, contest, lines, found.votes, sums),
            against_all=sums.against_all,
            status=outcome_status(result, counted),
            official=published(result),
            precincts_counted=counted,
            precincts_total=total,
            choices=list_choices(election, contest, lines, found.votes, sums, result),
        )
    return out


def district_names(session: Session, district_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """District id → (number, name)."""
    if not district_ids:
        return {}
    return {
        int(i): (int(n), name)
        for i, n, name in session.execute(
            select(District.id, District.number, District.name).where(District.id.in_(district_ids))
        )
    }


def district_rows(session: Session, contests: Sequence[Contest]) -> tuple[DistrictRow, ...]:
    """Every single-member district of a body: leader, runner-up, "against all", KB, status."""
    if not contests:
        return ()
    found = tally(session, contests[0].election_id, [c.id for c in contests])
    numbers = district_names(session, [c.district_id for c in contests if c.district_id])
    rows = []
    for contest in contests:
        sums = found.sums.get(contest.id, ZERO_SUMS)
        choices = district_choices(found.ballots.get(contest.id, []), found.votes, sums)
        counted, total = found.progress.get(contest.id, (0, 0))
        number, name = numbers.get(contest.district_id or 0, (0, ""))
        kb = (
            district_competitiveness([c.votes for c in choices])
            if choices and sums.protocols
            else None
        )
        first = choices[0] if choices and sums.protocols else None
        second = choices[1] if len(choices) > 1 and sums.protocols else None
        result = found.results.get(contest.id)
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
                against_all=sums.against_all,
                against_all_share=share(sums.against_all, sums.valid),
                competitiveness=kb.display if kb else None,
                band=kb.band.value if kb else None,
                status=outcome_status(result, counted),
                official=published(result),
                precincts_counted=counted,
                precincts_total=total,
            )
        )
    rows.sort(key=lambda r: (r.number, r.contest_id))
    return tuple(rows)
