"""``saylau law recall``: petition sufficiency, vote validity and outcome of a recall, JSON in/out.

Input::

    {"district_voters": N, "valid_signatures": N, "took_part": N, "for_recall": N, "rules": "2023"}

``took_part`` (ballots found in the boxes, decision #16) and ``for_recall`` are optional;
``for_recall`` needs ``took_part``. Output: ``petition`` is ``sufficient`` or ``insufficient``
(more than 10% of the district's voters, art. 113-14 para 2: exactly 10% is insufficient);
``vote_valid`` (at least 1/3 took part, art. 113-16 para 3) is ``null`` without ``took_part``;
``recalled`` (more than 50% of those who took part, art. 113-16 para 4) is ``false`` whenever the
vote is not valid, ``null`` when it cannot be decided yet. ``thresholds`` gives each rule and the
smallest whole number that meets it.
"""

from __future__ import annotations

from typing import Any

import typer

from saylau.cli.jsonio import StrictModel, json_command
from saylau.law.errors import LawInputError
from saylau.law.recall import (
    decide_recall_vote,
    petition_sufficient,
    recall_rules,
    recall_share_text,
    recall_vote_valid,
    signatures_needed,
    turnout_needed,
    votes_needed_to_recall,
)
from saylau.law.rules import rule_set


class RecallIn(StrictModel):
    district_voters: int
    valid_signatures: int
    took_part: int | None = None
    for_recall: int | None = None
    rules: str = "2023"


def run(document: RecallIn) -> dict[str, Any]:
    """Apply arts. 113-14 and 113-16 to a validated input document (raises LawInputError)."""
    rules = rule_set(document.rules)
    r = recall_rules(rules)
    voters = document.district_voters
    petition = petition_sufficient(document.valid_signatures, voters, rules)
    vote_valid: bool | None = None
    recalled: bool | None = None
    votes_needed: int | None = None
    if document.took_part is None:
        if document.for_recall is not None:
            raise LawInputError(
                "for_recall", document.for_recall, "needs took_part, the ballots in the boxes"
            )
    else:
        vote_valid = recall_vote_valid(voters, document.took_part, rules=rules)
        votes_needed = votes_needed_to_recall(document.took_part, rules)
        if document.for_recall is not None:
            recalled = decide_recall_vote(
                voters, document.took_part, document.for_recall, rules=rules
            ).recalled
        elif not vote_valid:
            recalled = False
    return {
        "petition": "sufficient" if petition else "insufficient",
        "vote_valid": vote_valid,
        "recalled": recalled,
        "thresholds": {
            "signatures": {
                "rule": recall_share_text(r.signature_share, inclusive=False)
                + " of the district's voters",
                "minimum": signatures_needed(voters, rules),
                "article": "CL art. 113-14 para 2",
            },
            "turnout": {
                "rule": recall_share_text(r.turnout_share, inclusive=True)
                + " of the district's voters",
                "minimum": turnout_needed(voters, rules),
                "article": "CL art. 113-16 para 3",
            },
            "recall": {
                "rule": recall_share_text(r.recall_share, inclusive=False)
                + " of those who took part",
                "minimum": votes_needed,
                "article": "CL art. 113-16 para 4",
            },
        },
        "turnout_base": r.turnout_base.value,
        "rules": rules.name,
        "articles": ["CL art. 113-14 para 2", "CL art. 113-16 paras 3–4", "decision #16"],
    }


def register(app: typer.Typer) -> None:
    """Add ``recall`` to the ``saylau law`` command group."""
    json_command(
        app,
        "recall",
        RecallIn,
        run,
        "Check a recall petition and vote (CL arts. 113-14, 113-16; decision #16).",
    )
