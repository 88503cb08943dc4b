"""Text cells that a spreadsheet opens as text, never as a formula (CSV injection).

Saylau's CSV files (open data, public tables, analytics) carry names typed by party agents and
commissions; a spreadsheet that opens them runs any cell starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula (``=HYPERLINK(…)``, ``=cmd|…``). Such a text cell is
written with a leading apostrophe, the spreadsheets' own "this is text" mark (OWASP, "CSV
Injection"). Numbers — ``-12``, ``-1/3``, ``+2.5`` — are data and stay as they are.

A cell holding a line break must not break its row (issue #9 §7): Python's ``csv.writer`` with
``lineterminator="\n"`` quotes a cell holding ``\n`` but not one holding a lone ``\r`` (which
spreadsheets and CSV readers take as the end of a row), nor the other line separators of Unicode.
:class:`CsvWriter` writes RFC 4180 rows and quotes every cell holding any of :data:`LINE_BREAKS`,
a comma or a quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@")
"""What a spreadsheet reads as the start of a formula in a cell typed in or read from CSV."""
_TRIGGERS = (*FORMULA_STARTS, "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[./]\d+)?(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value: Any) -> Any:
    """``value``, with a text that a spreadsheet would run as a formula prefixed by ``'``."""
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
"""Every character ``str.splitlines`` ends a line at: a cell holding one is quoted."""
_QUOTED = frozenset(LINE_BREAKS + ',"')


def csv_field(value: Any) -> str:
    """One CSV cell (RFC 4180): ``None`` is empty, a value its ``str``; quoted (inner quotes
    doubled) when it holds a comma, a quote or a line break."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    if any(c in _QUOTED for c in text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: Iterable[Any]) -> str:
    """One CSV row ending in ``\n``; a row of one empty cell is written ``""`` (not a blank
    line, which readers skip)."""
    fields = [csv_field(v) for v in values]
    if fields == [""]:
        return '""\n'
    return ",".join(fields) + "\n"


class CsvWriter:
    """``csv.writer(out, lineterminator="\n")`` that also quotes every line break (see above)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def writerow(self, values: Iterable[Any]) -> None:
        self._out.write(csv_line(values))
