"""The bench's demo cache key (issue #8): the demo generator's inputs, not the commit.

A commit touching only the web layer or the bench must reuse the cached demo (a rebuild takes
minutes); a change to anything the build reads — the generator, the services it calls, the law,
the models and migration, the reference data — or to the scale or seed must not.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from bench.database import (
    SRC,
    Demo,
    _build_lock,
    demo_digest,
    demo_key,
    demo_sources,
    ensure_demo,
    prune,
    schema_differences,
)
from sqlalchemy import Engine, text

from saylau.storage.db import make_engine, migrate

ROOT = SRC.parent


def _relative() -> set[str]:
    return {str(p.relative_to(ROOT)) for p in demo_sources()}


def test_the_sources_are_what_the_build_reads() -> None:
    found = _relative()
    for needed in (
        "src/saylau/demo/generator.py",
        "src/saylau/demo/plan.py",
        "src/saylau/cli/demo.py",
        "src/saylau/services/tabulation.py",  # called by the generator
        "src/saylau/services/protocols.py",
        "src/saylau/services/audit.py",  # reached through the services' context
        "src/saylau/law/allocation.py",  # the law core the tabulation applies
        "src/saylau/storage/db.py",
        "src/saylau/storage/migrations/versions/0001_initial_schema.py",
        "src/saylau/reference/data/regions.csv",  # data, never imported
        "pyproject.toml",
    ):
        assert needed in found, needed
    assert any(f.startswith("src/saylau/storage/models/") for f in found)
    assert any(f.startswith("src/saylau/law/") for f in found)
    for unrelated in ("src/saylau/web/", "src/saylau/publication/", "src/saylau/documents/"):
        assert not any(f.startswith(unrelated) for f in found), unrelated
    assert not any(f.startswith(("bench/", "tests/", "docs/")) for f in found)
    assert not any("__pycache__" in f for f in found)


def test_the_key_follows_scale_seed_and_digest_only() -> None:
    digest = "ab" * 32
    key = demo_key(0.05, 2023, digest)
    assert key == "demo_s0_05_seed2023_abababababababab"
    assert demo_key(0.05, 2023, digest) == key  # no commit, no clock
    assert demo_key(0.1, 2023, digest) != key
    assert demo_key(0.05, 7, digest) != key
    assert demo_key(0.05, 2023, "cd" * 32) != key
    assert demo_key(3, 2023, digest).startswith("demo_s3_")
    assert re.fullmatch(r"demo_s0_05_seed2023_[0-9a-f]{16}", demo_key(0.05))


def test_the_digest_changes_with_any_content_or_name(tmp_path: Path) -> None:
    a, b = tmp_path / "a.py", tmp_path / "data.csv"
    a.write_text("X = 1\n")
    b.write_text("code,seats\n")
    first = demo_digest([a, b], tmp_path)
    assert demo_digest([a, b], tmp_path) == first
    b.write_text("code,seats\nKZ-10,1\n")
    second = demo_digest([a, b], tmp_path)
    assert second != first
    c = tmp_path / "c.py"
    a.rename(c)
    assert demo_digest([c, b], tmp_path) != second


def test_a_second_build_of_the_same_demo_waits_for_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs needing the same demo build it once: the key's lock is exclusive across
    processes (the second run then finds the finished demo and reuses it)."""
    monkeypatch.setenv("SAYLAU_BENCH_CACHE", str(tmp_path))
    probe = (
        "import fcntl, sys\n"
        f"handle = open({str(tmp_path / 'demo_k.lock')!r}, 'w')\n"
        "try:\n    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "except BlockingIOError:\n    sys.exit(3)\n"
    )
    with _build_lock("demo_k"):
        held = subprocess.run([sys.executable, "-c", probe])
    free = subprocess.run([sys.executable, "-c", probe])
    assert (held.returncode, free.returncode) == (3, 0)


def test_a_cached_demo_of_other_sources_is_adopted_only_with_the_current_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--adopt-demo``: when no build of the current sources exists, a build of the same scale
    and seed from other sources is used if its schema is the models' to the column and index —
    never one that lacks a table, a column or an index, and never one of another scale."""
    monkeypatch.setenv("SAYLAU_BENCH_CACHE", str(tmp_path))

    def cached(key: str, damage: str | None = None) -> str:
        url = f"sqlite:///{tmp_path / key}.sqlite3"
        engine = make_engine(url)
        migrate(engine)
        if damage:
            with engine.begin() as connection:
                connection.execute(text(damage))
        engine.dispose()
        return url

    other = demo_key(0.3, 2023, "12" * 32)
    good = cached(other)
    assert schema_differences(good) == []
    no_index = cached(demo_key(0.3, 2023, "34" * 32), "DROP INDEX ix_protocol_contest_id")
    assert schema_differences(no_index) == ["protocol.index ix_protocol_contest_id: missing"]
    no_table = cached(demo_key(0.3, 2023, "56" * 32), "DROP TABLE approval")
    assert "table approval: missing" in schema_differences(no_table)
    cached(demo_key(0.1, 2023, "78" * 32))  # another scale: never adopted for 0.3
    # The damaged builds are newer, so they are tried first and passed over.
    assert ensure_demo(0.3, None, adopt=True) == Demo(good, True, other)
    # Pruning removes the builds no run can use (another schema), only of that scale and seed.
    assert sorted(prune(0.3, 2023, None, keep=other)) == sorted(
        [demo_key(0.3, 2023, "34" * 32), demo_key(0.3, 2023, "56" * 32)]
    )
    assert sorted(p.name for p in tmp_path.glob("*.sqlite3")) == sorted(
        [f"{other}.sqlite3", f"{demo_key(0.1, 2023, '78' * 32)}.sqlite3"]
    )


def test_a_migrated_database_of_either_kind_has_the_models_schema(engine: Engine) -> None:
    """PostgreSQL reflects the index behind each unique constraint as an index of its own: not a
    difference (a PostgreSQL demo was otherwise never adopted, and pruned as soon as built)."""
    assert schema_differences(engine.url.render_as_string(hide_password=False)) == []


def test_prune_keeps_the_build_just_made_whatever_its_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAYLAU_BENCH_CACHE", str(tmp_path))
    key = demo_key(0.3, 2023, "9a" * 32)
    engine = make_engine(f"sqlite:///{tmp_path / key}.sqlite3")
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE approval"))
    engine.dispose()
    assert prune(0.3, 2023, None, keep=key) == []
    assert (tmp_path / f"{key}.sqlite3").exists()
    assert prune(0.3, 2023, None, keep="another") == [key]
