"""The demo database the benchmarks run on: built once per content, copied per benchmark.

The demo (``saylau demo --scale S``) is built through every real workflow, which takes minutes, so
it is cached outside the repository (``$SAYLAU_BENCH_CACHE``, default ``~/.cache/saylau-bench``)
keyed by what determines its content (:func:`demo_key`: scale, seed and a digest of the source
files the build reads), so a commit that touches only the web layer, the documents or the bench
reuses it; on PostgreSQL it is a database named after the same key on the given server. A
benchmark that writes (or might) works on a copy: a file copy with SQLite's backup API,
``CREATE DATABASE … TEMPLATE`` on PostgreSQL.

With ``adopt`` (``python -m bench --adopt-demo``) a cached demo of the same scale and seed built
from other sources is used when no exact one exists and its schema is the current models' to the
column and index (:func:`schema_differences`): a change to a service's speed changes the key
but not the election the generator makes, and a scale-3 rebuild takes the better part of an hour.
The report names the adopted build's key, so the figures say what data they were measured on.
"""

from __future__ import annotations

import ast
import fcntl
import hashlib
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
from typing import NamedTuple

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url


def cache_dir() -> Path:
    """Where built demo databases and scratch copies live (outside the repository)."""
    configured = os.environ.get("SAYLAU_BENCH_CACHE")
    base = Path(configured) if configured else Path.home() / ".cache" / "saylau-bench"
    base.mkdir(parents=True, exist_ok=True)
    return base


SRC = Path(__file__).resolve().parent.parent / "src"
DEMO_SEED = 2023
"""The seed of every benchmark demo (``saylau demo``'s default)."""
DEMO_ROOTS = ("saylau.cli.demo", "saylau.demo", "saylau.storage.db")
"""Where the build starts: the ``saylau demo`` command, the generator package, the migration."""
DEMO_TREES = ("saylau/demo", "saylau/storage", "saylau/reference")
"""Directories whose every file counts, Python or not: the generator, the models and the Alembic
migration, the reference data (CSV tables of 2023) — a data file is never imported."""
DEMO_FILES = ("pyproject.toml",)
"""Outside ``src``: the pinned dependencies (a new SQLAlchemy may store differently)."""


def _module_file(name: str) -> Path | None:
    """The source file of module ``saylau.x.y`` (a package's ``__init__.py``), if it exists."""
    base = SRC.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path, name: str) -> set[str]:
    """Every ``saylau`` module ``path`` (module ``name``) imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m == "saylau" or m.startswith("saylau.")}


def demo_sources() -> list[Path]:
    """The files that determine the demo's content, sorted.

    The ``saylau`` modules reachable by static imports (including imports inside functions) from
    :data:`DEMO_ROOTS` — the services the generator calls, the law core and the domain they use,
    and the packages' ``__init__`` files that run on import — plus every file of
    :data:`DEMO_TREES` and :data:`DEMO_FILES`. The web layer, documents, publication, analytics,
    translations and the bench are not reached, so a change there reuses the cached demo.
    """
    files: set[Path] = set()
    seen: set[str] = set()
    todo = [*DEMO_ROOTS]
    for tree in DEMO_TREES:
        todo += [
            ".".join(p.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
            for p in (SRC / tree).rglob("*.py")
        ]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        if path is None:
            continue  # a name imported from a module, not a module
        files.add(path)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        todo += sorted(_imports(path, name))
    for tree in DEMO_TREES:
        files.update(
            p for p in (SRC / tree).rglob("*") if p.is_file() and "__pycache__" not in p.parts
        )
    files.update(SRC.parent / f for f in DEMO_FILES if (SRC.parent / f).is_file())
    return sorted(files)


def demo_digest(files: list[Path] | None = None, root: Path = SRC.parent) -> str:
    """SHA-256 over the sources' paths (relative to ``root``, the repository) and contents."""
    digest = hashlib.sha256()
    for path in files if files is not None else demo_sources():
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def demo_key(scale: float, seed: int = DEMO_SEED, digest: str | None = None) -> str:
    """The cache name of the demo built at ``scale`` and ``seed`` from the current sources: the
    generator's inputs, not the commit, so unrelated commits reuse it (issue #8)."""
    found = digest if digest is not None else demo_digest()
    return f"demo_s{scale:g}_seed{seed}_{found[:16]}".replace(".", "_")


def saylau_command() -> list[str]:
    """The ``saylau`` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "saylau"
    if script.exists():
        return [str(script)]
    found = shutil.which("saylau")
    if found is None:
        raise SystemExit("the `saylau` command is not installed (see the README's set-up)")
    return [found]


def _build(url: str, scale: float, seed: int) -> None:
    subprocess.run(
        [
            *saylau_command(),
            *("demo", "--scale", f"{scale:g}", "--seed", str(seed)),
            *("--database", url, "--quiet"),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


class Demo(NamedTuple):
    """A demo database ready for the benchmarks."""

    url: str
    reused: bool
    """Taken from the cache rather than built by this run."""
    adopted: str | None = None
    """The key of the build adopted in place of the current sources' (``adopt``), else ``None``."""


def ensure_demo(
    scale: float, server: str | None, *, seed: int = DEMO_SEED, adopt: bool = False
) -> Demo:
    """The demo database for ``scale`` and ``seed`` built from the current sources
    (:func:`demo_key`), or with ``adopt`` a schema-identical build of other sources.

    ``server`` is ``None`` (SQLite, in the cache directory) or a PostgreSQL URL whose role may
    create databases; the demo is built under a temporary name and renamed when complete, so an
    interrupted build is never reused. Two runs on this machine that need the same demo build it
    once: the second waits for the first (a lock file per key and server in the cache
    directory: a SQLite build does not wait for a PostgreSQL one).
    """
    key = demo_key(scale, seed)
    with _build_lock(key if _on_sqlite(server) else f"{key}.{_server_tag(server)}"):
        exact = _existing(key, server)
        if exact is not None:
            return Demo(exact, True)
        if adopt:
            for other, url in _cached(scale, seed, server):
                if other != key and not schema_differences(url):
                    return Demo(url, True, other)
        built = Demo(_build_demo(key, scale, server, seed), False)
        prune(scale, seed, server, keep=key)
        return built


def prune(scale: float, seed: int, server: str | None, *, keep: str) -> list[str]:
    """Remove the cached builds of ``scale`` and ``seed`` that no run can use any more — those
    whose schema is not the current models' (never adopted) — and return their keys, so that the
    cache holds at most the builds of the current schema (a scale-3 build is over a gigabyte).
    The build ``keep`` (the one just made) is never removed."""
    stale = [
        key for key, url in _cached(scale, seed, server) if key != keep and schema_differences(url)
    ]
    for key in stale:
        if _on_sqlite(server):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{cache_dir() / key}.sqlite3{suffix}").unlink(missing_ok=True)
            (cache_dir() / f"{key}.lock").unlink(missing_ok=True)
        else:
            assert server is not None
            _pg_execute(server, f'DROP DATABASE IF EXISTS "{key}" WITH (FORCE)')
    return stale


def schema_differences(url: str) -> list[str]:
    """How the database at ``url`` differs from the current models: missing or extra tables,
    columns and indexes (empty when a benchmark may run on it)."""
    from saylau.storage.models import Base

    engine = create_engine(url)
    try:
        found = inspect(engine)
        tables = set(found.get_table_names()) - {"alembic_version"}
        expected = Base.metadata.tables
        differences = [f"table {t}: missing" for t in sorted(set(expected) - tables)]
        differences += [f"table {t}: not in the models" for t in sorted(tables - set(expected))]
        for name in sorted(tables & set(expected)):
            columns = {c["name"] for c in found.get_columns(name)}
            wanted = {c.name for c in expected[name].columns}
            # PostgreSQL reflects the index behind each unique constraint as an index too
            indexes = {
                str(i["name"])
                for i in found.get_indexes(name)
                if not i.get("duplicates_constraint")
            }
            wanted_indexes = {str(i.name) for i in expected[name].indexes}
            differences += [
                f"{name}.{what}: {how}"
                for what, how in [(c, "missing") for c in sorted(wanted - columns)]
                + [(c, "not in the models") for c in sorted(columns - wanted)]
                + [(f"index {i}", "missing") for i in sorted(wanted_indexes - indexes)]
                + [(f"index {i}", "not in the models") for i in sorted(indexes - wanted_indexes)]
            ]
        return differences
    finally:
        engine.dispose()


@contextmanager
def _build_lock(key: str) -> Iterator[None]:
    """An exclusive lock on ``<cache>/<key>.lock`` (released when the process ends, however)."""
    with (cache_dir() / f"{key}.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another build of {key} …", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _server_tag(server: str | None) -> str:
    """A short name of a PostgreSQL server URL, for its builds' lock files."""
    return hashlib.sha256(str(server).encode("utf-8")).hexdigest()[:12]


def _on_sqlite(server: str | None) -> bool:
    return server is None or make_url(server).get_backend_name() == "sqlite"


def _existing(key: str, server: str | None) -> str | None:
    """The URL of the complete build named ``key``, if there is one."""
    if _on_sqlite(server):
        path = cache_dir() / f"{key}.sqlite3"
        return f"sqlite:///{path}" if path.exists() else None
    assert server is not None
    if not _pg_exists(server, key):
        return None
    return make_url(server).set(database=key).render_as_string(hide_password=False)


def _cached(scale: float, seed: int, server: str | None) -> list[tuple[str, str]]:
    """Every complete build of ``scale`` and ``seed`` (key, URL), the newest first."""
    prefix = demo_key(scale, seed, "0" * 16).removesuffix("0" * 16)
    if _on_sqlite(server):
        files = sorted(
            cache_dir().glob(f"{prefix}*.sqlite3"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        return [(p.name.removesuffix(".sqlite3"), f"sqlite:///{p}") for p in files]
    assert server is not None
    engine = create_engine(_maintenance(server))
    try:
        with engine.connect() as connection:
            names = connection.scalars(
                text("SELECT datname FROM pg_database ORDER BY oid DESC")  # newest first
            ).all()
    finally:
        engine.dispose()
    base = make_url(server)
    return [
        (str(n), base.set(database=str(n)).render_as_string(hide_password=False))
        for n in names
        if str(n).startswith(prefix) and not str(n).endswith("_building")
    ]


def _build_demo(key: str, scale: float, server: str | None, seed: int) -> str:
    if _on_sqlite(server):
        path = cache_dir() / f"{key}.sqlite3"
        building = cache_dir() / f"building-{key}-{uuid.uuid4().hex[:8]}.sqlite3"
        _build(f"sqlite:///{building}", scale, seed)
        with sqlite3.connect(building) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        building.replace(path)
        for suffix in ("-wal", "-shm"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    assert server is not None
    base = make_url(server)
    staging = f"{key}_building"
    _pg_execute(server, f'DROP DATABASE IF EXISTS "{staging}"', f'CREATE DATABASE "{staging}"')
    _build(base.set(database=staging).render_as_string(hide_password=False), scale, seed)
    _pg_execute(server, f'ALTER DATABASE "{staging}" RENAME TO "{key}"')
    return base.set(database=key).render_as_string(hide_password=False)


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
