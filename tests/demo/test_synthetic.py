"""Synthetic demo data: valid IINs, exact voter totals, districts that partition the precincts."""

from __future__ import annotations

import random
from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.demo.calibration import calibration
from saylau.demo.synthetic import PersonMaker, make_iin, partition, split_voters
from saylau.law.eligibility import age_on
from saylau.law.iin import Sex, check_iin_matches, parse_iin


@given(st.integers(0, 2**32), st.sampled_from(list(Sex)))
@settings(max_examples=50)
def test_people_have_valid_unique_iins_matching_birth_and_sex(seed: int, sex: Sex) -> None:
    maker = PersonMaker(random.Random(seed))
    people = [maker.person(sex, (date(1950, 1, 1), date(2003, 3, 19))) for _ in range(30)]
    assert len({p.iin for p in people}) == 30
    for person in people:
        parse_iin(person.iin)
        assert check_iin_matches(person.iin, person.birth_date, person.sex) == ()
        assert age_on(person.birth_date, date(2023, 3, 19)) >= 20


def test_make_iin_worked_example() -> None:
    """11 June 1971, female, serial 0001: 7106114 0001 → check digit by weights 1..11:
    7·1+1·2+0·3+6·4+1·5+1·6+4·7+0·8+0·9+0·10+1·11 = 83; 83 mod 11 = 6."""
    assert make_iin(date(1971, 6, 11), Sex.FEMALE, 1) == "710611400016"


@given(st.integers(1, 200_000), st.integers(1, 120), st.integers(0, 2**32))
def test_split_voters_sums_exactly_within_the_cap(total: int, parts: int, seed: int) -> None:
    if parts * 3000 < total or parts > total:
        return
    sizes = split_voters(total, parts, random.Random(seed), 3000)
    assert sum(sizes) == total
    assert len(sizes) == parts and all(1 <= s <= 3000 for s in sizes)


@given(st.lists(st.integers(1, 3000), min_size=1, max_size=80), st.data())
def test_partition_is_ordered_non_empty_and_complete(
    voters: list[int], data: st.DataObject
) -> None:
    parts = data.draw(st.integers(1, len(voters)))
    groups = partition(voters, parts)
    assert len(groups) == parts and all(groups)
    assert [i for g in groups for i in g] == list(range(len(voters)))


def test_calibration_reads_the_2023_tables() -> None:
    """Table 13: Almaty city turnout 25.86% final; Table 14: 21 first-level SMD seats there."""
    figures = calibration()
    assert len(figures) == 20
    almaty = figures["KZ-75"]
    assert almaty.turnout_final == Fraction(2586, 10000)
    assert almaty.first_level.seats == 21
    assert almaty.district is None and almaty.city is None
    assert figures["KZ-10"].district is not None


@given(st.integers(0, 2**32), st.integers(100, 3000))
@settings(max_examples=60)
def test_generated_protocols_pass_every_control_relation(seed: int, voters: int) -> None:
    from saylau.demo.votes import precinct_turnout, protocol_figures
    from saylau.law.protocol import PrecinctProtocol, check_protocol

    rng = random.Random(seed)
    turnout = precinct_turnout(rng, voters, Fraction(15, 100), Fraction(50, 100), Fraction(55, 100))
    assert turnout.at_1000 <= turnout.at_1600 <= turnout.final <= voters
    figures = protocol_figures(rng, voters, turnout.final, {"a": 5.0, "b": 2.0, "c": 1.0}, 0.04)
    assert check_protocol(PrecinctProtocol(**figures)) == ()


@given(
    st.integers(0, 10**6), st.dictionaries(st.text(min_size=1), st.floats(0.01, 100), min_size=1)
)
def test_apportion_is_exact(total: int, weights: dict[str, float]) -> None:
    from saylau.demo.votes import apportion

    shares = apportion(total, weights)
    assert sum(shares.values()) == total and set(shares) == set(weights)
