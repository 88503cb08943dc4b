"""The outcome of a single-member district (CL art. 9 paras 3–4, art. 109-1; decisions #5, #6).

A maslikhat SMD is won by the candidate with more votes than every *other candidate* (art. 9 para 3
part 2, para 4 part 2). "Against all" is counted and published but is not a candidate, so it never
wins, even when it beats everyone (decision #5). When nobody is elected:

- more than two candidates on the ballot → runoff of the two with the most votes (art. 109-1
  para 1), the pair drawn by an auditable lot if more than two tie for them (decisions #6, #9);
- exactly two on the ballot → the law is silent; ``RuleSet.two_candidate_tie`` decides (default: a
  repeat election, by analogy with the Mazhilis rule of art. 96 para 1; decision #6).

The 2016 "absolute majority" alternative (``SmdMajority.ABSOLUTE``, monograph Table 2) needs more
than half of ``RuleSet.smd_majority_base`` (default: valid votes = candidates + "against all").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from itertools import groupby
from types import MappingProxyType

from saylau.law.errors import LawInputError, require, require_non_negative
from saylau.law.explain import Explanation, Value
from saylau.law.lot import Lot, draw_lot
from saylau.law.rules import (
    DEFAULT_RULES,
    RuleSet,
    SmdMajority,
    ThresholdBase,
    TwoCandidateTie,
)

RUNOFF_LOT_PURPOSE = "smd-runoff-places"
"""The ``purpose`` of the lot that picks runoff participants among tied candidates (decision #9)."""


# --- the explanations (templates of saylau.law.explain; msgids of the interface's catalogue) ------

SOLE_CANDIDATE = (
    "the only candidate left is elected; 'against all' never wins "
    "(CL art. 109-1 para 1 part 2; art. 9 paras 3–4; decision #5)"
)
PLURALITY = (
    "more votes than every other candidate; 'against all' is not a candidate "
    "(CL art. 9 paras 3–4; decision #5)"
)
ABSOLUTE_MAJORITY = (
    "{votes} votes are more than half of {base} (absolute majority, base={base_kind})"
)
RUNOFF_WON = "runoff: more votes than the other candidate (CL art. 109-1; art. 9 paras 3–4)"
RUNOFF_TIED = "runoff tied: repeat election (law silent; CL arts. 96 para 1, 110 by analogy)"

NOT_ELECTED: Mapping[str, str] = MappingProxyType(
    {
        "tie": "{leaders} candidates tie for first place with {votes} votes",
        "no_majority": "no candidate has more than half of {base} votes",
    }
)
"""Why nobody is elected in the first round (the first half of the reason)."""
NEXT_STEP: Mapping[str, str] = MappingProxyType(
    {
        "two_runoff": "two_candidate_tie=runoff (decision #6)",
        "two_repeat": "repeat election (decision #6: two_candidate_tie=repeat_election)",
        "lot_required": "{tied} candidates tie for {places} runoff place(s); a lot with a "
        "published seed must decide (decisions #6, #9)",
        "runoff_by_lot": "nobody elected; {tied} candidates tied for {places} runoff place(s), "
        "drawn by lot (CL art. 109-1 para 1; decisions #6, #9)",
        "runoff": "nobody elected; runoff of the two candidates with the most votes "
        "(CL art. 109-1)",
    }
)
"""What follows when nobody is elected (the second half of the reason)."""
FIRST_ROUND_UNDECIDED: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        (why, then): f"{NOT_ELECTED[why]}; {NEXT_STEP[then]}"
        for why in NOT_ELECTED
        for then in NEXT_STEP
    }
)
"""Every whole reason of a first round that elects nobody: why, then what follows."""

EXPLANATIONS: tuple[str, ...] = (
    SOLE_CANDIDATE,
    PLURALITY,
    ABSOLUTE_MAJORITY,
    RUNOFF_WON,
    RUNOFF_TIED,
    *FIRST_ROUND_UNDECIDED.values(),
)
"""Every template this module explains with (see :mod:`saylau.law.explain`)."""


class DistrictStatus(StrEnum):
    """What a district commission declares after the count."""

    ELECTED = "elected"
    RUNOFF = "runoff"
    REPEAT_ELECTION = "repeat_election"
    LOT_REQUIRED = "lot_required"
    """A lot must pick runoff participants but no seed was given; nothing is guessed (dec. #9)."""


class ContestRound(StrEnum):
    """The first vote, or the runoff of art. 109-1."""

    FIRST = "first"
    RUNOFF = "runoff"


@dataclass(frozen=True)
class CandidateVotes:
    """A registered candidate and the votes counted for them."""

    name: str
    votes: int


@dataclass(frozen=True)
class RankedCandidate:
    """One line of the published result: equal votes share a place (1, 1, 3, …)."""

    name: str
    votes: int
    place: int
    share: Fraction
    """Votes / valid votes (candidates + "against all"); 0 when nobody voted validly."""


@dataclass(frozen=True)
class LotNeeded:
    """Who must draw lots for how many runoff places, and who is already certain of a place."""

    tied: tuple[str, ...]
    places: int
    certain: tuple[str, ...]
    purpose: str = RUNOFF_LOT_PURPOSE


@dataclass(frozen=True)
class DistrictResult:
    """Everything a district protocol needs: outcome, participants, lot record, ranking, shares."""

    status: DistrictStatus
    winner: str | None
    unopposed: bool
    """Elected as the only candidate left (no competitor on the count); KB = 0 (decision #18)."""
    runoff: tuple[str, ...] | None
    """The two runoff participants (status ``runoff``), in order of votes, then of the lot."""
    lot: Lot | None
    lot_needed: LotNeeded | None
    ranking: tuple[RankedCandidate, ...]
    against_all: int
    against_all_share: Fraction
    valid_votes: int
    """Candidates' votes + "against all": the base of every published share."""
    majority: SmdMajority
    majority_base: int | None
    """The base of the "more than half" test (ABSOLUTE only); ``None`` under plurality."""
    contest_round: ContestRound
    on_ballot: int
    reason: str
    """``explanation.text``: the reason in English."""
    articles: tuple[str, ...]
    explanation: Explanation

    @property
    def against_all_beats_every_candidate(self) -> bool:
        """Published as a fact; it has no legal effect (CL art. 9; decision #5)."""
        return all(self.against_all > c.votes for c in self.ranking)


def _normalise(candidates: Sequence[CandidateVotes] | Mapping[str, int]) -> list[CandidateVotes]:
    if isinstance(candidates, Mapping):
        return [CandidateVotes(name, votes) for name, votes in candidates.items()]
    return list(candidates)


def _validate(
    items: list[CandidateVotes],
    against_all: int,
    on_ballot: int,
    rules: RuleSet,
    contest_round: ContestRound,
) -> None:
    require(bool(items), "candidates", [], "a district contest needs at least one candidate")
    names = [c.name for c in items]
    for c in items:
        require(
            isinstance(c.name, str) and bool(c.name.strip()),
            "candidates.name",
            c.name,
            "every candidate needs a non-empty name",
        )
        require_non_negative(f"candidates[{c.name}].votes", c.votes)
    require(len(set(names)) == len(names), "candidates", names, "candidate names must be distinct")
    require_non_negative("against_all", against_all)
    require(
        rules.against_all_on_ballot or against_all == 0,
        "against_all",
        against_all,
        f"rule set {rules.name} has no 'against all' line on the ballot (CL art. 37 para 1)",
    )
    require_non_negative("on_ballot", on_ballot)
    require(
        on_ballot >= len(items),
        "on_ballot",
        on_ballot,
        f"cannot be fewer than the {len(items)} candidates counted",
    )
    if contest_round is ContestRound.RUNOFF:
        require(
            on_ballot <= 2,
            "on_ballot",
            on_ballot,
            "a runoff ballot carries the two leading candidates only (CL art. 109-1 para 1)",
        )


def _ranking(items: list[CandidateVotes], valid: int) -> tuple[RankedCandidate, ...]:
    ordered = sorted(items, key=lambda c: (-c.votes, c.name))
    ranked: list[RankedCandidate] = []
    for index, c in enumerate(ordered):
        place = ranked[-1].place if ranked and ranked[-1].votes == c.votes else index + 1
        share = Fraction(c.votes, valid) if valid else Fraction(0)
        ranked.append(RankedCandidate(c.name, c.votes, place, share))
    return tuple(ranked)


def _majority_base(
    rules: RuleSet, candidate_votes: int, against_all: int, invalid: int | None
) -> int:
    """Base of the absolute-majority test (``RuleSet.smd_majority_base``; cf. decision #1)."""
    base = rules.smd_majority_base
    if base is ThresholdBase.PARTY_VOTES:
        return candidate_votes
    if base is ThresholdBase.VALID:
        return candidate_votes + against_all
    if invalid is None:
        raise LawInputError(
            "invalid", None, "the 'took part' majority base needs the number of invalid ballots"
        )
    require_non_negative("invalid", invalid)
    return candidate_votes + against_all + invalid


@dataclass(frozen=True)
class _Outcome:
    status: DistrictStatus
    winner: str | None = None
    runoff: tuple[str, ...] | None = None
    lot: Lot | None = None
    lot_needed: LotNeeded | None = None
    unopposed: bool = False
    reason: Explanation = field(default_factory=lambda: Explanation(PLURALITY))
    articles: tuple[str, ...] = ()
    next_step: str = ""
    """For a first round that elects nobody: the key of ``NEXT_STEP``."""


def _runoff_pair(ranking: tuple[RankedCandidate, ...], lot_seed: str | None) -> _Outcome:
    """The two candidates with the most votes (art. 109-1 para 1); ties for a place by lot."""
    groups = [tuple(c.name for c in g) for _, g in groupby(ranking, key=lambda c: c.votes)]
    certain: tuple[str, ...] = ()
    for group in groups:
        places = 2 - len(certain)
        if len(group) <= places:
            certain += group
            if len(certain) == 2:
                break
            continue
        articles = ("CL art. 109-1 para 1", "decision #6", "decision #9")
        if lot_seed is None:
            return _Outcome(
                DistrictStatus.LOT_REQUIRED,
                lot_needed=LotNeeded(tied=tuple(sorted(group)), places=places, certain=certain),
                reason=Explanation(
                    NEXT_STEP["lot_required"], {"tied": len(group), "places": places}
                ),
                articles=articles,
                next_step="lot_required",
            )
        lot = draw_lot(lot_seed, RUNOFF_LOT_PURPOSE, group)
        pair = certain + lot.winners(places)
        return _Outcome(
            DistrictStatus.RUNOFF,
            runoff=pair,
            lot=lot,
            reason=Explanation(NEXT_STEP["runoff_by_lot"], {"tied": len(group), "places": places}),
            articles=articles,
            next_step="runoff_by_lot",
        )
    return _Outcome(
        DistrictStatus.RUNOFF,
        runoff=certain,
        reason=Explanation(NEXT_STEP["runoff"]),
        articles=("CL art. 109-1 para 1",),
        next_step="runoff",
    )


def _two_on_ballot(ranking: tuple[RankedCandidate, ...], rules: RuleSet) -> _Outcome:
    """Two candidates on the ballot, none elected: the law is silent (decision #6)."""
    if rules.two_candidate_tie is TwoCandidateTie.RUNOFF:
        return _Outcome(
            DistrictStatus.RUNOFF,
            runoff=tuple(c.name for c in ranking),
            reason=Explanation(NEXT_STEP["two_runoff"]),
            articles=("decision #6", "CL art. 109-1 para 2 (by analogy)"),
            next_step="two_runoff",
        )
    return _Outcome(
        DistrictStatus.REPEAT_ELECTION,
        reason=Explanation(NEXT_STEP["two_repeat"]),
        articles=("decision #6", "CL art. 96 para 1 (by analogy)", "CL art. 110"),
        next_step="two_repeat",
    )


def _first_round(
    ranking: tuple[RankedCandidate, ...],
    on_ballot: int,
    rules: RuleSet,
    lot_seed: str | None,
    majority_base: int | None,
) -> _Outcome:
    top = ranking[0]
    leaders = [c for c in ranking if c.votes == top.votes]
    if majority_base is None:  # plurality (art. 9 paras 3–4)
        if len(leaders) == 1:
            return _Outcome(
                DistrictStatus.ELECTED,
                winner=top.name,
                reason=Explanation(PLURALITY),
                articles=("CL art. 9 paras 3–4", "decision #5"),
            )
        why: str = "tie"
        values: dict[str, Value] = {"leaders": len(leaders), "votes": top.votes}
    else:  # absolute majority: more than half of the base, strictly
        if len(leaders) == 1 and top.votes * 2 > majority_base:
            return _Outcome(
                DistrictStatus.ELECTED,
                winner=top.name,
                reason=Explanation(
                    ABSOLUTE_MAJORITY,
                    {
                        "votes": top.votes,
                        "base": majority_base,
                        "base_kind": rules.smd_majority_base.value,
                    },
                ),
                articles=("monograph Table 2 (absolute majority)", "decision #5"),
            )
        why, values = "no_majority", {"base": majority_base}
    outcome = _two_on_ballot(ranking, rules) if on_ballot <= 2 else _runoff_pair(ranking, lot_seed)
    return _Outcome(
        outcome.status,
        runoff=outcome.runoff,
        lot=outcome.lot,
        lot_needed=outcome.lot_needed,
        reason=Explanation(
            FIRST_ROUND_UNDECIDED[why, outcome.next_step], {**values, **outcome.reason.values}
        ),
        articles=outcome.articles,
    )


def _runoff_round(ranking: tuple[RankedCandidate, ...]) -> _Outcome:
    """A runoff is won by plurality; a tie in it leads to a repeat election (art. 110 by analogy).

    The two-candidate parameter is not applied here: a runoff of a tied runoff could repeat forever.
    """
    if ranking[0].votes > ranking[1].votes:
        return _Outcome(
            DistrictStatus.ELECTED,
            winner=ranking[0].name,
            reason=Explanation(RUNOFF_WON),
            articles=("CL art. 109-1", "CL art. 9 paras 3–4", "decision #5"),
        )
    return _Outcome(
        DistrictStatus.REPEAT_ELECTION,
        reason=Explanation(RUNOFF_TIED),
        articles=("decision #6", "CL art. 96 para 1 (by analogy)", "CL art. 110"),
    )


def decide_district(
    candidates: Sequence[CandidateVotes] | Mapping[str, int],
    against_all: int = 0,
    *,
    rules: RuleSet = DEFAULT_RULES,
    on_ballot: int | None = None,
    lot_seed: str | None = None,
    contest_round: ContestRound = ContestRound.FIRST,
    invalid: int | None = None,
) -> DistrictResult:
    """Decide a single-member district from the counted votes.

    ``candidates`` are those still standing at the count; ``on_ballot`` is how many names the ballot
    carried (default: as many as counted; a candidate who withdrew after printing still counts
    towards "more than two on the ballot", art. 109-1 para 1). A sole remaining candidate is elected
    whatever the votes, even 0 and even behind "against all": plurality over *other candidates* is
    then trivially met (art. 9 paras 3–4; decision #5) and art. 109-1 para 1 part 2 elects the one
    left by withdrawals without a vote. (Extending nomination when fewer than two are registered,
    arts. 103 para 8 and 107, happens before the vote and is not decided here.)

    ``invalid`` is needed only for ``smd_majority_base = TOOK_PART`` under absolute majority.
    """
    items = _normalise(candidates)
    shown_on_ballot = len(items) if on_ballot is None else on_ballot
    _validate(items, against_all, shown_on_ballot, rules, contest_round)
    candidate_votes = sum(c.votes for c in items)
    valid = candidate_votes + against_all
    ranking = _ranking(items, valid)
    majority_base = None
    if rules.smd_majority is SmdMajority.ABSOLUTE and contest_round is ContestRound.FIRST:
        majority_base = _majority_base(rules, candidate_votes, against_all, invalid)

    if len(ranking) == 1:
        outcome = _Outcome(
            DistrictStatus.ELECTED,
            winner=ranking[0].name,
            unopposed=True,
            reason=Explanation(SOLE_CANDIDATE),
            articles=("CL art. 109-1 para 1", "CL art. 9 paras 3–4", "decision #5"),
        )
    elif contest_round is ContestRound.RUNOFF:
        outcome = _runoff_round(ranking)
    else:
        outcome = _first_round(ranking, shown_on_ballot, rules, lot_seed, majority_base)

    return DistrictResult(
        status=outcome.status,
        winner=outcome.winner,
        unopposed=outcome.unopposed,
        runoff=outcome.runoff,
        lot=outcome.lot,
        lot_needed=outcome.lot_needed,
        ranking=ranking,
        against_all=against_all,
        against_all_share=Fraction(against_all, valid) if valid else Fraction(0),
        valid_votes=valid,
        majority=rules.smd_majority
        if contest_round is ContestRound.FIRST
        else SmdMajority.RELATIVE,
        majority_base=majority_base,
        contest_round=contest_round,
        on_ballot=shown_on_ballot,
        reason=outcome.reason.text,
        articles=outcome.articles,
        explanation=outcome.reason,
    )
