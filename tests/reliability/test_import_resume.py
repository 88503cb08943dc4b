"""``saylau protocol import`` is resumable and idempotent (issue #9 §5), in process on SQLite: a
refusal in a later batch keeps the batches before it; running the file again enters only what is
missing (already-recorded rows are no-ops, not ``same_typist`` refusals); a third run changes
nothing, not even the audit log. The killed-process form of this is tests/reliability/test_kill.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from saylau.cli.main import app
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import AuditEvent, ProtocolEntry
from tests.reliability.world import build_kill_world, entry_files

runner = CliRunner()


def test_a_refused_batch_keeps_the_earlier_ones_and_a_rerun_finishes_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'resume.sqlite3'}"
    monkeypatch.setenv("SAYLAU_DATABASE_URL", url)
    engine = make_engine(url)
    migrate(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        kw = build_kill_world(session, 10)  # 40 rows per file
    first, _ = entry_files(kw, tmp_path, 1)
    rows = json.loads(first.read_text(encoding="utf-8"))
    broken = [*rows[:25], {**rows[25], "contest": kw.cw.contest("oblast_o1")}, *rows[26:]]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken), encoding="utf-8")
    who = kw.coordinator(0)

    def counts() -> tuple[int, int]:
        with factory() as session:
            entries = session.scalar(select(func.count()).select_from(ProtocolEntry))
            events = session.scalar(select(func.count()).select_from(AuditEvent))
            return int(entries or 0), int(events or 0)

    refused = runner.invoke(app, ["protocol", "import", str(bad), "--batch-size", "10", *who])
    assert refused.exit_code == 2
    assert "row 26" in refused.stderr and "rows 1-20 are entered" in refused.stderr
    assert counts()[0] == 20  # batches 1 and 2; batch 3 (rows 21-30) wrote nothing
    whole = runner.invoke(app, ["protocol", "import", str(bad), "--all-or-nothing", *who])
    assert whole.exit_code == 2 and "rows 1-" not in whole.stderr
    assert counts()[0] == 20

    done = runner.invoke(app, ["protocol", "import", str(first), "--batch-size", "10", *who])
    assert done.exit_code == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["entered"] == 20 and report["already_recorded"] == 20
    assert report["states"] == {"first_entry": 20}
    after = counts()
    assert after[0] == 40
    again = runner.invoke(app, ["protocol", "import", str(first), *who])
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["already_recorded"] == 40
    assert counts() == after  # nothing written, not even an audit event
    engine.dispose()
