"""The public overview views (issue #5 §1, second part): turnout through polling day, the map of the
20 regions, and a maslikhat's candidates, party lists and elected deputies, each a
:class:`~saylau.web.pages.public.views.View` with its JSON and CSV twins.

The documents come from :mod:`saylau.services.public`; the pages format them with the
results site's helpers (:func:`saylau.web.pages.public.results.helpers`) and draw the charts with
:mod:`saylau.web.charts` (server-rendered SVG beside a table of the same figures). :data:`VIEWS`
lists every view, for the router and the static publication.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from babel.numbers import format_decimal, format_percent
from fastapi import APIRouter
from markupsafe import Markup

from saylau.reference.region_grid import COLUMNS, GRID, ROWS
from saylau.services.public.common import election_ids
from saylau.services.public.map import MapRegion, RegionMap, map_instances, region_map
from saylau.services.public.people import (
    BodyCandidates,
    BodyDeputies,
    CandidateRow,
    DeputyRow,
    body_candidates,
    body_deputies,
    candidates_instances,
)
from saylau.services.public.turnout import TurnoutOverview, TurnoutRow, turnout_overview
from saylau.web import charts
from saylau.web.i18n import gettext
from saylau.web.pages.commission import labels
from saylau.web.pages.public.results import ResultsView, helpers, rows_table
from saylau.web.pages.public.seats import figure
from saylau.web.pages.public.views import Params, Table, View, register

router = APIRouter(include_in_schema=False)


def N_(message: str) -> str:
    """Marks a message for the catalogue (``public_overview.po``); translated where shown."""
    return message


MEASURES: dict[str, str] = {
    "turnout": N_("Turnout"),
    "party": N_("Leading party"),
    "competitiveness": N_("Competitiveness"),
}
"""What the map can be coloured by."""

CANDIDACY_STATUSES: dict[str, str] = {
    "nominated": N_("Nominated"),
    "registered": N_("Registered"),
    "refused": N_("Refused registration"),
    "cancelled": N_("Registration cancelled"),
    "withdrawn": N_("Withdrawn"),
    "elected": N_("Elected"),
}

NOMINATED_BY: dict[str, str] = {
    "party": N_("Political party"),
    "public_association": N_("Public association"),
    "self": N_("Self-nominated"),
}

SOURCES: dict[str, str] = {
    "party_list": N_("Party list"),
    "single_member": N_("Single-member district"),
}

DEPUTY_STATES: dict[str, str] = {
    "registered": N_("Registered deputy"),
    "assigned": N_("List seat given, not yet registered"),
    "won": N_("Elected, not yet registered"),
}

BAND_RANGES: dict[str, str] = {"low": "≤ 0.3", "medium": "0.4–0.6", "high": "≥ 0.7"}
"""The rounded KB of each band (decision #18)."""


# --- the tables -----------------------------------------------------------------------------------


def _turnout_table(doc: TurnoutOverview) -> Table:
    return rows_table([doc.national, *doc.regions], TurnoutRow)


def _map_table(doc: RegionMap) -> Table:
    return rows_table(doc.regions, MapRegion)


def _candidates_table(doc: BodyCandidates) -> Table:
    return rows_table(doc.rows, CandidateRow)


def _deputies_table(doc: BodyDeputies) -> Table:
    return rows_table(doc.deputies, DeputyRow)


# --- the pages' helpers -----------------------------------------------------------------------------


def overview_helpers(language: str) -> dict[str, Any]:
    """Formatting and charts for the overview pages in ``language``."""
    base = helpers(language)
    name = base["name"]
    percent = base["percent"]

    def tr(message: str) -> str:
        return gettext(language, message)

    def points(value: Fraction | str | None) -> str:
        """A difference of two shares in percentage points, signed: ``+3.20``."""
        if value is None or value == "":
            return "—"
        exact = Fraction(value) * 100
        sign = "+" if exact > 0 else "-" if exact < 0 else ""
        return sign + format_decimal(round(abs(float(exact)), 2), "#,##0.00", locale=language)

    def decimal(text: str | None) -> str:
        return "—" if text is None else format_decimal(Decimal(text), "0.0", locale=language)

    def whole_percent(value: Fraction) -> str:
        return format_percent(float(value), "#,##0%", locale=language)

    def person(row: Any) -> str:
        return str(row.name_ru if language == "ru" else row.name)

    def party_name(parties: Any, code: str | None) -> str:
        if not code:
            return "—"
        found = next((p for p in parties if p.code == code), None)
        return name(found) if found is not None else code

    def turnout_chart(view: TurnoutOverview) -> Markup:
        rows = [view.national, *view.regions]
        series = [*view.marks, tr(N_("Final"))]
        description = "; ".join(
            f"{name(row)}: "
            + ", ".join(f"{m} {percent(row.share[m])}" for m in view.marks)
            + f", {tr(N_('Final'))} {percent(row.final)}"
            for row in rows
        )
        return charts.bar_chart(
            [
                charts.BarRow(name(row), (*(row.share[m] for m in view.marks), row.final))
                for row in rows
            ],
            series,
            ident="turnout-chart",
            title=tr(N_("Turnout by region through polling day")),
            description=description,
            ticks=[whole_percent(Fraction(n, 100)) for n in (0, 25, 50, 75, 100)],
        )

    def cartogram(view: RegionMap) -> Markup:
        colours = charts.party_colours([p.code for p in view.parties])
        short = {c.code: getattr(c, f"short_{language}") for c in GRID}
        election = view.election.election_id
        tiles = []
        described = []
        for region in view.regions:
            if region.column < 0:
                continue
            value, fill = _tile_value(view.measure, region, colours, percent, decimal, name)
            shown = value or tr(N_("No data"))
            described.append(f"{name(region)}: {shown}")
            tiles.append(
                charts.Tile(
                    code=region.region_code,
                    column=region.column,
                    row=region.row,
                    label=short.get(region.region_code, region.region_code),
                    value=_fit(value),
                    name=f"{name(region)}: {shown}",
                    fill=fill,
                    href=f"/{language}/elections/{election}/regions/{region.region_code}/"
                    if region.in_election
                    else None,
                )
            )
        title = tr(N_("Map of the regions: {measure}")).format(measure=tr(MEASURES[view.measure]))
        drawing = charts.tile_map(
            tiles,
            columns=COLUMNS,
            rows=ROWS,
            ident="region-map",
            title=title,
            description="; ".join(described),
        )
        key = charts.legend(_legend(view, colours, tr, name), label=tr(N_("Colour key")))
        return Markup(f"{drawing}{key}")

    def composition_chart(view: BodyDeputies) -> Markup:
        codes = [c.party for c in view.composition if c.party]
        colours = charts.party_colours(codes)
        groups = [
            charts.SeatGroup(
                key=c.party or "none",
                label=name(c, "party") if c.party else tr(N_("Without a party")),
                seats=c.seats,
                colour=colours[c.party] if c.party else charts.NO_DATA,
            )
            for c in view.composition
        ]
        return figure(
            groups,
            ident="composition",
            title=tr(N_("Mandates by party")),
            language=language,
        )

    return {
        **base,
        "points": points,
        "decimal": decimal,
        "person": person,
        "party_name": party_name,
        "turnout_chart": turnout_chart,
        "cartogram": cartogram,
        "composition_chart": composition_chart,
        "measure_label": lambda measure: tr(MEASURES[measure]),
        "candidacy_status": lambda code: tr(_label(CANDIDACY_STATUSES, code)),
        "nominated_label": lambda code: tr(_label(NOMINATED_BY, code)),
        "source_label": lambda code: tr(_label(SOURCES, code)),
        "deputy_state": lambda code: tr(_label(DEPUTY_STATES, code)),
        "measures": tuple(MEASURES),
    }


def _label(names: dict[str, str], code: str) -> str:
    return names.get(code, code)


def _fit(text: str, limit: int = 11) -> str:
    """A value short enough for a tile (the full text is in the tile's name and the table)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tile_value(
    measure: str,
    region: MapRegion,
    colours: dict[str, str],
    percent: Callable[..., str],
    decimal: Callable[..., str],
    name: Callable[..., str],
) -> tuple[str, str]:
    """The text on a region's tile and its colour for ``measure``."""
    if measure == "turnout":
        if region.turnout is None:
            return "", charts.NO_DATA
        return percent(region.turnout), charts.turnout_colour(region.turnout)
    if measure == "party":
        if region.leader is None:
            return "", charts.NO_DATA
        return name(region, "leader"), colours.get(region.leader, charts.NO_DATA)
    if region.band is None:
        return "", charts.NO_DATA
    return decimal(region.competitiveness), charts.BAND_COLOURS[region.band]


def _legend(
    view: RegionMap,
    colours: dict[str, str],
    tr: Callable[[str], str],
    name: Callable[..., str],
) -> list[charts.LegendEntry]:
    """The colour key of the map's measure, with "no data" when a tile has none."""
    entries: list[charts.LegendEntry] = []
    if view.measure == "turnout":
        bounds = [int(b * 100) for b in charts.TURNOUT_BOUNDS]
        labels_ = [f"< {bounds[0]} %"]
        labels_ += [f"{a}–{b} %" for a, b in itertools.pairwise(bounds)]
        labels_ += [f"≥ {bounds[-1]} %"]
        entries = [
            charts.LegendEntry(colour, label)
            for colour, label in zip(charts.TURNOUT_SCALE, labels_, strict=True)
        ]
        missing = any(r.turnout is None for r in view.regions if r.column >= 0)
    elif view.measure == "party":
        entries = [charts.LegendEntry(colours[p.code], name(p)) for p in view.parties]
        missing = any(r.leader is None for r in view.regions if r.column >= 0)
    else:
        entries = [
            charts.LegendEntry(colour, f"{tr(labels.BANDS[band])} ({BAND_RANGES[band]})")
            for band, colour in charts.BAND_COLOURS.items()
        ]
        missing = any(r.band is None for r in view.regions if r.column >= 0)
    if missing:
        entries.append(charts.LegendEntry(charts.NO_DATA, tr(N_("No data"))))
    return entries


# --- the views ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewView(ResultsView):
    """An overview view: its pages get the results helpers and the charts."""

    def context(self, language: str, document: Any) -> Mapping[str, Any]:
        return overview_helpers(language)


def _elections(session: Any) -> list[Params]:
    return [{"election_id": i} for i in election_ids(session)]


TURNOUT = OverviewView(
    path="elections/{election_id}/turnout/",
    template="overview_turnout.html",
    document=turnout_overview,
    table=_turnout_table,
    instances=_elections,
)
MAP = OverviewView(
    path="elections/{election_id}/map/{measure}/",
    template="overview_map.html",
    document=region_map,
    table=_map_table,
    instances=map_instances,
)
CANDIDATES = OverviewView(
    path="elections/{election_id}/bodies/{body_id}/candidates/",
    template="overview_candidates.html",
    document=body_candidates,
    table=_candidates_table,
    instances=candidates_instances,
)
DEPUTIES = OverviewView(
    path="elections/{election_id}/bodies/{body_id}/deputies/",
    template="overview_deputies.html",
    document=body_deputies,
    table=_deputies_table,
    instances=candidates_instances,
)

VIEWS: tuple[View, ...] = (TURNOUT, MAP, CANDIDATES, DEPUTIES)
"""Every overview view, for the router and the static publication."""

for _view in VIEWS:
    register(router, _view)
