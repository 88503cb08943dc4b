"""The demo election's plan, before anything is written: precincts, districts and candidates.

Pure and deterministic given the seed. The generator (:mod:`saylau.demo.generator`) then runs the
plan through the real services. Counts follow the 2023 figures (:mod:`saylau.demo.calibration`,
:mod:`saylau.reference.structure`) with two floors the law imposes on any scale:

- a body with ``k`` single-member seats needs at least ``k`` precincts in its territory, since a
  district is made of whole precincts, at least one each (CL arts. 21–22) — so a small ``scale``
  shrinks the voters, not the number of districts;
- a precinct has at most 3,000 voters (CL art. 23).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from saylau.demo.calibration import LevelFigures, RegionCalibration, calibration
from saylau.demo.synthetic import partition, split_voters
from saylau.demo.votes import apportion
from saylau.law.bodies import mazhilis_seats, seat_split
from saylau.law.rules import RULES_2023, MaslikhatKind
from saylau.reference.structure import RegionStructure, structure_2023

MAX_PRECINCT_VOTERS = RULES_2023.max_precinct_voters
COMFORTABLE_PRECINCT = 2_400
"""Voters per precinct the plan aims to stay under, so the random split keeps below the cap."""
MAX_SCALE = 3.0
"""The largest demo: three times Kazakhstan's voters and precincts (issue #8's growth benchmarks
measure up to it). Above 1 the demo is a SYNTHETIC larger country: more precincts and voters in
every region, still the real 2023 bodies, seats and parties."""


def check_scale(scale: float) -> None:
    """Refuse a scale outside (0, :data:`MAX_SCALE`] with a specific message."""
    if not 0 < scale <= MAX_SCALE:
        raise ValueError(f"scale={scale}: must be greater than 0 and at most {MAX_SCALE:g}")


def larger_country(scale: float) -> bool:
    """Whether ``scale`` makes a synthetic country larger than Kazakhstan (say so when shown)."""
    return scale > 1


@dataclass(frozen=True)
class PlannedPrecinct:
    region: str
    """Region code."""
    unit: str | None
    """The second-level unit's English name; None in the three cities."""
    number: int
    voters: int

    @property
    def ref(self) -> str:
        """``KZ-35:12``, as district plans name a precinct."""
        return f"{self.region}:{self.number}"


def _region_rng(seed: int, code: str, what: str) -> random.Random:
    return random.Random(f"saylau-demo:{seed}:{what}:{code}")


def plan_precincts(
    structure: RegionStructure, scale: float, seed: int
) -> tuple[PlannedPrecinct, ...]:
    """One region's synthetic precincts: about Table 26's count × ``scale`` (at least one per
    second-level unit and one per single-member seat of each body), spread over the units in
    proportion to their seats, with the region's voters × ``scale`` split among them."""
    region = structure.region
    rng = _region_rng(seed, region.code, "precincts")
    voters = max(1, round(structure.voters * scale))
    target = max(
        1, round(structure.polling_stations * scale), math.ceil(voters / COMFORTABLE_PRECINCT)
    )
    first_smd = seat_split(region.kind, structure.first_level_seats, RULES_2023).smd_seats
    if region.kind is MaslikhatKind.OBLAST:
        seats = {body.name_en: body.seats for body in structure.second_level}
        shares = apportion(target, {name: float(n) for name, n in seats.items()})
        counts = {name: max(shares[name], seats[name], 1) for name in seats}
        units: list[tuple[str | None, int]] = [(_unit_name(name), counts[name]) for name in seats]
    else:
        units = [(None, max(target, first_smd))]
    total = sum(n for _, n in units)
    sizes = split_voters(max(voters, total), total, rng, MAX_PRECINCT_VOTERS)
    precincts = []
    number = 0
    for unit, count in units:
        for _ in range(count):
            precincts.append(PlannedPrecinct(region.code, unit, number + 1, sizes[number]))
            number += 1
    return tuple(precincts)


def _unit_name(body_name_en: str) -> str:
    """The unit of a second-level maslikhat, named as the reference load names it."""
    return body_name_en.removesuffix(" maslikhat")


def plan_all_precincts(scale: float, seed: int) -> dict[str, tuple[PlannedPrecinct, ...]]:
    """Region code → its planned precincts, for the 20 regions of 2023."""
    return {item.region.code: plan_precincts(item, scale, seed) for item in structure_2023()}


def mazhilis_districts_per_region(voters: dict[str, int]) -> dict[str, int]:
    """The Mazhilis single-member districts (29 in 2023, CL art. 9 para 2) per region: at least one
    in each, the rest by voters with largest remainders."""
    total = mazhilis_seats(RULES_2023).smd_seats
    extra = apportion(total - len(voters), {code: float(n) for code, n in voters.items()})
    return {code: 1 + extra[code] for code in voters}


def districts_of(precincts: Sequence[PlannedPrecinct], seats: int) -> list[list[PlannedPrecinct]]:
    """``seats`` districts of near-equal voters over consecutive precincts (every precinct once)."""
    groups = partition([p.voters for p in precincts], seats)
    return [[precincts[i] for i in group] for group in groups]


# --- candidates -------------------------------------------------------------------------------


def level_figures(code: str, kind: MaslikhatKind | None) -> LevelFigures:
    """The 2023 nomination figures of a region's level (None: the Mazhilis SMDs, for which the
    monograph gives none — the national first-level figures stand in for them)."""
    figures = calibration()[code]
    if kind is None:
        return national_first_level()
    found = {
        MaslikhatKind.CITY: figures.city,
        MaslikhatKind.DISTRICT: figures.district,
    }.get(kind, figures.first_level)
    return found or figures.first_level


def national_first_level() -> LevelFigures:
    levels = [c.first_level for c in calibration().values()]
    return LevelFigures(
        seats=sum(x.seats for x in levels),
        nominated=sum(x.nominated for x in levels),
        party_nominated=sum(x.party_nominated for x in levels),
        registered=sum(x.registered for x in levels),
    )


def national_women_share() -> Fraction:
    figures = calibration().values()
    total = sum(c.first_level.nominated for c in figures)
    return sum((c.women_share * c.first_level.nominated for c in figures), Fraction(0)) / total


def candidates_per_district(figures: LevelFigures, districts: int, rng: random.Random) -> list[int]:
    """How many are nominated in each of ``districts`` districts: the level's 2023 candidates per
    seat, the remainder spread at random; at least one in each."""
    nominated = round(figures.nominated_per_seat * districts)
    base, extra = divmod(nominated, districts)
    counts = [base] * districts
    for index in rng.sample(range(districts), extra):
        counts[index] += 1
    return [max(1, n) for n in counts]


def party_slots(
    counts: Sequence[int], party_share: Fraction, rng: random.Random, parties: int
) -> list[int]:
    """How many of each district's candidates parties nominate: the level's 2023 party share,
    first one in as many districts as it allows (parties contest nearly every district: in 2023
    they won 89% of the district seats, monograph Tables 28–29), then at random; at most one per
    party in a district."""
    total = round(sum(counts) * party_share)
    slots = [0] * len(counts)
    order = list(range(len(counts)))
    rng.shuffle(order)
    for district in order:
        if total <= 0:
            break
        slots[district] = 1
        total -= 1
    spare = [d for d in order for _ in range(min(counts[d], parties) - slots[d])]
    rng.shuffle(spare)
    for district in spare[: max(0, total)]:
        slots[district] += 1
    return slots


def refusals(
    counts: Sequence[int], share_registered: Fraction, rng: random.Random
) -> list[set[int]]:
    """Which candidates (by index within their district) are refused: the level's 2023 refusal
    share, never leaving a district with fewer than two registered (or one, if only one stood)."""
    target = round(sum(counts) * (1 - share_registered))
    refused: list[set[int]] = [set() for _ in counts]
    slots = [(d, i) for d, n in enumerate(counts) for i in range(n)]
    rng.shuffle(slots)
    for district, index in slots:
        if target <= 0:
            break
        if counts[district] - len(refused[district]) > 2:
            refused[district].add(index)
            target -= 1
    return refused


def list_size(region: RegionCalibration, party: str) -> int | None:
    """A party's list length for a first-level maslikhat: Table 27's (× 1), at least one more than
    the seats it won there in 2023; Baytaq, whose lengths Table 27 omits, only where it won seats.
    None: the party did not stand there."""
    won = region.list_seats_won.get(party, 0)
    size = region.list_sizes.get(party)
    if size is None:
        return won + 1 if won else None
    return max(size, won + 1)
