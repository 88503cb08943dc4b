"""``saylau tabulate --verify`` (issue #9 §4) on an SQLite file: exit 0 when every stored and
published result is what the stored protocols give, exit 1 listing each difference after a result
row was edited directly in the database; nothing is written either way."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.cli.main import app
from saylau.storage.models import AuditEvent, ContestResult
from tests.cli.test_export import db  # noqa: F401  (the fixture: the capital counted, tabulated)
from tests.services.count_world import CountWorld

runner = CliRunner()


def events(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_tabulate_verify_equal_then_tampered(
    db: tuple[sessionmaker[Session], CountWorld],  # noqa: F811
    tmp_path: Path,
) -> None:
    factory, cw = db
    election = str(cw.world.election)
    logged = events(factory)
    result = runner.invoke(app, ["tabulate", election, "--verify"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["equal"] is True and report["differences"] == []
    assert report["contests"] == len(cw.world.contests)
    exported = tmp_path / "results.json"
    assert (
        runner.invoke(app, ["results", "export", election, "--out", str(exported)]).exit_code == 0
    )
    verified = runner.invoke(app, ["tabulate", election, "--verify", "--published", str(exported)])
    assert verified.exit_code == 0, verified.stderr
    assert events(factory) == logged  # a verification writes nothing, not even an audit event

    contest = cw.contest("capital_c1")
    with factory() as session, session.begin():  # an operator edits the row in the database
        row = session.scalars(
            select(ContestResult).where(ContestResult.contest_id == contest)
        ).one()
        totals = json.loads(json.dumps(row.totals))
        totals["against_all"] += 100
        session.execute(
            update(ContestResult).where(ContestResult.id == row.id).values(totals=totals)
        )
    result = runner.invoke(app, ["tabulate", election, "--verify"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["equal"] is False
    [difference] = [d for d in report["differences"] if d["field"] == "totals.against_all"]
    assert difference["contest_id"] == contest and difference["source"] == "stored"
    assert difference["stored"] == difference["recomputed"] + 100
    assert f"contest {contest} (stored) totals.against_all" in result.stderr
    # The file exported before the edit still agrees with the protocols.
    verified = runner.invoke(app, ["tabulate", election, "--verify", "--published", str(exported)])
    assert verified.exit_code == 1
    sources = {d["source"] for d in json.loads(verified.stdout)["differences"]}
    assert sources == {"stored"}
    other = cw.contest("capital_c2")
    scoped = runner.invoke(app, ["tabulate", election, "--verify", "--contest", str(other)])
    assert scoped.exit_code == 0 and json.loads(scoped.stdout)["differences"] == []
    assert events(factory) == logged
    refused = runner.invoke(
        app, ["tabulate", election, "--verify", "--follow-up-day", "2023-04-01"]
    )
    assert refused.exit_code == 2 and "writes nothing" in refused.stderr
    assert runner.invoke(app, ["tabulate", "999", "--verify"]).exit_code == 2
