"""``saylau backup OUT`` / ``saylau restore IN``: the whole database as one file, and back
(issue #9 §9; :mod:`saylau.services.backup`).

``backup`` takes a consistent online snapshot of the configured database (``SAYLAU_DATABASE_URL``
or the default SQLite file) while the server keeps writing, and prints its manifest. ``restore``
checks the file's SHA-256, restores it into the configured database (or ``--database URL``), which
must be empty unless ``--force``, then checks every table's row count against the manifest,
verifies the audit chain and re-tabulates every election (``tabulate --verify``), and prints all
of it. Exit 0 when everything holds, 1 when the data are restored but a check fails (the report
says which), 2 when nothing was restored (damaged file, non-empty target, missing tool).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from saylau.cli.jsonio import fail, write_output
from saylau.services.audit import verify_chain
from saylau.services.backup import BackupError, Restored, backup, restore
from saylau.services.errors import ServiceError
from saylau.services.verification import verify_results
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import Contest, Election


def register(app: typer.Typer) -> None:
    """Add the ``backup`` and ``restore`` commands."""
    app.command("backup", help="Write a consistent online snapshot of the database to a file.")(
        backup_command
    )
    app.command("restore", help="Restore a backup into an empty database, then verify it.")(
        restore_command
    )


def backup_command(
    out: Annotated[Path, typer.Argument(help="The backup file to write (a tar archive).")],
) -> None:
    """Back up the configured database (it may be in use); print the manifest."""
    engine = make_engine()
    try:
        migrate(engine)
        manifest = backup(engine, out)
    except BackupError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {out}: {exc}")
    finally:
        engine.dispose()
    write_output({"out": str(out), **manifest.document()})


def restore_command(
    backup_file: Annotated[Path, typer.Argument(help="The backup file (from saylau backup).")],
    database: Annotated[
        str | None,
        typer.Option(
            "--database", help="Restore into this database URL (default: the configured)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the content of a database that holds data.")
    ] = False,
) -> None:
    """Restore, then check row counts, the audit chain and every election's results."""
    engine = make_engine(database)
    try:
        try:
            restored = restore(backup_file, engine, force=force)
        except BackupError as exc:
            fail(str(exc))
        report = verify_restored(engine, restored)
    finally:
        engine.dispose()
    write_output(report)
    if not report["ok"]:
        raise typer.Exit(1)


def verify_restored(engine: Any, restored: Restored) -> dict[str, Any]:
    """The checks of a restored database: row counts, audit chain, results of every election."""
    factory = session_factory(engine)
    with factory() as session:
        chain = verify_chain(session)
    with factory() as session:
        elections = list(
            session.scalars(
                select(Election.id)
                .where(Election.id.in_(select(Contest.election_id)))
                .order_by(Election.id)
            )
        )
    results = []
    for election_id in elections:
        try:
            verified = verify_results(factory, election_id)
        except ServiceError as error:
            results.append({"election_id": election_id, "equal": False, "error": error.message})
            continue
        results.append(
            {
                "election_id": election_id,
                "equal": verified.equal,
                "differences": [d.document() for d in verified.differences],
            }
        )
    rows = {t: {"backup": n, "restored": r} for t, (n, r) in restored.row_differences().items()}
    ok = restored.rows_equal and chain.intact and all(r["equal"] for r in results)
    return {
        "ok": ok,
        "manifest": restored.manifest.document(),
        "rows_equal": restored.rows_equal,
        "row_differences": rows,
        "audit": {
            "events": chain.events,
            "intact": chain.intact,
            "first_broken_id": chain.first_broken_id,
            "problem": chain.problem,
        },
        "results": results,
    }
