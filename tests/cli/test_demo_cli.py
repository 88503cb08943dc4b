"""``saylau demo``: options, the fresh demo database, the SYNTHETIC report and its JSON document.

The build itself is tested in ``tests/demo/test_generator.py``; here it is replaced by a stub that
records what the command gave it, except where a real (refused) build is the point.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.cli import demo as demo_cli
from saylau.cli.demo import demo_is_current, fresh_sqlite
from saylau.cli.main import app
from saylau.demo.summary import DemoSummary
from saylau.services.context import Actor, execute
from saylau.services.reference_load import load_reference_2023
from saylau.services.territory import TerritoryImport, import_territory
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import Election, Region

runner = CliRunner()

RESULTS: dict[str, Any] = {
    "election": "SYNTHETIC DEMO",
    "status": "results_published",
    "turnout": {
        mark: {"voted": 5, "voters": 10, "percent": "50.00", "precincts_reported": 1}
        for mark in ("10:00", "16:00", "final")
    },
    "mazhilis_list": {
        "valid": 10,
        "against_all": 1,
        "against_all_percent": "10.00",
        "status": "allocated",
        "parties": [{"party": "amanat", "votes": 9, "percent": "90.00", "seats": 69}],
    },
    "first_level_list_seats": {"amanat": 334},
    "first_level_seats_by_party": {"amanat": 600, "non-party": 68},
    "district_winners": {
        "mazhilis": {"amanat": 29},
        "first_level": {"amanat": 266, "non-party": 68},
        "second_level": {"amanat": 2746},
    },
}
COUNTS = {
    "regions": 20,
    "first_level_maslikhats": 20,
    "second_level_maslikhats": 203,
    "first_level_seats": 668,
    "second_level_seats": 2746,
    "mazhilis_seats": 98,
    "precincts": 2800,
    "synthetic_precincts": 2800,
    "voters": 1_200_000,
    "users": 5800,
    "contests": 3130,
    "list_contests": 21,
    "district_contests": 3109,
    "district_candidates_nominated": 11000,
    "district_candidates_registered": 10000,
    "district_candidates_refused": 1000,
    "party_lists_submitted": 114,
    "party_lists_registered": 114,
    "list_candidates_nominated": 1500,
    "list_candidates_registered": 1500,
    "protocols": 14000,
    "definitive_protocols": 14000,
    "mandates": 3512,
    "deputies_registered": 3512,
    "runoffs": 0,
    "repeat_elections": 0,
    "lots_drawn": 0,
}


class Stub:
    """Stands in for ``build_demo``: records its arguments, checks the database it was given."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self, factory: sessionmaker[Session], *, seed: int, scale: float, progress: Any
    ) -> DemoSummary:
        with factory() as session:
            elections = session.scalar(select(func.count(Election.id)))
            url = session.get_bind().engine.url.render_as_string()
        progress("protocols", 1, 2)
        self.calls.append({"seed": seed, "scale": scale, "elections": elections, "url": url})
        return DemoSummary(1, seed, scale, dict(COUNTS), RESULTS, {"total": 1.5})


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Stub:
    fake = Stub()
    monkeypatch.setattr(demo_cli, "build_demo", fake)
    monkeypatch.setattr(demo_cli, "demo_path", lambda: tmp_path / "demo.sqlite3")
    return fake


def test_default_builds_into_a_fresh_demo_file_and_prints_a_synthetic_report(
    stub: Stub, tmp_path: Path
) -> None:
    (tmp_path / "demo.sqlite3").write_text("an old demo, replaced")
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    (call,) = stub.calls
    assert call == {
        "seed": 2023,
        "scale": demo_cli.DEFAULT_SCALE,
        "elections": 0,  # migrated and empty
        "url": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    }
    out = result.stdout
    assert out.startswith("SYNTHETIC DEMO ELECTION")
    assert "Mazhilis party lists, national (SYNTHETIC)" in out
    assert "Turnout (SYNTHETIC)" in out and "final 50.00%" in out
    assert "Seats won (SYNTHETIC)" in out
    assert "first-level lists" in out and "non-party" in out
    assert "protocols" in result.stderr  # progress goes to standard error


def test_json_document_with_seed_scale_and_database(stub: Stub, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mine.sqlite3'}"
    result = runner.invoke(
        app, ["demo", "--json", "--seed", "7", "--scale", "0.05", "--database", url, "--quiet"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["synthetic"] is True and "SYNTHETIC" in document["note"]
    assert (document["seed"], document["scale"], document["database"]) == (7, 0.05, url)
    assert document["counts"]["district_contests"] == 3109
    assert document["elapsed_seconds"] == {"total": 1.5}
    assert stub.calls[0]["url"] == url
    assert result.stderr == ""


@pytest.mark.parametrize("scale", ["0", "-1", "3.5"])
def test_scale_outside_0_3_exits_2(stub: Stub, scale: str) -> None:
    result = runner.invoke(app, ["demo", "--scale", scale])
    assert result.exit_code == 2
    assert "--scale" in result.stderr
    assert stub.calls == []


def test_a_scale_above_1_is_built_and_called_a_synthetic_larger_country(
    stub: Stub, tmp_path: Path
) -> None:
    """Up to 3 (issue #8's growth, "3× Kazakhstan"); the summary says the country is invented."""
    result = runner.invoke(app, ["demo", "--scale", "3", "--quiet"])
    assert result.exit_code == 0, result.output
    assert stub.calls[0]["scale"] == 3.0
    assert "Scale 3 is a SYNTHETIC LARGER COUNTRY" in result.stdout
    small = runner.invoke(app, ["demo", "--scale", "1", "--quiet"])
    assert "LARGER COUNTRY" not in small.stdout


def test_a_database_that_holds_precincts_is_refused(tmp_path: Path) -> None:
    """The real build refuses to mix the demo into a database in use (exit 2, nothing written)."""
    url = f"sqlite:///{tmp_path / 'used.sqlite3'}"
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    operator = Actor.operator()
    execute(factory, operator, load_reference_2023)
    execute(
        factory,
        operator,
        import_territory,
        TerritoryImport.of(precincts=[{"region": "KZ-71", "number": 1, "voters": 100}]),
    )
    with factory() as session:
        regions = session.scalar(select(func.count(Region.id)))
    engine.dispose()
    result = runner.invoke(app, ["demo", "--database", url, "--quiet"])
    assert result.exit_code == 2
    assert "already holds" in result.stderr
    assert regions == 20


def test_law_showcase_is_still_there() -> None:
    result = runner.invoke(app, ["law", "showcase"])
    assert result.exit_code == 0
    assert "Mazhilis 2023, 69 list seats" in result.stdout


def test_a_demo_built_by_an_earlier_schema_is_not_current(tmp_path: Path) -> None:
    """``serve --demo`` rebuilds a demo whose tables or columns differ from this version's."""
    path = tmp_path / "demo.sqlite3"
    assert not demo_is_current(path)
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    assert demo_is_current(path)
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE precinct_area")
    assert not demo_is_current(path)
    fresh = fresh_sqlite(path)
    assert not path.exists() and fresh == f"sqlite:///{path}"
