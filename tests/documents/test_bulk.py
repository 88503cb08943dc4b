"""Bulk generation (issue #6 §6): ``saylau documents ballots`` writes every document of an
election in parallel, atomically, and a repeated or interrupted run renders only what is missing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.cli.main import app
from saylau.documents.ballots import print_run_data
from saylau.documents.bulk import KINDS, MANIFEST, file_sha256
from saylau.storage.models import BallotDefinition, Contest
from tests.documents.ballot_world import FIVE_KINDS, build_ballot_world
from tests.documents.conftest import pdf_pages, pdf_text

Factory = sessionmaker[Session]
runner = CliRunner()


def _url(factory: Factory) -> str:
    bind = factory.kw["bind"]
    assert isinstance(bind, Engine)
    return bind.url.render_as_string(hide_password=False)


def _run(factory: Factory, election: int, out: Path, *extra: str) -> dict[str, Any]:
    result = runner.invoke(
        app,
        [
            "documents",
            "ballots",
            "--election",
            str(election),
            "--out",
            str(out),
            "--database",
            _url(factory),
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def _pdfs(out: Path) -> dict[str, str | None]:
    return {
        str(p.relative_to(out)): file_sha256(p) for p in sorted(out.rglob("*.pdf")) if p.is_file()
    }


def test_every_ballot_written_then_skipped_then_resumed(factory: Factory, tmp_path: Path) -> None:
    s = build_ballot_world(factory)
    assert s.world.election is not None
    election = s.world.election
    with factory() as session:
        frozen = session.scalars(
            select(Contest.id)
            .join(BallotDefinition, BallotDefinition.contest_id == Contest.id)
            .where(BallotDefinition.frozen_at.is_not(None))
        ).all()
        # A sheet spanning several regions is a summary plus one annex per region.
        regions = [len(print_run_data(session, c)["regions"]) for c in frozen]
    assert sorted(frozen) == sorted(s.contest(name) for name in FIVE_KINDS)
    sheets = sum(1 + (n if n > 1 else 0) for n in regions)
    assert sheets > len(frozen), "the world's national list spans several regions"
    out = tmp_path / "out"

    first = _run(factory, election, out, "--jobs", "2")  # a pool of two renderers
    files = _pdfs(out)
    assert len(files) == len(frozen) + sheets == first["documents"] == first["rendered"]
    assert first["skipped"] == 0 and first["workers"] == 2
    ballots = sorted(name for name in files if name.startswith("ballots/"))
    assert len(ballots) == len(frozen)
    assert sum(1 for name in files if name.startswith("print-runs/")) == sheets
    for name in ballots:  # whole, readable PDFs with the ballot's text
        body = (out / name).read_bytes()
        assert pdf_pages(body) == 1
        assert "САЙЛАУ БЮЛЛЕТЕНІ" in pdf_text(body)
    assert first["pages"] >= 2 * len(frozen)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == set(files)
    assert not list(out.rglob("*.tmp"))  # atomic writes leave no temporary file behind

    second = _run(factory, election, out, "--jobs", "1")
    assert (second["rendered"], second["skipped"]) == (0, len(files))
    assert _pdfs(out) == files  # not touched

    # An interrupted run: half the files never written, one damaged on disk.
    removed = sorted(files)[::2]
    for name in removed:
        (out / name).unlink()
    damaged = sorted(files)[1]
    (out / damaged).write_bytes(b"%PDF-1.7 truncated")
    third = _run(factory, election, out, "--jobs", "2")
    assert third["rendered"] == len(removed) + 1
    assert third["skipped"] == len(files) - len(removed) - 1
    resumed = _pdfs(out)
    assert set(resumed) == set(files)
    assert all(resumed[n] == files[n] for n in files if n not in removed and n != damaged)
    assert pdf_pages((out / damaged).read_bytes()) >= 1


def test_unknown_election_exits_2_and_every_kind_has_a_command(
    factory: Factory, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        [
            "documents",
            "ballots",
            "--election",
            "999",
            "--out",
            str(tmp_path),
            "--database",
            _url(factory),
        ],
    )
    assert result.exit_code == 2 and "999" in result.stderr
    help_text = runner.invoke(app, ["documents", "--help"]).stdout
    assert all(kind in help_text for kind in KINDS)
