"""``saylau export nist | protocols``: an election's open data as files, the same bytes the public
site serves under ``/data/elections/{id}/`` (issue #5 §4).

Each command opens the database (``SAYLAU_DATABASE_URL`` or the default SQLite file) and reads it;
nothing is changed, so no role is needed: the data are public. Without ``--out`` the document goes
to standard output; with it, a one-line JSON summary does. An unknown election exits 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from saylau.cli.common import read
from saylau.cli.jsonio import fail, write_output
from saylau.opendata import nist, protocols
from saylau.services.tabulation import election_of

export_app = typer.Typer(
    help="Open data: an election in the NIST SP 1500-100 format, or its protocols as CSV.",
    no_args_is_help=True,
)

ElectionOption = Annotated[int, typer.Option("--election", help="The election's id.")]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Write to FILE instead of standard output.")
]


def register(app: typer.Typer) -> None:
    """Add the ``export`` group."""
    app.add_typer(export_app, name="export")


def _emit(body: bytes, out: Path | None, election: int, kind: str) -> None:
    if out is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    try:
        out.write_bytes(body)
    except OSError as exc:
        fail(f"cannot write {out}: {exc}")
    write_output({"election_id": election, "format": kind, "bytes": len(body), "out": str(out)})


@export_app.command("nist")
def export_nist(election: ElectionOption, out: OutOption = None) -> None:
    """The election as a NIST SP 1500-100 v2 Election Results Reporting document (JSON):
    definitive protocols only, identifiers stable across exports."""
    body = read(nist.report_bytes, election)
    _emit(body, out, election, "nist-1500-100")


@export_app.command("protocols")
def export_protocols(election: ElectionOption, out: OutOption = None) -> None:
    """Every definitive protocol of the election as CSV, one row per ballot line."""

    def table(session: Session, election_id: int) -> bytes:
        election_of(session, election_id)
        return b"".join(protocols.csv_chunks(session, election_id))

    body = read(table, election)
    _emit(body, out, election, "protocols-csv")
