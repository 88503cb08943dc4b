"""``saylau report monograph-check``: every derived figure the 2023 monograph prints, regenerated.

Reads the monograph's tables shipped with Saylau (no database), recomputes each printed total,
ratio, percentage, average and standard deviation with ``saylau.analytics`` and prints it next to
the printed value: ``equal``, or ``different`` with the documented inconsistency that explains it
(issue #7 §2). Exits 1 if a difference has no documented explanation, so the check can gate CI.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import StrEnum
from typing import Annotated, Any

import typer

from saylau.analytics.monograph import (
    INCONSISTENCIES,
    NOT_DERIVABLE,
    Comparison,
    Verdict,
    regenerate,
)

report_app = typer.Typer(
    help="Analytical reports: the monograph's indicators regenerated from source figures.",
    no_args_is_help=True,
)


class Format(StrEnum):
    """Output format of ``monograph-check``."""

    TABLE = "table"
    JSON = "json"


def register(app: typer.Typer) -> None:
    """Add the ``report`` group."""
    app.add_typer(report_app, name="report")


def check_document(comparisons: tuple[Comparison, ...]) -> dict[str, Any]:
    """The comparison as one JSON-ready document: summary, comparisons, inconsistencies used."""
    used = sorted({c.inconsistency for c in comparisons if c.inconsistency})
    return {
        "summary": {
            "compared": len(comparisons),
            "equal": sum(c.verdict is Verdict.EQUAL for c in comparisons),
            "different_documented": sum(
                c.verdict is Verdict.DIFFERENT and c.explained for c in comparisons
            ),
            "different_unexplained": sum(not c.explained for c in comparisons),
        },
        "comparisons": [asdict(c) | {"verdict": str(c.verdict)} for c in comparisons],
        "inconsistencies": [asdict(INCONSISTENCIES[i]) for i in used],
        "not_derivable": [{"table": t, "rows": rows, "why": why} for t, rows, why in NOT_DERIVABLE],
    }


def _table(comparisons: tuple[Comparison, ...]) -> str:
    header = ("table", "row", "column", "printed", "ours", "verdict", "reason")
    rows = [
        (
            c.table,
            c.row,
            c.column,
            c.printed,
            c.ours,
            str(c.verdict),
            c.inconsistency or ("UNEXPLAINED" if c.verdict is Verdict.DIFFERENT else ""),
        )
        for c in comparisons
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
        for r in (header, *rows)
    ]
    return "\n".join(lines)


@report_app.command("monograph-check")
def monograph_check(
    output: Annotated[
        Format, typer.Option("--format", help="table (default) or json.")
    ] = Format.TABLE,
    only_different: Annotated[
        bool, typer.Option("--only-different", help="List only the differing figures.")
    ] = False,
) -> None:
    """Regenerate every derived figure of the monograph's tables and compare it with the print."""
    comparisons = regenerate()
    shown = (
        tuple(c for c in comparisons if c.verdict is Verdict.DIFFERENT)
        if only_different
        else (comparisons)
    )
    document = check_document(comparisons)
    if output is Format.JSON:
        document["comparisons"] = check_document(shown)["comparisons"]
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        typer.echo(_table(shown))
        summary = document["summary"]
        typer.echo(
            f"\n{summary['compared']} printed derived figures: {summary['equal']} equal, "
            f"{summary['different_documented']} different for a documented reason, "
            f"{summary['different_unexplained']} unexplained."
        )
        for item in document["inconsistencies"]:
            typer.echo(f"- {item['id']}: {item['summary']} ({item['readme']})")
    if document["summary"]["different_unexplained"]:
        raise typer.Exit(1)
