"""Shared fixtures: a migrated database on SQLite and on PostgreSQL for every storage test.

PostgreSQL comes from ``SAYLAU_TEST_POSTGRES_URL``, which ``make test`` sets by starting a throwaway
server (``scripts/with-postgres``). Without it the PostgreSQL half is skipped locally, and fails in CI
(``CI=true``), where skipping it would hide a missing install step.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import Base

POSTGRES_URL = os.environ.get("SAYLAU_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("SAYLAU_TEST_POSTGRES_URL is not set: CI must test on PostgreSQL too")
        pytest.skip("PostgreSQL not configured (run the suite with `make test`)")
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate(engine)
    yield engine
    engine.dispose()


def _truncate_postgres(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Engine]:
    """A freshly migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "saylau.sqlite3"
        shutil.copy(sqlite_template, path)
        sqlite = make_engine(f"sqlite:///{path}")
        yield sqlite
        sqlite.dispose()
    else:
        postgres: Engine = request.getfixturevalue("postgres_engine")
        _truncate_postgres(postgres)
        yield postgres


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)
