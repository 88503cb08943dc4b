"""A fixed tile position for each of the 20 first-level regions: the grid of the results map.

The public map (issue #5 §1) is a tile-grid cartogram, not a geographic map: every region is one
equal square, so that Astana, Almaty and Shymkent (cities of a few hundred km²) are as visible as
the oblasts, and no map service or boundary file is needed.

Provenance: arranged by hand for Saylau from the administrative map of Kazakhstan after the 2022
reform (Abai, Jetisu and Ulytau regions formed on 8 June 2022; the 20 units of ``regions.csv``).
Each tile keeps its region's rough compass position relative to its neighbours: the west
(West Kazakhstan, Atyrau, Mangystau) in the left columns, the north (Kostanay, North Kazakhstan,
Pavlodar) in the top row, the east (East Kazakhstan, Abai, Jetisu) on the right and the south
(Kyzylorda, Turkistan, Shymkent, Jambyl, Almaty) at the bottom; the three cities sit beside the
region that surrounds them. Positions are APPROXIMATE by design: areas, distances and shapes are
not represented. The short labels fit a tile; the full names are in ``regions.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

COLUMNS = 7
ROWS = 5


@dataclass(frozen=True)
class GridCell:
    """A region's tile: its column and row (0-based, from the top left) and short labels."""

    code: str
    column: int
    row: int
    short_kk: str
    short_ru: str
    short_en: str


GRID: tuple[GridCell, ...] = (
    GridCell("KZ-27", 1, 0, "Батыс Қаз.", "ЗКО", "W. Kaz."),
    GridCell("KZ-39", 3, 0, "Қостанай", "Костанай", "Kostanay"),
    GridCell("KZ-59", 4, 0, "Солт. Қаз.", "СКО", "N. Kaz."),
    GridCell("KZ-55", 5, 0, "Павлодар", "Павлодар", "Pavlodar"),
    GridCell("KZ-23", 0, 1, "Атырау", "Атырау", "Atyrau"),
    GridCell("KZ-15", 1, 1, "Ақтөбе", "Актобе", "Aktobe"),
    GridCell("KZ-11", 3, 1, "Ақмола", "Акмола", "Akmola"),
    GridCell("KZ-71", 4, 1, "Астана", "Астана", "Astana"),
    GridCell("KZ-10", 5, 1, "Абай", "Абай", "Abai"),
    GridCell("KZ-63", 6, 1, "Шығыс Қаз.", "ВКО", "E. Kaz."),
    GridCell("KZ-47", 0, 2, "Маңғыстау", "Мангистау", "Mangystau"),
    GridCell("KZ-62", 2, 2, "Ұлытау", "Ұлытау", "Ulytau"),
    GridCell("KZ-35", 3, 2, "Қарағанды", "Караганда", "Karaganda"),
    GridCell("KZ-33", 5, 2, "Жетісу", "Жетісу", "Jetisu"),
    GridCell("KZ-43", 1, 3, "Қызылорда", "Кызылорда", "Kyzylorda"),
    GridCell("KZ-61", 2, 3, "Түркістан", "Туркестан", "Turkistan"),
    GridCell("KZ-31", 3, 3, "Жамбыл", "Жамбыл", "Jambyl"),
    GridCell("KZ-19", 4, 3, "Алматы обл.", "Алм. обл.", "Almaty reg."),
    GridCell("KZ-75", 5, 3, "Алматы қ.", "г. Алматы", "Almaty"),
    GridCell("KZ-79", 2, 4, "Шымкент", "Шымкент", "Shymkent"),
)
"""The 20 tiles, top to bottom and left to right."""


def cell(code: str) -> GridCell | None:
    """The tile of region ``code``; ``None`` for a code outside the grid."""
    return next((c for c in GRID if c.code == code), None)
