"""Backup and restore (issue #9 §9): a snapshot taken while a thread keeps entering protocols is
restored into a new database with every table's row count, an intact audit chain and results that
re-tabulate to what is stored — on SQLite and PostgreSQL; a damaged backup and a non-empty target
are refused."""

from __future__ import annotations

import io
import json
import tarfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from saylau.cli.main import app
from saylau.domain.roles import Role
from saylau.services.audit import verify_chain
from saylau.services.backup import BackupError, backup, read_manifest, restore, row_counts
from saylau.services.context import Context
from saylau.services.protocols import enter_protocol
from saylau.services.tabulation import tabulate_contest
from saylau.services.verification import verify_results
from saylau.storage.db import make_engine, session_factory
from tests.conftest import POSTGRES_URL
from tests.services.count_world import CountWorld, actor, figures, run, setup, typist
from tests.services.test_results import LIST_VOTES, SMD_VOTES
from tests.world import CONTESTS

Factory = sessionmaker[Session]
LIST_PRECINCTS = {
    "mazhilis_list": ("p1", "p2", "p3", "p4", "p5", "p6"),
    "oblast_list": ("p1", "p2", "p3", "p4"),
    "capital_list": ("p5", "p6"),
}


def entries(cw: CountWorld) -> list[tuple[str, str]]:
    """Every (contest, precinct) protocol of the count world."""
    pairs = []
    for name, (_body, _kind, _seats, _number, precincts) in CONTESTS.items():
        for precinct in precincts or LIST_PRECINCTS[name]:
            pairs.append((name, precinct))
    return pairs


def enter_all(factory: Factory, cw: CountWorld, started: threading.Event) -> None:
    """The writer: each protocol's second entry and its contest's tabulation in one transaction,
    so that every committed state has results equal to its protocols."""
    cec = actor(factory, "cec_admin", Role.CEC_ADMIN, cw.world.commissions["cec"])
    for number, (name, precinct) in enumerate(entries(cw)):
        votes = LIST_VOTES if name.endswith("_list") else SMD_VOTES
        data = figures({cw.choices[name][k]: v for k, v in votes.items()}, against_all=number)
        contest, where = cw.contest(name), cw.precinct(precinct)
        run(factory, typist(factory, cw, precinct, "a"), enter_protocol, contest, where, data)
        second = typist(factory, cw, precinct, "b")
        with factory() as session, session.begin():
            enter_protocol(Context(session, second), contest, where, data)
            tabulate_contest(Context(session, cec), contest)
        if number == 4:
            started.set()


@pytest.fixture
def target(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """A new, empty database of the same kind (a new file; a new PostgreSQL database)."""
    if engine.dialect.name == "sqlite":
        fresh = make_engine(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
        yield fresh
        fresh.dispose()
        return
    assert POSTGRES_URL is not None
    name = f"saylau_restore_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    fresh = make_engine(make_url(POSTGRES_URL).set(database=name).render_as_string(False))
    yield fresh
    fresh.dispose()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def test_a_backup_during_writes_restores_consistent(
    engine: Engine, factory: Factory, target: Engine, tmp_path: Path
) -> None:
    cw = setup(factory)
    started = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            enter_all(factory, cw, started)
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
            started.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert started.wait(120)
    out = tmp_path / "saylau.backup"
    manifest = backup(engine, out)  # while the writer goes on
    thread.join(300)
    assert not thread.is_alive() and not failures, failures
    with engine.connect() as connection:
        final = row_counts(connection)
    assert manifest.dialect == engine.dialect.name and manifest.schema_revision
    assert manifest == read_manifest(out)
    snapshot_protocols = manifest.tables["protocol"]
    assert 5 <= snapshot_protocols <= final["protocol"] == len(entries(cw))

    restored = restore(out, target)
    assert restored.rows_equal, restored.row_differences()
    assert restored.tables == manifest.tables
    restored_factory = session_factory(target)
    with restored_factory() as session:
        chain = verify_chain(session)
    assert chain.intact and chain.events == manifest.tables["audit_event"]
    assert cw.world.election is not None
    report = verify_results(restored_factory, cw.world.election)
    assert report.equal, report.differences
    # The source, complete by now, verifies too; the restored copy is the snapshot, not it.
    assert verify_results(factory, cw.world.election).equal

    # A non-empty target is refused; --force replaces it.
    with pytest.raises(BackupError, match="holds data"):
        restore(out, target)
    assert restore(out, target, force=True).rows_equal


def test_a_damaged_backup_is_refused(
    engine: Engine, factory: Factory, target: Engine, tmp_path: Path
) -> None:
    setup(factory)
    out = tmp_path / "b.backup"
    manifest = backup(engine, out)
    damaged = tmp_path / "damaged.backup"
    with tarfile.open(out) as source, tarfile.open(damaged, "w") as copy:
        for member in source.getmembers():
            body = source.extractfile(member)
            assert body is not None
            data = bytearray(body.read())
            if member.name == manifest.data_name:
                data[len(data) // 2] ^= 0xFF
            copy.addfile(member, io.BytesIO(bytes(data)))
    with pytest.raises(BackupError, match="damaged or was altered"):
        restore(damaged, target)
    with target.connect() as connection:
        assert not any(row_counts(connection).values())  # nothing was restored
    other = make_engine(f"sqlite:///{tmp_path / 'other-kind.sqlite3'}")
    if engine.dialect.name == "postgresql":
        with pytest.raises(BackupError, match="postgresql backup; the target is a sqlite"):
            restore(out, other)
    other.dispose()
    not_a_backup = tmp_path / "not.backup"
    not_a_backup.write_bytes(b"hello")
    with pytest.raises(BackupError, match="not a Saylau backup"):
        read_manifest(not_a_backup)


def test_the_commands_back_up_and_restore_with_their_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source_url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    monkeypatch.setenv("SAYLAU_DATABASE_URL", source_url)
    runner = CliRunner()
    first = runner.invoke(app, ["backup", str(tmp_path / "empty.backup")])  # migrates, empty
    assert first.exit_code == 0, first.stderr
    engine = make_engine(source_url)
    factory = session_factory(engine)
    cw = setup(factory)
    enter_all(factory, cw, threading.Event())
    out = tmp_path / "full.backup"
    made = runner.invoke(app, ["backup", str(out)])
    assert made.exit_code == 0, made.stderr
    restored_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    done = runner.invoke(app, ["restore", str(out), "--database", restored_url])
    assert done.exit_code == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["rows_equal"] and report["audit"]["intact"]
    assert [r["election_id"] for r in report["results"]] == [cw.world.election]
    refused = runner.invoke(app, ["restore", str(out), "--database", restored_url])
    assert refused.exit_code == 2 and "--force" in refused.stderr
    again = runner.invoke(app, ["restore", str(out), "--database", restored_url, "--force"])
    assert again.exit_code == 0
    engine.dispose()
