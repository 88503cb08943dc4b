"""Voter services from the command line: the areas each precinct serves and the voter register.

``saylau territory areas FILE`` imports the settlements and streets of precincts (CSV or JSON rows
of ``region, precinct, settlement, street, houses, synthetic``); ``saylau voters import FILE``
loads the voter register (CSV of ``iin, region, precinct``), stored as keyed digests of the IINs
only (:mod:`saylau.services.voters`). Both are all-or-nothing: a bad row imports nothing and is
named by its line and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from saylau.cli.admin import territory_app
from saylau.cli.common import AsCommission, AsRole, AsUser, act
from saylau.cli.jsonio import fail, write_output
from saylau.services.context import Context
from saylau.services.errors import ServiceError
from saylau.services.imports import RawRow, read_rows
from saylau.services.voters import import_areas, import_register
from saylau.web.register_key import register_key

voters_app = typer.Typer(
    help="The voter register behind the registration check.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add ``territory areas`` and the ``voters`` group."""
    territory_app.command("areas")(territory_areas)
    app.add_typer(voters_app, name="voters")


def _rows(file: Path) -> tuple[RawRow, ...]:
    try:
        return read_rows(file)
    except ServiceError as exc:
        fail(exc.message)


def _report(ctx: Context, operation: Any, *args: Any) -> dict[str, Any]:
    report = operation(ctx, *args)
    return {**report.as_dict(), "changed": report.changed}


def territory_areas(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV or JSON rows: region, precinct, settlement, street, houses, synthetic."
        ),
    ],
    as_user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Import the settlements and streets each precinct serves (replacing its previous ones)."""
    rows = _rows(file)
    write_output(act((as_user, role, commission), _report, import_areas, rows))


@voters_app.command("import")
def voters_import(
    file: Annotated[Path, typer.Argument(help="CSV of iin, region, precinct.")],
    as_user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Load the voter register of the regions in FILE (replacing theirs); IINs are kept only as
    keyed digests (the key: SAYLAU_REGISTER_KEY or the data directory's register_key)."""
    rows = _rows(file)
    write_output(act((as_user, role, commission), _report, import_register, rows, register_key()))
