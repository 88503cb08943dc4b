"""Authentication hardening (issue #9 §3), on SQLite and PostgreSQL: login throttling kept in the
database (it holds across two application instances), server-side sessions with idle and absolute
timeouts and revocation, API-token expiry, cookie flags, and one-time codes (RFC 6238) for
commission accounts. Time is the application's authentication clock, moved by the test."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services.context import Actor, execute
from saylau.services.sessions import id_hash
from saylau.services.users import (
    RoleGrant,
    end_sessions,
    reset_totp,
    revoke_role,
    set_active,
    set_password,
    user_sessions,
)
from saylau.storage.models import AuditEvent, UserSession
from saylau.web.app import create_app
from saylau.web.config import secure_cookies_default
from tests.world import World, build_world

PASSWORD = "correct horse 7"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Site:
    factory: sessionmaker[Session]
    world: World
    clock: Clock
    app: FastAPI

    def client(self, language: str = "en") -> TestClient:
        return TestClient(self.app, headers={"Accept-Language": language})

    def another_app(self) -> FastAPI:
        """A second server worker over the same database."""
        return create_app(self.factory, secret="test-secret", auth_clock=self.clock)


@pytest.fixture
def site(factory: sessionmaker[Session]) -> Iterator[Site]:
    with factory() as session, session.begin():
        world = build_world(session)
    for name in ("oblast_admin", "alpha_agent", "cec_admin"):
        execute(factory, Actor.operator(), set_password, world.users[name], PASSWORD)
    clock = Clock()
    yield Site(factory, world, clock, create_app(factory, secret="test-secret", auth_clock=clock))


def login(client: TestClient, username: str, password: str = PASSWORD, code: str | None = None):  # type: ignore[no-untyped-def]
    body = {"username": username, "password": password}
    if code is not None:
        body["code"] = code
    return client.post("/api/auth/login", json=body)


def outcomes(factory: sessionmaker[Session], action: str = "login") -> list[str]:
    with factory() as session:
        return list(
            session.scalars(
                select(AuditEvent.outcome)
                .where(AuditEvent.action == action)
                .order_by(AuditEvent.id)
            )
        )


# --- throttling -------------------------------------------------------------------------------------


def test_the_fifth_failure_locks_even_the_right_password_until_the_lock_expires(
    site: Site,
) -> None:
    client = site.client()
    for _ in range(5):
        assert login(client, "alpha_agent", "wrong password").status_code == 403
    locked = login(client, "alpha_agent")  # the right password, during the lock
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "60"
    assert locked.json()["code"] == "login_throttled" and "60 seconds" in locked.json()["message"]
    site.clock.advance(seconds=59)
    assert login(client, "alpha_agent").status_code == 429
    site.clock.advance(seconds=2)
    assert login(client, "alpha_agent").status_code == 200
    assert outcomes(site.factory) == ["refused"] * 5 + ["throttled"] * 2 + ["done"]
    # The success cleared the account's count: four new failures do not lock it.
    for _ in range(4):
        assert login(client, "alpha_agent", "wrong password").status_code == 403
    assert login(client, "alpha_agent").status_code == 200


def test_the_lock_doubles_with_every_further_failure(site: Site) -> None:
    client = site.client()
    for _ in range(5):
        login(client, "alpha_agent", "wrong password")
    site.clock.advance(seconds=61)
    assert login(client, "alpha_agent", "wrong again").status_code == 403
    assert login(client, "alpha_agent").headers["Retry-After"] == "120"


def test_the_lock_holds_across_two_server_workers(site: Site) -> None:
    first = site.client()
    for _ in range(5):
        login(first, "alpha_agent", "wrong password")
    second = TestClient(site.another_app())
    refused = second.post(
        "/api/auth/login",
        json={"username": "alpha_agent", "password": PASSWORD},
        headers={"Accept-Language": "ru"},
    )
    assert refused.status_code == 429 and "60 с" in refused.json()["message"]


def test_an_address_guessing_at_many_accounts_is_locked(site: Site) -> None:
    client = site.client()
    for n in range(20):
        assert login(client, f"nobody{n}", "guess").status_code == 403
    assert login(client, "alpha_agent").status_code == 429  # another account, same address


def test_the_sign_in_page_says_when_to_retry_in_three_languages(site: Site) -> None:
    for _ in range(5):
        login(site.client(), "alpha_agent", "wrong password")
    for language, words in (
        ("kk", "секундтан кейін"),
        ("ru", "Повторите через"),
        ("en", "seconds"),
    ):
        client = site.client(language)
        token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        page = client.post(
            "/login", data={"username": "alpha_agent", "password": PASSWORD, "csrf_token": token}
        )
        assert page.status_code == 429 and page.headers["Retry-After"] == "60"
        assert words in page.text and 'role="alert"' in page.text


# --- sessions ---------------------------------------------------------------------------------------


def _cookie_content(client: TestClient) -> dict[str, object]:
    value = client.cookies["saylau_session"]
    payload = value.split(".")[0]
    decoded: dict[str, object] = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def test_the_cookie_names_no_user_and_sign_out_ends_the_session(site: Site) -> None:
    client = site.client()
    assert login(client, "alpha_agent").status_code == 200
    content = _cookie_content(client)
    assert set(content) <= {"sid", "csrf"} and "user_id" not in content
    with site.factory() as session:
        row = session.scalar(select(UserSession))
        assert row is not None and row.id_hash == id_hash(str(content["sid"]))
        assert row.id_hash != content["sid"]  # only the hash is stored
    copy = TestClient(site.app, cookies={"saylau_session": client.cookies["saylau_session"]})
    assert copy.get("/api/auth/me").json()["role"] == "party_agent"
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert copy.get("/api/auth/me").json()["role"] == "public"  # the copied cookie is dead


def test_idle_and_absolute_timeouts(site: Site) -> None:
    client = site.client()
    login(client, "alpha_agent")
    site.clock.advance(minutes=59)
    assert client.get("/api/auth/me").json()["role"] == "party_agent"
    site.clock.advance(minutes=61)  # idle for longer than 60 minutes
    assert client.get("/api/auth/me").json()["role"] == "public"
    login(client, "alpha_agent")
    for _ in range(14):  # active every 50 minutes: only the 12-hour end stops it
        site.clock.advance(minutes=50)
        assert client.get("/api/auth/me").json()["role"] == "party_agent"
    site.clock.advance(minutes=50)  # 12 h 30 min after signing in
    assert client.get("/api/auth/me").json()["role"] == "public"


def _token(client: TestClient) -> str:
    csrf = client.get("/api/auth/me").json()["csrf_token"]
    made = client.post("/api/auth/tokens", json={"label": "s"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    return str(made.json()["token"])


def _as_token(site: Site, token: str) -> int:
    return int(
        TestClient(site.app)
        .get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        .status_code
    )


def test_api_tokens_expire(site: Site) -> None:
    client = site.client()
    login(client, "alpha_agent")
    token = _token(client)
    site.clock.advance(days=29)
    assert _as_token(site, token) == 200
    site.clock.advance(days=2)
    assert _as_token(site, token) == 403


@pytest.mark.parametrize("change", ["password", "deactivate", "role", "admin"])
def test_what_takes_rights_away_ends_sessions_and_tokens(site: Site, change: str) -> None:
    client = site.client()
    login(client, "alpha_agent")
    token = _token(client)
    user_id = site.world.users["alpha_agent"]
    operator = Actor.operator()
    if change == "password":
        execute(site.factory, operator, set_password, user_id, "another horse 8")
    elif change == "deactivate":
        execute(site.factory, operator, set_active, user_id, False)
    elif change == "role":
        grant = RoleGrant(user_id, Role.PARTY_AGENT, None, site.world.parties["alpha"])
        assert execute(site.factory, operator, revoke_role, grant) is True
    else:
        assert execute(site.factory, operator, end_sessions, user_id) == 2
    assert client.get("/api/auth/me").json()["role"] == "public"
    if change != "role":  # a revoked role's tokens go with it
        assert _as_token(site, token) == 403
    listed = execute(site.factory, operator, user_sessions, user_id)
    assert len(listed) == 1 and not listed[0].live and listed[0].revoked_reason


def test_an_administrator_lists_and_ends_sessions_through_the_api(site: Site) -> None:
    agent = site.client()
    login(agent, "alpha_agent")
    admin = site.client()
    signed = _signed_in_commission_account(site, admin, "cec_admin")
    user_id = site.world.users["alpha_agent"]
    listed = admin.get(f"/api/users/{user_id}/sessions")
    assert listed.status_code == 200 and [s["live"] for s in listed.json()] == [True]
    ended = admin.post(
        f"/api/users/{user_id}/sessions/revoke", headers={"X-CSRF-Token": signed["csrf_token"]}
    )
    assert ended.json() == {"ended": 1}
    assert agent.get("/api/auth/me").json()["role"] == "public"
    assert "revoke_sessions" in [e for e in _actions(site.factory)]
    # A party agent may not look at anyone's sessions.
    assert agent.get(f"/api/users/{user_id}/sessions").status_code == 403


def _actions(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_cookie_flags() -> None:
    assert secure_cookies_default("0.0.0.0") and secure_cookies_default("saylau.example")
    assert not secure_cookies_default("127.0.0.1") and not secure_cookies_default("::1")


@pytest.mark.parametrize("secure", [False, True])
def test_the_session_cookie_is_httponly_strict_and_host_only_when_secure(
    site: Site, secure: bool
) -> None:
    app = create_app(site.factory, secret="s", secure_cookies=secure, auth_clock=site.clock)
    base = "https://testserver" if secure else "http://testserver"
    client = TestClient(app, base_url=base)
    response = login(client, "alpha_agent")
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert "path=/" in cookie.lower() and "domain=" not in cookie.lower()
    if secure:
        assert cookie.startswith("__Host-saylau_session=") and "secure" in cookie.lower()
    else:
        assert cookie.startswith("saylau_session=") and "secure" not in cookie.lower()


# --- one-time codes ---------------------------------------------------------------------------------


def _enrol(site: Site, client: TestClient, username: str) -> str:
    """Sign in through the pages, set up the authenticator; returns its secret."""
    token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    first = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert first.status_code == 303 and first.headers["location"] == "/account/totp"
    assert client.get("/dashboard", follow_redirects=False).headers["location"] == "/login"
    page = client.get("/account/totp").text
    assert 'src="data:image/svg+xml' in page  # the QR code, inline (CSP img-src data:)
    secret = page.split('data-secret="')[1].split('"')[0]
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    wrong = client.post("/account/totp", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 401 and 'role="alert"' in wrong.text
    done = client.post(
        "/account/totp",
        data={"code": pyotp.TOTP(secret).at(site.clock()), "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/dashboard"
    return str(secret)


def _signed_in_commission_account(site: Site, client: TestClient, username: str) -> dict:  # type: ignore[type-arg]
    _enrol(site, client, username)
    me: dict = client.get("/api/auth/me").json()  # type: ignore[type-arg]
    return me


def test_a_commission_account_enrols_then_always_gives_a_code_never_twice(site: Site) -> None:
    client = site.client()
    secret = _enrol(site, client, "oblast_admin")
    assert client.get("/dashboard").status_code == 200
    api = site.client()
    missing = login(api, "oblast_admin")
    assert missing.status_code == 403 and missing.json()["code"] == "totp_required"
    site.clock.advance(seconds=30)
    code = pyotp.TOTP(secret).at(site.clock())
    assert login(api, "oblast_admin", code=code).json()["role"] == "tec_admin"
    replayed = login(site.client(), "oblast_admin", code=code)  # the same code again: refused
    assert replayed.status_code == 403 and replayed.json()["code"] == "bad_totp"
    site.clock.advance(seconds=30)
    assert (
        login(site.client(), "oblast_admin", code=pyotp.TOTP(secret).at(site.clock())).status_code
        == 200
    )
    # A wrong code counts as a failed attempt.
    assert login(site.client(), "oblast_admin", code="123456").status_code == 403
    assert outcomes(site.factory)[-1] == "refused"


def test_the_code_page_after_the_password(site: Site) -> None:
    secret = _enrol(site, site.client(), "oblast_admin")
    site.clock.advance(seconds=30)
    client = site.client("ru")
    token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    first = client.post(
        "/login",
        data={"username": "oblast_admin", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert first.headers["location"] == "/login/code"
    page = client.get("/login/code")
    assert "Одноразовый код" in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.get("/api/auth/me").json()["role"] == "public"  # not yet signed in
    done = client.post(
        "/login/code",
        data={"code": pyotp.TOTP(secret).at(site.clock()), "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and client.get("/api/auth/me").json()["role"] == "tec_admin"


def test_an_administrator_resets_a_lost_authenticator(site: Site) -> None:
    _enrol(site, site.client(), "oblast_admin")
    user_id = site.world.users["oblast_admin"]
    assert execute(site.factory, Actor.operator(), reset_totp, user_id) is True
    assert "reset_totp" in _actions(site.factory)
    site.clock.advance(seconds=30)
    _enrol(site, site.client(), "oblast_admin")  # the next sign-in sets up a new one


def test_party_agents_need_no_code_and_the_optional_policy(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert login(site.client(), "alpha_agent").json()["pending"] is None
    assert login(site.client(), "oblast_admin").json()["pending"] == "enrol"
    monkeypatch.setenv("SAYLAU_TOTP", "optional")
    assert login(site.client(), "oblast_admin").json()["role"] == "tec_admin"
