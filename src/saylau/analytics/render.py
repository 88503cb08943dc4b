"""The analytical report as a file: HTML, PDF, XLSX, or its tables as CSV (issue #7 §3).

One :class:`~saylau.analytics.report.Report` is rendered in Kazakh, Russian or English: texts
through the ``analytics`` gettext catalogues beside this module (``locale/<lang>/LC_MESSAGES``,
read with Babel like the web's), numbers in the language's format (Babel), every exact value
rounded half-up to its column's precision (:func:`saylau.analytics.indicators.round_half_up`).

* HTML: one self-contained page (nothing loaded from elsewhere) with accessible SVG charts, each
  followed by the table holding its data (WCAG 2.1 AA 1.1.1), from ``templates/report.html``;
* PDF: the same tables and the charts as vector images, typeset by Typst with the fonts shipped in
  ``saylau.documents`` (``templates/report.typ``);
* XLSX: one sheet per table, numbers as numbers (``openpyxl``);
* CSV: one file per table, machine-readable (keys, plain decimals).
"""

from __future__ import annotations

import io
import itertools
import json
import math
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

import typst
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from saylau import charts
from saylau.analytics.figures import Names
from saylau.analytics.indicators import round_half_up
from saylau.analytics.report import (
    REPORT_TITLE,
    SOURCE_TITLES,
    SYNTHETIC_NOTE,
    Cell,
    Column,
    Figure,
    FigureKind,
    Kind,
    Report,
    Row,
    Table,
)
from saylau.catalogues import merged_translations
from saylau.domain.cells import FORMULA_STARTS, CsvWriter, spreadsheet_safe
from saylau.reference.region_grid import COLUMNS, GRID, ROWS

LANGUAGES = ("kk", "ru", "en")
LOCALE = resources.files("saylau.analytics") / "locale"
FONTS = resources.files("saylau.documents") / "fonts"
TEMPLATES = resources.files("saylau.analytics") / "templates"


@cache
def translations(language: str) -> Translations:
    """The ``analytics`` catalogues of ``language`` (msgids are English), compiled in memory."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: one of {', '.join(LANGUAGES)}")
    return merged_translations(LOCALE / language / "LC_MESSAGES", language)


class Texts:
    """Translation and number formatting in one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._t = translations(language)

    def __call__(self, message: str) -> str:
        return self._t.gettext(message)

    def label(self, label: Names | str) -> str:
        """A row label: a name in this language, or a translated msgid."""
        return label.get(self.language) if isinstance(label, Names) else self(label)

    def number(self, value: Decimal | int, places: int = 0) -> str:
        """A number in this language's format with exactly ``places`` decimals."""
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return format_decimal(
            value, format=pattern, locale=self.language, decimal_quantization=True
        )

    def day(self, value: Any) -> str:
        return format_date(value, format="long", locale=self.language)


def rounded(cell: Cell, column: Column) -> Decimal | int | str | None:
    """A cell as shown: counts as they are, shares × 100 and ratios rounded half-up to the
    column's places (a missing figure stays None, a TEXT cell its msgid)."""
    if cell is None or isinstance(cell, str):
        return cell
    if column.kind is Kind.COUNT and isinstance(cell, int):
        return cell
    value = Fraction(cell)
    if column.kind in (Kind.PERCENT, Kind.POINTS):
        value *= 100
    return round_half_up(value, column.places)


def cell_text(texts: Texts, cell: Cell, column: Column) -> str:
    """A cell as text in the report's language; "–" where the source has no figure."""
    value = rounded(cell, column)
    if value is None:
        return "–"
    if isinstance(value, str):
        return texts(value)
    places = 0 if column.kind is Kind.COUNT else column.places
    return texts.number(value, places)


def table_title(texts: Texts, table: Table) -> str:
    title = texts(table.title)
    return f"{title}: {texts(table.subtitle)}" if table.subtitle else title


# --- charts ----------------------------------------------------------------------------------------


def _axis(maximum: Fraction) -> Fraction:
    """A round axis maximum ≥ ``maximum`` (1, 2, 2.5 or 5 × a power of ten)."""
    if maximum <= 0:
        return Fraction(1)
    exponent = math.floor(math.log10(float(maximum)))
    for step in (1, 2, Fraction(5, 2), 5, 10):
        candidate = Fraction(step) * Fraction(10) ** exponent
        if candidate >= maximum:
            return candidate
    return Fraction(10) ** (exponent + 1)


def _body(table: Table) -> list[Row]:
    return [r for r in table.rows if not r.total]


def chart_svg(report: Report, figure: Figure, texts: Texts) -> Markup:
    """The SVG of one figure in the report's language (``saylau.charts``)."""
    table = report.table(figure.table)
    title = texts(figure.title)
    description = texts("The data are in the table that follows the chart.")
    columns = [table.columns[table.column(key)] for key in figure.columns]
    rows = _body(table)
    if figure.kind is FigureKind.MAP:
        index = table.column(figure.columns[0])
        by_code = {r.key: r for r in rows}
        tiles = []
        for grid in GRID:
            row = by_code.get(grid.code)
            share = row.cells[index] if row else None
            value = share if isinstance(share, Fraction) else None
            shown = f"{cell_text(texts, value, columns[0])} %" if value is not None else "–"
            short = {"kk": grid.short_kk, "ru": grid.short_ru, "en": grid.short_en}[texts.language]
            name = texts.label(row.label) if row else short
            tiles.append(
                charts.Tile(
                    code=grid.code,
                    column=grid.column,
                    row=grid.row,
                    label=short,
                    value=shown if row else "",
                    name=f"{name}: {shown}",
                    fill=charts.turnout_colour(value),
                    href=None,
                )
            )
        return charts.tile_map(
            tiles, columns=COLUMNS, rows=ROWS, ident=figure.id, title=title, description=description
        )
    values: list[list[Fraction | None]] = []
    for row in rows:
        line: list[Fraction | None] = []
        for column in columns:
            cell = row.cells[table.column(column.key)]
            line.append(None if cell is None or isinstance(cell, str) else Fraction(cell))
        values.append(line)
    present = [v for line in values for v in line if v is not None]
    is_share = all(c.kind is Kind.PERCENT for c in columns)
    top = _axis(max(present, default=Fraction(0)))
    if is_share:
        top = min(Fraction(1), _axis(max(present, default=Fraction(0)) * 100) / 100)
    bars = [
        charts.BarRow(
            texts.label(row.label),
            tuple(None if v is None else v / top for v in line),
        )
        for row, line in zip(rows, values, strict=True)
    ]
    ticks = []
    for step in range(5):
        tick = top * step / 4 * (100 if is_share else 1)
        places = 0 if tick.denominator == 1 else (1 if (tick * 10).denominator == 1 else 2)
        text = texts.number(round_half_up(tick, places), places)
        ticks.append(f"{text} %" if is_share else text)
    series = [texts(c.title) for c in columns]
    if figure.kind is FigureKind.TURNOUT:
        series = ["10:00", "16:00", texts("Final")]
    elif figure.kind is FigureKind.DISTRIBUTION:
        series = [texts("First level"), texts("Second level")]
    return charts.bar_chart(
        bars,
        series,
        ident=figure.id,
        title=title,
        description=description,
        ticks=ticks,
    )


# --- HTML ------------------------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("saylau.analytics", "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def _heading(report: Report, texts: Texts) -> dict[str, str]:
    election = report.election
    return {
        "title": texts(REPORT_TITLE),
        "election": election.name.get(texts.language),
        "day": texts.day(election.polling_day) if election.polling_day else "",
        "source": texts(SOURCE_TITLES[election.source.value]),
        "synthetic": texts(SYNTHETIC_NOTE) if election.synthetic else "",
    }


def _table_document(texts: Texts, table: Table) -> dict[str, Any]:
    return {
        "id": table.id,
        "title": table_title(texts, table),
        "label": texts(table.label_title),
        "columns": [texts(c.title) for c in table.columns],
        "column_keys": [c.key for c in table.columns],
        "rows": [
            {
                "key": r.key,
                "label": texts.label(r.label),
                "total": r.total,
                "cells": [
                    cell_text(texts, c, col) for c, col in zip(r.cells, table.columns, strict=True)
                ],
            }
            for r in table.rows
        ],
        "empty": texts("No figures.") if not table.rows else "",
        "note": texts(table.note) if table.note else "",
    }


def _document(report: Report, texts: Texts) -> dict[str, Any]:
    return {
        **_heading(report, texts),
        "sections": [
            {
                "id": s.id,
                "title": texts(s.title),
                "figures": [
                    {"id": f.id, "title": texts(f.title), "svg": chart_svg(report, f, texts)}
                    for f in s.figures
                ],
                "tables": [_table_document(texts, t) for t in s.tables],
            }
            for s in report.sections
        ],
    }


def render_html(report: Report, language: str) -> str:
    """The report as one self-contained, accessible HTML page."""
    texts = Texts(language)
    env = _environment()
    template = env.get_template("report.html")
    return template.render(
        lang=language, doc=_document(report, texts), _=texts, legend=_legend(texts)
    )


def render_html_parts(report: Report, language: str) -> tuple[Markup, Markup]:
    """The report's contents list and its sections (figures and tables) as HTML fragments, for a
    page that has its own frame (the public site's indicators page): the same markup as
    :func:`render_html`, from the same partial (``templates/report_parts.html``)."""
    texts = Texts(language)
    parts = _environment().get_template("report_parts.html")
    module = parts.make_module({"_": texts, "legend": _legend(texts)})
    document = _document(report, texts)
    contents: Markup = module.contents(document)  # type: ignore[attr-defined]
    sections: Markup = module.sections(document)  # type: ignore[attr-defined]
    return Markup(contents), Markup(sections)


def _legend(texts: Texts) -> Markup:
    bounds = [round_half_up(b * 100, 0) for b in charts.TURNOUT_BOUNDS]
    labels = [f"< {bounds[0]} %"]
    labels += [f"{a}–{b} %" for a, b in itertools.pairwise(bounds)]
    labels.append(f"≥ {bounds[-1]} %")
    entries = [
        charts.LegendEntry(c, label) for c, label in zip(charts.TURNOUT_SCALE, labels, strict=True)
    ]
    entries.append(charts.LegendEntry(charts.NO_DATA, texts("No figures.")))
    return charts.legend(entries, label=texts("Colour key of the map: final turnout"))


# --- PDF -------------------------------------------------------------------------------------------


def render_pdf(report: Report, language: str, *, generated_at: datetime | None = None) -> bytes:
    """The report as a PDF (A4 landscape), charts as vector images; Typst with the shipped fonts."""
    texts = Texts(language)
    document = _document(report, texts)
    for section in document["sections"]:
        for figure in section["figures"]:
            svg = str(figure["svg"])
            figure["svg"] = _standalone_svg(svg)
            figure["width_mm"] = _width_mm(svg)
    moment = (generated_at or datetime.now(UTC)).astimezone(UTC)
    payload = {
        "lang": language,
        "doc": document,
        "generated": moment.strftime("%Y-%m-%d %H:%M UTC"),
        "page": texts("Page"),
    }
    source = TEMPLATES / "report.typ"
    with resources.as_file(source) as path, resources.as_file(FONTS) as fonts:
        pdf: bytes = typst.compile(
            str(path),
            font_paths=[str(fonts)],
            ignore_system_fonts=True,
            sys_inputs={"payload": json.dumps(payload, ensure_ascii=False)},
            timestamp=int(moment.timestamp()),
        )
    return pdf


def _width_mm(svg: str, *, widest: int = 240, tallest: int = 150) -> int:
    """The printed width of a chart that keeps it within ``widest`` × ``tallest`` mm (A4 landscape
    less the margins), from its ``viewBox`` aspect, and its 11-unit labels near 9 pt (0.3 mm a
    unit)."""
    match = re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', svg)
    if match is None:
        return widest
    width, height = float(match.group(1)), float(match.group(2))
    return int(min(widest, tallest * width / height, width * 3 / 10))


def _standalone_svg(svg: str) -> str:
    """An inline SVG made a standalone image: the namespace and the shipped font."""
    return svg.replace(
        "<svg ",
        '<svg xmlns="http://www.w3.org/2000/svg" font-family="DejaVu Sans" ',
        1,
    ).replace('width="100%" ', "")


# --- XLSX and CSV ----------------------------------------------------------------------------------


def _sheet_name(table: Table, used: set[str]) -> str:
    name = table.id[:31]
    counter = 1
    while name in used:
        counter += 1
        name = f"{table.id[:28]}-{counter}"
    used.add(name)
    return name


def render_xlsx(report: Report, language: str) -> bytes:
    """The report's tables as a workbook: a contents sheet, then one sheet per table."""
    texts = Texts(language)
    book = Workbook()
    contents = book.active
    assert contents is not None
    contents.title = "contents"
    heading = _heading(report, texts)
    for line in (
        heading["title"],
        heading["election"],
        heading["day"],
        heading["source"],
        heading["synthetic"],
    ):
        if line:
            contents.append([line])
    contents["A1"].font = Font(bold=True)
    used = {"contents"}
    for table in report.tables():
        name = _sheet_name(table, used)
        contents.append([name, table_title(texts, table)])
        sheet = book.create_sheet(name)
        sheet.append([table_title(texts, table)])
        sheet["A1"].font = Font(bold=True)
        sheet.append([texts(table.label_title), *(texts(c.title) for c in table.columns)])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            values: list[Any] = [texts.label(row.label)]
            for cell, column in zip(row.cells, table.columns, strict=True):
                shown = rounded(cell, column)
                values.append(texts(shown) if isinstance(shown, str) else shown)
            sheet.append(values)
            for index, column in enumerate(table.columns, start=2):
                if column.kind is not Kind.COUNT:
                    target = sheet.cell(row=sheet.max_row, column=index)
                    target.number_format = "0." + "0" * column.places if column.places else "0"
            if row.total:
                sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        if table.note:
            sheet.append([])
            sheet.append([texts(table.note)])
        sheet.column_dimensions["A"].width = 40
    for sheet in book.worksheets:
        text_cells(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def text_cells(sheet: Worksheet) -> None:
    """Every text cell stays text (formula injection, issue #9 §7): openpyxl stores a string
    starting with ``=`` as a formula; such cells, and those starting with ``+``, ``-`` or ``@``,
    are written as strings marked with the quote prefix, so that editing them keeps them text."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"
                cell.quotePrefix = True


def table_csv(table: Table, texts: Texts) -> str:
    """One table as CSV: the row key, the label in the language, then each column by its key,
    values as plain decimals (point, no grouping) rounded as printed."""
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(["key", "label", *(c.key for c in table.columns)])
    for row in table.rows:
        values: list[str] = []
        for cell, column in zip(row.cells, table.columns, strict=True):
            shown = rounded(cell, column)
            values.append("" if shown is None else str(shown))
        writer.writerow([row.key, spreadsheet_safe(texts.label(row.label)), *values])
    return out.getvalue()


def render_csv(report: Report, language: str) -> bytes:
    """Every table as a CSV file (``<table id>.csv``), in one ZIP archive."""
    texts = Texts(language)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in report.tables():
            archive.writestr(f"{table.id}.csv", table_csv(table, texts))
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[Report, str], bytes]] = {
    "html": lambda report, language: render_html(report, language).encode("utf-8"),
    "pdf": lambda report, language: render_pdf(report, language),
    "xlsx": render_xlsx,
    "csv": render_csv,
}
"""Each output format of ``saylau report build``."""
