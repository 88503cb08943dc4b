"""``saylau publish --out DIR``: the public site as static files for any web server or CDN
(issue #5 §3; :mod:`saylau.publication`).

Reads the configured database (``SAYLAU_DATABASE_URL`` or the default SQLite file); nothing is
changed, so no role is needed: the site is public. A progress bar goes to standard error, one JSON
line with the counts (files, written, unchanged, removed) to standard output. An unknown
``--election`` exits 2.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from saylau.cli.common import database
from saylau.cli.export import sign_published
from saylau.cli.jsonio import fail, write_output
from saylau.publication import publish
from saylau.services.errors import ServiceError


def register(app: typer.Typer) -> None:
    """Add the ``publish`` command."""
    app.command("publish")(publish_command)


def publish_command(
    out: Annotated[
        Path, typer.Option("--out", help="The directory to publish into (created if missing).")
    ],
    election: Annotated[
        list[int] | None,
        typer.Option(
            "--election",
            help="Publish only this election's files (repeatable); the rest stays as it is.",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", min=1, help="Render in this many processes (default: one per core)."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Write the whole public site (pages in kk/ru/en, JSON and CSV twins, open data, calendars,
    assets) into DIR; a re-publication rewrites only the files whose bytes changed and removes
    those no longer produced."""
    started = time.monotonic()
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("publishing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=console,
        disable=quiet,
        transient=True,
    )
    task = bar.add_task("", total=None)

    def progress(done: int, total: int, label: str) -> None:
        bar.update(task, completed=done, total=total, description=label[:40])

    try:
        with bar, database() as factory:
            report = publish(factory, out, elections=election or None, progress=progress, jobs=jobs)
    except ServiceError as error:
        fail(error.message)
    except (OSError, ValueError) as error:
        fail(f"cannot publish into {out}: {error}")
    signed = sign_published(out)  # the open datasets' .sig and the public key (issue #9 §4)
    write_output(
        {
            "out": str(out),
            **report.summary(),
            "signed": signed["signed"],
            "seconds": round(time.monotonic() - started, 1),
        }
    )
