"""The web application's frame: sign-in, roles, CSRF, tokens, error bodies and security headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.services.context import Actor, execute
from saylau.services.users import set_password
from saylau.storage.models import AuditEvent
from saylau.web.app import create_app
from tests.conftest import api_sign_in, second_factor
from tests.world import World, build_world


@pytest.fixture
def world_app(factory: sessionmaker[Session]) -> Iterator[tuple[TestClient, World]]:
    with factory() as session, session.begin():
        world = build_world(session)
    execute(factory, Actor.operator(), set_password, world.users["oblast_admin"], "correct horse 7")
    with TestClient(create_app(factory, secret="test-secret")) as client:
        yield client, world


def test_security_headers_on_every_response(world_app: tuple[TestClient, World]) -> None:
    client, _ = world_app
    response = client.get("/api/health")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_login_csrf_and_tokens(
    world_app: tuple[TestClient, World], factory: sessionmaker[Session]
) -> None:
    client, world = world_app
    bad = client.post("/api/auth/login", json={"username": "oblast_admin", "password": "nope"})
    assert bad.status_code == 403 and bad.json()["code"] == "bad_credentials"
    ok = api_sign_in(client, "oblast_admin", "correct horse 7")  # with its authenticator set up
    assert ok.status_code == 200
    me = ok.json()
    assert me["role"] == "tec_admin" and me["commission_id"] == world.commissions["tec_oblast"]
    # A write through the cookie session without the CSRF token is refused…
    refused = client.post("/api/auth/tokens", json={"label": "script"})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf"
    # …and accepted with it.
    made = client.post(
        "/api/auth/tokens", json={"label": "script"}, headers={"X-CSRF-Token": me["csrf_token"]}
    )
    assert made.status_code == 201
    token = made.json()["token"]
    fresh = TestClient(client.app)
    as_script = fresh.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert as_script.json()["role"] == "tec_admin"
    assert fresh.get("/api/auth/me", headers={"Authorization": "Bearer forged"}).status_code == 403
    with factory() as session:
        outcomes = session.scalars(
            select(AuditEvent.outcome).where(AuditEvent.action == "login").order_by(AuditEvent.id)
        ).all()
    assert outcomes == ["refused", "done"]


def test_errors_speak_the_request_language(world_app: tuple[TestClient, World]) -> None:
    client, _ = world_app
    for language, expected in (("kk", "рұқсат жоқ"), ("ru", "нет права"), ("en", "not allowed")):
        response = client.post(
            "/api/auth/login",
            json={"username": "x", "password": "y"},
            headers={"Accept-Language": language},
        )
        assert expected in response.json()["message"]
    invalid = client.post(
        "/api/auth/login", json={"username": ""}, headers={"Accept-Language": "ru"}
    )
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "invalid_input" and "недопустимо" in invalid.json()["message"]


def test_sign_in_page_with_csrf_and_language_switch(world_app: tuple[TestClient, World]) -> None:
    """The form flow: the CSRF token of the page is required; the language cookie sticks."""
    client, _ = world_app
    page = client.get("/login")
    assert page.status_code == 200 and 'lang="kk"' in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    forged = client.post("/login", data={"username": "oblast_admin", "password": "correct horse 7"})
    assert forged.status_code == 403
    wrong = client.post(
        "/login", data={"username": "oblast_admin", "password": "x", "csrf_token": token}
    )
    assert wrong.status_code == 401 and 'role="alert"' in wrong.text
    signed = client.post(
        "/login",
        data={"username": "oblast_admin", "password": "correct horse 7", "csrf_token": token},
        follow_redirects=False,
    )
    signed = second_factor(client, "oblast_admin", signed)
    assert signed.status_code == 303 and signed.headers["location"] == "/dashboard"
    # Signing in starts a new session (no fixation): the old form token no longer works.
    stale = client.post("/language", data={"lang": "ru", "csrf_token": token})
    assert stale.status_code == 403
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    switched = client.post(
        "/language",
        data={"lang": "ru", "next": "https://evil.example/", "csrf_token": token},
        follow_redirects=False,
    )
    assert switched.headers["location"] == "/"  # never an external redirect
    assert 'lang="ru"' in client.get("/login").text
