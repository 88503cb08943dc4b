"""The web layer's name for the SVG charts, which now live in :mod:`saylau.charts`.

The charts moved to a neutral module so that the analytical report (``saylau.analytics``), which
may not import the web layer, draws the same charts as the public site; this module re-exports
them so the pages' ``from saylau.web import charts`` keeps working.
"""

from __future__ import annotations

from saylau.charts import (
    BAND_COLOURS,
    BLACK,
    FALLBACK,
    GAP,
    NO_DATA,
    PARTY_COLOURS,
    SERIES,
    TILE,
    TURNOUT_BOUNDS,
    TURNOUT_SCALE,
    WHITE,
    BarRow,
    LegendEntry,
    SeatGroup,
    Tile,
    bar_chart,
    contrast,
    hemicycle,
    hemicycle_positions,
    hemicycle_rows,
    legend,
    luminance,
    party_colours,
    text_colour,
    tile_map,
    turnout_class,
    turnout_colour,
)

__all__ = [
    "BAND_COLOURS",
    "BLACK",
    "FALLBACK",
    "GAP",
    "NO_DATA",
    "PARTY_COLOURS",
    "SERIES",
    "TILE",
    "TURNOUT_BOUNDS",
    "TURNOUT_SCALE",
    "WHITE",
    "BarRow",
    "LegendEntry",
    "SeatGroup",
    "Tile",
    "bar_chart",
    "contrast",
    "hemicycle",
    "hemicycle_positions",
    "hemicycle_rows",
    "legend",
    "luminance",
    "party_colours",
    "text_colour",
    "tile_map",
    "turnout_class",
    "turnout_colour",
]
