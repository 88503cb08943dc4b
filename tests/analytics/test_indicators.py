"""The indicator library: worked cases from the monograph's own numbers (monograph-brief §9) and
property tests of the indices (issue #7 acceptance: KB in [0, 1], Gallagher 0 when proportional,
shares that sum to 100 within rounding)."""

from __future__ import annotations

import ast
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import saylau.analytics
from saylau.analytics import indicators as ind
from saylau.analytics.macroregions import (
    MACRO_REGIONS,
    TABLE_30_AS_COMPUTED,
    MacroRegion,
    macro_region_of,
)
from saylau.analytics.seed import load_seed
from saylau.law.competitiveness import CompetitivenessBand, district_competitiveness
from saylau.reference.regions import regions


def pct(value: Fraction, places: int = 1) -> str:
    return str(ind.round_half_up(100 * value, places))


# --- worked cases: the monograph's own numbers ---------------------------------------------------


def test_candidates_per_seat_first_level() -> None:
    """§9.3 [L810, L1050]: 1,712 nominated and 1,449 registered for 334 first-level SMD seats:
    5.1 → 4.3 per seat; party 631/334 = 1.9, non-party 1,081/334 = 3.2."""
    assert str(ind.round_half_up(ind.candidates_per_seat(1712, 334), 1)) == "5.1"
    assert str(ind.round_half_up(ind.candidates_per_seat(1449, 334), 1)) == "4.3"
    assert str(ind.round_half_up(ind.candidates_per_seat(631, 334), 1)) == "1.9"
    assert str(ind.round_half_up(ind.candidates_per_seat(1081, 334), 1)) == "3.2"


def test_refusal_rates() -> None:
    """§9.3: first level (1,712 − 1,449)/1,712 = 15.4% [L1007]; AMANAT 331 → 326 = 1.5% and
    Auyl 49 → 49 = 0% [L964]; women in West Kazakhstan 132 → 89 = 32.58% [L1196]; Pavlodar
    first-level women 16 → 10 = 37.5% [L1262]."""
    assert pct(ind.refusal_rate(1712, 1449)) == "15.4"
    assert pct(ind.refusal_rate(331, 326)) == "1.5"
    assert ind.refusal_rate(49, 49) == 0
    assert pct(ind.refusal_rate(132, 89), 2) == "32.58"
    assert ind.refusal_rate(16, 10) == Fraction(3, 8)
    assert ind.registration_effectiveness(331, 326) == Fraction(326, 331)
    with pytest.raises(ValueError):
        ind.refusal_rate(10, 11)


def test_list_length_and_conversion() -> None:
    """§9.4 [L1589]: Auyl 32 seats from a 133-name list = 24%, AMANAT 231/698 = 33%; AMANAT's
    list is about twice the seats (698 names for 334 seats) [L1583]."""
    assert pct(ind.list_conversion_rate(32, 133), 0) == "24"
    assert pct(ind.list_conversion_rate(231, 698), 0) == "33"
    assert str(ind.round_half_up(ind.list_length_ratio(698, 334), 1)) == "2.1"


def test_winners_women_and_seat_shares() -> None:
    """§9.4: second level 2,428/2,746 = 88.4% party winners [L1675]; women 52/334 = 15.57% of
    first-level SMD deputies [L1636] and 642/2,746 = 23.4% at the second level [L1681]; AMANAT
    231 of 334 list seats = 69% [L1577]."""
    assert pct(ind.party_winner_share(2428, 2746)) == "88.4"
    assert pct(ind.women_share(52, 334), 2) == "15.57"
    assert pct(ind.women_share(642, 2746)) == "23.4"
    assert pct(ind.seat_share(231, 334), 0) == "69"


def test_turnout_indicators() -> None:
    """§9.2: Almaty city 19.14% at 16:00 and 25.86% final, an evening increment of 6.7 pp
    [L742]; its turnout fell 34.1 → 30.2 → 25.86 between 2016, 2021 and 2023 [L680, L722]."""
    increment = ind.evening_increment(Fraction("19.14"), Fraction("25.86"))
    assert increment == Fraction("6.72")
    assert str(ind.round_half_up(increment, 1)) == "6.7"
    assert ind.turnout_change(Fraction("34.1"), Fraction("30.2")) == Fraction("-3.9")
    assert ind.turnout_change(Fraction("30.2"), Fraction("25.86")) == Fraction("-4.34")
    assert ind.turnout(5419, 10000) == Fraction("0.5419")


def test_national_turnout_reproduces_table_13() -> None:
    """Table 13 [L751]: the voter-weighted regional final turnout gives the national 54.19%."""
    rows = [r for r in load_seed().t13 if r.unit.kind != "total"]
    national = ind.national_turnout((r.final, r.voters) for r in rows)
    assert str(ind.round_half_up(national, 2)) == "54.19"


def test_registration_check_coverage() -> None:
    """§9.6, Table 26 [L1534–L1538]: 4,055 of 10,146 stations ≈ 40%; Almaty city 56/603 = 9.3%;
    Astana 305/339 = 89.97% (the text prints 89.9, truncated)."""
    assert pct(ind.registration_check_coverage(4055, 10146), 0) == "40"
    assert pct(ind.registration_check_coverage(56, 603)) == "9.3"
    assert pct(ind.registration_check_coverage(305, 339), 2) == "89.97"
    assert ind.observers_per_precinct(1529, 339) == Fraction(1529, 339)


def test_standard_deviation_as_the_monograph_computes_it() -> None:
    """§9.1, Table 7 [L491]: population SD over the 20 regional values around their plain mean
    gives the printed 3.8 / 2.4 / 1.9 / 4.3; around the national average of the footnote
    (μ = 22.5 for 18–29) it would be 3.93, not the printed 3.8 (§12.B item 26)."""
    rows = [r for r in load_seed().t07 if r.unit.kind in {"region", "city"}]
    printed = {"age_18_29_pct": "3.8", "age_30_45_pct": "2.4"}
    printed |= {"age_46_60_pct": "1.9", "age_61_plus_pct": "4.3"}
    for column, expected in printed.items():
        values = [r.get(column) or Decimal(0) for r in rows]
        assert str(ind.population_sd(values, 1)) == expected
    young = [r.get("age_18_29_pct") or Decimal(0) for r in rows]
    assert str(ind.population_sd(young, 2, centre=Decimal("22.5"))) == "3.93"
    assert ind.population_sd([5, 5, 5], 3) == Decimal("0.000")
    assert ind.population_variance([1, 3]) == 1


def test_competitiveness_means_and_bands() -> None:
    """§9.5, Table 34 [L1871–L1899]: 10 of Almaty city's 21 districts are high; the mean of the
    unrounded KB is 0.586 → 0.6 (medium). Akmola's 20 maslikhats (Table 37) fall 13 low
    (0.1 ×3, 0.2 ×7, 0.3 ×3) and 7 medium (0.4 ×3, 0.5 ×4)."""
    seed = load_seed()
    kbs = [ind.classify(Fraction(d.runner_up_pct) / Fraction(d.winner_pct)) for d in seed.t34]
    assert ind.band_distribution(kbs)[CompetitivenessBand.HIGH] == 10
    almaty = ind.mean_competitiveness([(kb, 1) for kb in kbs])
    assert str(ind.round_half_up(almaty.index, 3)) == "0.586"
    assert (almaty.display, almaty.band) == ("0.6", CompetitivenessBand.MEDIUM)
    (akmola,) = [t for t in seed.t35_51 if t.region_en == "Akmola Region"]
    bodies = [ind.classify(Fraction(m.printed_kb)) for m in akmola.maslikhats]
    assert ind.band_distribution(bodies) == {
        CompetitivenessBand.LOW: 13,
        CompetitivenessBand.MEDIUM: 7,
        CompetitivenessBand.HIGH: 0,
    }


def test_proportionality_worked_case() -> None:
    """By hand: votes 50/30/20, seats 3/1/1 (shares .6/.2/.2): Loosemore–Hanby ½(.1 + .1 + 0) =
    0.1; Gallagher √(½(.01 + .01)) = 0.1; effective number of parties 1/(.25 + .09 + .04) =
    1/.38 = 2.63 by votes and 1/(.36 + .04 + .04) = 2.27 by seats."""
    votes = {"A": 50, "B": 30, "C": 20}
    seats = {"A": 3, "B": 1, "C": 1}
    assert ind.loosemore_hanby(votes, seats) == Fraction(1, 10)
    assert ind.gallagher_squared(votes, seats) == Fraction(1, 100)
    assert ind.gallagher(votes, seats) == Decimal("0.1000")
    assert ind.effective_number_of_parties(votes) == Fraction(50, 19)
    assert ind.effective_number_of_parties(seats) == Fraction(25, 11)


def test_effective_number_of_list_parties_2023() -> None:
    """Table 27 [L1622]: list seats won nationally AMANAT 231, Ak Zhol 34, Auyl 32, Respublica 15,
    KHP 12, Baytaq 8 (332 seats): N = 332² / Σ seats² = 110,224 / 55,854 ≈ 1.97."""
    seats = {"amanat": 231, "ak_zhol": 34, "auyl": 32, "respublica": 15, "khp": 12, "baytaq": 8}
    enp = ind.effective_number_of_parties(seats)
    assert enp == Fraction(332**2, sum(n * n for n in seats.values()))
    assert str(ind.round_half_up(enp, 2)) == "1.97"


def test_macro_regions_partition_the_twenty_units() -> None:
    """§9.8 [L519, L1739]: every region is in exactly one macro-region; the three big cities form
    the megacities; the Table 30 variant only moves Pavlodar from North to East."""
    codes = [r.code for r in regions()]
    members = [code for group in MACRO_REGIONS.values() for code in group]
    assert sorted(members) == sorted(codes)
    assert MACRO_REGIONS[MacroRegion.MEGACITIES] == {"KZ-71", "KZ-75", "KZ-79"}
    assert macro_region_of("KZ-55") is MacroRegion.NORTH
    assert macro_region_of("KZ-55", TABLE_30_AS_COMPUTED) is MacroRegion.EAST
    with pytest.raises(KeyError):
        macro_region_of("KZ-00")


def test_table_30_variant_reproduces_north_and_east() -> None:
    """Seed README, t30: with Pavlodar in the East, Table 29 gives the printed North 54
    maslikhats / 628 seats and East 34 / 427."""
    rows = {r.unit.code: r for r in load_seed().t29 if r.unit.code}
    for macro, maslikhats, seats in ((MacroRegion.NORTH, 54, 628), (MacroRegion.EAST, 34, 427)):
        group = [rows[code] for code in TABLE_30_AS_COMPUTED[macro]]
        assert sum(r.maslikhats or 0 for r in group) == maslikhats
        assert sum(r.seats for r in group) == seats


# --- properties ---------------------------------------------------------------------------------

counts = st.dictionaries(
    st.sampled_from("ABCDEFGH"), st.integers(min_value=0, max_value=10**6), min_size=1
).filter(lambda d: sum(d.values()) > 0)


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12))
def test_district_kb_lies_in_zero_one(votes: list[int]) -> None:
    """KB = K2/K1 ∈ [0, 1] for any district (decision #18), and so is any mean of them."""
    kb = district_competitiveness(votes)
    if kb is not None:
        assert 0 <= kb.index <= 1
        assert ind.mean_competitiveness([(kb, 3), (Fraction(1), 1)]).index <= 1


@given(counts, st.integers(min_value=1, max_value=50))
def test_gallagher_is_zero_for_a_proportional_result(votes: dict[str, int], factor: int) -> None:
    """Seats exactly proportional to votes: LSq = 0 and D = 0."""
    seats = {party: n * factor for party, n in votes.items()}
    assert ind.gallagher_squared(votes, seats) == 0
    assert ind.gallagher(votes, seats) == 0
    assert ind.loosemore_hanby(votes, seats) == 0


@given(counts, counts)
def test_disproportionality_bounds(votes: dict[str, int], seats: dict[str, int]) -> None:
    """Gallagher ≥ 0 always; Loosemore–Hanby in [0, 1]; LSq never exceeds D (both in shares)."""
    lsq2 = ind.gallagher_squared(votes, seats)
    lh = ind.loosemore_hanby(votes, seats)
    assert lsq2 >= 0
    assert ind.gallagher(votes, seats) >= 0
    assert 0 <= lh <= 1
    assert lsq2 <= lh * lh


@given(counts)
def test_effective_number_of_parties_bounds(votes: dict[str, int]) -> None:
    """1 ≤ N ≤ the number of parties with a positive share."""
    positive = sum(1 for n in votes.values() if n > 0)
    enp = ind.effective_number_of_parties(votes)
    assert 1 <= enp <= positive


@given(counts, st.integers(min_value=0, max_value=3))
def test_shares_sum_to_one_and_to_100_within_rounding(votes: dict[str, int], places: int) -> None:
    """Exact shares sum to exactly 1; shares rounded independently sum to 100 within
    n × ½ × 10^-places."""
    assert sum(ind.shares(votes).values()) == 1
    rounded = ind.rounded_percentages(votes, places)
    bound = Decimal(len(votes)) * Decimal(5).scaleb(-places - 1)
    assert abs(sum(rounded.values(), Decimal(0)) - 100) <= bound


@given(
    st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False),
    st.integers(min_value=0, max_value=3),
)
def test_round_half_up_matches_decimal(value: Decimal, places: int) -> None:
    """Our exact rounding agrees with Decimal's ROUND_HALF_UP (halves away from zero)."""
    expected = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    assert ind.round_half_up(value, places) == expected
    assert ind.round_half_up(Fraction(value), places) == expected


@given(st.lists(st.integers(min_value=0, max_value=10**4), min_size=1, max_size=30))
def test_population_variance_is_exact_and_non_negative(values: list[int]) -> None:
    """Σ(x − μ)²/N ≥ 0; it equals E[x²] − μ² exactly."""
    variance = ind.population_variance(values)
    mu = ind.mean(values)
    assert variance >= 0
    assert variance == ind.mean(v * v for v in values) - mu * mu


# --- architecture -------------------------------------------------------------------------------

PURE = ("indicators.py", "macroregions.py")


@pytest.mark.parametrize("name", PURE)
def test_indicators_are_pure(name: str) -> None:
    """The indicators import only the law core and the standard library: no I/O, no storage."""
    path = Path(saylau.analytics.__file__).parent / name
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("saylau"):
            assert node.module.startswith("saylau.law"), f"{name} imports {node.module}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert not alias.name.startswith("saylau"), f"{name} imports {alias.name}"
        if isinstance(node, ast.Constant):
            assert not isinstance(node.value, float), f"{name}:{node.lineno} float literal"
