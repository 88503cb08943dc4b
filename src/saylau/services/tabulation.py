"""Tabulation: the definitive precinct protocols summed per contest and the law applied to them.

Per contest (issue #3 §2.6): the votes of every ballot line and the protocol lines are summed in SQL
over the definitive protocols (one aggregation for the whole election, so ~45,000 protocols of a
national election are one query, not a Python loop); progress is "X of Y precincts definitive";
list contests are allocated by :func:`saylau.law.allocation.allocate` (CL art. 111-1, art. 97-1 for
the Mazhilis) and single-member contests decided by :func:`saylau.law.district.decide_district`
(CL art. 9, art. 109-1) with the competitiveness index (decision #18). The result, with the full
trace, is stored as a :class:`ContestResult`. Only when every precinct is definitive is the outcome
final; a final runoff or repeat-election outcome creates the follow-up contest in a new election
record (CL art. 109-1: within one month; art. 110: within two months). A lot the law needs waits
for the seed the commission records (:func:`record_lot`; decision #9).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from math import gcd
from typing import Any, NamedTuple

from sqlalchemy import (
    String,
    Text,
    bindparam,
    cast,
    delete,
    func,
    select,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.domain.states import CandidacyState, ProtocolState
from saylau.law.allocation import Allocation, allocate
from saylau.law.allocation import PartyList as LawPartyList
from saylau.law.ballots import Candidate, order_candidates
from saylau.law.bodies import ContestKind
from saylau.law.calendar import add_months
from saylau.law.competitiveness import district_competitiveness
from saylau.law.district import ContestRound, DistrictResult, decide_district
from saylau.law.errors import LawInputError
from saylau.law.lot import Lot
from saylau.law.rules import RuleSet
from saylau.services.audit import snapshot
from saylau.services.context import NATIONAL, Context, Scope, fetch
from saylau.services.deadlines import election_rules
from saylau.services.errors import Conflict, InvalidInput
from saylau.services.gcpause import paused
from saylau.storage.models import (
    BallotChoice,
    Body,
    BodyKind,
    Contest,
    ContestResult,
    ContestStatus,
    DistrictPrecinct,
    Election,
    LotRecord,
    Nomination,
    Party,
    PartyList,
    Person,
    Precinct,
    Protocol,
    ProtocolVote,
)
from saylau.storage.models.outcome import TabulationPending
from saylau.storage.plainrows import PlainRows
from saylau.storage.types import JSONText

FINAL = "final"
PROVISIONAL = "provisional"
NO_PROTOCOLS = "no_protocols"
NO_BALLOT = "no_ballot"
RUNOFF_MONTHS = 1
"""A runoff is held within one month of the first vote (CL art. 109-1)."""
REPEAT_MONTHS = 2
"""A repeat election is held within two months (CL art. 110)."""

_CONTEST_STATUS = {
    "allocated": ContestStatus.DECIDED,
    "elected": ContestStatus.DECIDED,
    "no_party_passed": ContestStatus.NO_PARTY_PASSED,
    "runoff": ContestStatus.RUNOFF,
    "repeat_election": ContestStatus.REPEAT_ELECTION,
    "lot_required": ContestStatus.LOT_REQUIRED,
}
_NOT_STANDING = (CandidacyState.WITHDRAWN, CandidacyState.CANCELLED, CandidacyState.REFUSED)


@dataclass(frozen=True)
class ContestTally:
    """What tabulating one contest gave: the law's outcome and how complete the count is."""

    contest_id: int
    kind: ContestKind
    final: bool
    status: str
    """The law's outcome (``allocated``, ``no_party_passed``, ``elected``, ``runoff``,
    ``repeat_election``, ``lot_required``), ``no_protocols`` before the first definitive one, or
    ``no_ballot`` for a contest whose ballot is not prepared (nothing is stored for it)."""
    precincts_counted: int
    precincts_total: int
    follow_up_contest_id: int | None = None

    @property
    def progress(self) -> str:
        return f"{self.precincts_counted} of {self.precincts_total} precincts definitive"


@dataclass(frozen=True)
class TotalsLine:
    """Summed definitive protocols of one contest kind over a region, a body or the country."""

    scope: str
    """``national``, ``region`` or ``body``."""
    key: int | None
    kind: ContestKind
    protocols: int
    voters_on_list: int
    ballots_in_boxes: int
    valid: int
    against_all: int
    invalid: int

    @property
    def turnout(self) -> Fraction:
        """Ballots in the boxes / voters on the lists (CL art. 43 para 4-1(1)), exact."""
        return (
            Fraction(self.ballots_in_boxes, self.voters_on_list)
            if self.voters_on_list
            else Fraction(0)
        )


# --- services -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingTabulation:
    """What an incremental tabulation did: the contests it re-tabulated and the precincts whose
    protocols became definitive since the last one (what the static site must re-publish)."""

    tallies: tuple[ContestTally, ...]
    contests: frozenset[int]
    precincts: frozenset[int]


def contest_scope(contest: Contest) -> Scope:
    """Who tabulates a contest: the CEC for the Mazhilis, else the TEC of the body's territory."""
    body = contest.body
    if body.kind is BodyKind.MAZHILIS:
        return NATIONAL
    return Scope(region_id=body.region_id, unit_id=body.unit_id)


def tabulate_contest(
    ctx: Context, contest_id: int, *, follow_up_day: date | None = None
) -> ContestTally:
    """Tabulate one contest (TABULATE within the actor's territory; CEC for the Mazhilis)."""
    contest = ctx.get(Contest, contest_id, "contest")
    ctx.authorize(Action.TABULATE, contest_scope(contest))
    election = contest.election
    rows = _contest_rows(ctx.session, election.id, [contest.id])
    pending = _pending(ctx.session, election.id, [contest.id])
    tally, _ = _tabulate(
        ctx, election, rows, follow_up_day, {}, force=False, pending={p[1] for p in pending}
    )[0]
    _consume(ctx.session, [p[0] for p in pending])
    return tally


def tabulate_election(
    ctx: Context,
    election_id: int,
    *,
    follow_up_day: date | None = None,
    only_pending: bool = False,
    force: bool = False,
) -> list[ContestTally]:
    """Tabulate every contest of the election that lies in the actor's territory.

    A contest whose inputs (sums, ballot lines, lot seed, rules, precinct count) are those of its
    stored result is not recomputed (its stored digest says so) unless ``force``, which recomputes
    every contest and compares it with the stored result (a verification). ``only_pending``
    re-tabulates only the contests with protocols made definitive since (see
    :func:`tabulate_pending`). ``follow_up_day`` sets the polling day of runoffs and repeat
    elections this tabulation creates (default: the last Sunday within the legal period, CL arts.
    109-1, 110).
    """
    if only_pending:
        return list(tabulate_pending(ctx, election_id, follow_up_day=follow_up_day).tallies)
    election = ctx.get(Election, election_id, "election")
    rows = _contest_rows(ctx.session, election.id, None)
    if not rows:
        raise Conflict(
            "no_contests",
            f"election {election.id} has no contests to tabulate",
            field="election_id",
        )
    covered = [c for c in rows if ctx.actor.covers(c.scope)]
    for contest in covered or rows[:1]:
        ctx.authorize(Action.TABULATE, contest.scope)
    whole = len(covered) == len(rows)
    pending = _pending(ctx.session, election.id, None)  # read before the sums: none is lost
    if not whole:
        ids = {c.id for c in covered}
        pending = [p for p in pending if p[1] in ids]
    done = _tabulate(
        ctx, election, covered, follow_up_day, {}, force=force, pending={p[1] for p in pending}
    )
    _consume(ctx.session, [p[0] for p in pending])
    return [tally for tally, _ in done]


def tabulate_pending(
    ctx: Context, election_id: int, *, follow_up_day: date | None = None
) -> PendingTabulation:
    """Re-tabulate only the contests of the election with protocols made definitive since their
    last tabulation (issue #8, B3): the pending rows the protocols' own transactions wrote.

    Results, statuses, runoff/repeat follow-ups and progress of those contests are brought up to
    date exactly as a whole-election tabulation would; the body, region and national totals are
    aggregated from the definitive protocols when read (:func:`election_totals`), so they are
    up to date as well. Contests outside the actor's territory stay pending.
    """
    election = ctx.get(Election, election_id, "election")
    pending = _pending(ctx.session, election.id, None)
    if not pending:
        return PendingTabulation((), frozenset(), frozenset())
    rows = _contest_rows(ctx.session, election.id, sorted({p[1] for p in pending}))
    covered = [c for c in rows if ctx.actor.covers(c.scope)]
    for contest in covered or rows[:1]:
        ctx.authorize(Action.TABULATE, contest.scope)
    ids = {c.id for c in covered}
    taken = [p for p in pending if p[1] in ids]
    done = _tabulate(
        ctx, election, covered, follow_up_day, {}, force=False, pending={p[1] for p in taken}
    )
    _consume(ctx.session, [p[0] for p in taken])
    return PendingTabulation(
        tuple(tally for tally, _ in done), frozenset(ids), frozenset(p[2] for p in taken)
    )


def record_lot(
    ctx: Context, contest_id: int, seed: str, *, follow_up_day: date | None = None
) -> ContestTally:
    """Record the seed the commission published for a lot the law requires, and apply it.

    A lot decides between candidates tied for runoff places (decision #6) or lists tied on value
    and registration order (decision #4); it is the deterministic ``sha256-v1`` draw of the law core
    (decision #9), stored as a printable :class:`LotRecord` that anyone can re-run. Only this
    contest is re-tabulated.
    """
    contest = ctx.get(Contest, contest_id, "contest")
    ctx.authorize(Action.TABULATE, contest_scope(contest))
    seed = seed.strip()
    if not seed:
        raise InvalidInput(
            "seed_required", "a lot needs the published, non-empty seed (decision #9)", field="seed"
        )
    if contest.status is not ContestStatus.LOT_REQUIRED:
        raise Conflict(
            "no_lot_required",
            f"contest {contest.id} is {contest.status.value}: no lot is waiting for a seed",
            field="contest_id",
        )
    rows = _contest_rows(ctx.session, contest.election_id, [contest.id])
    tally, lots = _tabulate(
        ctx, contest.election, rows, follow_up_day, {contest.id: seed}, force=True
    )[0]
    for lot in lots:
        record = LotRecord(
            election_id=contest.election_id,
            purpose=f"contest {contest.id}: {lot.purpose}",
            seed=lot.seed,
            method=lot.method,
            candidates=list(lot.candidates),
            order=list(lot.order),
            drawn_by=ctx.actor.user_id,
            drawn_at=ctx.now,
        )
        ctx.session.add(record)
        ctx.session.flush()
        ctx.audit("record_lot", "lot_record", record.id, None, snapshot(record))
    return tally


def contest_progress(session: Session, election_id: int) -> dict[int, tuple[int, int]]:
    """Contest id → (precincts with a definitive protocol, precincts of the contest)."""
    election_of(session, election_id)
    rows = _contest_rows(session, election_id, None)
    counted = {cid: int(n) for cid, n, *_ in _protocol_sums(session, election_id, None)}
    totals = _precinct_totals(session, election_id, rows, None)
    return {c.id: (counted.get(c.id, 0), totals[c.id]) for c in rows}


def election_totals(session: Session, election_id: int) -> tuple[TotalsLine, ...]:
    """Totals of the definitive protocols per contest kind: per body, per region and national.

    Turnout, valid ballots (ballots in the boxes − invalid = votes + "against all", a control
    relation of every definitive protocol) and "against all", for reporting; two SQL aggregations.
    """
    election_of(session, election_id)
    columns = (
        func.count(Protocol.id),
        func.coalesce(func.sum(Protocol.voters_on_list), 0),
        func.coalesce(func.sum(Protocol.ballots_in_boxes), 0),
        func.coalesce(func.sum(Protocol.against_all), 0),
        func.coalesce(func.sum(Protocol.invalid), 0),
    )
    definitive = (Contest.election_id == election_id, Protocol.state == ProtocolState.DEFINITIVE)
    by_region = session.execute(
        select(Contest.kind, Precinct.region_id, *columns)
        .join(Contest, Contest.id == Protocol.contest_id)
        .join(Precinct, Precinct.id == Protocol.precinct_id)
        .where(*definitive)
        .group_by(Contest.kind, Precinct.region_id)
        .order_by(Contest.kind, Precinct.region_id)
    ).all()
    by_body = session.execute(
        select(Contest.kind, Contest.body_id, *columns)
        .join(Contest, Contest.id == Protocol.contest_id)
        .where(*definitive)
        .group_by(Contest.kind, Contest.body_id)
        .order_by(Contest.kind, Contest.body_id)
    ).all()

    def line(scope: str, kind: ContestKind, key: int | None, figures: Sequence[Any]) -> TotalsLine:
        n, voters, boxes, against, invalid = (int(x or 0) for x in figures)
        return TotalsLine(scope, key, kind, n, voters, boxes, boxes - invalid, against, invalid)

    lines = [line("body", row[0], row[1], row[2:]) for row in by_body]
    regions = [line("region", row[0], row[1], row[2:]) for row in by_region]
    national: dict[ContestKind, list[int]] = {}
    for r in regions:
        sums = national.setdefault(r.kind, [0, 0, 0, 0, 0])
        for i, value in enumerate(
            (r.protocols, r.voters_on_list, r.ballots_in_boxes, r.against_all, r.invalid)
        ):
            sums[i] += value
    nationals = [line("national", kind, None, sums) for kind, sums in national.items()]
    return (*nationals, *regions, *lines)


# --- the computation ----------------------------------------------------------------------------


class _Line(NamedTuple):
    """A ballot line with what the law needs to know about it (a named tuple: a whole election's
    lines are built per tabulation, issue #8 B2)."""

    choice_id: int
    position: int
    label: str
    party_list_id: int | None
    party_id: int | None
    party_code: str | None
    registration_order: int | None
    list_state: CandidacyState | None
    nomination_id: int | None
    person_id: int | None
    nomination_state: CandidacyState | None
    surname: str | None
    name: str | None
    patronymic: str | None

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> _Line:
        """A line from its row as :func:`_ballot_lines` reads it (states as stored text)."""
        values = list(row)
        for index in (_LIST_STATE, _NOMINATION_STATE):
            if values[index] is not None:
                values[index] = _STATES.get(values[index]) or CandidacyState(values[index])
        return cls._make(values)

    def document(self) -> dict[str, Any]:
        return {
            "choice_id": self.choice_id,
            "position": self.position,
            "label": self.label,
            "party_id": self.party_id,
            "party": self.party_code,
            "party_list_id": self.party_list_id,
            "nomination_id": self.nomination_id,
            "person_id": self.person_id,
        }


_LIST_STATE = 7
_NOMINATION_STATE = 10
"""Positions of the candidacy states in a :class:`_Line` (and in its row)."""
_STATES = {state.value: state for state in CandidacyState}
"""A candidacy state by its stored text (a dict lookup, not the enum's own)."""


@dataclass
class _Sums:
    protocols: int = 0
    voters_on_list: int = 0
    ballots_issued: int = 0
    ballots_in_boxes: int = 0
    against_all: int = 0
    invalid: int = 0
    votes: dict[int, int] = field(default_factory=dict)

    def key(self) -> tuple[Any, ...]:
        """The sums as plain values, for the inputs digest."""
        return (
            self.protocols,
            self.voters_on_list,
            self.ballots_issued,
            self.ballots_in_boxes,
            self.against_all,
            self.invalid,
            tuple(sorted(self.votes.items())),
        )

    def document(self) -> dict[str, Any]:
        valid = sum(self.votes.values()) + self.against_all
        return {
            "protocols": self.protocols,
            "voters_on_list": self.voters_on_list,
            "ballots_issued": self.ballots_issued,
            "ballots_in_boxes": self.ballots_in_boxes,
            "valid": valid,
            "against_all": self.against_all,
            "invalid": self.invalid,
            "turnout": _ratio(self.ballots_in_boxes, self.voters_on_list)
            if self.voters_on_list
            else None,
            "votes": {str(k): v for k, v in sorted(self.votes.items())},
        }


@dataclass(frozen=True)
class _Outcome:
    status: str
    document: dict[str, Any]
    lots: tuple[Lot, ...] = ()
    runoff: tuple[_Line, ...] = ()


@dataclass(frozen=True)
class _ContestRow:
    """The columns of a contest and its body that tabulation needs (no ORM object per contest)."""

    id: int
    kind: ContestKind
    seats: int
    district_id: int | None
    body_id: int
    status: ContestStatus
    body_kind: BodyKind
    region_id: int | None
    unit_id: int | None

    @property
    def scope(self) -> Scope:
        """As :func:`contest_scope`."""
        if self.body_kind is BodyKind.MAZHILIS:
            return NATIONAL
        return Scope(region_id=self.region_id, unit_id=self.unit_id)


class _Write(NamedTuple):
    """A recomputed contest whose stored result may have to change."""

    contest: _ContestRow
    final: bool
    sums: _Sums
    total: int
    status: str
    document: dict[str, Any]
    contest_status: ContestStatus
    digest: str


DIGEST_VERSION = "tabulation-2"
"""Part of every inputs digest: changing how a result is computed from its inputs changes it, so
that every stored result is recomputed once."""


_HALF = 32
"""Hex digits of each half of an inputs digest (128 bits of SHA-256 each)."""


def _rest_digest(inputs: tuple[Any, ...], status: ContestStatus) -> str:
    """The first half of the inputs digest: everything but the sums (``repr`` of plain values —
    ints, strings, tuples — is deterministic, so equal inputs give equal digests)."""
    return hashlib.sha256(repr((*inputs, status.value)).encode("utf-8")).hexdigest()[:_HALF]


def _sums_digest(sums: _Sums) -> str:
    """The second half of the inputs digest: the definitive protocols' sums."""
    return hashlib.sha256(repr(sums.key()).encode("utf-8")).hexdigest()[:_HALF]


def _tabulate(
    ctx: Context,
    election: Election,
    contests: Sequence[_ContestRow],
    follow_up_day: date | None,
    seeds_given: Mapping[int, str],
    *,
    force: bool,
    pending: Collection[int] | None = None,
) -> list[tuple[ContestTally, tuple[Lot, ...]]]:
    """Tabulate ``contests`` set-wise: a digest per contest, the sums aggregated and the law and
    the trace document applied only where the digest changed (or ``force``), one bulk write.

    The inputs digest has two halves: everything but the sums (rules, contest, precinct count,
    ballot lines, lot seed, follow-up, status), then the sums. ``pending`` names the contests
    with pending rows, read by the caller before anything else (``None``: every contest counts
    as pending). Every change of a definitive protocol's figures appends a pending row in its
    own transaction (:func:`saylau.services.protocols._make_definitive`), and only a tabulation
    that has read a row consumes it; so the sums of a contest with no pending row are those its
    stored digest's second half was computed from. Such a contest whose first half matches is
    unchanged without its protocols being aggregated: a whole-election tabulation with nothing
    pending aggregates no protocol (issue #8, B2). The others are aggregated (only theirs when
    few) and compared on the whole digest; ``force`` recomputes every contest. The cyclic garbage
    collector is paused meanwhile (:mod:`saylau.services.gcpause`)."""
    with paused():
        return _tabulate_contests(
            ctx, election, contests, follow_up_day, seeds_given, force=force, pending=pending
        )


def _tabulate_contests(
    ctx: Context,
    election: Election,
    contests: Sequence[_ContestRow],
    follow_up_day: date | None,
    seeds_given: Mapping[int, str],
    *,
    force: bool,
    pending: Collection[int] | None,
) -> list[tuple[ContestTally, tuple[Lot, ...]]]:
    session = ctx.session
    ids: list[int] | None = [c.id for c in contests] if len(contests) <= _FEW else None
    stored = _stored(session, election.id, ids)
    totals = _precinct_totals(session, election.id, contests, ids)
    line_keys = _ballot_lines(session, election.id, ids)
    seeds = {**_lot_seeds(session, election.id), **seeds_given}
    followers = _followers(session, election.id, ids)
    rules = election_rules(election)
    rules_key = hashlib.sha256(repr(rules).encode("utf-8")).hexdigest()  # once, not per contest
    settled: dict[int, ContestTally] = {}
    for contest in contests:
        total = totals[contest.id]
        if contest.id not in line_keys:  # no ballot yet: nothing to count, nothing stored
            settled[contest.id] = ContestTally(contest.id, contest.kind, False, NO_BALLOT, 0, total)
            continue
        known = stored.get(contest.id)
        if force or pending is None or contest.id in pending or known is None or not known[0]:
            continue
        follow_up = followers.get(contest.id)
        rest = _rest_digest(
            _inputs(election, rules_key, contest, total, line_keys, seeds, follow_up),
            contest.status,
        )
        if known[0][:_HALF] == rest:
            counted = known[2]
            settled[contest.id] = ContestTally(
                contest.id,
                contest.kind,
                total > 0 and counted == total,
                known[1],
                counted,
                total,
                follow_up,
            )
    need = [c.id for c in contests if c.id not in settled]
    sums = (_sums(session, election.id, need if len(need) <= _FEW else ids)) if need else {}
    done: list[tuple[ContestTally, tuple[Lot, ...]]] = []
    writes: list[_Write] = []
    for contest in contests:
        tally = settled.get(contest.id)
        if tally is not None:
            done.append((tally, ()))
            continue
        total = totals[contest.id]
        contest_sums = sums.get(contest.id) or _Sums()
        seed = seeds.get(contest.id)
        final = total > 0 and contest_sums.protocols == total
        follow_up = followers.get(contest.id)
        sums_half = _sums_digest(contest_sums)
        known = stored.get(contest.id)
        inputs = _inputs(election, rules_key, contest, total, line_keys, seeds, follow_up)
        if (
            not force
            and known is not None
            and known[0] == (_rest_digest(inputs, contest.status) + sums_half)
        ):
            tally = ContestTally(
                contest.id,
                contest.kind,
                final,
                known[1],
                contest_sums.protocols,
                total,
                follow_up,
            )
            done.append((tally, ()))
            continue
        contest_lines = [_Line.of(row) for row in line_keys[contest.id]]  # only when computed
        outcome = _decide(election, rules, contest, contest_lines, contest_sums, seed)
        if final and outcome.status in ("runoff", "repeat_election") and follow_up is None:
            follow_up = _create_follow_up(ctx, election, contest, outcome, follow_up_day)
            inputs = _inputs(election, rules_key, contest, total, line_keys, seeds, follow_up)
        document = {**outcome.document, "follow_up_contest_id": follow_up}
        new_status = (
            _CONTEST_STATUS.get(outcome.status, ContestStatus.OPEN) if final else ContestStatus.OPEN
        )
        writes.append(
            _Write(
                contest,
                final,
                contest_sums,
                total,
                outcome.status,
                document,
                new_status,
                _rest_digest(inputs, new_status) + sums_half,
            )
        )
        tally = ContestTally(
            contest.id,
            contest.kind,
            final,
            outcome.status,
            contest_sums.protocols,
            total,
            follow_up,
        )
        done.append((tally, outcome.lots))
    _store(ctx, writes)
    return done


def _inputs(
    election: Election,
    rules_key: str,
    contest: _ContestRow,
    total: int,
    line_keys: Mapping[int, tuple[Any, ...]],
    seeds: Mapping[int, str],
    follow_up: int | None,
) -> tuple[Any, ...]:
    """What a contest's result is computed from, but the sums and its status (the first half of
    its inputs digest)."""
    return (
        DIGEST_VERSION,
        rules_key,
        election.purpose,
        contest.kind.value,
        contest.seats,
        total,
        line_keys[contest.id],
        seeds.get(contest.id),
        follow_up,
    )


def _decide(
    election: Election,
    rules: RuleSet,
    contest: _ContestRow,
    lines: list[_Line],
    sums: _Sums,
    seed: str | None,
) -> _Outcome:
    if sums.protocols == 0:
        return _Outcome(NO_PROTOCOLS, {"status": NO_PROTOCOLS, "system": contest.kind.system.value})
    if contest.kind.is_list:
        return _decide_list(rules, contest, lines, sums, seed)
    return _decide_district(election, rules, contest, lines, sums, seed)


def _decide_list(
    rules: RuleSet, contest: _ContestRow, lines: list[_Line], sums: _Sums, seed: str | None
) -> _Outcome:
    """Allocate the list seats (CL art. 111-1; art. 97-1 for the Mazhilis; decisions #1–#4)."""
    list_rules = rules.list_rules(contest.kind.body)
    standing = [ln for ln in lines if ln.list_state not in _NOT_STANDING]
    lists = []
    for ln in standing:
        if ln.party_code is None or ln.registration_order is None:
            raise Conflict(
                "list_not_registered",
                f"ballot line {ln.choice_id} of contest {contest.id} is not a registered party "
                "list with a registration order (needed for equal remainders, art. 111-1 para 4)",
                field="contest_id",
            )
        lists.append(
            LawPartyList(ln.party_code, sums.votes.get(ln.choice_id, 0), ln.registration_order)
        )
    base = {
        "system": "party_list",
        "rules": rules.name,
        "article": list_rules.article,
        "seats_total": contest.seats,
        "excluded_lines": [ln.document() for ln in lines if ln not in standing],
    }
    try:
        allocation = allocate(
            lists,
            contest.seats,
            list_rules,
            against_all=sums.against_all,
            invalid=sums.invalid,
            lot_seed=seed,
        )
    except LawInputError as exc:
        if exc.field != "lot_seed":
            raise Conflict(
                "cannot_tabulate", f"contest {contest.id}: {exc}", field=exc.field
            ) from None
        return _Outcome(
            "lot_required",
            {
                **base,
                "status": "lot_required",
                "lot_needed": {"field": exc.field, "rule": exc.rule},
            },
        )
    seats = allocation.seats
    parties = [
        {
            **ln.document(),
            "votes": sums.votes.get(ln.choice_id, 0),
            "seats": seats.get(ln.party_code or "", 0),
        }
        for ln in standing
    ]
    status = allocation.status.value
    document = {**base, "status": status, "lists": parties, "allocation": plain(allocation)}
    return _Outcome(status, document, _allocation_lots(allocation))


def _allocation_lots(allocation: Allocation) -> tuple[Lot, ...]:
    lots = [a.lot for a in allocation.awards if a.lot is not None]
    if allocation.one_party is not None and allocation.one_party.lot is not None:
        lots.insert(0, allocation.one_party.lot)
    return tuple(lots)


def _decide_district(
    election: Election,
    rules: RuleSet,
    contest: _ContestRow,
    lines: list[_Line],
    sums: _Sums,
    seed: str | None,
) -> _Outcome:
    """Decide a single-member district (CL art. 9 paras 3–4, art. 109-1; decisions #5, #6, #18)."""
    standing = [ln for ln in lines if ln.nomination_state not in _NOT_STANDING]
    if not standing:
        raise Conflict(
            "no_candidates",
            f"contest {contest.id}: no candidate on its ballot is still standing",
            field="contest_id",
        )
    names = _names(standing)
    votes = sums.votes
    counts = [votes.get(ln.choice_id, 0) for ln in standing]
    labels = [names[ln.choice_id] for ln in standing]
    contest_round = ContestRound.RUNOFF if election.purpose == "runoff" else ContestRound.FIRST
    result = decide_district(
        dict(zip(labels, counts, strict=True)),
        sums.against_all,
        rules=rules,
        on_ballot=len(lines),
        lot_seed=seed,
        contest_round=contest_round,
        invalid=sums.invalid,
    )
    kb = district_competitiveness(counts)
    decision = _district_document(result)
    ranked = {r["name"]: r for r in decision["ranking"]}  # place and share as published
    # each standing line's document with its name (what the winner and runoff entries are)
    named = {
        label: (ln, {**ln.document(), "name": label})
        for ln, label in zip(standing, labels, strict=True)
    }
    candidates = [
        {
            **named[label][1],
            "votes": n,
            "place": ranked[label]["place"],
            "share": ranked[label]["share"],
        }
        for label, n in sorted(
            zip(labels, counts, strict=True), key=lambda c: ranked[c[0]]["place"]
        )
    ]
    pair = tuple(named[n][0] for n in result.runoff) if result.runoff else ()
    document = {
        "system": "single_member",
        "rules": rules.name,
        "status": result.status.value,
        "round": contest_round.value,
        "winner": dict(named[result.winner][1]) if result.winner else None,
        "runoff": [dict(named[n][1]) for n in result.runoff] if result.runoff else None,
        "candidates": candidates,
        "competitiveness": None
        if kb is None
        else {
            "index": _fraction(kb.index),
            "rounded": kb.display,
            "band": kb.band.value,
            "article": "decision #18",
        },
        "decision": decision,
    }
    lots = (result.lot,) if result.lot is not None else ()
    return _Outcome(result.status.value, document, lots, pair)


def _district_document(result: DistrictResult) -> dict[str, Any]:
    """The law's decision as JSON: what :func:`plain` makes of ``result`` (its fields in order),
    with ``against_all_beats_every_candidate``. Built field by field from the known types of
    :class:`~saylau.law.district.DistrictResult` rather than by the generic walk, which took a
    third of a district's trace (issue #8, B2); ``tests/services/test_tabulation_documents.py``
    holds it equal to the walk on every kind of outcome."""
    lot = result.lot
    needed = result.lot_needed
    explanation = result.explanation
    return {
        "status": result.status.value,
        "winner": result.winner,
        "unopposed": result.unopposed,
        "runoff": None if result.runoff is None else list(result.runoff),
        "lot": None
        if lot is None
        else {
            "purpose": lot.purpose,
            "seed": lot.seed,
            "candidates": list(lot.candidates),
            "order": list(lot.order),
            "method": lot.method,
        },
        "lot_needed": None
        if needed is None
        else {
            "tied": list(needed.tied),
            "places": needed.places,
            "certain": list(needed.certain),
            "purpose": needed.purpose,
        },
        "ranking": [
            {"name": r.name, "votes": r.votes, "place": r.place, "share": _fraction(r.share)}
            for r in result.ranking
        ],
        "against_all": result.against_all,
        "against_all_share": _fraction(result.against_all_share),
        "valid_votes": result.valid_votes,
        "majority": result.majority.value,
        "majority_base": result.majority_base,
        "contest_round": result.contest_round.value,
        "on_ballot": result.on_ballot,
        "reason": result.reason,
        "articles": list(result.articles),
        "explanation": {
            "template": explanation.template,
            "values": {str(k): plain(v) for k, v in explanation.values.items()},
            "text": explanation.text,
        },
        "against_all_beats_every_candidate": result.against_all_beats_every_candidate,
    }


def _names(lines: Sequence[_Line]) -> dict[int, str]:
    """Each candidate's name as printed; names printed twice get their ballot position."""
    seen: dict[str, int] = {}
    for ln in lines:
        seen[ln.label] = seen.get(ln.label, 0) + 1
    return {
        ln.choice_id: ln.label if seen[ln.label] == 1 else f"{ln.label} (№{ln.position})"
        for ln in lines
    }


_RESULTS = ContestResult.__table__
_RESULT_COLUMNS = tuple(column.key for column in _RESULTS.columns)
_RESULT_JSON = ("totals", "outcome")
"""The documents of a result: read as their stored text, written as text serialised here."""
_RESULT_READ = tuple(
    cast(_RESULTS.c[name], Text).label(name) if name in _RESULT_JSON else _RESULTS.c[name]
    for name in _RESULT_COLUMNS
)
_NEW_RESULT = dict.fromkeys(name for name in _RESULT_COLUMNS if name != "id")
"""The columns of a result to insert (those not computed: none)."""
_RESULT_CHANGES = (
    "status",
    "precincts_counted",
    "precincts_total",
    "outcome_status",
    "inputs_digest",
    "computed_at",
)
_JSON_BINDS = {name: bindparam(f"{name}_json", type_=JSONText()) for name in _RESULT_JSON}
_UPDATE_RESULT = (
    update(_RESULTS)  # type: ignore[arg-type]
    .where(_RESULTS.c.id == bindparam("b_id"))
    .values({**{name: bindparam(name) for name in _RESULT_CHANGES}, **_JSON_BINDS})
)
"""A recomputed result's columns, by id: one executemany for every changed result."""
_UPDATE_DIGEST = (
    update(_RESULTS)  # type: ignore[arg-type]
    .where(_RESULTS.c.id == bindparam("b_id"))
    .values(inputs_digest=bindparam("inputs_digest"), outcome_status=bindparam("outcome_status"))
)
"""The bookkeeping of an unchanged result (its digest and outcome status), the same way."""


def _store(ctx: Context, writes: Sequence[_Write]) -> None:
    """Write the recomputed results and statuses in bulk — Core statements of plain rows, one
    per kind of change, and one audit event per changed result appended in one insert
    (:meth:`Context.audit_many`); an unchanged result writes nothing (only its digest is brought
    up to date) and leaves no audit event. Each document is serialised once: that text is compared
    with the stored text (parsed only when they differ, :func:`_same`) and is what is written."""
    if not writes:
        return
    session = ctx.session
    existing: dict[int, dict[str, Any]] = {}
    ids = [w.contest.id for w in writes]
    for start in range(0, len(ids), _CHUNK):
        for row in _read(
            session,
            select(*_RESULT_READ).where(_RESULTS.c.contest_id.in_(ids[start : start + _CHUNK])),
        ):
            values = dict(zip(_RESULT_COLUMNS, row, strict=True))
            existing[values["contest_id"]] = values
    statuses: dict[ContestStatus, list[int]] = {}
    bookkeeping: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    new_results: list[dict[str, Any]] = []
    changed: list[tuple[dict[str, Any], dict[str, Any] | None, ContestStatus]] = []
    for w in writes:
        result = existing.get(w.contest.id)
        totals = w.sums.document()
        totals_json = _json(totals)
        outcome_json = _json(w.document)
        state = FINAL if w.final else PROVISIONAL
        if (
            result is not None
            and (result["status"], result["precincts_counted"], result["precincts_total"])
            == (state, w.sums.protocols, w.total)
            and _same(result["totals"], totals_json, totals)
            and _same(result["outcome"], outcome_json, w.document)
            and w.contest.status is w.contest_status
        ):
            if (result["inputs_digest"], result["outcome_status"]) != (w.digest, w.status):
                # bookkeeping: the result itself is unchanged
                bookkeeping.append(
                    {"b_id": result["id"], "inputs_digest": w.digest, "outcome_status": w.status}
                )
            continue
        if result is not None and result["published_at"] is not None:
            raise Conflict(
                "result_published",
                f"contest {w.contest.id}'s result was published on "
                f"{result['published_at'].isoformat()} and its figures have changed since; a "
                "published result is not re-tabulated",
                field="contest_id",
            )
        before = _result_record(_parsed(result), w.contest.status) if result is not None else None
        values = {
            "status": state,
            "precincts_counted": w.sums.protocols,
            "precincts_total": w.total,
            "outcome_status": w.status,
            "inputs_digest": w.digest,
            "computed_at": ctx.now,
        }
        texts = {"totals_json": totals_json, "outcome_json": outcome_json}
        documents = {"totals": totals, "outcome": w.document}
        if result is None:
            inserts.append(  # its documents as the text serialised above
                {
                    **_NEW_RESULT,
                    "contest_id": w.contest.id,
                    **values,
                    "totals": totals_json,
                    "outcome": outcome_json,
                }
            )
            after = {**_NEW_RESULT, "contest_id": w.contest.id, **values, **documents}
            new_results.append(after)  # its id once inserted
        else:
            after = {**result, **values, **documents}
            updates.append({"b_id": result["id"], **values, **texts})
        if w.contest.status is not w.contest_status:
            statuses.setdefault(w.contest_status, []).append(w.contest.id)
        changed.append((after, before, w.contest_status))
    session.flush()  # pending changes of the session go first, as an ORM flush would order them
    if bookkeeping:
        session.execute(_UPDATE_DIGEST, bookkeeping)
    if updates:
        session.execute(_UPDATE_RESULT, updates)
    if inserts:
        # One executemany, then the new ids by contest (unique): SQLite cannot return the ids of
        # a multi-row insert in parameter order, so RETURNING would insert row by row.
        _insert_results(session, inserts)
        by_contest = {row["contest_id"]: row for row in new_results}
        contest_ids = sorted(by_contest)
        for start in range(0, len(contest_ids), _CHUNK):
            for result_id, contest_id in _read(
                session,
                select(_RESULTS.c.id, _RESULTS.c.contest_id).where(
                    _RESULTS.c.contest_id.in_(contest_ids[start : start + _CHUNK])
                ),
            ):
                by_contest[contest_id]["id"] = int(result_id)
    for status, contest_ids in statuses.items():
        for start in range(0, len(contest_ids), _CHUNK):
            session.execute(
                update(Contest)
                .where(Contest.id.in_(contest_ids[start : start + _CHUNK]))
                .values(status=status)
                .execution_options(synchronize_session=False)
            )
    moved = {cid for contest_ids in statuses.values() for cid in contest_ids}
    touched = {w.contest.id for w in writes}
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Contest) and obj.id in moved:
            session.expire(obj, ["status"])
        elif isinstance(obj, ContestResult) and obj.contest_id in touched:
            session.expire(obj)  # written by the statements above: read again when used
    ctx.audit_many(
        "tabulate",
        "contest_result",
        [
            (written["id"], earlier, _result_record(written, status))
            for written, earlier, status in changed
        ],
        text_keyed=True,  # result columns as read or built here: plain, keyed by text
    )


_INSERT_COLUMNS = tuple(name for name in _RESULT_COLUMNS if name != "id")
_INSERT_RESULT = PlainRows.insert(
    _RESULTS,  # type: ignore[arg-type]
    _INSERT_COLUMNS,
    types={name: JSONText() for name in _RESULT_JSON},
)
"""A new result by one driver-level executemany (issue #8, B2: SQLAlchemy's own per-row
parameter handling was a tenth of writing them), its documents bound as the text serialised for
the comparison."""


def _insert_results(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    _INSERT_RESULT.run(session, [tuple(row[name] for name in _INSERT_COLUMNS) for row in rows])


_json = json.JSONEncoder(check_circular=False).encode
"""``json.dumps`` as the JSON column serialises a document (the same text: a document built
here has no cycle to look for), so a result's text is compared with the stored one and bound."""


def _same(stored: str | None, text: str, document: dict[str, Any]) -> bool:
    """Whether a stored document (its text as read) equals ``document`` (``text`` serialised):
    the same text, or else the same JSON value (a text stored otherwise, e.g. by PostgreSQL)."""
    return stored == text or (stored is not None and json.loads(stored) == document)


def _parsed(result: Mapping[str, Any]) -> dict[str, Any]:
    """A result as read, its documents parsed (as the JSON column reads them)."""
    return {
        **result,
        **{
            name: None if result[name] is None else json.loads(result[name])
            for name in _RESULT_JSON
        },
    }


def _result_record(result: Mapping[str, Any], status: ContestStatus) -> dict[str, Any]:
    """The audit record of a result: its columns with the outcome's status (the trace is stored
    in the result itself), and the contest's status. The trace is not serialised for it: the
    audit log serialises the record once (:func:`saylau.services.audit.canonical`)."""
    record = {name: result[name] for name in _RESULT_COLUMNS}
    record["outcome"] = {"status": (result["outcome"] or {}).get("status")}
    record["contest_status"] = status.value
    return record


# --- follow-up contests (runoff, repeat election) ------------------------------------------------


def _create_follow_up(
    ctx: Context, election: Election, contest: _ContestRow, outcome: _Outcome, day: date | None
) -> int:
    """The runoff (CL art. 109-1) or repeat election (art. 110) that a final outcome calls for.

    Follow-ups of one election on one day share an election record (purpose ``runoff`` or
    ``repeat``); a runoff ballot carries the two candidates, in Kazakh order (art. 37 para 1).
    """
    runoff = outcome.status == "runoff"
    purpose = "runoff" if runoff else "repeat"
    months = RUNOFF_MONTHS if runoff else REPEAT_MONTHS
    article = "CL art. 109-1" if runoff else "CL art. 110"
    limit = add_months(election.polling_day, months)
    if day is None:
        day = limit - timedelta(days=(limit.weekday() + 1) % 7)  # the last Sunday in the period
    if not election.polling_day < day <= limit:
        raise InvalidInput(
            "follow_up_day_outside_period",
            f"follow_up_day={day.isoformat()}: a {purpose} is held after "
            f"{election.polling_day.isoformat()} and by {limit.isoformat()} ({article})",
            field="follow_up_day",
        )
    follow_election = ctx.session.execute(
        select(Election).where(
            Election.parent_id == election.id,
            Election.purpose == purpose,
            Election.polling_day == day,
        )
    ).scalar_one_or_none()
    if follow_election is None:
        follow_election = Election(
            name=f"{election.name}: {purpose}",
            kind=election.kind,
            purpose=purpose,
            rules=election.rules,
            called_on=min(ctx.now.date(), day - timedelta(days=1)),
            polling_day=day,
            parent_id=election.id,
        )
        ctx.session.add(follow_election)
        ctx.session.flush()
        ctx.audit(
            "call_follow_up_election",
            "election",
            follow_election.id,
            None,
            snapshot(follow_election),
        )
    follower = Contest(
        election_id=follow_election.id,
        body_id=contest.body_id,
        kind=contest.kind,
        district_id=contest.district_id,
        seats=contest.seats,
        status=ContestStatus.OPEN,
        follows_contest_id=contest.id,
    )
    ctx.session.add(follower)
    ctx.session.flush()
    ctx.audit("create_follow_up_contest", "contest", follower.id, None, snapshot(follower))
    if runoff:
        _runoff_ballot(ctx, follower, outcome.runoff)
    return follower.id


def _runoff_ballot(ctx: Context, follower: Contest, pair: Sequence[_Line]) -> None:
    """The two runoff candidates, registered for the runoff contest and on its ballot."""
    nominations = {ln.nomination_id: ln for ln in pair}
    originals = {
        n.id: n
        for n in ctx.session.scalars(select(Nomination).where(Nomination.id.in_(list(nominations))))
    }
    created: dict[str, tuple[Nomination, _Line]] = {}
    for nomination_id, ln in nominations.items():
        original = originals[nomination_id or 0]
        copy = Nomination(
            contest_id=follower.id,
            person_id=original.person_id,
            route=original.route,
            party_id=original.party_id,
            association=original.association,
            state=CandidacyState.REGISTERED,
            state_note=f"runoff of contest {original.contest_id} (CL art. 109-1)",
            submitted_at=ctx.now,
            registered_at=ctx.now,
        )
        ctx.session.add(copy)
        ctx.session.flush()
        created[str(copy.id)] = (copy, ln)
    ordered = order_candidates(
        [
            Candidate(key, ln.surname or ln.label, ln.name or ln.label, ln.patronymic or None)
            for key, (_, ln) in created.items()
        ]
    )
    for position, candidate in enumerate(ordered, start=1):
        copy, ln = created[candidate.id]
        choice = BallotChoice(
            contest_id=follower.id, position=position, nomination_id=copy.id, label=ln.label
        )
        ctx.session.add(choice)
        ctx.session.flush()
        ctx.audit(
            "register_runoff_candidate",
            "nomination",
            copy.id,
            None,
            {**snapshot(copy), "ballot_position": position},
        )


# --- queries --------------------------------------------------------------------------------------

_FEW = 500
"""Up to this many contests, the queries name them; beyond, they read the whole election."""
_CHUNK = 500


def _read(session: Session, statement: Any) -> Sequence[Any]:
    """The rows of a plain-column query, through the session's connection: Core rows, without
    the ORM's per-row loading machinery (tabulation reads ~10⁴ rows per aggregation). The
    session's pending changes are flushed first, as its own ``execute`` would."""
    session.flush()
    return session.connection().execute(statement).all()


def _contest_rows(
    session: Session, election_id: int, ids: Sequence[int] | None
) -> list[_ContestRow]:
    query = (
        select(
            Contest.id,
            Contest.kind,
            Contest.seats,
            Contest.district_id,
            Contest.body_id,
            Contest.status,
            Body.kind,
            Body.region_id,
            Body.unit_id,
        )
        .join(Body, Body.id == Contest.body_id)
        .where(Contest.election_id == election_id)
        .order_by(Contest.id)
    )
    if ids is not None:
        query = query.where(Contest.id.in_(ids))
    return [_ContestRow(*row) for row in _read(session, query)]


def _pending(
    session: Session, election_id: int, ids: Sequence[int] | None
) -> list[tuple[int, int, int]]:
    """(pending id, contest, precinct) of the election's protocols not yet tabulated."""
    query = (
        select(TabulationPending.id, TabulationPending.contest_id, TabulationPending.precinct_id)
        .join(Contest, Contest.id == TabulationPending.contest_id)
        .where(Contest.election_id == election_id)
        .order_by(TabulationPending.id)
    )
    if ids is not None:
        query = query.where(TabulationPending.contest_id.in_(ids))
    return [(int(a), int(b), int(c)) for a, b, c in _read(session, query)]


def _consume(session: Session, pending_ids: Sequence[int]) -> None:
    """Delete the pending rows just tabulated (by id: rows written meanwhile stay pending)."""
    for start in range(0, len(pending_ids), _CHUNK):
        session.execute(
            delete(TabulationPending).where(
                TabulationPending.id.in_(pending_ids[start : start + _CHUNK])
            )
        )


def _stored(
    session: Session, election_id: int, ids: Sequence[int] | None
) -> dict[int, tuple[str | None, str, int]]:
    """Contest → (inputs digest, outcome status, precincts counted) of its stored result,
    without its JSON."""
    query = (
        select(
            ContestResult.contest_id,
            ContestResult.inputs_digest,
            ContestResult.outcome_status,
            ContestResult.precincts_counted,
        )
        .join(Contest, Contest.id == ContestResult.contest_id)
        .where(Contest.election_id == election_id)
    )
    if ids is not None:
        query = query.where(ContestResult.contest_id.in_(ids))
    return {
        int(cid): (digest, status, int(counted))
        for cid, digest, status, counted in _read(session, query)
    }


def _followers(session: Session, election_id: int, ids: Sequence[int] | None) -> dict[int, int]:
    """Contest → the runoff or repeat-election contest already created for it."""
    followed = select(Contest.id).where(Contest.election_id == election_id) if ids is None else ids
    return {
        int(row[0]): int(row[1])
        for row in _read(
            session,
            select(Contest.follows_contest_id, Contest.id).where(
                Contest.follows_contest_id.in_(followed)
            ),
        )
        if row[0] is not None
    }


def _protocol_sums(session: Session, election_id: int, ids: Sequence[int] | None) -> list[Any]:
    query = (
        select(
            Protocol.contest_id,
            func.count(Protocol.id),
            func.coalesce(func.sum(Protocol.voters_on_list), 0),
            func.coalesce(func.sum(Protocol.ballots_issued), 0),
            func.coalesce(func.sum(Protocol.ballots_in_boxes), 0),
            func.coalesce(func.sum(Protocol.against_all), 0),
            func.coalesce(func.sum(Protocol.invalid), 0),
        )
        .where(Protocol.state == ProtocolState.DEFINITIVE)
        .group_by(Protocol.contest_id)
    )
    if ids is None:
        query = query.join(Contest, Contest.id == Protocol.contest_id).where(
            Contest.election_id == election_id
        )
    else:
        query = query.where(Protocol.contest_id.in_(ids))
    return list(_read(session, query))


def _sums(session: Session, election_id: int, ids: Sequence[int] | None) -> dict[int, _Sums]:
    """The definitive protocols of the contests (all of the election's for ``None``), summed in
    two SQL aggregations."""
    sums: dict[int, _Sums] = {}
    for cid, n, voters, issued, in_boxes, against, invalid in _protocol_sums(
        session, election_id, ids
    ):
        sums[cid] = _Sums(
            int(n), int(voters), int(issued), int(in_boxes), int(against), int(invalid)
        )
    query = (
        select(ProtocolVote.contest_id, ProtocolVote.choice_id, func.sum(ProtocolVote.votes))
        .join(Protocol, Protocol.id == ProtocolVote.protocol_id)
        .where(Protocol.state == ProtocolState.DEFINITIVE)
        # the same groups as (contest, choice); choice first, SQLite's sorter compares less
        .group_by(ProtocolVote.choice_id, ProtocolVote.contest_id)
    )
    if ids is None:
        query = query.join(Contest, Contest.id == ProtocolVote.contest_id).where(
            Contest.election_id == election_id
        )
    else:
        query = query.where(ProtocolVote.contest_id.in_(ids))
    for contest_id, choice_id, votes in _read(session, query):
        found = sums.get(contest_id)
        if found is None:
            found = sums[contest_id] = _Sums()
        found.votes[choice_id] = int(votes)
    return sums


def _precinct_totals(
    session: Session,
    election_id: int,
    contests: Sequence[_ContestRow],
    ids: Sequence[int] | None,
) -> dict[int, int]:
    """Precincts whose voters get each contest's ballot: the district's for a single-member
    contest, the body's territory for a list contest, every precinct for the Mazhilis list."""
    query = (
        select(Contest.id, func.count(DistrictPrecinct.precinct_id))
        .join(DistrictPrecinct, DistrictPrecinct.district_id == Contest.district_id)
        .where(Contest.election_id == election_id)
        .group_by(Contest.id)
    )
    if ids is not None:
        query = query.where(Contest.id.in_(ids))
    by_district = {int(row[0]): int(row[1]) for row in _read(session, query)}
    lists = [c for c in contests if c.district_id is None]
    units = sorted({c.unit_id for c in lists if c.body_kind is not BodyKind.MAZHILIS and c.unit_id})
    regions = sorted(
        {
            c.region_id or 0
            for c in lists
            if c.body_kind is not BodyKind.MAZHILIS and c.unit_id is None
        }
    )
    by_unit: dict[int, int] = {}
    if units:
        by_unit = {
            int(row[0]): int(row[1])
            for row in _read(
                session,
                select(Precinct.unit_id, func.count())
                .where(Precinct.unit_id.in_(units))
                .group_by(Precinct.unit_id),
            )
            if row[0] is not None
        }
    by_region: dict[int, int] = {}
    if regions:
        by_region = {
            int(row[0]): int(row[1])
            for row in _read(
                session,
                select(Precinct.region_id, func.count())
                .where(Precinct.region_id.in_(regions))
                .group_by(Precinct.region_id),
            )
        }
    national = (
        int(session.scalar(select(func.count(Precinct.id))) or 0)
        if any(c.body_kind is BodyKind.MAZHILIS for c in lists)
        else 0
    )
    totals: dict[int, int] = {}
    for contest in contests:
        if contest.district_id is not None:
            totals[contest.id] = by_district.get(contest.id, 0)
        elif contest.body_kind is BodyKind.MAZHILIS:
            totals[contest.id] = national
        elif contest.unit_id is not None:
            totals[contest.id] = by_unit.get(contest.unit_id, 0)
        else:
            totals[contest.id] = by_region.get(contest.region_id or 0, 0)
    return totals


def _ballot_lines(
    session: Session, election_id: int, ids: Sequence[int] | None
) -> dict[int, tuple[tuple[Any, ...], ...]]:
    """Each contest's ballot lines as plain rows, the candidacy states as their stored text: what
    the inputs digest hashes (the ``repr`` of a tuple of plain values is cheap), and what
    :meth:`_Line.of` builds a line from — only for a contest that is computed, so an unchanged
    contest costs its rows and nothing else (issue #8, B2)."""
    query = (
        select(
            BallotChoice.contest_id,
            BallotChoice.id,
            BallotChoice.position,
            BallotChoice.label,
            PartyList.id,
            func.coalesce(PartyList.party_id, Nomination.party_id),
            Party.code,
            PartyList.registration_order,
            type_coerce(PartyList.state, String).label("list_state"),
            Nomination.id,
            Nomination.person_id,
            type_coerce(Nomination.state, String).label("nomination_state"),
            Person.surname,
            Person.name,
            Person.patronymic,
        )
        .join(Contest, Contest.id == BallotChoice.contest_id)
        .outerjoin(PartyList, PartyList.id == BallotChoice.party_list_id)
        .outerjoin(Nomination, Nomination.id == BallotChoice.nomination_id)
        .outerjoin(Party, Party.id == func.coalesce(PartyList.party_id, Nomination.party_id))
        .outerjoin(Person, Person.id == Nomination.person_id)
        .where(Contest.election_id == election_id)
        .order_by(BallotChoice.contest_id, BallotChoice.position)
    )
    if ids is not None:
        query = query.where(BallotChoice.contest_id.in_(ids))
    keys: dict[int, list[tuple[Any, ...]]] = {}
    for row in _read(session, query):
        keys.setdefault(row[0], []).append(tuple(row[1:]))
    return {cid: tuple(rows) for cid, rows in keys.items()}


_LOT_PURPOSE = re.compile(r"^contest (\d+): ")


def _lot_seeds(session: Session, election_id: int) -> dict[int, str]:
    seeds: dict[int, str] = {}
    for purpose, seed in _read(
        session,
        select(LotRecord.purpose, LotRecord.seed)
        .where(LotRecord.election_id == election_id)
        .order_by(LotRecord.id),
    ):
        match = _LOT_PURPOSE.match(purpose)
        if match:
            seeds[int(match.group(1))] = seed
    return seeds


# --- JSON ------------------------------------------------------------------------------------------


def _fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _ratio(numerator: int, denominator: int) -> str:
    """``_fraction(Fraction(numerator, denominator))`` for a positive ``denominator``: in lowest
    terms, without building the fraction."""
    common = gcd(numerator, denominator)
    return f"{numerator // common}/{denominator // common}"


_SCALAR_TYPES = frozenset((int, str, bool, float, type(None)))
_DATACLASS_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _dataclass_fields(kind: type) -> tuple[str, ...] | None:
    """The field names of dataclass type ``kind`` (``None`` if it is none), looked up once."""
    try:
        return _DATACLASS_FIELDS[kind]
    except KeyError:
        names = tuple(f.name for f in fields(kind)) if is_dataclass(kind) else None
        _DATACLASS_FIELDS[kind] = names
        return names


def plain(value: Any) -> Any:
    """A law-core result as JSON: dataclasses → objects, exact fractions → ``"n/d"``, enums →
    their values (so the trace is stored and published without rounding).

    Dispatched on the exact type first (the trace documents of a whole election are ~10⁵
    values), falling back to the general checks for subclasses and the rarer types."""
    kind = type(value)
    if kind in _SCALAR_TYPES:
        return value
    if kind is list or kind is tuple:
        return [plain(v) for v in value]
    if kind is dict:
        return {str(k): plain(v) for k, v in value.items()}
    if kind is Fraction:
        return _fraction(value)
    names = _dataclass_fields(kind)
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Fraction):
        return _fraction(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def election_of(session: Session, election_id: int) -> Election:
    return fetch(session, Election, election_id, "election")
