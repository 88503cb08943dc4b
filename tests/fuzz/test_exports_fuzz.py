"""CSV exports under hostile text: no cell a spreadsheet opens may start a formula (CSV injection).

Names come from party agents and commissions; the public tables and open data carry them. A text
cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
leading apostrophe; numbers (``-12``, ``-1/3``) stay data; the original is the cell without it.
"""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from saylau.domain.cells import spreadsheet_safe
from saylau.web.pages.public.site import csv_bytes
from tests.fuzz.hostile import HOSTILE_TEXT, bounded, count

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
GENERATED = TRIGGERS[:-1]
stored = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
"""Text a database holds (no lone surrogate: neither database stores one). A carriage return is
included: the writers quote it (``saylau.domain.cells.CsvWriter``; tests/fuzz/test_csv_xlsx_rows.py)."""
cells = st.one_of(
    st.sampled_from([t for t in HOSTILE_TEXT if "\ud800" not in t]),
    stored,
    st.builds(lambda t, s: t + s, st.sampled_from(GENERATED), stored),
    st.integers(),
)


@bounded(300)
@given(rows=st.lists(st.lists(cells, min_size=2, max_size=2), max_size=5))
def test_no_exported_text_cell_starts_a_formula(rows: list[list[object]]) -> None:
    count("export: CSV cells (formula injection)")
    written = csv_bytes(["name", "votes"], rows).decode("utf-8")
    read = list(csv.reader(io.StringIO(written, newline="")))
    assert read[0] == ["name", "votes"]
    for original, row in zip(rows, read[1:], strict=True):
        for value, cell in zip(original, row, strict=True):
            if isinstance(value, str) and value.startswith(TRIGGERS) and cell != value:
                assert cell == "'" + value
            else:
                assert cell == str(value)


def test_numbers_stay_numbers_and_formulas_become_text() -> None:
    assert spreadsheet_safe("-12") == "-12" and spreadsheet_safe("-1/3") == "-1/3"
    assert spreadsheet_safe(-5) == -5 and spreadsheet_safe("+2.5") == "+2.5"
    assert spreadsheet_safe("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)" and spreadsheet_safe("-2+3") == "'-2+3"
