"""``saylau report``: the monograph check and the analytical report.

``saylau report build`` writes the chapter-2 report (``saylau.analytics.report``) of a stored
election or of the 2023 monograph tables as HTML, PDF, XLSX or CSV in kk, ru or en (issue #7 §3).

``saylau report monograph-check``: every derived figure the 2023 monograph prints, regenerated.

Reads the monograph's tables shipped with Saylau (no database), recomputes each printed total,
ratio, percentage, average and standard deviation with ``saylau.analytics`` and prints it next to
the printed value: ``equal``, or ``different`` with the documented inconsistency that explains it
(issue #7 §2). Exits 1 if a difference has no documented explanation, so the check can gate CI.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from saylau.analytics.figures import from_seed
from saylau.analytics.monograph import (
    INCONSISTENCIES,
    NOT_DERIVABLE,
    Comparison,
    Verdict,
    regenerate,
)
from saylau.analytics.render import RENDERERS
from saylau.analytics.report import build_report
from saylau.analytics.stored import load_election
from saylau.cli.common import read
from saylau.cli.jsonio import fail, write_output

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


class ReportFormat(StrEnum):
    """Output format of ``report build``."""

    HTML = "html"
    PDF = "pdf"
    XLSX = "xlsx"
    CSV = "csv"


class Language(StrEnum):
    KK = "kk"
    RU = "ru"
    EN = "en"


@report_app.command("build")
def build(
    out: Annotated[Path, typer.Option("--out", help="The file to write.")],
    election: Annotated[
        int | None, typer.Option("--election", help="A stored election's id.")
    ] = None,
    seed: Annotated[
        bool, typer.Option("--seed", help="The 2023 election from the monograph's tables.")
    ] = False,
    output: Annotated[
        ReportFormat,
        typer.Option("--format", help="html, pdf, xlsx, or csv (a ZIP of one CSV per table)."),
    ] = ReportFormat.HTML,
    language: Annotated[Language, typer.Option("--language", help="kk, ru or en.")] = Language.KK,
) -> None:
    """The analytical report in the structure of the monograph's chapter 2 (issue #7 §3), for a
    stored election (``--election ID``) or the 2023 monograph tables (``--seed``)."""
    if seed == (election is not None):
        fail("give exactly one of --election ID and --seed")
    figures = read(load_election, election) if election is not None else from_seed()
    body = RENDERERS[output.value](build_report(figures), language.value)
    try:
        out.write_bytes(body)
    except OSError as exc:
        fail(f"cannot write {out}: {exc}")
    write_output(
        {
            "source": figures.source.value,
            "election_id": election,
            "format": output.value,
            "language": language.value,
            "bytes": len(body),
            "out": str(out),
        }
    )
