"""Counterfactual replay of a stored election's list contests (issue #7 §4).

"What if the same votes had been counted under the 2021 rules, another threshold or another
method?" Every list contest of a stored election is allocated again by the law core
(:func:`saylau.law.allocation.allocate`, CL art. 111-1 / art. 97-1 with the counterfactual methods of
:mod:`saylau.law.methods`), and the seats actually won are shown next to the replayed ones with the
proportionality indices of :mod:`saylau.analytics.indicators` (Gallagher, Loosemore–Hanby, the
effective number of parties by votes and by seats).

:func:`replay` is pure: it takes the vote totals (:class:`StoredContest`) and the options and does
nothing but call the law core and the indicators, with exact fractions throughout. :func:`read_stored`
is the small reader that takes those totals from the stored tabulation (``ContestResult``: the votes
of every standing list as summed over the definitive protocols, "against all", invalid ballots and
the seats won; the registration order from the party lists; the seed of any lot the commission
recorded, so a replay under the same rules reproduces a seat a lot decided).

Assumptions, stated in every replay's output (:data:`ASSUMPTIONS`):

* the list votes are taken as cast, "against all" included in the threshold base as cast
  (decision #1), even under the 2021 rules that had no "against all" line;
* a replay onto an all-list body (the 2021 rules) makes the single-member seats list seats: the
  list votes are allocated onto every seat of the body (CL art. 9 as of 2021), and the seats actually
  held are then the list seats plus the single-member seats each party's nominees won;
* the 2016 rules elected every maslikhat seat in single-member districts: list votes cannot say who
  would have won a district, so a 2016 replay is refused.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from saylau.analytics.indicators import (
    effective_number_of_parties,
    gallagher,
    loosemore_hanby,
)
from saylau.law.allocation import Allocation, allocate
from saylau.law.bodies import mazhilis_seats, seat_split
from saylau.law.errors import LawInputError
from saylau.law.methods import Method, PartyList
from saylau.law.rules import (
    Body,
    ElectoralSystem,
    MaslikhatKind,
    RuleSet,
    rule_set,
)
from saylau.storage.models import (
    Contest,
    ContestResult,
    Election,
    LotRecord,
)
from saylau.storage.models import PartyList as StoredPartyList

__all__ = [
    "ASSUMPTIONS",
    "INDEPENDENT",
    "REPLAYABLE_RULES",
    "BodyReplay",
    "Indices",
    "PartyRow",
    "Replay",
    "ReplayOptions",
    "Scope",
    "Skipped",
    "StoredContest",
    "indices",
    "parse_method",
    "parse_rules",
    "parse_threshold",
    "read_stored",
    "replay",
]

INDEPENDENT = "(self-nominated)"
"""The row of single-member seats won by candidates no party nominated (scope ``body`` only)."""

REPLAYABLE_RULES = ("2021", "2023")
"""Rule sets a stored election's list votes can be replayed under (issue #7 §4)."""

ASSUMPTIONS: tuple[str, ...] = (
    "List votes are taken as cast; 'against all' stays in the threshold base as cast "
    "(decision #1), even under rules that had no 'against all' line.",
    "Under an all-list rule set (2021) the single-member seats become list seats: the list votes "
    "are allocated onto every seat of the body, and the seats actually held are the list seats "
    "plus the single-member seats won by each party's nominees.",
    "Bodies without list votes (e.g. second-level maslikhats under 2023, all single-member) "
    "cannot be replayed and are listed as skipped.",
    "Vote shares for the indices are shares of the party-list votes ('against all' excluded); "
    "the one-party rule (art. 111-1 paras 2-4) is applied under every method as the statute says.",
)

REFUSED_2016 = (
    "the 2016 rules elected every maslikhat seat in single-member districts (relative majority, "
    "CL art. 9 as of 2016); party-list votes cannot say who would have won a district, so an "
    "election is not replayable under them"
)

_METHOD_NAMES: Mapping[str, Method] = MappingProxyType(
    {
        "hare": Method.HARE_LR,
        "droop": Method.DROOP_LR,
        "dhondt": Method.DHONDT,
        "sainte-lague": Method.SAINTE_LAGUE,
        **{m.value: m for m in Method},
    }
)


class Scope(StrEnum):
    """Which seats of a body a replay re-allocates."""

    LIST = "list"
    """The body's list seats, as many as its list contest elected (same system as stored) or as
    the target rules split them (an all-list body replayed under a mixed system)."""
    BODY = "body"
    """Every seat of the body: the single-member seats become list seats (all-list rules)."""


# --- options -------------------------------------------------------------------------------------


def parse_rules(name: str) -> RuleSet:
    """The rule set to replay under; 2016 is refused with the reason (issue #7 §4)."""
    if name == "2016":
        raise LawInputError("rules", name, REFUSED_2016)
    if name not in REPLAYABLE_RULES:
        raise LawInputError(
            "rules", name, f"a replayable rule set: one of {', '.join(REPLAYABLE_RULES)}"
        )
    return rule_set(name)


def parse_threshold(text: str) -> Fraction:
    """A threshold as an exact share of the base: ``7/100`` or ``0.07`` (not a percentage)."""
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise LawInputError(
            "threshold", text, "an exact share such as 7/100 or 0.07 (art. 111-1 para 1)"
        ) from None
    if not 0 <= value <= 1:
        raise LawInputError(
            "threshold",
            text,
            "a share between 0 and 1, e.g. 7/100 for seven per cent (art. 111-1 para 1)",
        )
    return value


def parse_method(name: str) -> Method:
    """``hare`` (the statute), ``droop``, ``dhondt`` or ``sainte-lague`` (counterfactuals)."""
    try:
        return _METHOD_NAMES[name.strip().lower()]
    except KeyError:
        raise LawInputError(
            "method", name, "one of hare (the statute), droop, dhondt, sainte-lague"
        ) from None


@dataclass(frozen=True)
class ReplayOptions:
    """What changes in the replay: the rule set, the threshold (None: the rule set's), the method."""

    rules: RuleSet
    threshold: Fraction | None = None
    method: Method = Method.HARE_LR


# --- input: a stored list contest ------------------------------------------------------------------


@dataclass(frozen=True)
class StoredContest:
    """One list contest of a stored election as tabulated: what a replay needs and nothing else."""

    contest_id: int
    body_id: int
    body_name: str
    body_kind: str
    """``mazhilis`` or a :class:`~saylau.law.rules.MaslikhatKind` value."""
    body_seats: int
    """Every seat of the body (list and single-member)."""
    list_seats: int
    """The seats the list contest elected."""
    lists: tuple[PartyList, ...]
    """The standing lists with their votes and registration order (art. 111-1 para 4)."""
    against_all: int
    invalid: int
    status: str
    """The stored outcome: ``allocated``, ``no_party_passed``, ``lot_required`` …"""
    final: bool
    """Every precinct's protocol was definitive when it was tabulated."""
    list_seats_won: Mapping[str, int]
    smd_seats_won: Mapping[str, int]
    """Single-member seats of the body won in final contests, by the nominating party's code
    (:data:`INDEPENDENT` for self-nominees)."""
    lot_seed: str | None = None

    @property
    def body(self) -> Body:
        return Body.MAZHILIS if self.body_kind == "mazhilis" else Body.MASLIKHAT


# --- output -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indices:
    """Proportionality of one seat outcome against the list votes (exact where possible)."""

    gallagher: Decimal | None
    """Least-squares index in fractions of 1, 4 decimals (×100: percentage points)."""
    loosemore_hanby: Fraction | None
    enp_votes: Fraction
    """Effective number of parties by list votes (Laakso–Taagepera)."""
    enp_seats: Fraction | None
    """… by seats; ``None`` when no seat was allocated."""


@dataclass(frozen=True)
class PartyRow:
    party: str
    votes: int
    actual: int
    replayed: int | None
    """``None`` when the replay could not allocate (a lot without a recorded seed)."""

    @property
    def change(self) -> int | None:
        return None if self.replayed is None else self.replayed - self.actual


@dataclass(frozen=True)
class BodyReplay:
    """One body: seats actually held vs replayed, per party, with the indices side by side."""

    contest: StoredContest
    scope: Scope
    seats_replayed: int
    """The seats the replay allocates (list seats, or every seat of the body)."""
    threshold: Fraction
    status: str
    """The replay's outcome: ``allocated``, ``no_party_passed`` or ``lot_required``."""
    rows: tuple[PartyRow, ...]
    actual: Indices
    replayed: Indices | None
    allocation: Allocation | None

    @property
    def seats_actual(self) -> int:
        return sum(r.actual for r in self.rows)


@dataclass(frozen=True)
class Skipped:
    """A list contest (or body) that cannot be replayed, and why."""

    contest_id: int
    body_name: str
    reason: str


@dataclass(frozen=True)
class Replay:
    election_id: int
    election_name: str
    stored_rules: str
    options: ReplayOptions
    bodies: tuple[BodyReplay, ...]
    skipped: tuple[Skipped, ...]
    assumptions: tuple[str, ...] = ASSUMPTIONS


# --- the computation (pure) ----------------------------------------------------------------------


def _system(rules: RuleSet, contest: StoredContest) -> ElectoralSystem:
    """The electoral system of the contest's body under ``rules`` (CL art. 9)."""
    if contest.body is Body.MAZHILIS:
        split = mazhilis_seats(rules)
        if split.smd_seats == 0:
            return ElectoralSystem.PARTY_LIST
        return ElectoralSystem.MIXED if split.list_seats else ElectoralSystem.SINGLE_MEMBER
    return rules.system_for(MaslikhatKind(contest.body_kind))


def _target_seats(
    stored: RuleSet, target: RuleSet, contest: StoredContest
) -> tuple[int, Scope] | str:
    """How many seats the replay allocates, and over which scope; or why it cannot."""
    before, after = _system(stored, contest), _system(target, contest)
    if after is ElectoralSystem.SINGLE_MEMBER:
        return (
            f"all seats of this body are single-member under the {target.name} rules "
            "(CL art. 9): list votes cannot be replayed onto districts"
        )
    if after is before:
        return contest.list_seats, Scope.LIST
    if after is ElectoralSystem.PARTY_LIST:
        return contest.body_seats, Scope.BODY
    if contest.body is Body.MAZHILIS:
        return mazhilis_seats(target).list_seats, Scope.LIST
    split = seat_split(MaslikhatKind(contest.body_kind), contest.body_seats, target)
    return split.list_seats, Scope.LIST


def indices(votes: Mapping[str, int], seats: Mapping[str, int]) -> Indices:
    """Gallagher, Loosemore–Hanby and the effective numbers of parties of one seat outcome.

    Votes are the party-list votes; a seat key without votes (a self-nominee's single-member seat)
    counts with vote share 0. Without votes or without seats the undefined indices are ``None``.
    """
    cast = {p: v for p, v in votes.items() if v > 0}
    held = {p: s for p, s in seats.items() if s > 0}
    if not cast:
        raise LawInputError("votes", 0, "a replay needs at least one list vote")
    enp_votes = effective_number_of_parties(cast)
    if not held:
        return Indices(None, None, enp_votes, None)
    return Indices(
        gallagher(cast, held),
        loosemore_hanby(cast, held),
        enp_votes,
        effective_number_of_parties(held),
    )


def _actual(contest: StoredContest, scope: Scope) -> dict[str, int]:
    held = {p.party: contest.list_seats_won.get(p.party, 0) for p in contest.lists}
    if scope is Scope.BODY:
        for party, won in contest.smd_seats_won.items():
            held[party] = held.get(party, 0) + won
    return held


def replay_contest(
    contest: StoredContest, stored: RuleSet, options: ReplayOptions
) -> BodyReplay | Skipped:
    """Allocate one stored list contest again under ``options`` (the law core allocates)."""
    target = _target_seats(stored, options.rules, contest)
    if isinstance(target, str):
        return Skipped(contest.contest_id, contest.body_name, target)
    if not any(p.votes for p in contest.lists):
        return Skipped(contest.contest_id, contest.body_name, "no list votes were counted")
    seats, scope = target
    list_rules = options.rules.list_rules(contest.body)
    if options.threshold is not None:
        list_rules = dataclasses.replace(list_rules, threshold=options.threshold)
    allocation: Allocation | None
    try:
        allocation = allocate(
            contest.lists,
            seats,
            list_rules,
            against_all=contest.against_all,
            invalid=contest.invalid,
            method=options.method,
            lot_seed=contest.lot_seed,
        )
    except LawInputError as exc:
        if exc.field != "lot_seed":
            raise
        allocation = None
    actual = _actual(contest, scope)
    votes = {p.party: p.votes for p in contest.lists}
    rows = [
        PartyRow(
            p.party,
            p.votes,
            actual[p.party],
            allocation.seats[p.party] if allocation is not None else None,
        )
        for p in contest.lists
    ]
    rows += [
        PartyRow(party, 0, won, 0 if allocation is not None else None)
        for party, won in actual.items()
        if party not in votes
    ]
    status = "lot_required" if allocation is None else allocation.status.value
    replayed_indices = None
    if allocation is not None:
        replayed_indices = indices(votes, allocation.seats)
    return BodyReplay(
        contest=contest,
        scope=scope,
        seats_replayed=seats,
        threshold=list_rules.threshold,
        status=status,
        rows=tuple(rows),
        actual=indices(votes, actual),
        replayed=replayed_indices,
        allocation=allocation,
    )


def replay(
    election_id: int,
    election_name: str,
    stored_rules: str,
    contests: Sequence[StoredContest],
    options: ReplayOptions,
) -> Replay:
    """Replay every list contest of an election (pure given the stored totals)."""
    stored = rule_set(stored_rules)
    if options.rules.name not in REPLAYABLE_RULES:
        parse_rules(options.rules.name)  # raises with the reason
    bodies: list[BodyReplay] = []
    skipped: list[Skipped] = []
    for contest in contests:
        outcome = replay_contest(contest, stored, options)
        if isinstance(outcome, Skipped):
            skipped.append(outcome)
        else:
            bodies.append(outcome)
    return Replay(election_id, election_name, stored_rules, options, tuple(bodies), tuple(skipped))


# --- the reader (stored tabulation) --------------------------------------------------------------

_LOT_PURPOSE = re.compile(r"^contest (\d+): ")


def _body_name(contest: Contest) -> str:
    body = contest.body
    return body.name_en or body.name_kk


def read_stored(session: Session, election_id: int) -> tuple[Election, list[StoredContest]]:
    """The stored election and the tabulated totals of each of its list contests.

    Reads what tabulation stored (``ContestResult``): the votes of the standing lists, "against
    all" and invalid ballots summed over the definitive protocols, and the seats won; a list
    contest never tabulated is left out. Single-member winners of final contests are counted per
    nominating party for the all-list replay.
    """
    election = session.get(Election, election_id)
    if election is None:
        raise LawInputError("election", election_id, "no stored election has this id")
    rows = session.execute(
        select(Contest, ContestResult)
        .join(ContestResult, ContestResult.contest_id == Contest.id)
        .where(Contest.election_id == election_id)
        .options(selectinload(Contest.body))
        .order_by(Contest.id)
    ).all()
    orders: dict[int, int | None] = {
        row[0]: row[1]
        for row in session.execute(
            select(StoredPartyList.id, StoredPartyList.registration_order)
            .join(Contest, Contest.id == StoredPartyList.contest_id)
            .where(Contest.election_id == election_id)
        )
    }
    seeds: dict[int, str] = {}
    for purpose, seed in session.execute(
        select(LotRecord.purpose, LotRecord.seed)
        .where(LotRecord.election_id == election_id)
        .order_by(LotRecord.id)
    ):
        match = _LOT_PURPOSE.match(purpose)
        if match:
            seeds[int(match.group(1))] = seed
    smd: dict[int, dict[str, int]] = {}
    for contest, result in rows:
        winner = (result.outcome or {}).get("winner")
        if contest.kind.is_list or result.status != "final" or not winner:
            continue
        party = winner.get("party") or INDEPENDENT
        won = smd.setdefault(contest.body_id, {})
        won[party] = won.get(party, 0) + contest.seats
    contests: list[StoredContest] = []
    for contest, result in rows:
        if not contest.kind.is_list:
            continue
        outcome = result.outcome or {}
        lines = outcome.get("lists") or []
        lists = tuple(
            PartyList(
                str(line["party"]),
                int(line["votes"]),
                orders.get(line.get("party_list_id")) or position,
            )
            for position, line in enumerate(lines, start=1)
            if line.get("party")
        )
        if not lists:
            continue
        totals = result.totals or {}
        contests.append(
            StoredContest(
                contest_id=contest.id,
                body_id=contest.body_id,
                body_name=_body_name(contest),
                body_kind=contest.body.kind.value,
                body_seats=contest.body.seats,
                list_seats=contest.seats,
                lists=lists,
                against_all=int(totals.get("against_all", 0)),
                invalid=int(totals.get("invalid", 0)),
                status=str(outcome.get("status", result.status)),
                final=result.status == "final",
                list_seats_won=MappingProxyType(
                    {str(line["party"]): int(line.get("seats", 0)) for line in lines}
                ),
                smd_seats_won=MappingProxyType(dict(smd.get(contest.body_id, {}))),
                lot_seed=seeds.get(contest.id),
            )
        )
    return election, contests
