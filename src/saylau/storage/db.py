"""The database: where it is, how to connect, and bringing its schema up to date.

``SAYLAU_DATABASE_URL`` selects the database (``postgresql+psycopg://…`` in production); without it
Saylau uses an SQLite file in the user's data directory, so a commission laptop works offline with no
server. The schema is always created and upgraded by the Alembic migrations, never ad hoc.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

ENV_URL = "SAYLAU_DATABASE_URL"


def default_url() -> str:
    """``SAYLAU_DATABASE_URL``, or an SQLite file under the user's data directory."""
    url = os.environ.get(ENV_URL)
    if url:
        return url
    folder = Path(user_data_dir("saylau", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'saylau.sqlite3'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # The driver would otherwise begin a transaction only at the first write, leaving the reads
    # before it outside the transaction; SQLAlchemy's "begin" event below emits BEGIN instead.
    dbapi_connection.isolation_level = None


_IMMEDIATE = "saylau_sqlite_immediate"
"""Execution option: begin an SQLite transaction with ``BEGIN IMMEDIATE`` (see :class:`_Session`)."""


def _sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(_IMMEDIATE)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: :func:`default_url`), with foreign keys enforced on SQLite."""
    engine = create_engine(url or default_url(), future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("saylau.storage") / "migrations"))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    command.upgrade(alembic_config(engine), "head")


class _Session(Session):
    """A session whose explicit ``begin()`` (a unit of work that writes, as every service call)
    takes SQLite's write lock at once (``BEGIN IMMEDIATE``): concurrent writers then run one
    after the other, each seeing what the previous committed, instead of two deciding on the
    same stale reads (issue #9 §6). PostgreSQL serialises them by its row locks instead."""

    def begin(self, nested: bool = False) -> Any:
        transaction = super().begin(nested)
        bind = self.get_bind()
        if not nested and bind.dialect.name == "sqlite":
            self.connection(execution_options={_IMMEDIATE: True})
        return transaction


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, class_=_Session, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll everything back on any error."""
    with factory() as session, session.begin():
        yield session
