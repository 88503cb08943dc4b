"""The monograph's macro-regions: a fixed grouping of the 20 first-level units (monograph-brief §9.8).

Source: the footnotes to Table 8 [L519, L521] and Table 30 [L1739–L1741] of the monograph. The three
big cities (Astana, Almaty, Shymkent) belong to no macro-region; the monograph treats them
separately as "megacities", so they form a sixth group here.

Table 30's printed North and East figures reproduce only if Pavlodar is counted in the East, against
its own footnote (seed-data README, t30). :data:`TABLE_30_AS_COMPUTED` is that variant, kept only to
show where the printed figures come from; :data:`MACRO_REGIONS` is the grouping as published.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class MacroRegion(StrEnum):
    """A macro-region of the monograph (Table 8 and Table 30)."""

    NORTH = "north"
    SOUTH = "south"
    WEST = "west"
    EAST = "east"
    CENTRE = "centre"
    MEGACITIES = "megacities"


SOURCE = "monograph Table 8 footnote [L519, L521] and Table 30 footnote [L1739–L1741]"

MACRO_REGIONS: Mapping[MacroRegion, frozenset[str]] = MappingProxyType(
    {
        # North Kazakhstan, Akmola, Kostanay, Pavlodar (Astana excluded) [L513, L519, L1739]
        MacroRegion.NORTH: frozenset({"KZ-59", "KZ-11", "KZ-39", "KZ-55"}),
        # Jambyl, Almaty Region, Kyzylorda, Turkistan, Jetisu (Almaty and Shymkent excluded) [L515]
        MacroRegion.SOUTH: frozenset({"KZ-31", "KZ-19", "KZ-43", "KZ-61", "KZ-33"}),
        # West Kazakhstan, Atyrau, Aktobe, Mangystau [L519, L1739]
        MacroRegion.WEST: frozenset({"KZ-27", "KZ-23", "KZ-15", "KZ-47"}),
        # East Kazakhstan, Abai [L519, L1739]
        MacroRegion.EAST: frozenset({"KZ-63", "KZ-10"}),
        # Karaganda, Ulytau [L519, L1739]
        MacroRegion.CENTRE: frozenset({"KZ-35", "KZ-62"}),
        # Astana, Almaty, Shymkent, shown separately [L521, L1741]
        MacroRegion.MEGACITIES: frozenset({"KZ-71", "KZ-75", "KZ-79"}),
    }
)
"""Region codes (ISO 3166-2:KZ) of each macro-region, as the monograph's footnotes define them."""

TABLE_30_AS_COMPUTED: Mapping[MacroRegion, frozenset[str]] = MappingProxyType(
    {
        **MACRO_REGIONS,
        MacroRegion.NORTH: MACRO_REGIONS[MacroRegion.NORTH] - {"KZ-55"},
        MacroRegion.EAST: MACRO_REGIONS[MacroRegion.EAST] | {"KZ-55"},
    }
)
"""The grouping Table 30's printed figures imply: Pavlodar (KZ-55) in the East (seed README, t30)."""


def macro_region_of(
    code: str, grouping: Mapping[MacroRegion, frozenset[str]] = MACRO_REGIONS
) -> MacroRegion:
    """The macro-region of a region code."""
    for macro, members in grouping.items():
        if code in members:
            return macro
    raise KeyError(f"{code} belongs to no macro-region")
