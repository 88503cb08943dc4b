"""``saylau export nist | protocols`` on an SQLite file: the same bytes as the public site's
``/data/elections/{id}/…``, valid against the NIST SP 1500-100 v2 schema; an unknown election
exits 2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.cli.main import app
from saylau.domain.roles import Role
from saylau.services.tabulation import tabulate_election
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.web.app import create_app
from tests.services.count_world import CountWorld, actor, build_count_world, run
from tests.services.test_results import CAPITAL, count_everything
from tests.web.test_public_opendata import (
    IN_TIME,
    assert_csv_agrees_with_results,
    assert_nist_agrees_with_results,
    validate_nist,
)

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[sessionmaker[Session], CountWorld]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("SAYLAU_DATABASE_URL", url)
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        cw = build_count_world(session)
    count_everything(factory, cw, CAPITAL)
    admin = actor(factory, "capital_admin", Role.TEC_ADMIN, cw.world.commissions["tec_capital"])
    run(factory, admin, tabulate_election, cw.world.election, at=IN_TIME)
    return factory, cw


def test_export_nist_to_a_file_and_to_standard_output(
    db: tuple[sessionmaker[Session], CountWorld], tmp_path: Path
) -> None:
    factory, cw = db
    election = cw.world.election
    out = tmp_path / "nist.json"
    result = runner.invoke(app, ["export", "nist", "--election", str(election), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["format"] == "nist-1500-100" and summary["bytes"] == out.stat().st_size
    document = json.loads(out.read_text(encoding="utf-8"))
    validate_nist(document)
    with factory() as session:
        assert assert_nist_agrees_with_results(session, document) == 3
    printed = runner.invoke(app, ["export", "nist", "--election", str(election)])
    assert printed.exit_code == 0 and printed.stdout_bytes == out.read_bytes()
    served = TestClient(create_app(factory, secret="test-secret")).get(
        f"/data/elections/{election}/nist-1500-100.json"
    )
    assert served.content == out.read_bytes()  # one export, whichever interface writes it


def test_export_protocols_as_csv(db: tuple[sessionmaker[Session], CountWorld]) -> None:
    factory, cw = db
    result = runner.invoke(app, ["export", "protocols", "--election", str(cw.world.election)])
    assert result.exit_code == 0, result.stderr
    with factory() as session:
        assert assert_csv_agrees_with_results(session, cw.world.election, result.stdout) == 3
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["region_code"] for r in rows} == {"KZ-71"}  # only the capital is counted


def test_an_unknown_election_exits_2(db: tuple[sessionmaker[Session], CountWorld]) -> None:
    for kind in ("nist", "protocols"):
        result = runner.invoke(app, ["export", kind, "--election", "999999"])
        assert result.exit_code == 2 and "999999" in result.stderr and not result.stdout
