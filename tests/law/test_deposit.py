"""The election deposit (CL art. 104 paras 1, 1-1; art. 88; decision #15).

2023 minimum wage 70,000 tenge (Law of 01.12.2022 No. 163-VII): 5 × 70,000 = 350,000 per maslikhat
candidate or list person; 15 × 70,000 = 1,050,000 for the Mazhilis.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.deposit import RefundGround, deposit_due, deposit_refunded
from saylau.law.errors import LawInputError
from saylau.law.nomination import NominationRoute
from saylau.law.rules import RULES_2023, Body, DepositRules

LIST = NominationRoute.PARTY_LIST
SMD_ROUTES = (
    NominationRoute.PARTY_SMD,
    NominationRoute.PUBLIC_ASSOCIATION_SMD,
    NominationRoute.SELF_NOMINATED_SMD,
)


@pytest.mark.parametrize("route", SMD_ROUTES)
def test_single_member_candidate_2023(route: NominationRoute) -> None:
    """CL art. 104 para 1-1: 5 × MW = 5 × 70,000 = 350,000 tenge, whoever nominated."""
    due = deposit_due(route, 1, 2023, None, RULES_2023)
    assert (due.per_person, due.amount, due.share_due) == (350_000, 350_000, Fraction(1))
    assert due.article == "CL art. 104 para 1-1"


def test_party_list_full_fee() -> None:
    """CL art. 104 para 1 part 2: per person on the list — 30 × 350,000 = 10,500,000."""
    due = deposit_due(LIST, 30, 2023, None, RULES_2023)
    assert (due.full_amount, due.amount) == (10_500_000, 10_500_000)
    assert due.article == "CL art. 104 para 1"


@pytest.mark.parametrize(
    ("previous", "share", "amount"),
    [
        (Fraction(5, 100), Fraction(0), 0),  # exactly 5%: exempt
        (Fraction(1, 2), Fraction(0), 0),
        (Fraction(499, 10_000), Fraction(1, 2), 5_250_000),  # 4.99%: 30 × 175,000
        (Fraction(3, 100), Fraction(1, 2), 5_250_000),  # exactly 3%: 50%
        (Fraction(299, 10_000), Fraction(7, 10), 7_350_000),  # 2.99%: 30 × 245,000
        (Fraction(1, 100), Fraction(7, 10), 7_350_000),  # exactly 1%: 70%
        (Fraction(99, 10_000), Fraction(1), 10_500_000),  # 0.99%: full
        (Fraction(0), Fraction(1), 10_500_000),
    ],
)
def test_reduction_by_previous_result(previous: Fraction, share: Fraction, amount: int) -> None:
    """CL art. 104 para 1 parts 3–5: ≥ 5% exempt; 3–5% pays 50%; 1–3% pays 70% (bands [3, 5) and
    [1, 3), decision #15), boundaries included in the better band."""
    due = deposit_due(LIST, 30, 2023, previous, RULES_2023)
    assert (due.share_due, due.amount) == (share, amount)


def test_mazhilis() -> None:
    """CL art. 88 paras 1, 5: 15 × MW = 1,050,000 per list person and per SMD candidate."""
    smd = deposit_due(
        NominationRoute.SELF_NOMINATED_SMD, 1, 2023, None, RULES_2023, body=Body.MAZHILIS
    )
    assert (smd.amount, smd.article) == (1_050_000, "CL art. 88 para 5")
    party = deposit_due(LIST, 20, 2023, Fraction(4, 100), RULES_2023, body=Body.MAZHILIS)
    # 20 × 1,050,000 = 21,000,000; previous 4% → 50% = 10,500,000
    assert (party.full_amount, party.amount) == (21_000_000, 10_500_000)


def test_unknown_year_lists_known_years() -> None:
    """Decision #15: the minimum wage is data per year; an unknown year is refused, not guessed."""
    with pytest.raises(LawInputError) as caught:
        deposit_due(LIST, 5, 2019, None, RULES_2023)
    assert caught.value.field == "year"
    assert caught.value.value == 2019
    assert "2023" in caught.value.rule


@pytest.mark.parametrize(
    ("route", "persons", "previous", "field"),
    [
        (NominationRoute.SELF_NOMINATED_SMD, 2, None, "persons_on_list"),
        (NominationRoute.PARTY_SMD, 1, Fraction(6, 100), "previous_result"),
        (LIST, 0, None, "persons_on_list"),
        (LIST, -1, None, "persons_on_list"),
        (LIST, 3, Fraction(3, 2), "previous_result"),
        (LIST, 3, Fraction(-1, 100), "previous_result"),
        (LIST, 3, 0.05, "previous_result"),  # floats never decide
    ],
)
def test_bad_input(
    route: NominationRoute, persons: int, previous: Fraction | None, field: str
) -> None:
    """Bad input names its field; the reduction applies to party lists only (art. 104 para 1)."""
    with pytest.raises(LawInputError) as caught:
        deposit_due(route, persons, 2023, previous, RULES_2023)
    assert caught.value.field == field


def test_half_tenge_rounds_up() -> None:
    """Whole tenge: with an odd minimum wage (hypothetical 70,001) 50% of 350,005 = 175,002.5
    → 175,003, and 70% = 245,003.5 → 245,004 (halves rounded up)."""
    rules = dataclasses.replace(
        RULES_2023, deposit=DepositRules(minimum_wage=MappingProxyType({2030: 70_001}))
    )
    assert deposit_due(LIST, 1, 2030, Fraction(4, 100), rules).amount == 175_003
    assert deposit_due(LIST, 1, 2030, Fraction(2, 100), rules).amount == 245_004
    assert deposit_due(LIST, 2, 2030, Fraction(2, 100), rules).amount == 490_007


@settings(max_examples=200)
@given(
    persons=st.integers(min_value=1, max_value=200),
    a=st.fractions(min_value=0, max_value=1),
    b=st.fractions(min_value=0, max_value=1),
)
def test_fee_properties(persons: int, a: Fraction, b: Fraction) -> None:
    """A better previous result never costs more; nobody pays more than the full fee."""
    low, high = sorted((a, b))
    due_low = deposit_due(LIST, persons, 2023, low, RULES_2023)
    due_high = deposit_due(LIST, persons, 2023, high, RULES_2023)
    assert due_high.amount <= due_low.amount <= 350_000 * persons
    assert due_low.full_amount == 350_000 * persons


# --- refund --------------------------------------------------------------------------------------


def test_refund_at_exactly_five_percent() -> None:
    """CL art. 104 para 1-1: "not less than 5%" is inclusive — 5 of 100 refunded, 4 of 100 not."""
    assert deposit_refunded(5, 100, False, False, RULES_2023).grounds == (RefundGround.VOTE_SHARE,)
    lost = deposit_refunded(4, 100, False, False, RULES_2023)
    assert not lost.refunded and lost.grounds == ()
    assert "budget" in lost.explanation
    # 49 of 1,000 is 4.9%: not refunded; 50 of 1,000 is 5%
    assert not deposit_refunded(49, 1_000, False, False, RULES_2023).refunded
    assert deposit_refunded(50, 1_000, False, False, RULES_2023).refunded


def test_refund_when_elected_or_dead() -> None:
    """CL art. 104 para 1-1: refunded if elected (even below 5%) or on the candidate's death."""
    elected = deposit_refunded(30, 1_000, True, False, RULES_2023)
    assert elected.grounds == (RefundGround.ELECTED,)
    assert elected.share == Fraction(3, 100)
    assert deposit_refunded(0, 1_000, False, True, RULES_2023).grounds == (RefundGround.DEATH,)
    both = deposit_refunded(400, 1_000, True, False, RULES_2023)
    assert both.grounds == (RefundGround.ELECTED, RefundGround.VOTE_SHARE)


def test_party_list_refund() -> None:
    """CL art. 104 para 1 part 6: a list is refunded at ≥ 5% or on the death of its only
    candidate; seats are not a ground (a second list admitted under art. 111-1 para 2 with < 5%
    loses its deposit)."""
    assert deposit_refunded(5, 100, False, False, RULES_2023, party_list=True).refunded
    assert not deposit_refunded(4, 100, False, False, RULES_2023, party_list=True).refunded
    assert deposit_refunded(1, 100, False, True, RULES_2023, party_list=True).refunded
    with pytest.raises(LawInputError) as caught:
        deposit_refunded(4, 100, True, False, RULES_2023, party_list=True)
    assert caught.value.field == "elected"
    mazhilis = deposit_refunded(
        5, 100, False, False, RULES_2023, party_list=True, body=Body.MAZHILIS
    )
    assert mazhilis.article == "CL art. 88 para 4"


@pytest.mark.parametrize(
    ("votes", "base", "field"),
    [(-1, 100, "votes"), (101, 100, "votes"), (0, 0, "base"), (1, -5, "base")],
)
def test_refund_bad_input(votes: int, base: int, field: str) -> None:
    """Votes are whole numbers within the base; the base of a held vote is positive."""
    with pytest.raises(LawInputError) as caught:
        deposit_refunded(votes, base, False, False, RULES_2023)
    assert caught.value.field == field


@settings(max_examples=300)
@given(data=st.data(), base=st.integers(min_value=1, max_value=10**7))
def test_refund_share_rule(data: st.DataObject, base: int) -> None:
    """Not elected, alive: refunded iff votes ≥ base / 20 (5% as 1/20, integers)."""
    votes = data.draw(st.integers(min_value=0, max_value=base))
    refund = deposit_refunded(votes, base, False, False, RULES_2023)
    assert refund.refunded == (20 * votes >= base)
