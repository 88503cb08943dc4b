"""The public results views (issue #5 §1): the drill-down national → region → maslikhat → contest →
precinct, each a :class:`~saylau.web.pages.public.views.View` with its JSON and CSV twins.

The documents come from :mod:`saylau.services.public`; the pages only format them (Babel
numbers, percentages and times in the reader's language). Every page shows the breadcrumbs, "X of Y
precincts counted", the last update, whether the figures are official or preliminary, the synthetic
flag of demo data, and the links to its twins. :data:`VIEWS` lists every view, for the static
publication.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal
from fastapi import APIRouter
from markupsafe import Markup, escape

from saylau.services.deadlines import capital_zone
from saylau.services.public.body import BodyResults, BodyRow, body_results
from saylau.services.public.common import (
    Crumb,
    body_instances,
    election_ids,
    region_instances,
)
from saylau.services.public.contest import (
    ContestPrecincts,
    ContestResults,
    PrecinctRow,
    contest_instances,
    contest_page_instances,
    contest_precincts,
    contest_results,
)
from saylau.services.public.election import (
    ElectionResults,
    RegionResults,
    RegionRow,
    election_results,
    region_results,
)
from saylau.services.public.precinct import (
    PrecinctResults,
    ProtocolLine,
    precinct_instances,
    precinct_results,
)
from saylau.services.public.tally import DistrictRow
from saylau.web.i18n import gettext
from saylau.web.pages.commission import labels
from saylau.web.pages.public.seats import seat_chart
from saylau.web.pages.public.views import Params, Table, View, register
from saylau.web.pages.render import number_text

router = APIRouter(include_in_schema=False)


def N_(message: str) -> str:
    """Marks a message for the catalogue (``public_results.po``); translated where shown."""
    return message


LINES: dict[str, str] = {
    "voters_on_list": N_("Voters on the list"),
    "ballots_received": N_("Ballots received"),
    "ballots_issued": N_("Ballots issued"),
    "ballots_cancelled": N_("Ballots cancelled"),
    "ballots_in_boxes": N_("Ballots in the boxes"),
    "portable_box_ballots": N_("Ballots in portable boxes"),
    "portable_box_requests": N_("Requests to vote at home"),
    "against_all": N_("Against all"),
    "invalid": N_("Invalid ballots"),
    "portable_box_invalidated": N_("Portable-box ballots declared invalid"),
}
"""The lines of a precinct protocol (CL art. 43)."""

STATUSES: dict[str, str] = {
    **labels.OUTCOMES,
    "not_tabulated": N_("Counting, not tabulated yet"),
}

BODY_KINDS: dict[str, str] = {
    "oblast": N_("Oblast maslikhat"),
    "republican_city": N_("City maslikhat (republican significance)"),
    "capital": N_("Capital city maslikhat"),
    "city": N_("City maslikhat"),
    "district": N_("District maslikhat"),
    "mazhilis": N_("Mazhilis"),
}


# --- the CSV tables --------------------------------------------------------------------------------


def rows_table(rows: Sequence[Any], row_type: type[Any]) -> Table:
    """A table of flat dataclass rows: one column per field; a mapping field (a precinct's
    votes per ballot line) becomes one ``<field>.<key>`` column per key found."""
    header: list[str] = []
    nested: dict[str, list[str]] = {}
    for f in fields(row_type):
        values = [getattr(row, f.name) for row in rows]
        if any(isinstance(v, dict) for v in values):
            keys = sorted({k for v in values for k in v}, key=_natural)
            nested[f.name] = keys
            header += [f"{f.name}.{k}" for k in keys]
        else:
            header.append(f.name)

    def cells(row: Any) -> list[Any]:
        out: list[Any] = []
        for f in fields(row_type):
            value = getattr(row, f.name)
            if f.name in nested:
                out += [value.get(k) for k in nested[f.name]]
            else:
                out.append(value)
        return out

    return header, [cells(row) for row in rows]


def _natural(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (0, key)


def _election_table(doc: ElectionResults) -> Table:
    return rows_table(doc.regions, RegionRow)


def _region_table(doc: RegionResults) -> Table:
    return rows_table(doc.bodies, BodyRow)


def _body_table(doc: BodyResults) -> Table:
    return rows_table(doc.districts, DistrictRow)


def _contest_table(doc: ContestResults | ContestPrecincts) -> Table:
    return rows_table(doc.precincts, PrecinctRow)


def _precinct_table(doc: PrecinctResults) -> Table:
    lines = [line for protocol in doc.protocols for line in protocol.lines]
    return rows_table(lines, ProtocolLine)


# --- the views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultsView(View):
    """A results view: its pages get the formatting helpers of the results site."""

    def context(self, language: str, document: Any) -> Mapping[str, Any]:
        return helpers(language)


@cache
def _percent_symbols(language: str) -> tuple[str, str, str, str]:
    symbols = Locale.parse(language).number_symbols["latn"]
    return symbols["decimal"], symbols["group"], symbols["percentSign"], symbols["minusSign"]


_CENT = Decimal("0.01")


def percent_text(value: float, language: str) -> str:
    """``format_percent(value, format="#,##0.00%", locale=language)`` as Babel writes it (the
    same decimal rounding, half to even), without its pattern machinery: a results page shows
    hundreds of shares."""
    number = Decimal(str(value)).scaleb(2)
    negative = number.is_signed()
    whole, _, cents = f"{abs(number).normalize().quantize(_CENT):f}".partition(".")
    point, group, sign, minus = _percent_symbols(language)
    text = f"{int(whole):,}".replace(",", group) + point + cents + sign
    return minus + text if negative else text


def _cell(column: str, text: str) -> Markup:
    """A number cell of a results table, the column and the text escaped (as the template's
    autoescape would; ``Markup.format`` was most of a table's rendering time)."""
    return Markup(f'<td class="number" data-column="{escape(column)}">{escape(text)}</td>')


@lru_cache(maxsize=4096)
def local_text(moment: datetime, language: str) -> str:
    """``moment`` in the capital's zone as Babel writes it in ``language``, with the zone's name;
    remembered: the pages of an election show the same few moments thousands of times."""
    zone = capital_zone()
    shown = moment.astimezone(zone)
    return f"{format_datetime(shown, 'medium', tzinfo=zone, locale=language)} ({zone.key})"


def helpers(language: str) -> dict[str, Callable[..., Any]]:
    """Formatting for the results pages in ``language``: exact figures shown as percentages and
    fractions, moments in the capital's zone, names in the reader's language."""

    def tr(message: str) -> str:
        return gettext(language, message)

    def percent(value: Fraction | str | None) -> str:
        if value is None or value == "":
            return "—"
        return percent_text(float(Fraction(value)), language)

    def fraction(value: Fraction | str | None) -> str:
        if value is None or value == "":
            return "—"
        exact = Fraction(value)
        if exact.denominator == 1:
            return format_decimal(exact.numerator, locale=language)
        approx = format_decimal(round(float(exact), 6), format="#,##0.######", locale=language)
        return f"{exact.numerator}/{exact.denominator} ≈ {approx}"

    def local(moment: datetime | None) -> str:
        return "—" if moment is None else local_text(moment, language)

    def num_cell(column: str, value: int | float | None) -> Markup:
        """A table's number cell (what a macro wrote, without a macro call per cell)."""
        return _cell(column, "—" if value is None else number_text(value, language))

    def pct_cell(column: str, value: Fraction | str | None) -> Markup:
        """A table's percentage cell."""
        return _cell(column, percent(value))

    def precinct_rows(view: Any) -> Markup:
        """The rows of a contest's precinct table (``results_contest.html``)."""
        election = view.election.election_id
        choices = [str(ch.choice_id) for ch in view.columns]
        out = []
        for p in view.precincts:
            cells = "".join(
                [
                    num_cell("voters_on_list", p.voters_on_list),
                    num_cell("ballots_in_boxes", p.ballots_in_boxes),
                    num_cell("valid", p.valid),
                    num_cell("against_all", p.against_all),
                    num_cell("invalid", p.invalid),
                    pct_cell("turnout", p.turnout),
                ]
            )
            votes = "".join(
                num_cell(f"votes.{c}", p.votes.get(c) if p.counted else None) for c in choices
            )
            out.append(
                f'  <tr data-row="precinct_id:{p.precinct_id}">\n'
                f'    <th scope="row"><a href="/{language}/elections/{election}/precincts/'
                f'{p.precinct_id}/">{escape(p.region_code)} № <span data-column="number">'
                f"{p.number}</span></a></th>\n"
                f'    <td data-column="address">{escape(p.address)}</td>'
                f"{num_cell('voters', p.voters)}\n"
                f"    {cells}\n{votes}  </tr>\n"
            )
        return Markup("".join(out))

    def name(item: Any, prefix: str = "name") -> str:
        for code in (language, "kk", "en"):
            value = getattr(item, f"{prefix}_{code}", None)
            if value:
                return str(value)
        return ""

    def kind_label(kind: str) -> str:
        return tr(labels.CONTEST_KINDS.get(kind, kind))

    def body_kind(kind: str) -> str:
        return tr(BODY_KINDS.get(kind, kind))

    def status_label(status: str) -> str:
        return tr(STATUSES.get(status, status))

    def band_label(band: str | None) -> str:
        return "—" if band is None else tr(labels.BANDS.get(band, band))

    def reason_label(reason: str) -> str:
        return tr(labels.AWARD_REASONS.get(reason, reason))

    def line_label(line: Any) -> str:
        return str(line.label) if line.line == "choice" else tr(LINES.get(line.line, line.line))

    def contest_label(item: Any, prefix: str = "body") -> str:
        text = f"{name(item, prefix)} — {kind_label(item.kind)}"
        number = getattr(item, "district_number", None) or getattr(item, "number", None)
        return f"{text} № {number}" if number else text

    def crumb_label(crumb: Crumb) -> str:
        if crumb.level == "contest":
            return contest_label(crumb, "name")
        if crumb.level == "precinct":
            return tr(N_("Precinct № {number}")).format(number=crumb.number)
        return name(crumb)

    return {
        "percent": percent,
        "num_cell": num_cell,
        "pct_cell": pct_cell,
        "precinct_rows": precinct_rows,
        "fraction": fraction,
        "local": local,
        "name": name,
        "kind_label": kind_label,
        "body_kind": body_kind,
        "status_label": status_label,
        "band_label": band_label,
        "reason_label": reason_label,
        "line_label": line_label,
        "contest_label": contest_label,
        "crumb_label": crumb_label,
        "seat_chart": seat_chart(language),
    }


def _elections(session: Any) -> list[Params]:
    return [{"election_id": i} for i in election_ids(session)]


ELECTION = ResultsView(
    path="elections/{election_id}/",
    template="results_election.html",
    document=election_results,
    table=_election_table,
    instances=_elections,
)
REGION = ResultsView(
    path="elections/{election_id}/regions/{region_code}/",
    template="results_region.html",
    document=region_results,
    table=_region_table,
    instances=region_instances,
)
BODY = ResultsView(
    path="elections/{election_id}/bodies/{body_id}/",
    template="results_body.html",
    document=body_results,
    table=_body_table,
    instances=body_instances,
)
CONTEST = ResultsView(
    path="elections/{election_id}/contests/{contest_id}/",
    template="results_contest.html",
    document=contest_results,
    table=_contest_table,
    instances=contest_instances,
)
CONTEST_PAGE = ResultsView(
    path="elections/{election_id}/contests/{contest_id}/precincts/{number}/",
    template="results_contest_page.html",
    document=contest_precincts,
    table=_contest_table,
    instances=contest_page_instances,
)
PRECINCT = ResultsView(
    path="elections/{election_id}/precincts/{precinct_id}/",
    template="results_precinct.html",
    document=precinct_results,
    table=_precinct_table,
    instances=precinct_instances,
)

VIEWS: tuple[View, ...] = (ELECTION, REGION, BODY, CONTEST, CONTEST_PAGE, PRECINCT)
"""Every results view, for the router and the static publication."""

for _view in VIEWS:
    register(router, _view)
