"""Backup and restore: a consistent online snapshot of the whole database (issue #9 §9).

A backup is one tar file: ``manifest.json`` (format, database kind, schema revision, time, the
row count of every table in the snapshot, SHA-256 and size of the data) and the data itself.

* SQLite: the online backup API (:meth:`sqlite3.Connection.backup`) copies the database in one
  step inside one read transaction, so a server writing meanwhile (WAL mode) neither waits nor
  leaves half a transaction in the copy.
* PostgreSQL: ``pg_dump`` in its custom format from the same server version (or newer) reads one
  snapshot; the manifest's row counts are taken in that very snapshot (``pg_export_snapshot`` in a
  REPEATABLE READ transaction handed to ``pg_dump --snapshot``), so they are exactly the dump's.

Restore checks the checksum before touching anything, refuses a target that holds data unless
``force`` (PostgreSQL: ``pg_restore --clean`` into it; SQLite: the file is overwritten by the
backup API), and checks that every table has the manifest's row count. The caller then verifies
the audit chain and re-tabulates (``saylau restore`` does both).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import URL

from saylau.storage.models import Base

FORMAT = "saylau-backup/1"
MANIFEST = "manifest.json"
DATA = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VERSION_TABLE = "alembic_version"
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason (file, tool, target)."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds and how to check it."""

    format: str
    dialect: str
    schema_revision: str | None
    created_at: str
    sha256: str
    size: int
    tables: dict[str, int] = field(default_factory=dict)
    """Row count of every table in the snapshot."""
    server_version: str = ""

    @property
    def data_name(self) -> str:
        return DATA[self.dialect]

    def document(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Restored:
    """What a restore did: the backup's manifest and the restored row counts."""

    manifest: Manifest
    tables: dict[str, int]

    @property
    def rows_equal(self) -> bool:
        return all(self.tables.get(t) == n for t, n in self.manifest.tables.items())

    def row_differences(self) -> dict[str, tuple[int, int | None]]:
        """Table → (rows in the backup, rows restored) where they differ."""
        return {
            t: (n, self.tables.get(t))
            for t, n in self.manifest.tables.items()
            if self.tables.get(t) != n
        }


# --- shared ----------------------------------------------------------------------------------------


def _tables(connection: Connection) -> list[str]:
    """Saylau's tables that exist in the database, and the migration's version table."""
    present = set(inspect(connection).get_table_names())
    wanted = [t.name for t in Base.metadata.sorted_tables] + [VERSION_TABLE]
    return [name for name in wanted if name in present]


def row_counts(connection: Connection) -> dict[str, int]:
    """Row count of each table (as the connection's transaction sees them)."""
    quote = connection.dialect.identifier_preparer.quote
    return {
        name: int(connection.execute(text(f"SELECT count(*) FROM {quote(name)}")).scalar_one())
        for name in _tables(connection)
    }


def _revision(counts: Mapping[str, int], connection: Connection) -> str | None:
    if VERSION_TABLE not in counts:
        return None
    value = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return None if value is None else str(value)


def holds_data(engine: Engine) -> bool:
    """Whether any Saylau table of the database has a row (an empty schema is empty)."""
    with engine.connect() as connection:
        counts = row_counts(connection)
    return any(n for name, n in counts.items() if name != VERSION_TABLE)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_archive(out: Path, manifest: Manifest, data: Path) -> None:
    """The tar file, written beside ``out`` and renamed over it (never half a backup)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with tarfile.open(temporary, "w") as archive:
            body = json.dumps(manifest.document(), indent=2, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(datetime.now(UTC).timestamp())
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(body))
            archive.add(data, arcname=manifest.data_name, recursive=False)
        os.chmod(temporary, 0o600)  # the whole database, personal data included
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_manifest(path: Path) -> Manifest:
    """The manifest of the backup file ``path``; a BackupError if it is not a Saylau backup."""
    try:
        with tarfile.open(path, "r") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            document = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not a Saylau backup: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"{path}: manifest format {FORMAT!r} expected")
    try:
        manifest = Manifest(**document)
    except TypeError as exc:
        raise BackupError(f"{path}: the manifest is incomplete: {exc}") from None
    if manifest.dialect not in DATA:
        raise BackupError(f"{path}: unknown database kind {manifest.dialect!r}")
    return manifest


@contextmanager
def _extracted(path: Path, manifest: Manifest) -> Iterator[Path]:
    """The backup's data in a private temporary directory, its SHA-256 checked first."""
    with tempfile.TemporaryDirectory(prefix="saylau-restore-") as folder:
        target = Path(folder) / manifest.data_name
        try:
            with tarfile.open(path, "r") as archive:
                member = archive.extractfile(manifest.data_name)
                if member is None:
                    raise KeyError(manifest.data_name)
                with target.open("wb") as stream:
                    shutil.copyfileobj(member, stream, _CHUNK)
        except (OSError, tarfile.TarError, KeyError) as exc:
            raise BackupError(f"{path}: cannot read {manifest.data_name}: {exc}") from None
        actual = _sha256(target)
        if actual != manifest.sha256 or target.stat().st_size != manifest.size:
            raise BackupError(
                f"{path} is damaged or was altered: {manifest.data_name} has SHA-256 {actual} "
                f"({target.stat().st_size} bytes), the manifest records {manifest.sha256} "
                f"({manifest.size} bytes); nothing was restored"
            )
        yield target


# --- backup ----------------------------------------------------------------------------------------


def backup(engine: Engine, out: Path) -> Manifest:
    """Write a consistent snapshot of the database behind ``engine`` to ``out``."""
    dialect = engine.dialect.name
    with tempfile.TemporaryDirectory(prefix="saylau-backup-") as folder:
        data = Path(folder) / DATA.get(dialect, "data")
        if dialect == "sqlite":
            tables, revision, version = _sqlite_snapshot(engine, data)
        elif dialect == "postgresql":
            tables, revision, version = _postgres_snapshot(engine, data)
        else:
            raise BackupError(f"cannot back up a {dialect} database (SQLite or PostgreSQL)")
        manifest = Manifest(
            format=FORMAT,
            dialect=dialect,
            schema_revision=revision,
            created_at=_now(),
            sha256=_sha256(data),
            size=data.stat().st_size,
            tables=tables,
            server_version=version,
        )
        _write_archive(out, manifest, data)
    return manifest


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(database)


def _sqlite_snapshot(engine: Engine, data: Path) -> tuple[dict[str, int], str | None, str]:
    source = sqlite3.connect(_sqlite_path(engine), timeout=30)
    copy = sqlite3.connect(data)
    try:
        source.backup(copy)  # one step (pages=-1): one read transaction, a consistent copy
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        source.close()
        copy.close()
    snapshot = engine_for_file(data)
    try:
        with snapshot.connect() as connection:
            tables = row_counts(connection)
            revision = _revision(tables, connection)
    finally:
        snapshot.dispose()
    return tables, revision, sqlite3.sqlite_version


def engine_for_file(path: Path) -> Engine:
    """A plain engine on an SQLite file (the snapshot: no pragmas, nothing written)."""
    return create_engine(f"sqlite:///{path}")


# --- PostgreSQL tools ------------------------------------------------------------------------------


def _server_major(connection: Connection) -> int:
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def find_tool(name: str, server_major: int) -> Path:
    """``pg_dump``/``pg_restore`` of the server's major version, else the newest installed one
    that is newer (an older client cannot read a newer server); a BackupError if none."""
    candidates: list[tuple[int, Path]] = []
    for folder in Path("/usr/lib/postgresql").glob("*/bin"):
        tool = folder / name
        if folder.parent.name.isdigit() and os.access(tool, os.X_OK):
            candidates.append((int(folder.parent.name), tool))
    on_path = shutil.which(name)
    if on_path:
        found = subprocess.run([on_path, "--version"], capture_output=True, text=True, check=False)
        match = re.search(r"(\d+)(?:\.\d+)?", found.stdout)
        if match:
            candidates.append((int(match.group(1)), Path(on_path)))
    usable = sorted((v, t) for v, t in candidates if v >= server_major)
    exact = [t for v, t in usable if v == server_major]
    if exact:
        return exact[0]
    if usable:
        return usable[-1][1]
    raise BackupError(
        f"no {name} for PostgreSQL {server_major} or newer (looked in /usr/lib/postgresql/*/bin "
        "and on PATH): install the PostgreSQL client of the server's version"
    )


def _libpq_environment(url: URL) -> dict[str, str]:
    """The connection as libpq variables (the password never on a command line)."""
    env = dict(os.environ)
    host = url.host or url.query.get("host")
    values = {
        "PGHOST": host if isinstance(host, str) else None,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password if isinstance(url.password, str) else None,
        "PGDATABASE": url.database,
    }
    for key, value in values.items():
        if value:
            env[key] = value
        else:
            env.pop(key, None)
    return env


def _run(command: list[str], env: Mapping[str, str], what: str) -> None:
    done = subprocess.run(command, env=dict(env), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")


def _postgres_snapshot(engine: Engine, data: Path) -> tuple[dict[str, int], str | None, str]:
    with engine.connect() as plain:
        connection = plain.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = row_counts(connection)
            revision = _revision(tables, connection)
            version = str(connection.execute(text("SHOW server_version")).scalar_one())
            tool = find_tool("pg_dump", _server_major(connection))
            # The transaction stays open while pg_dump reads the exported snapshot.
            _run(
                [str(tool), "--format=custom", f"--snapshot={snapshot}", f"--file={data}"],
                _libpq_environment(engine.url),
                "pg_dump",
            )
    return tables, revision, version


# --- restore ---------------------------------------------------------------------------------------


def restore(path: Path, engine: Engine, *, force: bool = False) -> Restored:
    """Restore the backup ``path`` into the database behind ``engine``.

    Refused (BackupError, nothing changed) when the file is not a backup or its checksum does
    not hold, when it was made from another kind of database, and when the target holds data
    and ``force`` is not given.
    """
    manifest = read_manifest(path)
    dialect = engine.dialect.name
    if manifest.dialect != dialect:
        raise BackupError(
            f"{path} is a {manifest.dialect} backup; the target is a {dialect} database"
        )
    if not force and _target_holds_data(engine):
        raise BackupError(
            f"the target database ({engine.url.render_as_string(hide_password=True)}) holds "
            "data: restore into an empty database, or give --force to replace its content"
        )
    with _extracted(path, manifest) as data:
        if dialect == "sqlite":
            _sqlite_restore(engine, data)
        else:
            _postgres_restore(engine, data)
    engine.dispose()  # pooled connections may hold the old file or schema
    with engine.connect() as connection:
        tables = row_counts(connection)
    return Restored(manifest, tables)


def _target_holds_data(engine: Engine) -> bool:
    if engine.dialect.name == "sqlite" and not _sqlite_path(engine).exists():
        return False
    return holds_data(engine)


def _sqlite_restore(engine: Engine, data: Path) -> None:
    engine.dispose()
    source = sqlite3.connect(data)
    target = sqlite3.connect(_sqlite_path(engine), timeout=30)
    try:
        source.backup(target)  # replaces the target's pages in one step
    finally:
        source.close()
        target.close()


def _postgres_restore(engine: Engine, data: Path) -> None:
    with engine.connect() as connection:
        tool = find_tool("pg_restore", _server_major(connection))
    engine.dispose()
    env = _libpq_environment(engine.url)
    _run(
        [
            str(tool),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={env.get('PGDATABASE', '')}",
            str(data),
        ],
        env,
        "pg_restore",
    )
