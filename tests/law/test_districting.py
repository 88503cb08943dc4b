"""Districting check (CL art. 21 para 4; decision #11: ±15% around the body's mean by default)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saylau.law.districting import check_districting
from saylau.law.errors import LawInputError
from saylau.law.rules import RULES_2023


def test_deviation_from_the_mean_worked_by_hand() -> None:
    """Three districts of 1000, 1150 and 850 voters: mean 1000; +15% and −15% are inside
    the inclusive ±15% band, 1151 would not be."""
    voters = {"p1": 600, "p2": 400, "p3": 1150, "p4": 850}
    plan = {"1": {"p1", "p2"}, "2": {"p3"}, "3": {"p4"}}
    report = check_districting(plan, voters, RULES_2023)
    assert report.mean == 1000
    assert [(d.district, d.deviation) for d in report.districts] == [
        ("1", Fraction(0)),
        ("2", Fraction(3, 20)),
        ("3", Fraction(-3, 20)),
    ]
    assert report.acceptable

    over = check_districting(plan, {**voters, "p3": 1153}, RULES_2023)
    # mean 3003/3 = 1001: district 2 is 152 above (15.18%), district 3 is 151 below (15.08%),
    # district 1 is 1 below: only 1 stays inside the band.
    assert [d.district for d in over.outside_tolerance] == ["2", "3"]
    assert not over.acceptable


def test_tolerance_is_a_parameter() -> None:
    """Decision #11: the limit is not in the statute, so the rule set carries it."""
    voters = {"a": 1100, "b": 900}
    plan = {"1": {"a"}, "2": {"b"}}
    assert check_districting(plan, voters, RULES_2023).acceptable
    strict = replace(RULES_2023, district_tolerance=Fraction(5, 100))
    assert len(check_districting(plan, voters, strict).outside_tolerance) == 2


def test_coverage_exactly_once() -> None:
    """Every precinct of the territory in exactly one district (CL art. 22 para 2)."""
    voters = {"a": 100, "b": 100, "c": 100}
    report = check_districting({"1": {"a", "b"}, "2": {"b", "x"}}, voters, RULES_2023)
    assert report.unassigned_precincts == ("c",)
    assert report.multiply_assigned_precincts == ("b",)
    assert report.foreign_precincts == ("x",)
    assert not report.covers_exactly_once


def test_bad_input_is_refused() -> None:
    with pytest.raises(LawInputError) as empty:
        check_districting({}, {"a": 1}, RULES_2023)
    assert empty.value.field == "districts"
    with pytest.raises(LawInputError) as negative:
        check_districting({"1": {"a"}}, {"a": -1}, RULES_2023)
    assert negative.value.field == "precinct_voters[a]"


@given(st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=30))
def test_deviations_sum_to_zero_and_partition_covers(sizes: list[int]) -> None:
    voters = {f"p{i}": n for i, n in enumerate(sizes)}
    plan = {f"d{i}": {f"p{i}"} for i in range(len(sizes))}
    report = check_districting(plan, voters, RULES_2023)
    assert sum(d.deviation for d in report.districts) == 0
    assert report.covers_exactly_once
