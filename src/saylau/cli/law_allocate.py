"""``saylau law allocate``: party-list seat allocation as JSON in, JSON out (CL art. 111-1, 97-1).

Input::

    {"body": "maslikhat"|"mazhilis", "seats": N, "against_all": N,
     "lists": [{"party": "…", "votes": N, "registered": K}],
     "rules": "2023"|"2021"|"2016", "method": "hare_lr"|"droop_lr"|"dhondt"|"sainte_lague",
     "threshold_percent": 5, "threshold_base": "valid"|"took_part"|"party_votes",
     "invalid": N, "lot_seed": "…"}

``rules`` (default "2023"), ``method`` (default the statute's "hare_lr"), ``threshold_percent``
(overrides the rule set's threshold; decimals such as 2.5 are read exactly from the JSON text),
``threshold_base`` (overrides decision #1's default), ``invalid`` (needed for "took_part") and
``lot_seed`` (needed only when a tie must be drawn by lot) are optional.

Output: ``status``, ``seats`` (every party), ``quota`` ("n/d", null when nothing was allocated or
for divisor methods), ``rules``, ``method`` and the ``trace`` (fractions as "n/d" with a decimal
rendering for people). Exit 0 for every legal outcome, 2 for invalid input.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import typer

from saylau.cli.jsonio import StrictModel, json_command
from saylau.law.allocation import (
    Allocation,
    OnePartyRule,
    PartyList,
    ThresholdTest,
    allocate,
    decimal_text,
)
from saylau.law.errors import LawInputError
from saylau.law.lot import Lot
from saylau.law.methods import Method, QuotientRow, SeatAward
from saylau.law.rules import Body, ThresholdBase, rule_set


class ListInput(StrictModel):
    party: str
    votes: int
    registered: int


class AllocateInput(StrictModel):
    body: Literal["maslikhat", "mazhilis"]
    seats: int
    against_all: int
    lists: list[ListInput]
    rules: Literal["2023", "2021", "2016"] = "2023"
    method: Literal["hare_lr", "droop_lr", "dhondt", "sainte_lague"] = "hare_lr"
    threshold_percent: int | Decimal | None = None
    threshold_base: Literal["valid", "took_part", "party_votes"] | None = None
    invalid: int | None = None
    lot_seed: str | None = None


def _threshold(percent: int | Decimal) -> Fraction:
    """The percentage as an exact share; refuses values outside 0–100."""
    if isinstance(percent, Decimal) and not percent.is_finite():
        raise LawInputError("threshold_percent", str(percent), "must be a finite number")
    value = Fraction(percent)
    if not 0 <= value <= 100:
        raise LawInputError("threshold_percent", str(percent), "must be between 0 and 100")
    return value / 100


MAX_SEATS = 10_000
"""More seats than any body has (the Mazhilis has 98): a divisor method hands seats out one by
one, so a hostile ``seats`` of 10**30 would otherwise never finish."""


def run(doc: AllocateInput) -> dict[str, Any]:
    """Apply the law to a validated input document and build the output document."""
    if doc.seats > MAX_SEATS:
        raise LawInputError("seats", doc.seats, f"at most {MAX_SEATS} seats are allocated")
    rules = rule_set(doc.rules).list_rules(Body(doc.body))
    changes: dict[str, Any] = {}
    if doc.threshold_percent is not None:
        changes["threshold"] = _threshold(doc.threshold_percent)
    if doc.threshold_base is not None:
        changes["threshold_base"] = ThresholdBase(doc.threshold_base)
    if changes:
        rules = dataclasses.replace(rules, **changes)
    result = allocate(
        [PartyList(p.party, p.votes, p.registered) for p in doc.lists],
        doc.seats,
        rules,
        against_all=doc.against_all,
        invalid=doc.invalid,
        method=Method(doc.method),
        lot_seed=doc.lot_seed,
    )
    return {
        "status": result.status.value,
        "body": doc.body,
        "rules": doc.rules,
        "method": result.method.value,
        "statutory_method": result.method.statutory,
        "total_seats": result.total_seats,
        "seats": dict(result.seats),
        "quota": _exact(result.quota) if result.quota is not None else None,
        "threshold": _exact(result.threshold),
        "trace": _trace(result),
    }


def register(app: typer.Typer) -> None:
    """Add ``allocate`` to the ``saylau law`` group."""
    json_command(
        app,
        "allocate",
        AllocateInput,
        run,
        "Allocate party-list seats (CL art. 111-1 maslikhat, art. 97-1 Mazhilis).",
    )


def _exact(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _number(value: Fraction) -> dict[str, str]:
    return {"exact": _exact(value), "decimal": decimal_text(value)}


def _lot(lot: Lot | None) -> dict[str, Any] | None:
    if lot is None:
        return None
    return {
        "method": lot.method,
        "purpose": lot.purpose,
        "seed": lot.seed,
        "candidates": list(lot.candidates),
        "order": list(lot.order),
    }


def _test(t: ThresholdTest) -> dict[str, Any]:
    return {
        "party": t.party,
        "votes": t.votes,
        "registered": t.registered,
        "share": _number(t.share) if t.share is not None else None,
        "percent": decimal_text(t.share * 100, 4) if t.share is not None else None,
        "passed": t.passed,
        "admitted": t.admitted,
        "admission": t.admission.value,
        "reason": t.reason,
        "article": t.article,
    }


def _row(r: QuotientRow) -> dict[str, Any]:
    return {
        "party": r.party,
        "votes": r.votes,
        "quotient": _number(r.quotient),
        "quota_seats": r.quota_seats,
        "remainder": _number(r.remainder),
        "seats": r.seats,
    }


def _award(a: SeatAward) -> dict[str, Any]:
    return {
        "number": a.number,
        "party": a.party,
        "reason": a.reason.value,
        "value": _number(a.value),
        "tied_with": list(a.tied_with),
        "lot": _lot(a.lot),
        "article": a.article,
    }


def _one_party(o: OnePartyRule | None) -> dict[str, Any] | None:
    if o is None:
        return None
    return {
        "passing": o.passing,
        "second": o.second,
        "second_reason": o.second_reason,
        "lot": _lot(o.lot),
        "quota": _number(o.quota),
        "second_quotient": _number(o.second_quotient) if o.second_quotient is not None else None,
        "factor": _exact(o.factor),
        "scaled_quotient": _number(o.scaled_quotient) if o.scaled_quotient is not None else None,
        "floor_seats": o.floor_seats,
        "min_seats": o.min_seats,
        "second_seats": o.second_seats,
        "capped": o.capped,
        "passing_seats": o.passing_seats,
        "article": o.article,
    }


def _trace(a: Allocation) -> dict[str, Any]:
    return {
        "article": a.article,
        "base": {
            "votes": a.base,
            "definition": a.threshold_base.value,
            "description": a.base_definition,
            "article": f"{a.article} para 1; decision #1",
        },
        "threshold": {
            "share": _number(a.threshold),
            "percent": decimal_text(a.threshold * 100, 4),
            "inclusive": True,
            "article": f"{a.article} para 1",
        },
        "lists": [_test(t) for t in a.tests],
        "quota": _number(a.quota) if a.quota is not None else None,
        "quotients": [_row(r) for r in a.rows],
        "awards": [_award(x) for x in a.awards],
        "one_party_rule": _one_party(a.one_party),
        "steps": [{"article": s.article, "text": s.text} for s in a.steps],
    }
