"""``saylau demo``: build the synthetic national election of 19 March 2023 and summarise it.

The demo runs every workflow of the administration through the real services
(:func:`saylau.demo.generator.build_demo`): the 2023 structure, synthetic precincts and staff,
nomination and registration, ballots, turnout, double-entered protocols, tabulation, results and
deputies. Without ``--database`` it writes a fresh SQLite file in the user's data directory,
``demo.sqlite3`` next to the default database (replaced on every run; the default database is never
touched). The summary is labelled SYNTHETIC wherever it shows figures.
"""

from __future__ import annotations

import json
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import typer
from platformdirs import user_data_dir
from sqlalchemy import Engine, event, inspect
from sqlalchemy.engine import make_url

from saylau.demo.generator import build_demo
from saylau.demo.plan import MAX_SCALE, larger_country
from saylau.demo.summary import DemoSummary
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import Base

DEFAULT_SCALE = 0.1
"""``make run``'s size: 1.2 million voters. Below ~0.25 the build costs the same, since every
body needs as many precincts as single-member seats (~2,800 in all); 1.0 is the national size."""
DEMO_FILE = "demo.sqlite3"
INVALID = 2


def demo_path() -> Path:
    """The demo's own SQLite file, beside the default database in the user's data directory."""
    folder = Path(user_data_dir("saylau", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / DEMO_FILE


def demo_is_current(path: Path) -> bool:
    """Whether the demo file at ``path`` has every table and column of this version's models.

    Until the first release the schema's single migration is regenerated in place, so a demo built
    by an earlier Saylau cannot be migrated forward: ``serve --demo`` rebuilds it instead.
    """
    if not path.exists():
        return False
    engine = make_engine(f"sqlite:///{path}")
    try:
        found = inspect(engine)
        tables = set(found.get_table_names())
        for table in Base.metadata.sorted_tables:
            if table.name not in tables:
                return False
            columns = {column["name"] for column in found.get_columns(table.name)}
            if not {column.name for column in table.columns} <= columns:
                return False
        return True
    finally:
        engine.dispose()


def fresh_sqlite(path: Path) -> str:
    """The URL of a new, empty SQLite database at ``path`` (any old file and journal removed)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _fast_sqlite(engine: Engine) -> None:
    """A bulk build needs no fsync per transaction: ``synchronous=NORMAL`` keeps the WAL
    database consistent and loses at most the last transactions on a power cut, which a demo
    that is rebuilt from its seed can afford."""
    if engine.dialect.name != "sqlite":
        return

    def pragma(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    event.listen(engine, "connect", pragma)


class _Progress:
    """Phase lines on standard error, at most one every few seconds per phase."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.shown: dict[str, float] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if done not in (0, total) and now - self.shown.get(phase, 0.0) < 5:
            return
        self.shown[phase] = now
        state = "…" if done == 0 else f"{done}/{total}"
        typer.echo(f"  {phase:<16} {state}", err=True)


def _n(value: int) -> str:
    return f"{value:,}"


def render(summary: dict[str, Any], database: str) -> str:
    """The compact report of a demo summary document (every figure labelled SYNTHETIC)."""
    c, r = summary["counts"], summary["results"]
    lines = [
        "SYNTHETIC DEMO ELECTION of 19 March 2023 — invented precincts, people, accounts and votes,",
        "calibrated on the 2023 figures. The structure (regions, maslikhats, seats, parties) is real;",
        "no figure below is a real result.",
        *(
            [
                f"Scale {summary['scale']:g} is a SYNTHETIC LARGER COUNTRY: {summary['scale']:g} "
                "times Kazakhstan's voters and",
                "precincts in every region, under the real 2023 bodies and seats.",
            ]
            if larger_country(float(summary["scale"]))
            else []
        ),
        f"Database: {database} (seed {summary['seed']}, scale {summary['scale']})",
        "",
        f"Structure     {c['regions']} regions; maslikhats {c['first_level_maslikhats']} + "
        f"{c['second_level_maslikhats']} (1st + 2nd level), seats "
        f"{_n(c['first_level_seats'])} + {_n(c['second_level_seats'])}; Mazhilis "
        f"{c['mazhilis_seats']} seats",
        f"Territory     {_n(c['precincts'])} synthetic precincts, {_n(c['voters'])} voters, "
        f"{_n(c['users'])} synthetic accounts (no passwords)",
        f"Candidates    districts {_n(c['district_candidates_nominated'])} nominated, "
        f"{_n(c['district_candidates_registered'])} registered, "
        f"{_n(c['district_candidates_refused'])} refused; {c['party_lists_registered']} lists, "
        f"{_n(c['list_candidates_registered'])} persons",
        f"Count         {_n(c['protocols'])} protocols, {_n(c['definitive_protocols'])} definitive;"
        f" runoffs {c['runoffs']}, repeat elections {c['repeat_elections']}, lots "
        f"{c['lots_drawn']}",
        f"Mandates      {_n(c['mandates'])} won, {_n(c['deputies_registered'])} deputies registered",
    ]
    turnout = r["turnout"]
    lines += [
        "",
        "Turnout (SYNTHETIC)   "
        + "   ".join(f"{mark} {turnout[mark]['percent']}%" for mark in ("10:00", "16:00", "final")),
        "",
        "Mazhilis party lists, national (SYNTHETIC)",
        f"  {'party':<12} {'votes':>10} {'%':>7} {'seats':>6}",
    ]
    mazhilis = r["mazhilis_list"]
    for line in mazhilis.get("parties", []):
        lines.append(
            f"  {line['party']:<12} {_n(line['votes']):>10} {line['percent']:>7} {line['seats']:>6}"
        )
    if mazhilis:
        lines.append(
            f"  {'against all':<12} {_n(mazhilis['against_all']):>10} "
            f"{mazhilis['against_all_percent']:>7}"
        )
    lists = r["first_level_list_seats"]
    winners = r["district_winners"]
    parties = sorted(set(lists) | {p for level in winners.values() for p in level} - {"non-party"})
    columns = [*parties, "non-party"]
    lines += [
        "",
        "Seats won (SYNTHETIC)",
        "  " + f"{'':<24}" + "".join(f"{p:>11}" for p in columns),
        "  "
        + f"{'first-level lists':<24}"
        + "".join(f"{lists.get(p, 0) if p != 'non-party' else '':>11}" for p in columns),
    ]
    for level, label in (
        ("first_level", "first-level districts"),
        ("second_level", "second-level districts"),
        ("mazhilis", "Mazhilis districts"),
    ):
        lines.append(
            "  " + f"{label:<24}" + "".join(f"{winners[level].get(p, 0):>11}" for p in columns)
        )
    phases = summary["elapsed_seconds"]
    elapsed = "Elapsed seconds  " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items())
    lines += ["", textwrap.fill(elapsed, width=100, subsequent_indent=" " * 17)]
    return "\n".join(lines)


def build_into(url: str, *, scale: float, seed: int, quiet: bool) -> DemoSummary:
    """Build the demo election into the empty database ``url``; exit 2 if it is not empty."""
    engine = make_engine(url)
    _fast_sqlite(engine)
    try:
        migrate(engine)
        if not quiet:
            typer.echo(f"Building the SYNTHETIC demo election into {url} …", err=True)
        return build_demo(
            session_factory(engine), seed=seed, scale=scale, progress=_Progress(quiet)
        )
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(INVALID) from None
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        scale: float = typer.Option(
            DEFAULT_SCALE,
            "--scale",
            help="Voters and precincts as a multiple of 2023 (1.0: ~12 million voters, ~10,000 "
            f"precincts; at most {MAX_SCALE:g}). Above 1 it is a SYNTHETIC larger country (3: "
            "~36 million voters, ~30,000 precincts). The structure and candidates are always "
            "those of 2023.",
        ),
        seed: int = typer.Option(2023, "--seed", help="The same seed gives the same election."),
        database: str | None = typer.Option(
            None,
            "--database",
            help="An empty database URL to build into (default: a fresh "
            f"{DEMO_FILE} in the user's data directory).",
        ),
        as_json: bool = typer.Option(
            False, "--json", help="Write the summary as one JSON document."
        ),
        quiet: bool = typer.Option(False, "--quiet", help="No progress lines on standard error."),
    ) -> None:
        """Build the SYNTHETIC national demo election of 19 March 2023 through every workflow
        and print its summary."""
        if not 0 < scale <= MAX_SCALE:
            typer.echo(
                f"error: --scale={scale}: must be greater than 0 and at most {MAX_SCALE:g}",
                err=True,
            )
            raise typer.Exit(INVALID)
        url = database or fresh_sqlite(demo_path())
        summary = build_into(url, scale=scale, seed=seed, quiet=quiet)
        shown = make_url(url).render_as_string(hide_password=True)
        document = {**summary.as_dict(), "database": shown}
        if as_json:
            typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        else:
            typer.echo(render(document, shown))
        sys.stdout.flush()
