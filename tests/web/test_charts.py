"""The SVG charts of the public site (``saylau.web.charts``): the tile map's grid covers every region
once, colours follow their values and text on them is readable (WCAG 1.4.3), and the seat chart
draws exactly one dot per seat (Hypothesis)."""

from __future__ import annotations

import re
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from saylau.reference.region_grid import COLUMNS, GRID, ROWS, cell
from saylau.reference.regions import regions
from saylau.web import charts


def test_the_grid_places_every_region_once_inside_the_map() -> None:
    codes = [c.code for c in GRID]
    assert sorted(codes) == sorted(r.code for r in regions())  # the 20 first-level units
    assert len(codes) == len(set(codes)) == 20
    positions = [(c.column, c.row) for c in GRID]
    assert len(set(positions)) == len(positions)  # unique
    assert all(0 <= c.column < COLUMNS and 0 <= c.row < ROWS for c in GRID)
    assert all(c.short_kk and c.short_ru and c.short_en for c in GRID)
    # Rough geography: the west is left of the east, the north above the south.
    assert cell("KZ-27").column < cell("KZ-63").column  # type: ignore[union-attr]
    assert cell("KZ-59").row < cell("KZ-79").row  # type: ignore[union-attr]
    assert cell("XX-00") is None


def tile(code: str, fill: str, href: str | None) -> charts.Tile:
    found = cell(code)
    assert found is not None
    return charts.Tile(code, found.column, found.row, found.short_en, "50%", code, fill, href)


def test_the_tile_map_draws_and_links_every_tile_with_readable_text() -> None:
    tiles = [
        tile(c.code, charts.TURNOUT_SCALE[i % 6], f"/en/r/{c.code}/") for i, c in enumerate(GRID)
    ]
    svg = str(
        charts.tile_map(tiles, columns=COLUMNS, rows=ROWS, ident="m", title="Map", description="D")
    )
    links = re.findall(r'<a class="tile" data-region="([^"]+)" href="([^"]+)">', svg)
    assert len(links) == 20 and all(href == f"/en/r/{code}/" for code, href in links)
    assert '<title id="m-title">Map</title><desc id="m-desc">D</desc>' in svg
    assert svg.count('role="img"') == 20  # each tile, inside its link
    for t in tiles:
        found = re.search(f'data-region="{t.code}" href="[^"]+">(.*?)</a>', svg)
        assert found and f'fill="{t.fill}"' in found.group(1)
        assert f'fill="{charts.text_colour(t.fill)}"' in found.group(1)
    unlinked = charts.tile_map(
        [tile("KZ-10", charts.NO_DATA, None)],
        columns=1,
        rows=1,
        ident="x",
        title="",
        description="",
    )
    assert "<a " not in unlinked and 'data-region="KZ-10"' in unlinked
    escaped = charts.tile_map(
        [charts.Tile("KZ-10", 0, 0, "<b>", "&", '"x"', "#ffffff", None)],
        columns=1,
        rows=1,
        ident="e",
        title="<t>",
        description="",
    )
    assert "<b>" not in escaped and "&lt;t&gt;" in escaped


def test_colours_follow_values_and_text_on_them_meets_wcag_contrast() -> None:
    assert charts.turnout_class(None) is None
    assert [charts.turnout_class(Fraction(p, 100)) for p in (0, 39, 40, 55, 69, 70, 80, 100)] == [
        0,
        0,
        1,
        2,
        3,
        4,
        5,
        5,
    ]
    assert charts.turnout_colour(Fraction(62, 100)) == charts.TURNOUT_SCALE[3]
    assert charts.turnout_colour(None) == charts.NO_DATA
    # The sequential scale darkens with turnout.
    lum = [charts.luminance(c) for c in charts.TURNOUT_SCALE]
    assert lum == sorted(lum, reverse=True)
    fills = [
        *charts.TURNOUT_SCALE,
        *charts.BAND_COLOURS.values(),
        *charts.PARTY_COLOURS.values(),
        *charts.FALLBACK,
        charts.NO_DATA,
    ]
    for fill in fills:
        assert charts.contrast(fill, charts.text_colour(fill)) >= 4.5, fill
    for series in charts.SERIES:  # bars against the white page (WCAG 1.4.11)
        assert charts.contrast(series, charts.WHITE) >= 3, series
    assert round(charts.contrast(charts.BLACK, charts.WHITE), 1) == 21.0
    # Party colours: fixed for the 2023 parties, distinct and stable for others.
    colours = charts.party_colours(["amanat", "alpha", "beta", "gamma", "delta"])
    assert colours["amanat"] == charts.PARTY_COLOURS["amanat"]
    assert len(set(colours.values())) == 5
    assert charts.party_colours(["gamma", "alpha"]) == charts.party_colours(["alpha", "gamma"])
    assert set(charts.BAND_COLOURS) == {"low", "medium", "high"}


def dots(svg: str) -> list[str]:
    return re.findall(r'<circle [^>]*data-group="([^"]+)"', svg)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=80), min_size=1, max_size=9))
def test_the_seat_chart_has_exactly_one_dot_per_seat(seats: list[int]) -> None:
    groups = [charts.SeatGroup(f"p{i}", f"Party {i}", n, "#1f6fb8") for i, n in enumerate(seats)]
    svg = str(charts.hemicycle(groups, ident="h", title="Seats", description="d"))
    found = dots(svg)
    assert len(found) == sum(seats)
    for i, n in enumerate(seats):
        assert found.count(f"p{i}") == n
    # Groups are drawn in the given order, left to right.
    assert found == [f"p{i}" for i, n in enumerate(seats) for _ in range(n)]
    assert sum(charts.hemicycle_rows(sum(seats))) == sum(seats)
    centres = re.findall(r'<circle cx="([^"]+)" cy="([^"]+)"', svg)
    assert len(set(centres)) == len(centres)  # no two seats on the same spot
    assert 'role="img"' in svg and '<title id="h-title">Seats</title>' in svg


def test_the_seat_chart_positions_run_from_the_left() -> None:
    points = charts.hemicycle_positions(98)
    assert len(points) == 98
    assert points[0][0] < 0 < points[-1][0]  # first seat on the left, last on the right
    assert all(y >= -1e-9 for _, y in points)  # a half circle above the baseline
    assert charts.hemicycle_rows(98) == [11, 15, 20, 24, 28]
    assert charts.hemicycle_rows(0) == [] and charts.hemicycle_positions(0) == []


def test_the_turnout_bars_draw_a_bar_per_figure() -> None:
    rows = [
        charts.BarRow("Kazakhstan", (Fraction(1, 10), Fraction(3, 10), Fraction(1, 2))),
        charts.BarRow("Region", (None, Fraction(1, 4), None)),
    ]
    svg = str(
        charts.bar_chart(
            rows,
            ["10:00", "16:00", "Final"],
            ident="b",
            title="T",
            description="D",
            ticks=["0%", "25%", "50%", "75%", "100%"],
        )
    )
    bars = re.findall(
        r'<rect x="190" y="[^"]+" width="([^"]+)" height="6" fill="[^"]+" data-series', svg
    )
    assert bars == ["42", "126", "210", "105"]  # 420 units = 100 %
    assert 'role="img"' in svg and "Kazakhstan" in svg
