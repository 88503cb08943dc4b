"""The benchmarks the frame knows, in report order: name → module under ``bench``.

Each module defines ``TITLE`` (the report's heading), ``NEEDS_DEMO`` (whether it runs on the demo
election), ``WHY_MISSED`` (what the report says when a target is missed: the profiled cause and
what would reach it; may be empty) and ``run(config) -> (figures, checks, details)``. A new
benchmark is one line here and its module.
"""

from __future__ import annotations

import importlib
from types import ModuleType

MODULES = {
    "B1": "b1_ingestion",
    "B2": "b2_tabulation",
    "B3": "b3_incremental",
    "B4": "b4_publication",
    "B5": "b5_entry",
    "B6": "b6_law",
    "B7": "b7_memory",
}

BENCHMARKS = tuple(MODULES)


def module(name: str) -> ModuleType:
    """The module of benchmark ``name`` (imported only where it runs)."""
    if name not in MODULES:
        raise SystemExit(f"unknown benchmark {name!r}")
    return importlib.import_module(f"bench.{MODULES[name]}")
