"""The monograph's indicators on the public site (issue #7 §3: "the portal shows the same
indicators for the public"; issue #5 §1).

One view per election, ``elections/{election_id}/indicators/``: the analytical report of the
stored election (:func:`saylau.analytics.stored.load_election`,
:func:`saylau.analytics.report.build_report`) — the tables and charts of the monograph's chapter 2
that ``saylau report build --format html`` writes — shown inside the public layout. The page's
figures and tables are the report's own HTML (:func:`saylau.analytics.render.render_html_parts`,
the partial ``report_parts.html`` shared with the standalone report): accessible SVG charts, each
followed by the table of its data (WCAG 2.1 AA 1.1.1), in Kazakh, Russian or English.

The JSON twin is the report model as data: every table with its columns and rows, each cell exact
(fractions ``"n/d"``) and as printed (rounded half-up to the column's places), titles and labels
in the three languages, and the figures the report was computed from. The CSV twin is every table
in one file, one line per cell, with a ``table`` column naming the table.

Only definitive protocols count (CL art. 43; :mod:`saylau.analytics.stored`), and demo data is
flagged as synthetic on the page and in the data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.analytics.figures import Names
from saylau.analytics.render import LANGUAGES, Texts, render_html_parts, rounded, table_title
from saylau.analytics.report import REPORT_TITLE, SOURCE_TITLES, SYNTHETIC_NOTE, Report, Table
from saylau.analytics.report import build_report as build
from saylau.analytics.stored import load_election
from saylau.services.jsonable import plain
from saylau.storage.models import Election
from saylau.web.pages.public.views import Params, View, register
from saylau.web.pages.public.views import Table as CsvTable

router = APIRouter(include_in_schema=False)

CSV_HEADER = ("table", "row", "label_kk", "label_ru", "label_en", "column", "value", "exact")
"""The CSV twin: one line per cell — the table's id, the row's key, its label in each language,
the column's key, the value as printed (a plain decimal, rounded half-up) and the exact value."""


def _in_every_language(message: str | Names) -> dict[str, str]:
    """A msgid of the ``analytics`` catalogue (or a name) in the three languages."""
    return {language: Texts(language).label(message) for language in LANGUAGES}


def _table_titles(table: Table) -> dict[str, str]:
    return {language: table_title(Texts(language), table) for language in LANGUAGES}


def _printed(cell: Any, column: Any) -> str | None:
    shown = rounded(cell, column)
    return None if shown is None else str(shown)


def _table_data(table: Table) -> dict[str, Any]:
    """One table of the report as data: exact cells by column key, and as printed."""
    return {
        "id": table.id,
        "title": _table_titles(table),
        "label_title": _in_every_language(table.label_title),
        "note": _in_every_language(table.note) if table.note else None,
        "columns": [
            {
                "key": c.key,
                "title": _in_every_language(c.title),
                "kind": c.kind.value,
                "places": c.places,
            }
            for c in table.columns
        ],
        "rows": [
            {
                "table": table.id,
                "key": row.key,
                "label": _in_every_language(row.label),
                "total": row.total,
                "values": {
                    c.key: plain(cell) for c, cell in zip(table.columns, row.cells, strict=True)
                },
                "printed": {
                    c.key: _printed(cell, c)
                    for c, cell in zip(table.columns, row.cells, strict=True)
                },
            }
            for row in table.rows
        ],
    }


class IndicatorsDocument(Mapping[str, Any]):
    """The indicators of one election: a mapping (what the JSON twin writes) that also holds the
    report itself, from which the page draws its charts."""

    def __init__(self, election_id: int, report: Report) -> None:
        self.election_id = election_id
        self.report = report
        election = report.election
        self._data: dict[str, Any] = {
            "election_id": election_id,
            "title": _in_every_language(REPORT_TITLE),
            "election": plain(election.name),
            "polling_day": plain(election.polling_day),
            "source": election.source.value,
            "source_title": _in_every_language(SOURCE_TITLES[election.source.value]),
            "synthetic": election.synthetic,
            "sections": [
                {
                    "id": section.id,
                    "title": _in_every_language(section.title),
                    "figures": [
                        {
                            "id": f.id,
                            "kind": f.kind.value,
                            "title": _in_every_language(f.title),
                            "table": f.table,
                            "columns": list(f.columns),
                        }
                        for f in section.figures
                    ],
                    "tables": [_table_data(t) for t in section.tables],
                }
                for section in report.sections
            ],
            "inputs": plain(election),
        }

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def indicators_document(session: Session, election_id: int) -> IndicatorsDocument:
    """The report of a stored election (NotFound for an unknown id)."""
    return IndicatorsDocument(election_id, build(load_election(session, election_id)))


def indicators_table(document: IndicatorsDocument) -> CsvTable:
    """Every cell of every table, one line each (:data:`CSV_HEADER`)."""
    rows = [
        (
            table["id"],
            row["key"],
            row["label"]["kk"],
            row["label"]["ru"],
            row["label"]["en"],
            column["key"],
            row["printed"][column["key"]],
            row["values"][column["key"]],
        )
        for section in document["sections"]
        for table in section["tables"]
        for row in table["rows"]
        for column in table["columns"]
    ]
    return CSV_HEADER, rows


def indicators_instances(session: Session) -> list[Params]:
    """Every stored election."""
    return [
        {"election_id": int(i)} for i in session.scalars(select(Election.id).order_by(Election.id))
    ]


@dataclass(frozen=True)
class IndicatorsView(View):
    """The indicators view: its page gets the report's heading, contents and sections."""

    def context(self, language: str, document: Any) -> Mapping[str, Any]:
        texts = Texts(language)
        contents, sections = render_html_parts(document.report, language)
        election = document.report.election
        return {
            "report_title": texts(REPORT_TITLE),
            "election_name": election.name.get(language),
            "polling_day": texts.day(election.polling_day) if election.polling_day else "",
            "source": texts(SOURCE_TITLES[election.source.value]),
            "synthetic": texts(SYNTHETIC_NOTE) if election.synthetic else "",
            "contents": contents,
            "sections": sections,
        }


INDICATORS = IndicatorsView(
    path="elections/{election_id}/indicators/",
    template="indicators.html",
    document=indicators_document,
    table=indicators_table,
    instances=indicators_instances,
)

VIEWS: tuple[View, ...] = (INDICATORS,)
"""The indicators view, for the router and the static publication."""

for _view in VIEWS:
    register(router, _view)
