"""Text cells that a spreadsheet opens as text, never as a formula (CSV injection).

Saylau's CSV files (open data, public tables, analytics) carry names typed by party agents and
commissions; a spreadsheet that opens them runs any cell starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula (``=HYPERLINK(…)``, ``=cmd|…``). Such a text cell is
written with a leading apostrophe, the spreadsheets' own "this is text" mark (OWASP, "CSV
Injection"). Numbers — ``-12``, ``-1/3``, ``+2.5`` — are data and stay as they are.
"""

from __future__ import annotations

import re
from typing import Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[./]\d+)?(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value: Any) -> Any:
    """``value``, with a text that a spreadsheet would run as a formula prefixed by ``'``."""
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
