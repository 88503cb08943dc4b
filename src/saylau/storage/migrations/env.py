"""Alembic environment: runs against the engine handed over by :func:`saylau.storage.db.migrate`."""

from __future__ import annotations

from alembic import context

from saylau.storage.db import make_engine
from saylau.storage.models import Base

config = context.config
engine = config.attributes.get("engine") or make_engine(config.get_main_option("sqlalchemy.url"))

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
