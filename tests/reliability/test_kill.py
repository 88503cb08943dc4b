"""Crash safety (issue #9 §5): ``saylau protocol import`` and ``saylau tabulate``, run as real
processes, are killed with SIGKILL at random moments and restarted until done, on SQLite and on
PostgreSQL. After every run the database must equal that of an uninterrupted run on a separate
database: the same protocols in the same states with the same figures and votes, every entry
once (no duplicate, no partial batch), one audit event per entry, an intact audit chain, and
results that ``tabulate --verify`` recomputes identically.

Each run imports the first coordinator's file, then the second's (the double entry), then
tabulates; each of the three commands is killed once at a moment drawn uniformly over the
uninterrupted command's measured duration (after the interpreter's start-up), and its restart is
killed again with probability ½, before a last restart runs to completion. Right before each
signal the test probes whether the process holds an open write transaction (a PostgreSQL backend
in a transaction for its application name; SQLite's write lock), so the summary says how many
kills landed inside one.

``SAYLAU_KILL_RUNS`` runs per database (default 4, as CI runs it: about three minutes each; the full run is
``SAYLAU_KILL_RUNS=20 scripts/with-postgres .venv/bin/pytest tests/reliability/test_kill.py -s``),
``SAYLAU_KILL_PRECINCTS`` precincts (default 1500: 6,000 rows per file), ``SAYLAU_KILL_SEED``.
"""

from __future__ import annotations

import functools
import json
import os
import random
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.orm import Session

from saylau.services.audit import verify_chain
from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import Protocol, ProtocolEntry, User
from tests.reliability.world import (
    COORDINATORS,
    KillWorld,
    build_kill_world,
    copy_sqlite,
    entry_files,
    run_saylau,
    snapshot,
)

RUNS = int(os.environ.get("SAYLAU_KILL_RUNS", "4"))
PRECINCTS = int(os.environ.get("SAYLAU_KILL_PRECINCTS", "1500"))
SEED = int(os.environ.get("SAYLAU_KILL_SEED", "20230319"))
BATCH = 250
POSTGRES_URL = os.environ.get("SAYLAU_TEST_POSTGRES_URL")
REPORT = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability"


@dataclass
class Database:
    """Fresh copies of one migrated database holding the kill world."""

    kind: str
    new: Callable[[str], str]
    """A fresh copy named ``name``: its URL."""
    drop: Callable[[str], None]


@dataclass
class Tally:
    kills: int = 0
    in_transaction: int = 0
    mid_import: int = 0
    """Kills after which some but not all of the file's batches were committed."""
    missed: int = 0
    restarts: int = 0
    runs: int = 0
    points: list[dict[str, Any]] = field(default_factory=list)


def _sqlite_database(tmp_path: Path) -> Iterator[tuple[Database, KillWorld]]:
    template = tmp_path / "template.sqlite3"
    engine = make_engine(f"sqlite:///{template}")
    migrate(engine)
    with session_factory(engine)() as session, session.begin():
        kw = build_kill_world(session, PRECINCTS)
    engine.dispose()

    def new(name: str) -> str:
        return copy_sqlite(template, tmp_path / f"{name}.sqlite3")

    def drop(name: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            (tmp_path / f"{name}.sqlite3{suffix}").unlink(missing_ok=True)

    yield Database("sqlite", new, drop), kw


def _postgres_database() -> Iterator[tuple[Database, KillWorld]]:
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("SAYLAU_TEST_POSTGRES_URL is not set: CI must test on PostgreSQL too")
        pytest.skip("PostgreSQL not configured (run the suite with `make test`)")
    base = make_url(POSTGRES_URL)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def create(name: str, template: str | None = None) -> str:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            suffix = f' TEMPLATE "{template}"' if template else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        made.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    def drop(name: str) -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    engine = make_engine(create("saylau_kill_template"))
    migrate(engine)
    with session_factory(engine)() as session, session.begin():
        kw = build_kill_world(session, PRECINCTS)
    engine.dispose()
    try:
        yield Database("postgresql", lambda name: create(name, "saylau_kill_template"), drop), kw
    finally:
        for name in made:
            drop(name)
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Database, KillWorld]]:
    if request.param == "sqlite":
        yield from _sqlite_database(tmp_path)
    else:
        yield from _postgres_database()


def _writing(url: str, application: str) -> bool:
    """Whether a process holds an open write transaction on ``url`` right now."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # "database is locked": a writer is inside a transaction
            return True
        finally:
            connection.close()
    engine = create_engine(url)
    try:
        with engine.connect() as pg:
            return bool(
                pg.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                        "AND xact_start IS NOT NULL"
                    ),
                    {"name": application},
                )
            )
    finally:
        engine.dispose()


def _committed_rows(url: str, typist: str) -> set[tuple[int, int]]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return {
                (c, p)
                for c, p in session.execute(
                    select(Protocol.contest_id, Protocol.precinct_id)
                    .join(ProtocolEntry, ProtocolEntry.protocol_id == Protocol.id)
                    .join(User, User.id == ProtocolEntry.typist_id)
                    .where(User.username == typist)
                )
            }
    finally:
        engine.dispose()


def _state(url: str) -> tuple[dict[str, Any], str]:
    """The database's snapshot, and what is wrong with its audit chain ("" if intact)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            chain = verify_chain(session)
            return snapshot(session), "" if chain.intact else chain.problem
    finally:
        engine.dispose()


def test_killed_imports_and_tabulations_end_as_an_uninterrupted_run(
    database: tuple[Database, KillWorld], tmp_path: Path
) -> None:
    db, kw = database
    files = entry_files(kw, tmp_path, SEED)
    rows = [json.loads(path.read_text(encoding="utf-8")) for path in files]
    keys = [[(r["contest"], r["precinct"]) for r in file_rows] for file_rows in rows]
    commands = [
        [
            "protocol",
            "import",
            str(files[i]),
            "--batch-size",
            str(BATCH),
            *kw.coordinator(i),
        ]
        for i in (0, 1)
    ] + [["tabulate", str(kw.election)]]

    # The uninterrupted run, timed, on its own database.
    reference_url = db.new("saylau_kill_reference")
    durations = []
    for args in commands:
        done = run_saylau(reference_url, args)
        assert done.returncode == 0, done.stderr
        durations.append(done.seconds)
    reference, problem = _state(reference_url)
    assert problem == ""
    assert len(reference["protocols"]) == len(keys[0])
    assert Counter(s[0] for s in reference["protocols"].values()).keys() == {
        "definitive",
        "entries_differ",
    }
    start_up = min(
        run_saylau(reference_url, ["protocol", "import", "--help"]).seconds for _ in "ab"
    )
    db.drop("saylau_kill_reference")

    rng = random.Random(SEED)
    tally = Tally()
    for run in range(RUNS):
        name = f"saylau_kill_{run}"
        url = db.new(name)
        for step, args in enumerate(commands):
            attempt = 0
            while True:
                kill = attempt == 0 or (attempt == 1 and rng.random() < 0.5)
                if not kill:
                    done = run_saylau(url, args)
                    assert done.returncode == 0, done.stderr
                    if attempt:
                        tally.restarts += 1
                    break
                at = rng.uniform(start_up, durations[step])
                application = f"{name}-{step}-{attempt}"
                done = run_saylau(
                    url,
                    args,
                    kill_after=at,
                    probe=functools.partial(_writing, url, application),
                    application=application,
                )
                tally.kills += done.killed
                tally.missed += not done.killed
                tally.in_transaction += done.probed
                tally.points.append(
                    {
                        "run": run,
                        "command": args[0] if step == 2 else f"import {'ab'[step]}",
                        "at": round(at, 3),
                        "killed": done.killed,
                        "in_transaction": done.probed,
                    }
                )
                if step < 2:  # whole batches only: the first k x BATCH rows, never a part of one
                    committed = _committed_rows(url, COORDINATORS[step])
                    count = len(committed)
                    assert count % BATCH == 0 or count == len(keys[step]), count
                    assert committed == set(keys[step][:count])
                    tally.mid_import += 0 < count < len(keys[step])
                attempt += 1
        state, problem = _state(url)
        assert problem == "", f"run {run}: audit chain: {problem}"
        for part in ("protocols", "votes", "entries", "results", "contests", "entries_logged"):
            assert state[part] == reference[part], f"run {run}: {part} differ"
        if run == RUNS - 1:  # the operator's own checks, as commands
            verified = run_saylau(url, ["audit", "verify"])
            assert verified.returncode == 0, verified.stdout + verified.stderr
            recomputed = run_saylau(url, ["tabulate", str(kw.election), "--verify"])
            assert recomputed.returncode == 0, recomputed.stdout + recomputed.stderr
            assert json.loads(recomputed.stdout)["equal"] is True
        db.drop(name)
        tally.runs += 1

    summary = (
        f"kill test ({db.kind}): {tally.runs} runs, {tally.kills} SIGKILLs survived "
        f"({tally.in_transaction} inside an open write transaction, {tally.mid_import} with an "
        f"import part-done, {tally.missed} landed after the process had ended), "
        f"{tally.restarts} restarts; {len(keys[0])} protocols x 2 "
        f"entries in batches of {BATCH}; uninterrupted: "
        + ", ".join(f"{d:.1f}s" for d in durations)
        + f" (start-up {start_up:.1f}s); every run equal to the uninterrupted one"
    )
    print(summary)
    REPORT.mkdir(parents=True, exist_ok=True)
    (REPORT / f"kill-{db.kind}.json").write_text(
        json.dumps({"summary": summary, "points": tally.points}, indent=1), encoding="utf-8"
    )
    assert tally.kills >= RUNS  # most kills land while the process runs; some may come late
