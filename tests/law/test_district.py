"""Single-member districts: CL art. 9 paras 3–4, art. 109-1, decisions #5 and #6, worked by hand."""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.district import (
    RUNOFF_LOT_PURPOSE,
    CandidateVotes,
    ContestRound,
    DistrictStatus,
    decide_district,
)
from saylau.law.errors import LawInputError
from saylau.law.rules import (
    RULES_2016,
    RULES_2023,
    RuleSet,
    SmdMajority,
    ThresholdBase,
    TwoCandidateTie,
)

ABSOLUTE = replace(RULES_2023, smd_majority=SmdMajority.ABSOLUTE)


def lot_order(seed: str, names: list[str]) -> list[str]:
    """Decision #9 re-run by hand: sort by SHA-256 of seed ␟ purpose ␟ name."""

    def key(name: str) -> str:
        return hashlib.sha256(f"{seed}\x1f{RUNOFF_LOT_PURPOSE}\x1f{name}".encode()).hexdigest()

    return sorted(names, key=key)


# --- plurality (2023) ----------------------------------------------------------------------------


def test_plurality_winner_and_exact_shares() -> None:
    """CL art. 9 para 4: more votes than every other candidate; shares of 120+100+80+50 = 350."""
    result = decide_district({"Асанов": 120, "Бекова": 100, "Дәулетов": 80}, 50)
    assert result.status is DistrictStatus.ELECTED
    assert result.winner == "Асанов"
    assert result.runoff is None and result.lot is None
    assert result.valid_votes == 350
    assert [(c.name, c.votes, c.place) for c in result.ranking] == [
        ("Асанов", 120, 1),
        ("Бекова", 100, 2),
        ("Дәулетов", 80, 3),
    ]
    assert [c.share for c in result.ranking] == [Fraction(12, 35), Fraction(2, 7), Fraction(8, 35)]
    assert result.against_all_share == Fraction(1, 7)


def test_against_all_beating_everyone_still_elects_the_leading_candidate() -> None:
    """CL art. 9 para 3: plurality over the *other candidates*; decision #5: never against all."""
    result = decide_district({"A": 30, "B": 20}, against_all=100)
    assert result.status is DistrictStatus.ELECTED
    assert result.winner == "A"
    assert result.against_all_beats_every_candidate
    assert result.against_all_share == Fraction(100, 150)


def test_tie_for_second_behind_a_clear_winner_is_irrelevant_under_plurality() -> None:
    """CL art. 9 para 4: A has more than each other candidate; the B–C tie for second is moot."""
    result = decide_district({"A": 50, "B": 30, "C": 30, "D": 10})
    assert result.status is DistrictStatus.ELECTED
    assert result.winner == "A"
    assert [c.place for c in result.ranking] == [1, 2, 2, 4]
    assert result.lot is None


def test_two_way_first_place_tie_with_three_on_the_ballot_is_a_runoff_without_lot() -> None:
    """CL art. 109-1 para 1: more than two on the ballot, none elected → runoff of the top two."""
    result = decide_district({"C": 10, "B": 40, "A": 40})
    assert result.status is DistrictStatus.RUNOFF
    assert set(result.runoff or ()) == {"A", "B"}
    assert result.lot is None
    assert result.winner is None


def test_three_way_first_place_tie_picks_the_runoff_pair_by_lot() -> None:
    """Art. 109-1 para 1 + decision #6: three tied for two runoff places → auditable lot (#9)."""
    result = decide_district(
        {"A": 50, "B": 50, "C": 50, "D": 10}, 5, lot_seed="TEC-7 sitting 21.03"
    )
    assert result.status is DistrictStatus.RUNOFF
    expected = lot_order("TEC-7 sitting 21.03", ["A", "B", "C"])[:2]
    assert result.runoff == tuple(expected)
    assert result.lot is not None
    assert result.lot.candidates == ("A", "B", "C")
    assert result.lot.seed == "TEC-7 sitting 21.03"
    assert "D" not in (result.runoff or ())


def test_three_way_tie_without_a_seed_asks_for_a_lot_instead_of_guessing() -> None:
    """Decision #9: a lot needs a published seed; without it the outcome names who is tied."""
    result = decide_district({"A": 50, "B": 50, "C": 50, "D": 10})
    assert result.status is DistrictStatus.LOT_REQUIRED
    assert result.lot_needed is not None
    assert result.lot_needed.tied == ("A", "B", "C")
    assert result.lot_needed.places == 2
    assert result.lot_needed.certain == ()
    assert result.runoff is None and result.winner is None


def test_two_candidate_tie_is_a_repeat_election_by_default() -> None:
    """Decision #6: law silent; by analogy with CL art. 96 para 1, a repeat election."""
    result = decide_district({"A": 40, "B": 40}, 7)
    assert result.status is DistrictStatus.REPEAT_ELECTION
    assert result.winner is None and result.runoff is None
    assert "CL art. 110" in result.articles


def test_two_candidate_tie_can_be_a_runoff_by_parameter() -> None:
    """Decision #6 parameter two_candidate_tie = runoff."""
    rules = replace(RULES_2023, two_candidate_tie=TwoCandidateTie.RUNOFF)
    result = decide_district({"A": 40, "B": 40}, rules=rules)
    assert result.status is DistrictStatus.RUNOFF
    assert set(result.runoff or ()) == {"A", "B"}


def test_a_withdrawal_after_printing_still_counts_as_three_on_the_ballot() -> None:
    """Art. 109-1 para 1 counts candidates *on the ballot*: 3 printed, 2 tied → runoff."""
    result = decide_district({"A": 40, "B": 40}, on_ballot=3)
    assert result.status is DistrictStatus.RUNOFF
    assert set(result.runoff or ()) == {"A", "B"}


def test_sole_candidate_is_elected_even_with_zero_votes_behind_against_all() -> None:
    """Art. 109-1 para 1 part 2 and decision #5: the only candidate left is elected."""
    result = decide_district({"A": 0}, against_all=100)
    assert result.status is DistrictStatus.ELECTED
    assert result.winner == "A" and result.unopposed
    assert result.ranking[0].share == 0


def test_nobody_voted_for_three_candidates_is_a_three_way_tie() -> None:
    """All at zero: a three-way first-place tie (art. 109-1), decided by lot."""
    result = decide_district({"A": 0, "B": 0, "C": 0}, lot_seed="s")
    assert result.status is DistrictStatus.RUNOFF
    assert result.runoff == tuple(lot_order("s", ["A", "B", "C"])[:2])
    assert all(c.share == 0 for c in result.ranking) and result.valid_votes == 0


# --- absolute majority (2016 alternative) -------------------------------------------------------


def test_absolute_majority_needs_more_than_half_of_valid_votes() -> None:
    """Absolute majority, base valid = 51+30+19 = 100: 51 > 50 elects."""
    result = decide_district({"A": 51, "B": 30, "C": 19}, rules=ABSOLUTE)
    assert result.status is DistrictStatus.ELECTED and result.winner == "A"
    assert result.majority_base == 100


def test_absolute_majority_exactly_half_goes_to_runoff_of_top_two() -> None:
    """50 of 100 is not *more* than half → runoff A–B (art. 109-1 para 1)."""
    result = decide_district({"A": 50, "B": 30, "C": 20}, rules=ABSOLUTE)
    assert result.status is DistrictStatus.RUNOFF
    assert result.runoff == ("A", "B")


def test_absolute_majority_base_includes_against_all_by_default() -> None:
    """Base valid = 60+30+0+30 = 120: 60 is not > 60; with candidate votes only (90) it is."""
    votes = {"A": 60, "B": 30, "C": 0}
    assert decide_district(votes, 30, rules=ABSOLUTE).status is DistrictStatus.RUNOFF
    candidates_only = replace(ABSOLUTE, smd_majority_base=ThresholdBase.PARTY_VOTES)
    result = decide_district(votes, 30, rules=candidates_only)
    assert result.status is DistrictStatus.ELECTED and result.majority_base == 90


def test_absolute_majority_took_part_base_needs_invalid_ballots() -> None:
    """Base took part = 60+30+10+0+30 invalid = 130: 60 is not > 65."""
    rules = replace(ABSOLUTE, smd_majority_base=ThresholdBase.TOOK_PART)
    with pytest.raises(LawInputError) as err:
        decide_district({"A": 60, "B": 30, "C": 10}, rules=rules)
    assert err.value.field == "invalid"
    result = decide_district({"A": 60, "B": 30, "C": 10}, rules=rules, invalid=30)
    assert result.majority_base == 130 and result.status is DistrictStatus.RUNOFF


def test_absolute_majority_tie_for_second_is_decided_by_lot() -> None:
    """Leader without a majority, B and C tie for the second runoff place → lot for one place."""
    votes = {"A": 50, "B": 30, "C": 30}
    pending = decide_district(votes, rules=ABSOLUTE)
    assert pending.status is DistrictStatus.LOT_REQUIRED
    assert pending.lot_needed is not None
    assert pending.lot_needed.tied == ("B", "C")
    assert pending.lot_needed.places == 1
    assert pending.lot_needed.certain == ("A",)
    drawn = decide_district(votes, rules=ABSOLUTE, lot_seed="seed-1")
    assert drawn.runoff == ("A", lot_order("seed-1", ["B", "C"])[0])


def test_absolute_majority_two_candidates_none_elected_is_a_repeat_election() -> None:
    """Two on the ballot, 40 of 110 is no majority: art. 96 para 1 by analogy (decision #6)."""
    result = decide_district({"A": 40, "B": 30}, 40, rules=ABSOLUTE)
    assert result.status is DistrictStatus.REPEAT_ELECTION


# --- runoff round --------------------------------------------------------------------------------


def test_runoff_is_won_by_plurality_even_under_absolute_majority() -> None:
    """Art. 109-1: the runoff between two is decided by more votes than the other candidate."""
    result = decide_district(
        {"A": 100, "B": 90}, 300, rules=ABSOLUTE, contest_round=ContestRound.RUNOFF
    )
    assert result.status is DistrictStatus.ELECTED and result.winner == "A"
    assert result.majority is SmdMajority.RELATIVE


def test_runoff_tie_is_a_repeat_election_even_if_two_candidate_ties_go_to_runoff() -> None:
    """A tied runoff cannot be re-run as a runoff forever: repeat election (art. 110 by analogy)."""
    rules = replace(RULES_2023, two_candidate_tie=TwoCandidateTie.RUNOFF)
    result = decide_district({"A": 70, "B": 70}, rules=rules, contest_round=ContestRound.RUNOFF)
    assert result.status is DistrictStatus.REPEAT_ELECTION


def test_runoff_partner_withdrew_so_the_other_is_elected_without_a_vote() -> None:
    """Art. 109-1 para 1 part 2: the one candidate left is elected."""
    result = decide_district({"B": 0}, on_ballot=2, contest_round=ContestRound.RUNOFF)
    assert result.status is DistrictStatus.ELECTED and result.unopposed


# --- invalid input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"candidates": {}}, "candidates"),
        ({"candidates": {"A": -1}}, "candidates[A].votes"),
        ({"candidates": [CandidateVotes("A", 1), CandidateVotes("A", 2)]}, "candidates"),
        ({"candidates": {" ": 1}}, "candidates.name"),
        ({"candidates": {"A": 1}, "against_all": -3}, "against_all"),
        ({"candidates": {"A": 1, "B": 2}, "on_ballot": 1}, "on_ballot"),
        (
            {"candidates": {"A": 1, "B": 2}, "contest_round": ContestRound.RUNOFF, "on_ballot": 3},
            "on_ballot",
        ),
        (
            {"candidates": {"A": 1, "B": 2, "C": 3}, "contest_round": ContestRound.RUNOFF},
            "on_ballot",
        ),
        ({"candidates": {"A": 1}, "against_all": 4, "rules": RULES_2016}, "against_all"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(LawInputError) as err:
        decide_district(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


# --- properties ----------------------------------------------------------------------------------

votes_by_name = st.dictionaries(
    st.text(alphabet="ABCDEFGH", min_size=1, max_size=2),
    st.integers(min_value=0, max_value=30),
    min_size=1,
    max_size=7,
)
majorities = st.sampled_from([RULES_2023, ABSOLUTE])


@settings(max_examples=300)
@given(votes_by_name, st.integers(0, 60), majorities)
def test_the_winner_always_has_the_most_votes(
    votes: dict[str, int], against_all: int, rules: RuleSet
) -> None:
    """Art. 9: a winner has strictly more votes than every other candidate (or stands alone)."""
    result = decide_district(votes, against_all, rules=rules, lot_seed="p")
    if result.winner is not None:
        others = [v for n, v in votes.items() if n != result.winner]
        assert all(votes[result.winner] > v for v in others)
    else:
        assert result.status is not DistrictStatus.ELECTED


@settings(max_examples=300)
@given(votes_by_name, st.integers(0, 60), majorities, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_input_order(
    votes: dict[str, int], against_all: int, rules: RuleSet, rnd: random.Random
) -> None:
    """Anonymity: permuting the candidates changes nothing (lots are order-free, decision #9)."""
    items = [CandidateVotes(n, v) for n, v in votes.items()]
    shuffled = list(items)
    rnd.shuffle(shuffled)
    for seed in ("s", None):
        a = decide_district(items, against_all, rules=rules, lot_seed=seed)
        b = decide_district(shuffled, against_all, rules=rules, lot_seed=seed)
        assert a == b


@settings(max_examples=300)
@given(votes_by_name, st.integers(0, 60), majorities)
def test_runoff_participants_are_never_outvoted_by_an_excluded_candidate(
    votes: dict[str, int], against_all: int, rules: RuleSet
) -> None:
    """Art. 109-1 para 1: the two with the most votes; nobody left out outpolls a participant."""
    result = decide_district(votes, against_all, rules=rules, lot_seed="q")
    if result.status is DistrictStatus.RUNOFF:
        pair = result.runoff or ()
        assert len(pair) == 2
        outside = [v for n, v in votes.items() if n not in pair]
        assert all(votes[p] >= v for p in pair for v in outside)


@settings(max_examples=200)
@given(votes_by_name, st.integers(0, 60))
def test_shares_add_up_to_one_with_against_all(votes: dict[str, int], against_all: int) -> None:
    """Every valid ballot is for one candidate or against all (CL art. 43 para 4-1)."""
    result = decide_district(votes, against_all, lot_seed="r")
    total = sum(c.share for c in result.ranking) + result.against_all_share
    assert total == (1 if result.valid_votes else 0)
