"""Prints how many cases each parser family ran (the figures of ``docs/security.md``)."""

from __future__ import annotations

import pytest

from tests.fuzz.hostile import CASES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CASES:
        return
    terminalreporter.write_sep("-", "fuzz cases run")
    for family, n in sorted(CASES.items()):
        terminalreporter.write_line(f"{family}: {n}")
    terminalreporter.write_line(f"total: {sum(CASES.values())}")
