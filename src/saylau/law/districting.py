"""The districting check: equal districts that cover a body's territory exactly once.

CL art. 21 para 4 part 2 asks that single-member districts be formed "taking into account the
administrative-territorial division and the number of voters" but sets no numeric limit; the CEC
resolution No. 110/604 that may hold one was not found. Decision #11 therefore makes the allowed
deviation from the body's mean a parameter (``RuleSet.district_tolerance``, default ±15%) and the
report shows every district's deviation, so the commission sees the figures and not only a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from fractions import Fraction

from saylau.law.errors import require, require_non_negative
from saylau.law.rules import RuleSet

ARTICLE = "CL art. 21 para 4, art. 22; decision #11"


@dataclass(frozen=True)
class DistrictDeviation:
    """One district's voters against the mean of its body."""

    district: str
    voters: int
    deviation: Fraction
    """(voters − mean) / mean, exact; −1/10 means 10% below the mean."""
    within_tolerance: bool


@dataclass(frozen=True)
class DistrictingReport:
    """Deviations of every district and the coverage of the body's precincts."""

    mean: Fraction
    tolerance: Fraction
    districts: tuple[DistrictDeviation, ...]
    unassigned_precincts: tuple[str, ...]
    """Precincts of the body's territory in no district."""
    multiply_assigned_precincts: tuple[str, ...]
    """Precincts placed in more than one district."""
    foreign_precincts: tuple[str, ...]
    """Precincts in a district but outside the body's territory."""
    article: str = ARTICLE

    @property
    def outside_tolerance(self) -> tuple[DistrictDeviation, ...]:
        return tuple(d for d in self.districts if not d.within_tolerance)

    @property
    def covers_exactly_once(self) -> bool:
        return not (
            self.unassigned_precincts or self.multiply_assigned_precincts or self.foreign_precincts
        )

    @property
    def acceptable(self) -> bool:
        return self.covers_exactly_once and not self.outside_tolerance


def check_districting(
    districts: Mapping[str, Set[str]],
    precinct_voters: Mapping[str, int],
    rules: RuleSet,
) -> DistrictingReport:
    """Check a body's districting plan.

    ``districts`` maps each district to the precincts it is made of; ``precinct_voters`` maps
    every precinct of the body's territory to the voters on its list. A district's voters are the
    sum of its precincts' (precincts outside the territory count zero and are reported).
    """
    require(bool(districts), "districts", {}, "a body needs at least one district")
    for precinct, voters in precinct_voters.items():
        require_non_negative(f"precinct_voters[{precinct}]", voters)
    tolerance = rules.district_tolerance
    require(tolerance >= 0, "district_tolerance", tolerance, "must not be negative")

    placements: dict[str, int] = {}
    for members in districts.values():
        for precinct in members:
            placements[precinct] = placements.get(precinct, 0) + 1
    district_voters = {
        name: sum(precinct_voters.get(p, 0) for p in members) for name, members in districts.items()
    }
    mean = Fraction(sum(district_voters.values()), len(district_voters))
    deviations = tuple(
        DistrictDeviation(
            district=name,
            voters=voters,
            deviation=(voters - mean) / mean if mean else Fraction(0),
            within_tolerance=abs(voters - mean) <= tolerance * mean,
        )
        for name, voters in district_voters.items()
    )
    return DistrictingReport(
        mean=mean,
        tolerance=tolerance,
        districts=deviations,
        unassigned_precincts=tuple(sorted(p for p in precinct_voters if p not in placements)),
        multiply_assigned_precincts=tuple(sorted(p for p, n in placements.items() if n > 1)),
        foreign_precincts=tuple(sorted(p for p in placements if p not in precinct_voters)),
    )
