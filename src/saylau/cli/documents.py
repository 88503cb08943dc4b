"""``saylau documents <kind> --election ID --out DIR [--jobs N]``: every document of one kind for an
election, as PDFs in a directory (issue #6 §6).

One command per kind registered in ``saylau.documents.bulk.KINDS`` (adding a kind there adds its
command here). The run reads the database (``--database URL``, else ``SAYLAU_DATABASE_URL`` or the
default SQLite file) and changes nothing in it; it renders with ``--jobs`` processes (every core by
default), shows a progress bar on standard error, skips the files a previous run already produced
from the same content (``manifest.json``) and prints a one-line JSON summary. A refusal (unknown
election, a ballot that is not frozen …) exits 2 with its message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from saylau.cli.jsonio import fail, write_output
from saylau.documents.bulk import KINDS, generate
from saylau.services.errors import ServiceError
from saylau.storage.db import make_engine, migrate, session_factory

documents_app = typer.Typer(
    help="Official documents as print-ready PDFs, generated in bulk for a whole election.",
    no_args_is_help=True,
)

ElectionOption = Annotated[int, typer.Option("--election", help="The election's id.")]
OutOption = Annotated[Path, typer.Option("--out", help="The directory to write the PDFs to.")]
JobsOption = Annotated[
    int | None,
    typer.Option("--jobs", min=1, help="Rendering processes (default: every core)."),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="Database URL (default: the configured database)."),
]


def register(app: typer.Typer) -> None:
    """Add the ``documents`` group with one command per registered kind."""
    app.add_typer(documents_app, name="documents")


def run(kind: str, election: int, out: Path, jobs: int | None, database: str | None) -> None:
    """Generate, with a progress bar, and print the summary; refusals exit 2."""
    engine = make_engine(database) if database else make_engine()
    try:
        migrate(engine)
        factory = session_factory(engine)
        with (
            factory() as session,
            Progress(
                TextColumn(f"{kind}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            ) as bar,
        ):
            task = bar.add_task(kind, total=None)

            def advance(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            summary = generate(session, kind, election, out, workers=jobs, progress=advance)
    except ServiceError as error:
        fail(error.message)
    except OSError as error:
        fail(f"cannot write to {out}: {error}")
    finally:
        engine.dispose()
    write_output(summary.as_json())


def _command(kind: str) -> None:
    def command(
        election: ElectionOption,
        out: OutOption,
        jobs: JobsOption = None,
        database: DatabaseOption = None,
    ) -> None:
        run(kind, election, out, jobs, database)

    command.__doc__ = f"Every {kind} document of an election, as PDFs in DIR (resumable)."
    documents_app.command(kind)(command)


for _kind in KINDS:
    _command(_kind)
