"""The demo's plan from a tiny scale up to 3 (issue #8's growth: "3× Kazakhstan"), without a build.

The plan is what scale changes: precincts, their voters, their areas, the districts made of them and
the accounts named after them. Above 1 it is a synthetic larger country under the real 2023 bodies
and seats, so the same laws must hold: whole precincts of at most 3,000 voters (CL art. 23), a
precinct for every single-member seat (CL arts. 21–22), numbers and names unique.
"""

from __future__ import annotations

from collections import Counter

import pytest

from saylau.demo import plan
from saylau.demo.areas import area_rows
from saylau.demo.summary import DemoSummary
from saylau.law.bodies import mazhilis_seats, seat_split
from saylau.law.rules import RULES_2023
from saylau.reference.structure import structure_2023

SEED = 2023


def _check_plan(scale: float) -> dict[str, tuple[plan.PlannedPrecinct, ...]]:
    planned = plan.plan_all_precincts(scale, SEED)
    for item in structure_2023():
        precincts = planned[item.region.code]
        # numbered 1..n within the region (the precinct's unique key with its region)
        assert [p.number for p in precincts] == list(range(1, len(precincts) + 1))
        # the account names `demo-<region>-pec<number:04d>` stay four digits, hence unique
        assert len(precincts) <= 9_999
        assert all(1 <= p.voters <= plan.MAX_PRECINCT_VOTERS for p in precincts)
        assert sum(p.voters for p in precincts) == max(round(item.voters * scale), len(precincts))
        assert len(precincts) >= round(item.polling_stations * scale)
        smd = seat_split(item.region.kind, item.first_level_seats, RULES_2023).smd_seats
        bodies = [(None, smd)] + [
            (body.name_en.removesuffix(" maslikhat"), body.seats) for body in item.second_level
        ]
        for unit, seats in bodies:
            inside = [p for p in precincts if unit is None or p.unit == unit]
            districts = plan.districts_of(inside, seats)
            assert len(districts) == seats
            assert sorted(p.number for d in districts for p in d) == sorted(
                p.number for p in inside
            )
        areas = area_rows(item, precincts)
        keys = Counter(
            (a["precinct"], a["settlement"], a.get("street", ""), a.get("houses", ""))
            for a in areas
        )
        assert max(keys.values()) == 1  # the area table's unique key
        places = Counter((a["settlement"], a.get("street", ""), a.get("houses", "")) for a in areas)
        assert max(places.values()) == 1  # no house or village served by two precincts
    voters = {code: sum(p.voters for p in ps) for code, ps in planned.items()}
    per_region = plan.mazhilis_districts_per_region(voters)
    assert sum(per_region.values()) == mazhilis_seats(RULES_2023).smd_seats
    for code, count in per_region.items():
        assert len(plan.districts_of(planned[code], count)) == count
    return planned


def test_the_plan_at_scale_3_is_three_times_kazakhstan() -> None:
    """Scale 3: about 36 million voters in about 30,000 precincts, every law of the plan kept."""
    planned = _check_plan(3.0)
    structure = structure_2023()
    precincts = sum(len(ps) for ps in planned.values())
    voters = sum(p.voters for ps in planned.values() for p in ps)
    assert voters == sum(round(item.voters * 3) for item in structure)
    assert 3 * sum(item.polling_stations for item in structure) <= precincts <= 31_500
    one = plan.plan_all_precincts(1.0, SEED)
    assert precincts >= 2.9 * sum(len(ps) for ps in one.values())


def test_the_plan_at_a_tiny_scale_keeps_a_precinct_per_district() -> None:
    """Scale 0.001 (12,000 voters): the floors of the law, not the scale, set the precincts."""
    planned = _check_plan(0.001)
    for item in structure_2023():
        smd = seat_split(item.region.kind, item.first_level_seats, RULES_2023).smd_seats
        floor = max(smd, sum(body.seats for body in item.second_level))
        assert len(planned[item.region.code]) == floor


@pytest.mark.parametrize("scale", [0.0, -0.5, 3.01, 10.0])
def test_a_scale_outside_0_3_is_refused(scale: float) -> None:
    with pytest.raises(ValueError, match="at most 3"):
        plan.check_scale(scale)


def test_the_summary_says_a_larger_country_is_synthetic() -> None:
    small = DemoSummary(1, SEED, 1.0, {}, {}).as_dict()["note"]
    large = DemoSummary(1, SEED, 3.0, {}, {}).as_dict()["note"]
    assert "LARGER COUNTRY" not in small
    assert large.startswith(small) and "SYNTHETIC LARGER COUNTRY" in large and "3 times" in large
    assert plan.larger_country(3.0) and not plan.larger_country(1.0)
