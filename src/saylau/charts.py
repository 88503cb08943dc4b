"""Server-rendered SVG charts: the tile map, the seat chart, bars (public results site and reports).

Pure functions from figures to SVG text (no database, no request), so that the served page, the
published static file and the analytical report (``saylau.analytics.render``) draw the same charts
and the charts can be unit-tested. They live outside ``saylau.web`` so that the analytics layer,
which must not import the web layer, can use them too. Pages work without JavaScript; each chart
carries a text alternative (``<title>``/``<desc>``) and is shown beside a table with the same data
(WCAG 2.1 AA 1.1.1). Text on a coloured surface is black or white, whichever contrasts more with it
(at least 4.5:1, WCAG 1.4.3; :func:`text_colour`).

Colours are defined once here: the party colours (:data:`PARTY_COLOURS`), the sequential turnout
scale and the competitiveness bands (decision #18).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from hashlib import sha256

from markupsafe import Markup, escape

# --- colours ---------------------------------------------------------------------------------------

BLACK = "#000000"
WHITE = "#ffffff"
NO_DATA = "#d9d9d9"
"""A region or seat without a value (not in the election, nothing counted, not decided)."""

PARTY_COLOURS: Mapping[str, str] = {
    "amanat": "#1f6fb8",
    "auyl": "#2e7d32",
    "respublica": "#f39c12",
    "khp": "#d32f2f",
    "ak_zhol": "#6a3d9a",
    "baytaq": "#8bc34a",
    "zhsdp": "#8e244d",
}
"""The parties of 2023 (codes of ``saylau.demo.calibration.PARTIES_2023``): approximations of each
party's own colour, with distinct hues where two parties share one (AMANAT and Ak Zhol are both
blue; People's Party and the NSDP both red). Parties not listed take :data:`FALLBACK` colours."""

FALLBACK: tuple[str, ...] = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
)
"""Colours for other parties: a stable choice per code (:func:`party_colours`)."""

TURNOUT_BOUNDS: tuple[Fraction, ...] = tuple(Fraction(n, 100) for n in (40, 50, 60, 70, 80))
"""Class limits of the turnout scale: < 40 %, 40–50 %, …, ≥ 80 % (a lower limit belongs to its
class). Fixed, so that maps of different elections compare."""

TURNOUT_SCALE: tuple[str, ...] = (
    "#eff3ff",
    "#c6dbef",
    "#9ecae1",
    "#6baed6",
    "#3182bd",
    "#08519c",
)
"""A sequential blue scale, light (low turnout) to dark (high); one colour per class."""

BAND_COLOURS: Mapping[str, str] = {"low": "#fdd49e", "medium": "#fc8d59", "high": "#b30000"}
"""Competitiveness bands (decision #18): the more competitive, the darker."""

SERIES: tuple[str, ...] = ("#4f86b8", "#2a5e8c", "#0b2f55")
"""Bar colours of the turnout chart (10:00, 16:00, final): each at least 3:1 against the white
page (WCAG 1.4.11)."""


def luminance(colour: str) -> float:
    """The relative luminance of ``#rrggbb`` (WCAG 2.1 definition)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_colour(fill: str) -> str:
    """Black or white text on ``fill``, whichever contrasts more (always ≥ 4.58:1)."""
    return BLACK if contrast(fill, BLACK) >= contrast(fill, WHITE) else WHITE


def party_colours(codes: Sequence[str]) -> dict[str, str]:
    """A colour for each party code, distinct within ``codes``.

    A 2023 party keeps its colour; another party takes a fallback colour chosen by a stable hash
    of its code (the same on every page), or the next free one if that is taken in this chart.
    """
    out: dict[str, str] = {}
    for code in codes:
        if code in PARTY_COLOURS:
            out[code] = PARTY_COLOURS[code]
    used = set(out.values())
    for code in sorted(set(codes) - set(out)):
        start = int(sha256(code.encode("utf-8")).hexdigest(), 16) % len(FALLBACK)
        for step in range(len(FALLBACK)):
            candidate = FALLBACK[(start + step) % len(FALLBACK)]
            if candidate not in used or step == len(FALLBACK) - 1:
                break
        out[code] = candidate
        used.add(candidate)
    return out


def turnout_class(share: Fraction | None) -> int | None:
    """The class (0–5) of a turnout share on :data:`TURNOUT_SCALE`; ``None`` without a value."""
    if share is None:
        return None
    return sum(1 for bound in TURNOUT_BOUNDS if share >= bound)


def turnout_colour(share: Fraction | None) -> str:
    found = turnout_class(share)
    return NO_DATA if found is None else TURNOUT_SCALE[found]


def _number(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros (stable, compact SVG text)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _labelled(ident: str, title: str, description: str) -> str:
    return (
        f'<title id="{escape(ident)}-title">{escape(title)}</title>'
        f'<desc id="{escape(ident)}-desc">{escape(description)}</desc>'
    )


# --- the tile map ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    """One region's square on the tile map."""

    code: str
    column: int
    row: int
    label: str
    """The short name written on the tile."""
    value: str
    """The value written under it (e.g. ``62 %``, a party, a band), or empty."""
    name: str
    """What a screen reader says for the tile: the full name and the value."""
    fill: str
    href: str | None
    """The region's page; ``None`` when the region has no results in this election."""


TILE = 80
GAP = 4


def tile_map(
    tiles: Sequence[Tile], *, columns: int, rows: int, ident: str, title: str, description: str
) -> Markup:
    """The tile-grid cartogram: one square per region at its grid position, linked to its page.

    The map's ``<title>`` and ``<desc>`` are its text alternative; each tile is an image
    (``role="img"``) named by its region and value inside a link. The whole ``<svg>`` is not
    ``role="img"`` itself, since an image's content is presentational and would hide the 20 links
    from assistive technology (ARIA: nested interactive content).
    """
    width = columns * (TILE + GAP) - GAP
    height = rows * (TILE + GAP) - GAP
    parts = [
        f'<svg class="chart tile-map" id="{escape(ident)}" '
        f'viewBox="0 0 {width} {height}" width="100%" role="group" '
        f'aria-labelledby="{escape(ident)}-title" aria-describedby="{escape(ident)}-desc">',
        _labelled(ident, title, description),
    ]
    for tile in tiles:
        x, y = tile.column * (TILE + GAP), tile.row * (TILE + GAP)
        ink = text_colour(tile.fill)
        body = (
            f'<g role="img" aria-label="{escape(tile.name)}">'
            f'<rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="6" fill="{tile.fill}" '
            f'stroke="#ffffff" stroke-width="1"/>'
            f'<text x="{x + TILE / 2:g}" y="{y + 32}" text-anchor="middle" font-size="12" '
            f'fill="{ink}">{escape(tile.label)}</text>'
            f'<text x="{x + TILE / 2:g}" y="{y + 54}" text-anchor="middle" font-size="13" '
            f'font-weight="bold" fill="{ink}">{escape(tile.value)}</text></g>'
        )
        if tile.href is None:
            parts.append(f'<g class="tile" data-region="{escape(tile.code)}">{body}</g>')
        else:
            parts.append(
                f'<a class="tile" data-region="{escape(tile.code)}" href="{escape(tile.href)}">'
                f"{body}</a>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class LegendEntry:
    colour: str
    label: str


def legend(entries: Sequence[LegendEntry], *, label: str) -> Markup:
    """The colour key as an HTML list: a swatch (decorative) and the text of each colour."""
    items = "".join(
        '<li><svg width="16" height="16" aria-hidden="true" focusable="false">'
        f'<rect width="16" height="16" fill="{entry.colour}" stroke="#555555"/></svg> '
        f"{escape(entry.label)}</li>"
        for entry in entries
    )
    return Markup(f'<ul class="legend" aria-label="{escape(label)}">{items}</ul>')


# --- the seat chart (hemicycle) ------------------------------------------------------------------


@dataclass(frozen=True)
class SeatGroup:
    """The seats of one party (or of "not decided yet"), drawn in the chart's order."""

    key: str
    label: str
    seats: int
    colour: str


def hemicycle_rows(total: int) -> list[int]:
    """Seats per concentric arc, inner to outer: arcs proportional to their radius, the sum exact.

    The number of arcs grows with the square root of the seats (1 arc up to 4 seats, 5 for the
    Mazhilis' 98); seats are split by largest remainders, so the rows add up to ``total``.
    """
    if total <= 0:
        return []
    count = max(1, math.ceil(math.sqrt(total) / 2))
    weights = [Fraction(_radius(i, count)).limit_denominator(1000) for i in range(count)]
    whole = sum(weights, Fraction(0))
    exact = [total * w / whole for w in weights]
    seats = [math.floor(e) for e in exact]
    order = sorted(range(count), key=lambda i: (-(exact[i] - seats[i]), -i))
    for i in order[: total - sum(seats)]:
        seats[i] += 1
    return seats


def _radius(index: int, count: int) -> float:
    """The radius of arc ``index`` of ``count`` (outer radius 1, inner 0.4)."""
    if count == 1:
        return 1.0
    return 0.4 + 0.6 * index / (count - 1)


def hemicycle_positions(total: int) -> list[tuple[float, float]]:
    """The seats' centres (unit outer radius, centre at the origin, y up), left to right.

    Sorted by angle from the left end of the arc, so that a party's seats form one wedge.
    """
    rows = hemicycle_rows(total)
    points: list[tuple[float, float, float]] = []
    for index, n in enumerate(rows):
        radius = _radius(index, len(rows))
        for j in range(n):
            angle = math.pi / 2 if n == 1 else math.pi * (1 - j / (n - 1))
            points.append((angle, radius * math.cos(angle), radius * math.sin(angle)))
    points.sort(key=lambda p: (-round(p[0], 9), p[1] ** 2 + p[2] ** 2))
    return [(x, y) for _, x, y in points]


def hemicycle(groups: Sequence[SeatGroup], *, ident: str, title: str, description: str) -> Markup:
    """A seat chart: one dot per seat on concentric arcs, the groups in the given order from the
    left. The number of dots is exactly the sum of the groups' seats."""
    total = sum(max(0, g.seats) for g in groups)
    size, margin = 100.0, 6.0
    rows = hemicycle_rows(total)
    spacing = min(
        [
            math.pi * _radius(i, len(rows)) / max(1, n - 1) if n > 1 else 1.0
            for i, n in enumerate(rows)
        ]
        + ([0.6 / (len(rows) - 1)] if len(rows) > 1 else [])
        + [0.5]
    )
    dot = size * spacing * 0.42
    width, height = 2 * (size + margin), size + 2 * margin
    parts = [
        f'<svg class="chart hemicycle" id="{escape(ident)}" '
        f'viewBox="0 0 {_number(width)} {_number(height)}" width="320" role="img" '
        f'aria-labelledby="{escape(ident)}-title {escape(ident)}-desc">',
        _labelled(ident, title, description),
    ]
    positions = iter(hemicycle_positions(total))
    for group in groups:
        for _ in range(max(0, group.seats)):
            x, y = next(positions)
            parts.append(
                f'<circle cx="{_number(size + margin + x * size)}" '
                f'cy="{_number(size + margin - y * size)}" r="{_number(dot)}" '
                f'fill="{group.colour}" data-group="{escape(group.key)}"/>'
            )
    parts.append(
        f'<text x="{_number(size + margin)}" y="{_number(size + margin - 4)}" '
        f'text-anchor="middle" font-size="{_number(max(10.0, size * 0.16))}" font-weight="bold" '
        f'fill="#000000">{total}</text></svg>'
    )
    return Markup("".join(parts))


# --- the turnout bars ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BarRow:
    label: str
    values: tuple[Fraction | None, ...]
    """One share (0–1) per series; ``None`` where there is no figure."""


def bar_chart(
    rows: Sequence[BarRow],
    series: Sequence[str],
    *,
    ident: str,
    title: str,
    description: str,
    ticks: Sequence[str],
) -> Markup:
    """Horizontal bars, one group per row and one bar per series, on a 0–100 % axis.

    ``series`` are the series' names (the legend is drawn in the chart); ``ticks`` the axis labels
    at 0, 25, 50, 75 and 100 % in the page's number format.
    """
    label_width, plot, bar, gap = 190.0, 420.0, 7.0, 6.0
    group = bar * len(series) + gap
    top = 22.0
    height = top + group * len(rows) + 24
    width = label_width + plot + 20
    parts = [
        f'<svg class="chart bars" id="{escape(ident)}" '
        f'viewBox="0 0 {_number(width)} {_number(height)}" width="100%" role="img" '
        f'aria-labelledby="{escape(ident)}-title {escape(ident)}-desc">',
        _labelled(ident, title, description),
    ]
    x = label_width
    for index, name in enumerate(series):
        colour = SERIES[index % len(SERIES)]
        parts.append(
            f'<rect x="{_number(x)}" y="4" width="12" height="12" fill="{colour}"/>'
            f'<text x="{_number(x + 16)}" y="14" font-size="11" fill="#000000">'
            f"{escape(name)}</text>"
        )
        x += 16 + 8 * len(name) + 14
    bottom = top + group * len(rows)
    for step, tick in enumerate(ticks):
        tx = label_width + plot * step / max(1, len(ticks) - 1)
        parts.append(
            f'<line x1="{_number(tx)}" y1="{_number(top)}" x2="{_number(tx)}" '
            f'y2="{_number(bottom)}" stroke="#767676" stroke-width="0.5"/>'
            f'<text x="{_number(tx)}" y="{_number(bottom + 14)}" text-anchor="middle" '
            f'font-size="10" fill="#000000">{escape(tick)}</text>'
        )
    for index, row in enumerate(rows):
        y = top + index * group
        parts.append(
            f'<text x="{_number(label_width - 6)}" y="{_number(y + bar * len(series) / 2 + 4)}" '
            f'text-anchor="end" font-size="11" fill="#000000">{escape(row.label)}</text>'
        )
        for s, value in enumerate(row.values):
            if value is None:
                continue
            share = min(max(float(value), 0.0), 1.0)
            parts.append(
                f'<rect x="{_number(label_width)}" y="{_number(y + s * bar)}" '
                f'width="{_number(plot * share)}" height="{_number(bar - 1)}" '
                f'fill="{SERIES[s % len(SERIES)]}" data-series="{s}"/>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
