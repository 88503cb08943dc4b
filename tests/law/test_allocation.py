"""Party-list allocation worked by hand (CL art. 111-1, art. 97-1; decisions #1–#4).

Every expected number below was computed by hand (see the docstrings), not copied from the code.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from saylau.law.allocation import (
    Admission,
    AllocationStatus,
    PartyList,
    allocate,
    decimal_text,
    reaches_threshold,
)
from saylau.law.errors import LawInputError
from saylau.law.methods import AwardReason, Method
from saylau.law.rules import RULES_2021, RULES_2023, Body, ListRules, ThresholdBase

MASLIKHAT = RULES_2023.list_rules(Body.MASLIKHAT)
MAZHILIS = RULES_2023.list_rules(Body.MAZHILIS)


def lists(*rows: tuple[str, int]) -> list[PartyList]:
    """Lists registered in the order given (1 = earliest)."""
    return [PartyList(party, votes, i + 1) for i, (party, votes) in enumerate(rows)]


# --- the normal case -------------------------------------------------------------------------


def test_maslikhat_hare_quota_and_largest_remainders() -> None:
    """CL art. 111-1 paras 1, 3, 4: 9 seats; A 4000, B 2600, C 1900, D 900, against all 600.

    Base = 9400 + 600 = 10000; 5% = 500, all four pass. Quota = 9400 / 9 over the passing lists
    (against all is not in the quota). Quotients: A 36000/9400 = 3.8298, B 23400/9400 = 2.4894,
    C 17100/9400 = 1.8191, D 8100/9400 = 0.8617 → whole seats 3 + 2 + 1 + 0 = 6; the 3 remaining
    seats go to the largest remainders D .8617, A .8298, C .8191; B (.4894) gets none.
    """
    result = allocate(
        lists(("A", 4000), ("B", 2600), ("C", 1900), ("D", 900)), 9, MASLIKHAT, against_all=600
    )
    assert result.status is AllocationStatus.ALLOCATED
    assert dict(result.seats) == {"A": 4, "B": 2, "C": 2, "D": 1}
    assert result.base == 10_000
    assert result.quota == Fraction(9400, 9)
    assert [r.quotient for r in result.rows] == [
        Fraction(36000, 9400),
        Fraction(23400, 9400),
        Fraction(17100, 9400),
        Fraction(8100, 9400),
    ]
    assert [r.quota_seats for r in result.rows] == [3, 2, 1, 0]
    assert [(a.party, a.reason) for a in result.awards] == [
        ("D", AwardReason.LARGEST_REMAINDER),
        ("A", AwardReason.LARGEST_REMAINDER),
        ("C", AwardReason.LARGEST_REMAINDER),
    ]
    assert result.awards[0].value == Fraction(8100, 9400)
    assert all(a.article == "CL art. 111-1 para 4" for a in result.awards)
    assert all(t.passed and t.admission is Admission.PASSED for t in result.tests)
    assert result.tests[3].share == Fraction(900, 10_000)


def test_quota_is_over_passing_lists_only() -> None:
    """CL art. 111-1 para 1: the votes of lists below 5% are not in the quota.

    7 seats; A 5000, B 2800, C 1400, D 300, against all 500 → base 10000, D (3%) fails.
    Quota = 9200 / 7; A 35000/9200 = 3.804, B 19600/9200 = 2.130, C 9800/9200 = 1.065:
    3 + 2 + 1 = 6, the 7th seat to A (largest remainder .804).
    """
    result = allocate(
        lists(("A", 5000), ("B", 2800), ("C", 1400), ("D", 300)), 7, MASLIKHAT, against_all=500
    )
    assert result.quota == Fraction(9200, 7)
    assert dict(result.seats) == {"A": 4, "B": 2, "C": 1, "D": 0}
    assert result.tests[3].admission is Admission.BELOW_THRESHOLD
    assert [r.party for r in result.rows] == ["A", "B", "C"]


# --- ties on equal remainders ------------------------------------------------------------------


def test_equal_remainders_go_to_the_list_registered_earlier() -> None:
    """CL art. 111-1 para 4: equal largest remainders → the list registered earlier.

    2 seats; A 300 (registered 2nd), B 300 (1st), C 400 (3rd): quota 1000/2 = 500, quotients
    .6, .6, .8 → no whole seat; seat 1 to C (.8); seat 2: A and B tie at .6, B registered first.
    """
    data = [PartyList("A", 300, 2), PartyList("B", 300, 1), PartyList("C", 400, 3)]
    result = allocate(data, 2, MASLIKHAT)
    assert dict(result.seats) == {"A": 0, "B": 1, "C": 1}
    last = result.awards[-1]
    assert (last.party, last.reason, last.tied_with) == (
        "B",
        AwardReason.EARLIER_REGISTRATION,
        ("A",),
    )
    assert last.lot is None
    swapped = [PartyList("A", 300, 1), PartyList("B", 300, 2), PartyList("C", 400, 3)]
    assert dict(allocate(swapped, 2, MASLIKHAT).seats) == {"A": 1, "B": 0, "C": 1}


def test_equal_remainders_and_registration_need_a_lot() -> None:
    """Decision #4 and #9: equal remainder and equal registration order → auditable lot.

    Without a published seed the law cannot decide: LawInputError on ``lot_seed``. With a seed the
    seat goes to the first name of the recorded draw, reproducibly; different seeds can differ.
    """
    data = [PartyList("A", 300, 1), PartyList("B", 300, 1), PartyList("C", 400, 2)]
    with pytest.raises(LawInputError) as info:
        allocate(data, 2, MASLIKHAT)
    assert info.value.field == "lot_seed"
    winners = set()
    for seed in ("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"):
        result = allocate(data, 2, MASLIKHAT, lot_seed=seed)
        award = result.awards[-1]
        assert award.reason is AwardReason.LOT
        assert award.lot is not None and award.lot.seed == seed
        assert award.lot.candidates == ("A", "B")
        assert award.party == award.lot.winners(1)[0]
        assert result.seats[award.party] == 1 and result.seats["C"] == 1
        assert allocate(data, 2, MASLIKHAT, lot_seed=seed) == result
        winners.add(award.party)
    assert winners == {"A", "B"}


def test_tie_that_decides_nothing_draws_no_lot() -> None:
    """Decision #4: a lot is drawn only when the tie decides a seat. A 100, B 100 (both
    registered 1st), C 400.

    3 seats: quota 200; A .5, B .5, C 2 → 2 whole seats, one left for A or B: decisive, lot needed.
    5 seats: quota 120; A .833, B .833, C 3.333 → 3 whole seats, 2 left: A and B both get one, so
    no lot and no seed are needed.
    """
    data = [PartyList("A", 100, 1), PartyList("B", 100, 1), PartyList("C", 400, 2)]
    with pytest.raises(LawInputError):
        allocate(data, 3, MASLIKHAT)
    result = allocate(data, 5, MASLIKHAT)
    assert dict(result.seats) == {"A": 1, "B": 1, "C": 3}
    assert all(a.lot is None for a in result.awards)


# --- the threshold (decision #1) -----------------------------------------------------------------


def test_exactly_five_percent_passes_one_vote_less_fails() -> None:
    """CL art. 111-1 para 1 "5% and more", decision #1 (base = party votes + against all).

    A 1200, B 500, X 100, against all 200 → base 2000, 5% = 100: X passes (100 × 20 = 2000 ≥ 2000).
    One vote moved from X to "against all" keeps the base at 2000: 99 × 20 = 1980 < 2000, X fails.
    """
    at = allocate(lists(("A", 1200), ("B", 500), ("X", 100)), 10, MASLIKHAT, against_all=200)
    assert at.base == 2000
    assert at.tests[2].passed and at.tests[2].share == Fraction(1, 20)
    assert at.seats["X"] >= 0 and "X" in [r.party for r in at.rows]
    below = allocate(lists(("A", 1200), ("B", 500), ("X", 99)), 10, MASLIKHAT, against_all=201)
    assert below.base == 2000
    assert not below.tests[2].passed
    assert below.seats["X"] == 0
    assert "X" not in [r.party for r in below.rows]


def test_reaches_threshold_is_inclusive_and_exact() -> None:
    """Decision #1: votes × 100 ≥ 5 × base in integers; 7% (2021) and 2.5% work the same way."""
    assert reaches_threshold(50, 1000, Fraction(5, 100))
    assert not reaches_threshold(49, 1000, Fraction(5, 100))
    assert reaches_threshold(70, 1000, Fraction(7, 100))
    assert not reaches_threshold(69, 1000, Fraction(7, 100))
    assert reaches_threshold(25, 1000, Fraction(25, 1000))
    assert not reaches_threshold(24, 1000, Fraction(25, 1000))
    assert not reaches_threshold(0, 0, Fraction(5, 100))


def test_threshold_base_party_votes_only() -> None:
    """Decision #1 alternative ``party_votes``: against all out of the base.

    A 1200, B 500, X 99, against all 201: base 1799 → X 99 × 20 = 1980 ≥ 1799 passes, whereas with
    the default base 2000 it fails.
    """
    rules = dataclasses.replace(MASLIKHAT, threshold_base=ThresholdBase.PARTY_VOTES)
    result = allocate(lists(("A", 1200), ("B", 500), ("X", 99)), 10, rules, against_all=201)
    assert result.base == 1799
    assert result.tests[2].passed


def test_threshold_base_took_part_includes_invalid() -> None:
    """Decision #1 alternative ``took_part``: invalid ballots in the base (art. 43 para 4-1).

    A 1200, B 500, X 100, against all 200, invalid 50 → base 2050: X 2000 < 2050 fails, though it
    passes with the default base. Without the invalid count the base is unknown: LawInputError.
    """
    rules = dataclasses.replace(MASLIKHAT, threshold_base=ThresholdBase.TOOK_PART)
    data = lists(("A", 1200), ("B", 500), ("X", 100))
    result = allocate(data, 10, rules, against_all=200, invalid=50)
    assert result.base == 2050
    assert not result.tests[2].passed
    with pytest.raises(LawInputError) as info:
        allocate(data, 10, rules, against_all=200)
    assert info.value.field == "invalid"
    assert allocate(data, 10, MASLIKHAT, against_all=200, invalid=50).base == 2000


def test_rules_2021_threshold_is_seven_percent() -> None:
    """2021 rule set (monograph Table 3): 7%. A 8000, B 1400, C 600 (6%): C passes in 2023 only.

    2023: quota 10000/10 = 1000 → 8 + 1 + 0 whole seats; the one seat left goes to C (remainder .6
    against B's .4): A 8, B 1, C 1. 2021: C is out, A and B pass; quota 9400/10 = 940:
    A 8.51, B 1.489 → 8 + 1, the 10th to A (.51 > .489): A 9, B 1.
    """
    data = lists(("A", 8000), ("B", 1400), ("C", 600))
    assert dict(allocate(data, 10, MASLIKHAT).seats) == {"A": 8, "B": 1, "C": 1}
    rules_2021 = RULES_2021.list_rules(Body.MASLIKHAT)
    assert dict(allocate(data, 10, rules_2021).seats) == {"A": 9, "B": 1, "C": 0}


# --- no list passes (decision #2) --------------------------------------------------------------


def test_no_party_passed_allocates_nothing() -> None:
    """Decision #2: no list reaches 5% → ``no_party_passed``, no seat, no quota.

    Three lists of 100 and 9000 "against all": base 9300, 5% = 465, nobody passes.
    """
    result = allocate(lists(("A", 100), ("B", 100), ("C", 100)), 5, MASLIKHAT, against_all=9000)
    assert result.status is AllocationStatus.NO_PARTY_PASSED
    assert dict(result.seats) == {"A": 0, "B": 0, "C": 0}
    assert result.quota is None and result.rows == () and result.awards == ()
    assert any("decision #2" in s.article for s in result.steps)


def test_no_votes_at_all_is_no_party_passed() -> None:
    """An empty base: 0 ≥ 5% of 0 would admit lists nobody voted for; none passes (decision #2)."""
    result = allocate(lists(("A", 0), ("B", 0)), 3, MASLIKHAT)
    assert result.status is AllocationStatus.NO_PARTY_PASSED
    assert result.tests[0].share is None


# --- the one-party rule (paras 2–3) -------------------------------------------------------------


def test_one_party_rule_maslikhat_minimum_one_seat() -> None:
    """CL art. 111-1 paras 2–4: only A passes; B, next by votes, is admitted.

    10 seats; A 8000, B 450, C 350, against all 1200 → base 10000, 5% = 500: only A passes.
    Quota = (8000 + 450) / 10 = 845; B: 450 / 845 × 0.7 = 315/845 = 0.37 → floor 0 → at least 1.
    A takes every other seat: 9. C gets nothing.
    """
    data = lists(("A", 8000), ("B", 450), ("C", 350))
    result = allocate(data, 10, MASLIKHAT, against_all=1200)
    assert dict(result.seats) == {"A": 9, "B": 1, "C": 0}
    rule = result.one_party
    assert rule is not None
    assert (rule.passing, rule.second) == ("A", "B")
    assert rule.quota == Fraction(845)
    assert rule.scaled_quotient == Fraction(315, 845)
    assert (rule.floor_seats, rule.min_seats, rule.second_seats) == (0, 1, 1)
    assert result.quota == Fraction(845)
    assert result.tests[1].admission is Admission.SECOND_LIST
    assert not result.tests[1].passed
    assert result.tests[2].admission is Admission.BELOW_THRESHOLD


def test_one_party_rule_mazhilis_minimum_two_seats() -> None:
    """CL art. 97-1 para 3: the same votes give the second list at least 2 Mazhilis seats."""
    data = lists(("A", 8000), ("B", 450), ("C", 350))
    result = allocate(data, 10, MAZHILIS, against_all=1200)
    assert dict(result.seats) == {"A": 8, "B": 2, "C": 0}
    assert result.one_party is not None and result.one_party.article == "CL art. 97-1 paras 2–4"


def test_one_party_rule_factor_seven_tenths() -> None:
    """CL art. 111-1 para 3: floor(votes / quota × 0.7), above the minimum.

    100 seats; A 9000, B 490, against all 510 → base 10000; B: 490 × 20 = 9800 < 10000 fails.
    Quota = 9490 / 100; B: 490 × 100 / 9490 = 5.16 quotas, × 0.7 = 3430/949 = 3.61 → 3 seats
    (5 without the factor) for both bodies (above the minimum of 1 or 2); A gets 97.
    """
    data = lists(("A", 9000), ("B", 490))
    for rules in (MASLIKHAT, MAZHILIS):
        result = allocate(data, 100, rules, against_all=510)
        assert dict(result.seats) == {"A": 97, "B": 3}
        assert result.one_party is not None
        assert result.one_party.scaled_quotient == Fraction(3430, 949)
        assert result.one_party.floor_seats == 3


def test_one_party_rule_tie_for_next_list_goes_to_earlier_registration() -> None:
    """Art. 111-1 para 2 "next by votes", tie: earlier registration, by analogy with para 4."""
    data = [PartyList("A", 8000, 1), PartyList("B", 450, 3), PartyList("C", 450, 2)]
    result = allocate(data, 10, MASLIKHAT, against_all=1100)
    assert result.one_party is not None and result.one_party.second == "C"
    assert dict(result.seats) == {"A": 9, "B": 0, "C": 1}
    same = [PartyList("A", 8000, 1), PartyList("B", 450, 2), PartyList("C", 450, 2)]
    with pytest.raises(LawInputError):
        allocate(same, 10, MASLIKHAT, against_all=1100)
    drawn = allocate(same, 10, MASLIKHAT, against_all=1100, lot_seed="sitting")
    assert drawn.one_party is not None and drawn.one_party.lot is not None
    assert drawn.one_party.second == drawn.one_party.lot.winners(1)[0]


def test_one_party_rule_one_seat_body_keeps_the_seat_with_the_passing_list() -> None:
    """Law silent (``passing_list_min_seats`` = 1): a 1-seat body cannot give the second list its
    minimum without taking the only seat from the list that passed; the minimum is cut to 0.
    Likewise a 2-seat Mazhilis-style body gives the second list 1, not 2."""
    data = lists(("A", 8000), ("B", 450))
    one = allocate(data, 1, MASLIKHAT, against_all=1550)
    assert dict(one.seats) == {"A": 1, "B": 0}
    assert one.one_party is not None and one.one_party.capped
    two = allocate(data, 2, MAZHILIS, against_all=1550)
    assert dict(two.seats) == {"A": 1, "B": 1}


def test_one_party_rule_without_any_other_list() -> None:
    """Art. 111-1 para 2 needs a next list; with none (or only lists with 0 votes, by default
    ``second_list_min_votes`` = 1), the passing list takes every seat."""
    alone = allocate(lists(("A", 500)), 7, MASLIKHAT, against_all=100)
    assert dict(alone.seats) == {"A": 7}
    assert alone.one_party is not None and alone.one_party.second is None
    zero = allocate(lists(("A", 500), ("B", 0)), 7, MASLIKHAT)
    assert dict(zero.seats) == {"A": 7, "B": 0}
    literal = dataclasses.replace(MASLIKHAT, second_list_min_votes=0)
    assert dict(allocate(lists(("A", 500), ("B", 0)), 7, literal).seats) == {"A": 6, "B": 1}


def test_one_party_rule_can_be_switched_off() -> None:
    """A rule set without paras 2–3 (``one_party_rule`` = False): the one list takes every seat."""
    rules = dataclasses.replace(MASLIKHAT, one_party_rule=False)
    result = allocate(lists(("A", 8000), ("B", 450)), 10, rules, against_all=1550)
    assert dict(result.seats) == {"A": 10, "B": 0}
    assert result.one_party is None


# --- counterfactual methods --------------------------------------------------------------------


def test_counterfactual_methods_by_hand() -> None:
    """Counterfactual only (not the statute). 5 seats; A 10000, B 6100, C 2900; all pass.

    Hare: quota 19000/5 = 3800 → 2.63, 1.61, 0.76: 2 + 1 + 0, remainders C .763, A .632 → 3, 1, 1.
    Droop: floor(19000/6) + 1 = 3167 → 3.158, 1.926, 0.916: 3 + 1 + 0, remainder to B → 3, 2, 0.
    D'Hondt: 10000 A, 6100 B, 5000 A, 3333 A, 3050 B → 3, 2, 0.
    Sainte-Laguë: 10000 A, 6100 B, 3333 A, 2900 C, 2033 B → 2, 2, 1.
    """
    data = lists(("A", 10_000), ("B", 6100), ("C", 2900))
    expected = {
        Method.HARE_LR: {"A": 3, "B": 1, "C": 1},
        Method.DROOP_LR: {"A": 3, "B": 2, "C": 0},
        Method.DHONDT: {"A": 3, "B": 2, "C": 0},
        Method.SAINTE_LAGUE: {"A": 2, "B": 2, "C": 1},
    }
    for method, seats in expected.items():
        result = allocate(data, 5, MASLIKHAT, method=method)
        assert dict(result.seats) == seats, method
    assert allocate(data, 5, MASLIKHAT, method=Method.DROOP_LR).quota == Fraction(3167)
    dhondt = allocate(data, 5, MASLIKHAT, method=Method.DHONDT)
    assert dhondt.quota is None
    assert [a.value for a in dhondt.awards] == [
        Fraction(10_000),
        Fraction(6100),
        Fraction(5000),
        Fraction(10_000, 3),
        Fraction(3050),
    ]


def test_divisor_tie_broken_by_registration_only_when_decisive() -> None:
    """Ties in divisor methods as in art. 111-1 para 4: A 600 (2nd), B 600 (1st).

    1 seat: equal averages 600 → B (registered earlier). 2 seats: both get one, no tie-break.
    """
    data = [PartyList("A", 600, 2), PartyList("B", 600, 1)]
    one = allocate(data, 1, MASLIKHAT, method=Method.DHONDT)
    assert dict(one.seats) == {"A": 0, "B": 1}
    assert one.awards[0].reason is AwardReason.EARLIER_REGISTRATION
    same = [PartyList("A", 600, 1), PartyList("B", 600, 1)]
    two = allocate(same, 2, MASLIKHAT, method=Method.SAINTE_LAGUE)
    assert dict(two.seats) == {"A": 1, "B": 1}


def test_droop_with_more_seats_left_than_lists() -> None:
    """Counterfactual Droop with very few votes: A 2, B 1, 6 seats → quota floor(3/7) + 1 = 1:
    2 + 1 = 3 whole seats, 3 left for 2 lists: one round each, then the larger remainder (both 0,
    A registered earlier) → A 4, B 2. The seats always add up."""
    result = allocate(lists(("A", 2), ("B", 1)), 6, MASLIKHAT, method=Method.DROOP_LR)
    assert dict(result.seats) == {"A": 4, "B": 2}
    assert sum(result.seats.values()) == 6


# --- a real election ---------------------------------------------------------------------------


def test_mazhilis_2023_reproduces_the_official_seats() -> None:
    """CL art. 97-1, decision #1: Mazhilis party lists, 19 March 2023, 69 seats.

    Votes and "against all" as announced by the CEC on 27.03.2023 (final results), reported by
    The Astana Times, "Six parties elected to parliament according to final results of Central
    Election Commission" (astanatimes.com/2023/03/six-parties-elected-to-parliament-according-to-
    final-results-of-central-election-commission/) and newtimes.kz/vybory-2023/166548: AMANAT
    3,431,510; Auyl 693,938; Respublica 547,154; Ak Zhol 535,139; People's Party 432,920;
    OSDP 331,058; Baytaq 146,431; against all 248,291; 6,366,441 voted for parties or against all.
    Official seats: 40, 8, 6, 6, 5, 4, 0. The published percentages (53.90, 5.20, 2.30 …) are
    shares of party votes + against all, i.e. decision #1's base.
    By hand: quota 5,971,719 / 69; whole seats 39, 8, 6, 6, 5, 3 = 67; remainders OSDP .825 and
    AMANAT .649 take the last two seats.
    """
    data = lists(
        ("AMANAT", 3_431_510),
        ("Auyl", 693_938),
        ("Respublica", 547_154),
        ("Ak Zhol", 535_139),
        ("People's Party", 432_920),
        ("OSDP", 331_058),
        ("Baytaq", 146_431),
    )
    result = allocate(data, 69, MAZHILIS, against_all=248_291)
    assert result.base == 6_366_441
    assert dict(result.seats) == {
        "AMANAT": 40,
        "Auyl": 8,
        "Respublica": 6,
        "Ak Zhol": 6,
        "People's Party": 5,
        "OSDP": 4,
        "Baytaq": 0,
    }
    published = ["53.90", "10.90", "8.59", "8.41", "6.80", "5.20", "2.30"]
    assert [decimal_text(t.share * 100, 2) for t in result.tests if t.share] == published
    assert result.quota == Fraction(5_971_719, 69)
    assert [a.party for a in result.awards] == ["OSDP", "AMANAT"]


# --- invalid input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "seats", "against_all", "field"),
    [
        ([PartyList("A", -1, 1)], 5, 0, "lists[0].votes"),
        ([PartyList("A", 10, 1)], 0, 0, "seats"),
        ([PartyList("A", 10, 1)], 5, -3, "against_all"),
        ([PartyList("A", 10, 1), PartyList("A", 5, 2)], 5, 0, "lists[1].party"),
        ([PartyList("A", 10, 0)], 5, 0, "lists[0].registered"),
        ([PartyList("", 10, 1)], 5, 0, "lists[0].party"),
        ([], 5, 0, "lists"),
    ],
)
def test_invalid_input_names_the_field(
    data: list[PartyList], seats: int, against_all: int, field: str
) -> None:
    """Bad input raises LawInputError naming the field, not a crash or a silent guess."""
    with pytest.raises(LawInputError) as info:
        allocate(data, seats, MASLIKHAT, against_all=against_all)
    assert info.value.field == field


def test_invalid_rule_parameters_are_refused() -> None:
    """A threshold outside [0, 1] or a negative minimum cannot be applied."""
    data = lists(("A", 10))
    with pytest.raises(LawInputError):
        allocate(data, 1, ListRules(threshold=Fraction(3, 2)))
    with pytest.raises(LawInputError):
        allocate(data, 1, dataclasses.replace(MASLIKHAT, second_list_min_seats=-1))
    with pytest.raises(LawInputError):
        allocate(data, 1, MASLIKHAT, lot_seed="")


def test_decimal_text_rounds_half_up_for_display() -> None:
    """Display only: 1/3 → 0.333333, 2/3 → 0.666667, 1/2000000 → 0.000001 (half up)."""
    assert decimal_text(Fraction(1, 3)) == "0.333333"
    assert decimal_text(Fraction(2, 3)) == "0.666667"
    assert decimal_text(Fraction(1, 2_000_000)) == "0.000001"
    assert decimal_text(Fraction(5), 2) == "5.00"
    assert decimal_text(Fraction(5, 2), 0) == "3"
