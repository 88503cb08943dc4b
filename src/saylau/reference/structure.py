"""The territorial structure of the 19 March 2023 elections, from the monograph's tables.

Sources (all in ``data/monograph/``, figures as printed, see ``data/PROVENANCE.md``):

- Table 6 (``t06``): voters on 19.03.2023 and seats of the first-level maslikhat of each
  region (printed as "SMD+list"), and the printed sum of second-level seats per region;
- Table 26 (``t26``): polling stations (precincts) per region;
- Tables 35–51 (``t35`` … ``t51``): every second-level maslikhat (37 city, 166 district) with
  its number of single-member districts, i.e. its seats.

Nothing is derived here: the law core derives splits, ballots and print runs from these figures.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from saylau.law.rules import MaslikhatKind
from saylau.reference.regions import Region, regions

_SECOND_LEVEL_TABLES = tuple(f"t{n}" for n in range(35, 52))
_SECOND_LEVEL_KINDS = {
    "city_maslikhat": MaslikhatKind.CITY,
    "district_maslikhat": MaslikhatKind.DISTRICT,
}


@dataclass(frozen=True)
class SecondLevelMaslikhat:
    """A district or city (oblast significance) maslikhat: all seats single-member (CL art. 9)."""

    region_code: str
    name_kk: str
    name_en: str
    kind: MaslikhatKind
    seats: int
    source: str  # "t35:1918" = table file and source line of the monograph


@dataclass(frozen=True)
class RegionStructure:
    """One first-level unit with the figures the monograph prints for it."""

    region: Region
    voters: int
    polling_stations: int
    first_level_seats: int
    first_level_smd_printed: int
    first_level_list_printed: int
    second_level_seats_printed: int | None
    second_level: tuple[SecondLevelMaslikhat, ...]


def _rows(stem: str) -> list[dict[str, str]]:
    folder = resources.files("saylau.reference") / "data" / "monograph"
    (path,) = (p for p in folder.iterdir() if p.name.startswith(stem + "_"))
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def monograph_table(stem: str) -> list[dict[str, str]]:
    """The rows of one monograph table (``"t06"``, ``"app2"`` …) as printed, all values strings."""
    return _rows(stem)


@cache
def _second_level() -> dict[str, tuple[SecondLevelMaslikhat, ...]]:
    by_name = {r.name_en: r.code for r in regions()}
    found: dict[str, list[SecondLevelMaslikhat]] = {}
    for stem in _SECOND_LEVEL_TABLES:
        for row in _rows(stem):
            kind = _SECOND_LEVEL_KINDS.get(row["kind"])
            if kind is None:  # the printed "average" row of each table
                continue
            code = by_name[row["region_en"]]
            found.setdefault(code, []).append(
                SecondLevelMaslikhat(
                    region_code=code,
                    name_kk=row["name_kk"],
                    name_en=row["name_en"],
                    kind=kind,
                    seats=int(row["districts_count"]),
                    source=f"{stem}:{row['src_line']}",
                )
            )
    return {code: tuple(items) for code, items in found.items()}


@cache
def structure_2023() -> tuple[RegionStructure, ...]:
    """The 20 first-level units of 2023 with their second-level maslikhats, in region order."""
    voters = {row["name_en"]: row for row in _rows("t06") if row["kind"] != "total"}
    stations = {row["name_en"]: row for row in _rows("t26") if row["kind"] != "total"}
    second = _second_level()
    result = []
    for region in regions():
        t06 = voters[region.name_en]
        printed_second = t06["district_city_maslikhat_mandates"]
        result.append(
            RegionStructure(
                region=region,
                voters=int(t06["voters_2023_03_19"]),
                polling_stations=int(stations[region.name_en]["polling_stations"]),
                first_level_seats=int(t06["oblast_city_maslikhat_mandates"]),
                first_level_smd_printed=int(t06["oblast_city_mandates_smd"]),
                first_level_list_printed=int(t06["oblast_city_mandates_party_list"]),
                second_level_seats_printed=int(printed_second) if printed_second else None,
                second_level=second.get(region.code, ()),
            )
        )
    return tuple(result)
