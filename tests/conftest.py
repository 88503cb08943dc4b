"""Shared fixtures: a migrated database on SQLite and on PostgreSQL for every storage test.

PostgreSQL comes from ``SAYLAU_TEST_POSTGRES_URL``, which ``make test`` sets by starting a throwaway
server (``scripts/with-postgres``). Without it the PostgreSQL half is skipped locally, and fails in CI
(``CI=true``), where skipping it would hide a missing install step.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from saylau.storage.db import make_engine, migrate, session_factory
from saylau.storage.models import Base, TotpEnrolment, User

POSTGRES_URL = os.environ.get("SAYLAU_TEST_POSTGRES_URL")


@pytest.fixture(scope="session", autouse=True)
def signing_key_of_the_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One Ed25519 signing key for the whole run, so that no test writes a key into the user's
    data directory (signing.py generates one there when ``SAYLAU_SIGNING_KEY`` is not set)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from saylau.documents.signing import ENV_KEY, private_pem

    if os.environ.get(ENV_KEY):
        yield
        return
    path = tmp_path_factory.mktemp("signing") / "signing-key.pem"
    path.write_bytes(private_pem(Ed25519PrivateKey.generate()))
    os.environ[ENV_KEY] = str(path)
    yield
    os.environ.pop(ENV_KEY, None)


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


# --- signing in with a one-time code (issue #9 §3) ---------------------------------------------------


class ShiftedClock:
    """The application's authentication clock in tests: the real time moved on by whole
    30-second steps, one per sign-in with a code (as if each came half a minute after the last),
    so that signing the same account in again never replays a code already used."""

    def __init__(self) -> None:
        self.shift = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift

    def next_step(self) -> datetime:
        self.shift += timedelta(seconds=30)
        return self()


def shifted_clock(app: Any) -> ShiftedClock:
    """The app's authentication clock as a :class:`ShiftedClock` (installed on first use)."""
    clock = app.state.auth_clock
    if not isinstance(clock, ShiftedClock):
        clock = ShiftedClock()
        app.state.auth_clock = clock
    return clock


def totp_secret(factory: sessionmaker[Session], username: str) -> str:
    """The account's authenticator secret (what the owner's app holds)."""
    with factory() as session:
        secret = session.scalar(
            select(TotpEnrolment.secret)
            .join(User, User.id == TotpEnrolment.user_id)
            .where(User.username == username)
        )
    assert secret is not None, f"{username} has no authenticator"
    return secret


def totp_code(app: Any, username: str) -> str:
    """The code the account's authenticator shows at the app's next step."""
    moment = shifted_clock(app).next_step()
    return pyotp.TOTP(totp_secret(app.state.factory, username)).at(moment)


def second_factor(client: Any, username: str, response: Any) -> Any:
    """Complete a page sign-in: enter the one-time code, or set up the authenticator from the
    key the page shows and confirm it with its first code. Returns the last response."""
    location = response.headers.get("location", "") if response.status_code == 303 else ""
    if location not in ("/login/code", "/account/totp"):
        return response
    page = client.get(location).text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    if location == "/account/totp":
        found = re.search(r'data-secret="([A-Z2-7]+)"', page)
        assert found is not None, page
        code = pyotp.TOTP(found.group(1)).at(shifted_clock(client.app).next_step())
    else:
        code = totp_code(client.app, username)
    return client.post(location, data={"code": code, "csrf_token": token}, follow_redirects=False)


def api_sign_in(client: Any, username: str, password: str) -> Any:
    """Sign in through the JSON API, with the code or the authenticator's set-up when due."""
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    if response.status_code == 403 and response.json()["code"] == "totp_required":
        code = totp_code(client.app, username)
        response = client.post(
            "/api/auth/login", json={"username": username, "password": password, "code": code}
        )
    if response.status_code == 200 and response.json().get("pending") == "enrol":
        csrf = {"X-CSRF-Token": response.json()["csrf_token"]}
        secret = client.post("/api/auth/totp/enrol", headers=csrf).json()["secret"]
        code = pyotp.TOTP(secret).at(shifted_clock(client.app).next_step())
        response = client.post("/api/auth/totp/confirm", json={"code": code}, headers=csrf)
    return response
