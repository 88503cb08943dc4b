"""``saylau law district``: the outcome of one single-member district, JSON in and JSON out.

Input::

    {"candidates": [{"name": "…", "votes": N}, …], "against_all": N,
     "rules": "2023", "on_ballot": N, "lot_seed": "…", "round": "first" | "runoff"}

``against_all`` is required under rule sets whose ballots carry the line (2023: CL art. 37 para 1)
and must be absent or 0 otherwise; the other keys after it are optional. ``on_ballot`` counts
candidates printed on the ballot when some withdrew (art. 109-1 para 1); ``lot_seed`` is the seed
the commission published for a lot between tied candidates (decision #9); ``round: "runoff"``
evaluates the runoff itself.

Output: ``status`` is ``elected``, ``runoff``, ``repeat_election`` or ``lot_required`` (a lot must
pick runoff participants and no ``lot_seed`` was given; ``lot_required`` then names the tied
candidates). ``competitiveness`` (decision #18) is computed from the two candidates with the most
votes even when nobody is elected (a first-place tie gives 1.0); it is ``null`` only when nobody
received a vote. Shares are exact fractions ``"numerator/denominator"`` of the valid votes
(candidates + "against all").
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any, Literal

import typer
from pydantic import Field

from saylau.cli.jsonio import StrictModel, fail, json_command
from saylau.law.competitiveness import Competitiveness, district_competitiveness
from saylau.law.district import CandidateVotes, ContestRound, DistrictResult, decide_district
from saylau.law.rules import RuleSet, rule_set


class CandidateIn(StrictModel):
    name: Annotated[str, Field(min_length=1)]
    votes: int


class DistrictIn(StrictModel):
    candidates: list[CandidateIn]
    against_all: int | None = None
    rules: str = "2023"
    on_ballot: int | None = None
    lot_seed: Annotated[str, Field(min_length=1)] | None = None
    round: Literal["first", "runoff"] = "first"


def fraction_text(value: Fraction) -> str:
    """An exact fraction as ``"numerator/denominator"`` (``"0/1"`` for zero)."""
    return f"{value.numerator}/{value.denominator}"


def _competitiveness(result: DistrictResult) -> dict[str, Any] | None:
    kb: Competitiveness | None = district_competitiveness([c.votes for c in result.ranking])
    if kb is None:
        return None
    return {
        "index": fraction_text(kb.index),
        "rounded": kb.display,
        "band": kb.band.value,
        "basis": "winner_and_runner_up" if result.winner else "top_two_without_winner",
        "article": "decision #18",
    }


def district_document(result: DistrictResult, rules: RuleSet) -> dict[str, Any]:
    """The JSON document for one district result."""
    lot = result.lot
    needed = result.lot_needed
    return {
        "status": result.status.value,
        "winner": result.winner,
        "unopposed": result.unopposed,
        "runoff": list(result.runoff) if result.runoff is not None else None,
        "lot": None
        if lot is None
        else {
            "purpose": lot.purpose,
            "seed": lot.seed,
            "method": lot.method,
            "candidates": list(lot.candidates),
            "order": list(lot.order),
        },
        "lot_required": None
        if needed is None
        else {
            "tied": list(needed.tied),
            "places": needed.places,
            "certain": list(needed.certain),
            "purpose": needed.purpose,
        },
        "ranking": [
            {"name": c.name, "votes": c.votes, "place": c.place, "share": fraction_text(c.share)}
            for c in result.ranking
        ],
        "against_all": {
            "votes": result.against_all,
            "share": fraction_text(result.against_all_share),
            "beats_every_candidate": result.against_all_beats_every_candidate,
        },
        "valid_votes": result.valid_votes,
        "competitiveness": _competitiveness(result),
        "majority": {
            "rule": result.majority.value,
            "base": result.majority_base,
        },
        "round": result.contest_round.value,
        "on_ballot": result.on_ballot,
        "rules": rules.name,
        "reason": result.reason,
        "articles": list(result.articles),
    }


def run(document: DistrictIn) -> dict[str, Any]:
    """Decide the district described by a validated input document (raises LawInputError)."""
    rules = rule_set(document.rules)
    against_all = document.against_all
    if against_all is None:
        if rules.against_all_on_ballot:
            fail(
                f"invalid input: against_all: required; every ballot under rule set {rules.name} "
                "has an 'against all' line (CL art. 37 para 1)"
            )
        against_all = 0
    result = decide_district(
        [CandidateVotes(c.name, c.votes) for c in document.candidates],
        against_all,
        rules=rules,
        on_ballot=document.on_ballot,
        lot_seed=document.lot_seed,
        contest_round=ContestRound(document.round),
    )
    return district_document(result, rules)


def register(app: typer.Typer) -> None:
    """Add ``district`` to the ``saylau law`` command group."""
    json_command(
        app,
        "district",
        DistrictIn,
        run,
        "Decide a single-member district: winner, runoff or repeat election (CL art. 9, 109-1).",
    )
