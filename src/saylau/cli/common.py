"""Plumbing of the commands that work on the database: the connection, who acts, one service call.

Every administration command opens the database (``SAYLAU_DATABASE_URL`` or the default SQLite
file) and brings its schema up to date (:func:`database`), acts as the console operator unless
``--as USER --role ROLE --commission ID`` names a user's role (:func:`actor`), runs one service call
as one transaction (:func:`act`) or reads (:func:`read`), and prints JSON
(:func:`saylau.cli.jsonio.write_output`). A refusal by a service exits with code 2 and
``error: <message>`` on standard error (:func:`saylau.cli.jsonio.fail`); a refused permission is
also logged in the audit chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeAlias, TypeVar

import typer
from sqlalchemy.orm import Session, sessionmaker

from saylau.cli.jsonio import fail
from saylau.domain.roles import Role
from saylau.services.context import Actor, execute
from saylau.services.errors import ServiceError
from saylau.storage.db import make_engine, migrate, session_factory

T = TypeVar("T")

AsUser = Annotated[
    str | None, typer.Option("--as", help="Act as this user (default: the console operator).")
]
AsRole = Annotated[str | None, typer.Option("--role", help="The user's role, e.g. tec_admin.")]
AsCommission = Annotated[
    int | None, typer.Option("--commission", help="The commission the role is held in.")
]

Who: TypeAlias = tuple[str | None, str | None, int | None]
"""Who acts: ``(--as, --role, --commission)``; all None for the console operator."""


@contextmanager
def database() -> Iterator[sessionmaker[Session]]:
    """The configured database, migrated to the newest schema."""
    engine = make_engine()
    try:
        migrate(engine)
        yield session_factory(engine)
    finally:
        engine.dispose()


def actor(factory: sessionmaker[Session], who: Who) -> Actor:
    """The acting user's role, or the console operator when no user is named."""
    user, role, commission = who
    if user is None:
        if role is not None or commission is not None:
            fail("--role and --commission name the acting user's role: give --as USER too")
        return Actor.operator()
    if role is None:
        fail("--as USER needs --role ROLE (and --commission ID for a commission role)")
    try:
        parsed = Role(role)
    except ValueError:
        fail(f"--role {role!r}: one of {', '.join(r.value for r in Role)}")
    with factory() as session:
        return Actor.load(session, user, parsed, commission)


def act(who: Who, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``operation(ctx, *args, **kwargs)`` as one transaction for ``who``; a refusal (also of
    the role named) exits 2 with its message."""
    try:
        with database() as factory:
            return execute(factory, actor(factory, who), operation, *args, **kwargs)
    except ServiceError as error:
        fail(error.message)


def read(query: Callable[..., T], *args: Any) -> T:
    """Run the read-only ``query(session, *args)``; a refusal exits 2 with its message."""
    try:
        with database() as factory, factory() as session:
            return query(session, *args)
    except ServiceError as error:
        fail(error.message)
