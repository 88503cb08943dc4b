"""The election deposit (избирательный взнос): how much is due and whether it comes back.

Sources: CL art. 104 para 1 (maslikhat party lists), para 1-1 (maslikhat single-member candidates),
art. 88 (Mazhilis); decision #15. Amounts are exact: integers and fractions, whole tenge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from saylau.law.errors import LawInputError, require, require_non_negative
from saylau.law.nomination import Contest, NominationRoute
from saylau.law.rules import Body, RuleSet


@dataclass(frozen=True)
class DepositDue:
    """The deposit a route owes, with every factor shown."""

    route: NominationRoute
    body: Body
    year: int
    minimum_wage: int
    multiplier: int
    per_person: int
    """multiplier × minimum wage."""
    persons: int
    full_amount: int
    """per_person × persons, before any reduction."""
    previous_result: Fraction | None
    share_due: Fraction
    """1 = full fee; 7/10, 1/2 or 0 by the party's previous result (party lists only)."""
    amount: int
    """What is paid, whole tenge: full_amount × share_due, halves rounded up."""
    article: str


def _article(body: Body, contest: Contest) -> str:
    if body is Body.MASLIKHAT:
        return "CL art. 104 para 1" if contest is Contest.PARTY_LIST else "CL art. 104 para 1-1"
    return "CL art. 88 paras 1–3" if contest is Contest.PARTY_LIST else "CL art. 88 para 5"


def _round_half_up(amount: Fraction) -> int:
    return math.floor(amount + Fraction(1, 2))


def deposit_due(
    route: NominationRoute,
    persons_on_list: int,
    year: int,
    previous_result: Fraction | None,
    rules: RuleSet,
    *,
    body: Body = Body.MASLIKHAT,
) -> DepositDue:
    """The deposit for one nomination (CL art. 104 paras 1, 1-1; art. 88; decision #15).

    Per person: 5 × minimum wage for maslikhats, 15 × for the Mazhilis; a party list pays for
    every person on it, a single-member candidate for themself (``persons_on_list`` must be 1).
    The list fee is reduced by the party's share of the vote at the previous election of the same
    body (for a maslikhat: in the same territorial district), ``rules.deposit.reduced_fee``:
    ≥ 5% exempt, [3%, 5%) pays 50%, [1%, 3%) pays 70%, below 1% or not standing before
    (``None``) pays in full.
    The share is on the threshold base of decision #1. A reduced fee that is not whole tenge is
    rounded half up (with a whole-tenge minimum wage this can only be a half).
    """
    deposit = rules.deposit
    require_non_negative("persons_on_list", persons_on_list)
    contest = route.contest
    if contest is Contest.PARTY_LIST:
        require(persons_on_list >= 1, "persons_on_list", persons_on_list, "a list has a person")
    else:
        require(
            persons_on_list == 1,
            "persons_on_list",
            persons_on_list,
            "a single-member candidate pays for one person",
        )
        require(
            previous_result is None,
            "previous_result",
            previous_result,
            "the fee reduction by previous result applies to party lists only "
            "(CL art. 104 para 1, art. 88 paras 2–3)",
        )
    if year not in deposit.minimum_wage:
        raise LawInputError(
            "year",
            year,
            f"no minimum wage known for this year; known years: {sorted(deposit.minimum_wage)}",
        )
    share_due = Fraction(1)
    if previous_result is not None:
        require(
            isinstance(previous_result, (Fraction, int)) and not isinstance(previous_result, bool),
            "previous_result",
            previous_result,
            "must be an exact fraction",
        )
        require(
            0 <= previous_result <= 1,
            "previous_result",
            previous_result,
            "a share of the vote lies between 0 and 1",
        )
        for lower_bound, share in deposit.reduced_fee:
            if previous_result >= lower_bound:
                share_due = share
                break
    minimum_wage = deposit.minimum_wage[year]
    multiplier = (
        deposit.maslikhat_multiplier if body is Body.MASLIKHAT else deposit.mazhilis_multiplier
    )
    per_person = multiplier * minimum_wage
    full_amount = per_person * persons_on_list
    return DepositDue(
        route=route,
        body=body,
        year=year,
        minimum_wage=minimum_wage,
        multiplier=multiplier,
        per_person=per_person,
        persons=persons_on_list,
        full_amount=full_amount,
        previous_result=None if previous_result is None else Fraction(previous_result),
        share_due=share_due,
        amount=_round_half_up(full_amount * share_due),
        article=_article(body, contest),
    )


class RefundGround(StrEnum):
    """Why a deposit comes back (CL art. 104 para 1 part 6, para 1-1 part 2; art. 88 paras 4–5)."""

    ELECTED = "elected"
    VOTE_SHARE = "vote_share"
    DEATH = "death"


@dataclass(frozen=True)
class DepositRefund:
    """The refund decision: refunded iff at least one ground holds."""

    refunded: bool
    grounds: tuple[RefundGround, ...]
    share: Fraction
    """votes / base, exact."""
    explanation: str
    article: str


def deposit_refunded(
    votes: int,
    base: int,
    elected: bool,
    died: bool,
    rules: RuleSet,
    *,
    party_list: bool = False,
    body: Body = Body.MASLIKHAT,
) -> DepositRefund:
    """Whether the deposit is refunded (CL art. 104 paras 1, 1-1; art. 88 paras 4–5; decision #15).

    A single-member candidate gets it back if elected, or with at least 5% of the votes of those who
    took part (inclusive: ``votes × 100 ≥ 5 × base`` in integers), or on death. A party list gets it
    back with at least 5%, or on the death of its only candidate (``died``); winning seats is not a
    ground for a list (a list admitted under the one-party rule with < 5% does not get it back), so
    ``elected`` must be False for a list. ``base`` is the threshold base of decision #1 (valid
    ballots: candidate or party votes plus "against all"). Otherwise the deposit goes to the budget.
    """
    require_non_negative("votes", votes)
    require_non_negative("base", base)
    require(base >= 1, "base", base, "a refund is decided on a held vote: the base must be ≥ 1")
    require(votes <= base, "votes", votes, f"cannot exceed the base {base}")
    if party_list:
        require(
            not elected,
            "elected",
            elected,
            "a party list's deposit is refunded on its vote share, not on seats "
            "(CL art. 104 para 1 part 6)",
        )
    threshold = rules.deposit.refund_share
    share = Fraction(votes, base)
    grounds: list[RefundGround] = []
    if elected:
        grounds.append(RefundGround.ELECTED)
    if votes * threshold.denominator >= threshold.numerator * base:
        grounds.append(RefundGround.VOTE_SHARE)
    if died:
        grounds.append(RefundGround.DEATH)
    if grounds:
        explanation = "refunded: " + ", ".join(g.value for g in grounds)
    else:
        explanation = (
            f"not refunded: not elected, {votes}/{base} is below {threshold}, no death; "
            "the deposit goes to the republican budget"
        )
    if body is Body.MASLIKHAT:
        article = "CL art. 104 para 1 part 6" if party_list else "CL art. 104 para 1-1 part 2"
    else:
        article = "CL art. 88 para 4" if party_list else "CL art. 88 para 5"
    return DepositRefund(
        refunded=bool(grounds),
        grounds=tuple(grounds),
        share=share,
        explanation=explanation,
        article=article,
    )
