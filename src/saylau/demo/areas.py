"""SYNTHETIC areas for the demo precincts: which settlement or street each one serves.

The demo's precincts are invented, so are their areas: a precinct of a town serves an odd and an
even run of houses on two streets taken from a small fixed list of common Kazakh street names; a
precinct of a district (аудан) serves one village named from a small fixed list. Every row is
marked ``synthetic``. Deterministic: the same precincts give the same areas.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from saylau.demo.plan import PlannedPrecinct
from saylau.law.rules import MaslikhatKind
from saylau.reference.structure import RegionStructure

STREETS = (
    "Абай даңғылы",
    "Сәтбаев көшесі",
    "Жамбыл көшесі",
    "Төле би көшесі",
    "Қабанбай батыр көшесі",
    "Әуезов көшесі",
    "Достық көшесі",
    "Бейбітшілік көшесі",
    "Наурыз көшесі",
    "Желтоқсан көшесі",
)
VILLAGES = ("Жаңаауыл", "Ақсу", "Көктөбе", "Қызылжар", "Береке", "Бірлік", "Талдыбұлақ", "Шұбар")
HOUSES_PER_BLOCK = 40


def _settlement(name_kk: str) -> str:
    for suffix in (" қаласының мәслихаты", " аудандық мәслихаты", " қ."):
        name_kk = name_kk.removesuffix(suffix)
    return name_kk


def area_rows(
    structure: RegionStructure, precincts: Sequence[PlannedPrecinct]
) -> list[dict[str, Any]]:
    """Rows for ``saylau.services.voters.import_areas``: one or two areas per precinct."""
    units: Mapping[str, tuple[str, MaslikhatKind]] = {
        body.name_en.removesuffix(" maslikhat"): (_settlement(body.name_kk), body.kind)
        for body in structure.second_level
    }
    city = _settlement(structure.region.name_kk)
    seen: dict[str | None, int] = defaultdict(int)
    rows: list[dict[str, Any]] = []
    for p in precincts:
        k = seen[p.unit]
        seen[p.unit] += 1
        name, kind = units.get(p.unit or "", (city, MaslikhatKind.CITY))
        base = {"region": p.region, "precinct": p.number, "synthetic": True}
        if kind is MaslikhatKind.DISTRICT:
            village = VILLAGES[k % len(VILLAGES)]
            if k >= len(VILLAGES):
                village += f"-{k // len(VILLAGES) + 1}"
            rows.append({**base, "settlement": f"{village} ({name})"})
            continue
        block = (k // len(STREETS)) * HOUSES_PER_BLOCK
        odd = f"{block + 1}–{block + HOUSES_PER_BLOCK - 1} (1, 3, 5 …)"
        even = f"{block + 2}–{block + HOUSES_PER_BLOCK} (2, 4, 6 …)"
        rows.append(
            {**base, "settlement": name, "street": STREETS[k % len(STREETS)], "houses": odd}
        )
        rows.append(
            {**base, "settlement": name, "street": STREETS[(k + 1) % len(STREETS)], "houses": even}
        )
    return rows
