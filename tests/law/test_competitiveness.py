"""Competitiveness index KB = K2/K1 (decision #18; monograph §9.5 and Appendix A)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.law.competitiveness import (
    CompetitivenessBand,
    band_of,
    competitiveness,
    district_competitiveness,
    mean_competitiveness,
    round_half_up_tenths,
)
from saylau.law.errors import LawInputError

LOW, MEDIUM, HIGH = CompetitivenessBand.LOW, CompetitivenessBand.MEDIUM, CompetitivenessBand.HIGH

# Table 34 of the monograph (Almaty city maslikhat SMDs), as printed: district, winner %,
# runner-up %, KB. Source: seed-data t34_competitiveness_almaty_city_districts.csv, monograph lines
# 1876–1898 (monograph-brief Appendix A). Copied here so the test runs in a clone without ../shared.
TABLE_34 = [
    (1, "31.3", "21.0", "0.7"),
    (2, "38.6", "17.8", "0.5"),
    (3, "18.4", "10.3", "0.6"),
    (4, "35.0", "26.0", "0.7"),
    (5, "43.5", "41.1", "0.9"),
    (6, "44.5", "21.6", "0.5"),
    (7, "27.3", "10.2", "0.4"),
    (8, "22.2", "1.6", "0.1"),
    (9, "54.4", "14.4", "0.3"),
    (10, "41.1", "32.8", "0.8"),
    (11, "31.1", "24.4", "0.8"),
    (12, "26.1", "18.1", "0.7"),
    (13, "29.1", "20.4", "0.7"),
    (14, "17.9", "15.2", "0.8"),
    (15, "49.5", "21.9", "0.4"),
    (16, "48.7", "45.0", "0.9"),
    (17, "44.2", "21.3", "0.5"),
    (18, "30.1", "26.6", "0.9"),
    (19, "41.2", "14.5", "0.4"),
    (20, "45.5", "10.0", "0.2"),
    (21, "30.1", "17.8", "0.6"),
]
TABLE_34_MEAN_PRINTED = "0.6"  # line 1899
# Rows whose printed KB does not follow from the printed shares. The seed-data README checks all
# 21 rows and finds none; a failure of the test below names any row that disagrees.
TABLE_34_INCONSISTENT: set[int] = set()


def test_worked_example_district_1() -> None:
    """Monograph [L1876]: 21.0 / 31.3 = 210/313 ≈ 0.671 → 0.7, high."""
    kb = competitiveness(Fraction("31.3"), Fraction("21.0"))
    assert kb.index == Fraction(210, 313)
    assert kb.display == "0.7" and kb.band is HIGH


def test_worked_example_district_8_rounds_rather_than_floors() -> None:
    """Monograph [L1883]: 1.6 / 22.2 = 8/111 ≈ 0.072 → 0.1 (ordinary rounding), low."""
    kb = competitiveness(Fraction("22.2"), Fraction("1.6"))
    assert kb.index == Fraction(8, 111)
    assert kb.display == "0.1" and kb.band is LOW


@pytest.mark.parametrize(("district", "k1", "k2", "printed"), TABLE_34, ids=lambda v: str(v))
def test_table_34_printed_kb_follows_from_printed_shares(
    district: int, k1: str, k2: str, printed: str
) -> None:
    """Decision #18 reproduces each printed KB of Table 34 from its printed shares."""
    shown = competitiveness(Fraction(k1), Fraction(k2)).display
    if district in TABLE_34_INCONSISTENT:
        assert shown != printed, f"district {district} is consistent after all"
    else:
        assert shown == printed, f"district {district}: computed {shown}, printed {printed}"


def test_table_34_mean_and_high_count() -> None:
    """Decision #18: mean of unrounded KB (≈ 0.586) → 0.6 as printed; 10 of 21 high [L1871]."""
    values = [competitiveness(Fraction(k1), Fraction(k2)) for _, k1, k2, _ in TABLE_34]
    mean = mean_competitiveness(values)
    assert mean == mean_competitiveness([v.index for v in values])
    assert mean.display == TABLE_34_MEAN_PRINTED and mean.band is MEDIUM
    assert Fraction(585, 1000) < mean.index < Fraction(586, 1000)
    assert sum(v.band is HIGH for v in values) == 10


def test_mean_uses_unrounded_values() -> None:
    """Decision #18: mean(0.35, 0.14) = 0.245 → 0.2; averaging the rounded 0.4 and 0.1 gives 0.3."""
    mean = mean_competitiveness([Fraction(35, 100), Fraction(14, 100)])
    assert mean.index == Fraction(245, 1000)
    assert mean.display == "0.2" and mean.band is LOW


@pytest.mark.parametrize(
    ("winner", "runner_up", "display", "band"),
    [
        (20, 13, "0.7", HIGH),  # 0.65 exactly: half up, not half to even
        (20, 7, "0.4", MEDIUM),  # 0.35 exactly
        (20, 5, "0.3", LOW),  # 0.25 exactly
        (20, 1, "0.1", LOW),  # 0.05 exactly
        (100, 64, "0.6", MEDIUM),  # 0.64
        (1000, 649, "0.6", MEDIUM),  # just below 0.65
        (100, 30, "0.3", LOW),
        (100, 40, "0.4", MEDIUM),
        (100, 60, "0.6", MEDIUM),
        (100, 70, "0.7", HIGH),
        (100, 100, "1.0", HIGH),
        (100, 0, "0.0", LOW),
        (1000, 49, "0.0", LOW),
    ],
)
def test_rounding_and_band_boundaries(
    winner: int, runner_up: int, display: str, band: CompetitivenessBand
) -> None:
    """Decision #18: half-up to one decimal; rounded ≤ 0.3 low, 0.4–0.6 medium, ≥ 0.7 high."""
    kb = competitiveness(winner, runner_up)
    assert kb.index == Fraction(runner_up, winner)
    assert (kb.display, kb.band) == (display, band)


def test_unopposed_winner_has_kb_zero() -> None:
    """Decision #18: an unopposed winner has KB = 0, low."""
    kb = competitiveness(5000, None)
    assert kb.index == 0 and kb.display == "0.0" and kb.band is LOW
    alone = district_competitiveness([0])
    assert alone is not None and alone.index == 0


def test_district_kb_from_all_candidates_votes() -> None:
    """K1, K2 = the two largest counts: 40/50 = 0.8; a first-place tie is KB 1."""
    kb = district_competitiveness([30, 50, 40])
    assert kb is not None and kb.index == Fraction(4, 5) and kb.band is HIGH
    tie = district_competitiveness([50, 10, 50])
    assert tie is not None and tie.index == 1


def test_district_kb_is_undefined_when_nobody_received_a_vote() -> None:
    """0 / 0 has no value: reported as None, never guessed."""
    assert district_competitiveness([0, 0, 0]) is None


@pytest.mark.parametrize(
    ("winner", "runner_up", "field"),
    [(0, 0, "winner"), (10, 11, "runner_up"), (10, -1, "runner_up"), (-5, None, "winner")],
)
def test_impossible_shares_are_refused(winner: int, runner_up: int | None, field: str) -> None:
    with pytest.raises(LawInputError) as err:
        competitiveness(winner, runner_up)
    assert err.value.field == field


def test_bands_only_apply_to_rounded_values_and_means_need_values() -> None:
    with pytest.raises(LawInputError):
        band_of(Decimal("0.33"))
    with pytest.raises(LawInputError):
        mean_competitiveness([])
    with pytest.raises(LawInputError):
        mean_competitiveness([Fraction(3, 2)])
    assert str(round_half_up_tenths(Fraction(6, 5))) == "1.2"


votes_lists = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=8)


@settings(max_examples=300)
@given(votes_lists)
def test_kb_lies_in_zero_one(votes: list[int]) -> None:
    """K2 ≤ K1, so 0 ≤ KB ≤ 1 (decision #18)."""
    kb = district_competitiveness(votes)
    if kb is None:
        assert len(votes) > 1 and max(votes) == 0
    else:
        assert 0 <= kb.index <= 1 and 0 <= kb.rounded <= 1
        assert kb.display == str(kb.rounded) and len(kb.display) == 3


@settings(max_examples=300)
@given(votes_lists, st.randoms(use_true_random=False))
def test_kb_does_not_depend_on_candidate_order(votes: list[int], rnd: object) -> None:
    shuffled = list(votes)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert district_competitiveness(votes) == district_competitiveness(shuffled)


@settings(max_examples=300)
@given(st.fractions(min_value=0, max_value=1))
def test_rounding_is_within_half_a_tenth_and_halves_go_up(value: Fraction) -> None:
    rounded = round_half_up_tenths(value)
    assert rounded == rounded.quantize(Decimal("0.1"))
    # within half a tenth; an exact half (difference +1/20) never rounds down
    assert -Fraction(1, 20) <= value - Fraction(rounded) < Fraction(1, 20)


@settings(max_examples=200)
@given(st.fractions(min_value=0, max_value=1), st.fractions(min_value=0, max_value=1))
def test_bands_are_monotone(a: Fraction, b: Fraction) -> None:
    order = [LOW, MEDIUM, HIGH]
    lo, hi = sorted((a, b))
    band_lo = band_of(round_half_up_tenths(lo))
    band_hi = band_of(round_half_up_tenths(hi))
    assert order.index(band_lo) <= order.index(band_hi)
