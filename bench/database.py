"""The demo database the benchmarks run on: built once per scale and commit, copied per benchmark.

The demo (``saylau demo --scale S``) is built through every real workflow, which takes minutes, so
it is cached outside the repository (``$SAYLAU_BENCH_CACHE``, default ``~/.cache/saylau-bench``)
keyed by scale and commit; on PostgreSQL it is a database named after the same key on the given
server. A benchmark that writes (or might) works on a copy: a file copy with SQLite's backup API,
``CREATE DATABASE … TEMPLATE`` on PostgreSQL.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def cache_dir() -> Path:
    """Where built demo databases and scratch copies live (outside the repository)."""
    configured = os.environ.get("SAYLAU_BENCH_CACHE")
    base = Path(configured) if configured else Path.home() / ".cache" / "saylau-bench"
    base.mkdir(parents=True, exist_ok=True)
    return base


def demo_key(scale: float, commit: str) -> str:
    return f"demo_s{scale:g}_{commit[:12]}".replace(".", "_")


def saylau_command() -> list[str]:
    """The ``saylau`` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "saylau"
    if script.exists():
        return [str(script)]
    found = shutil.which("saylau")
    if found is None:
        raise SystemExit("the `saylau` command is not installed (see the README's set-up)")
    return [found]


def _build(url: str, scale: float) -> None:
    subprocess.run(
        [*saylau_command(), "demo", "--scale", f"{scale:g}", "--database", url, "--quiet"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def ensure_demo(scale: float, commit: str, server: str | None) -> tuple[str, bool]:
    """The URL of the demo database for ``scale`` at ``commit``, and whether it was reused.

    ``server`` is ``None`` (SQLite, in the cache directory) or a PostgreSQL URL whose role may
    create databases; the demo is built under a temporary name and renamed when complete, so an
    interrupted build is never reused.
    """
    key = demo_key(scale, commit)
    if server is None or make_url(server).get_backend_name() == "sqlite":
        path = cache_dir() / f"{key}.sqlite3"
        if path.exists():
            return f"sqlite:///{path}", True
        building = cache_dir() / f"building-{key}-{uuid.uuid4().hex[:8]}.sqlite3"
        _build(f"sqlite:///{building}", scale)
        with sqlite3.connect(building) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        building.replace(path)
        for suffix in ("-wal", "-shm"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", False
    base = make_url(server)
    if _pg_exists(server, key):
        return base.set(database=key).render_as_string(hide_password=False), True
    staging = f"{key}_building"
    _pg_execute(server, f'DROP DATABASE IF EXISTS "{staging}"', f'CREATE DATABASE "{staging}"')
    _build(base.set(database=staging).render_as_string(hide_password=False), scale)
    _pg_execute(server, f'ALTER DATABASE "{staging}" RENAME TO "{key}"')
    return base.set(database=key).render_as_string(hide_password=False), False


@contextmanager
def copy_of(url: str) -> Iterator[str]:
    """A scratch copy of the database at ``url``, removed afterwards."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = Path(parsed.database or "")
        target = cache_dir() / f"scratch-{uuid.uuid4().hex[:8]}-{source.name}"
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        try:
            yield f"sqlite:///{target}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
        return
    name = f"scratch_{uuid.uuid4().hex[:8]}"
    _pg_execute(url, f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"')
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        _pg_execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def size_bytes(url: str) -> int:
    """The database's size on disk (file size, or ``pg_database_size``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Path(parsed.database or "").stat().st_size
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    finally:
        engine.dispose()


def _maintenance(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def _pg_execute(url: str, *statements: str) -> None:
    engine = create_engine(_maintenance(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def _pg_exists(url: str, name: str) -> bool:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(name)
    engine = create_engine(_maintenance(url))
    try:
        with engine.connect() as connection:
            found = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            return found is not None
    finally:
        engine.dispose()
