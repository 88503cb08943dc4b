"""Shared set-up of the API tests: the application over the test world, bearer tokens for its users
and a clock the services see (the world's election is the 19 March 2023 one).

Tokens are inserted directly (test set-up, as the world's rows are); the token flow itself is
tested with the application's frame. The application's clock is the moment every service call
runs at, so a test can act in the nomination window, on election night or after it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.services.context import Actor
from saylau.storage.models import ApiToken, AuditEvent, RoleAssignment
from saylau.web.app import create_app
from saylau.web.deps import token_hash
from tests.security.dual import second_member
from tests.services.nomination_world import NOMINATING
from tests.world import World


@dataclass
class Clock:
    """The moment the services run at; tests move it."""

    now: datetime = NOMINATING

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Api:
    """A client of the application with a bearer token per user of the world."""

    client: TestClient
    factory: sessionmaker[Session]
    world: World
    clock: Clock
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, username: str) -> str:
        """A bearer token for the (only) role of ``username``, made on first use."""
        if username not in self.tokens:
            token = secrets.token_urlsafe(16)
            with self.factory() as session, session.begin():
                assignment = session.scalars(
                    select(RoleAssignment).where(
                        RoleAssignment.user_id == self.world.users[username]
                    )
                ).one()
                session.add(
                    ApiToken(
                        role_assignment_id=assignment.id, token_hash=token_hash(token), label="t"
                    )
                )
            self.tokens[username] = token
        return self.tokens[username]

    def headers(self, username: str | None, language: str = "en") -> dict[str, str]:
        found = {"Accept-Language": language}
        if username is not None:
            found["Authorization"] = f"Bearer {self.token(username)}"
        return found

    def get(self, path: str, who: str | None = None, language: str = "en", **kw: Any) -> Response:
        response: Response = self.client.get(path, headers=self.headers(who, language), **kw)
        return response

    def post(
        self, path: str, body: Any = None, who: str | None = None, language: str = "en"
    ) -> Response:
        response: Response = self.client.post(
            path, json=body or {}, headers=self.headers(who, language)
        )
        return response

    def put(self, path: str, body: Any, who: str | None = None) -> Response:
        response: Response = self.client.put(path, json=body, headers=self.headers(who))
        return response

    def refusals(self, username: str | None = None) -> list[AuditEvent]:
        with self.factory() as session:
            query = select(AuditEvent).where(AuditEvent.outcome == "refused")
            if username is not None:
                query = query.where(AuditEvent.username == username)
            return list(session.scalars(query.order_by(AuditEvent.id)))


def ok(response: Response, status: int = 200) -> Any:
    """The JSON body of a response that must have ``status``."""
    assert response.status_code == status, response.text
    return response.json()


def second(api: Api, who: str) -> str:
    """A second member of ``who``'s commission holding ``who``'s role, with a token (made once)."""
    name = f"{who}_second"
    if name not in api.world.users:
        with api.factory() as session:
            assignment = session.scalars(
                select(RoleAssignment).where(RoleAssignment.user_id == api.world.users[who])
            ).one()
            acting = Actor.of_assignment(assignment)
        other = second_member(api.factory, acting)
        assert other.user_id is not None
        api.world.users[name] = other.user_id
    return name


def acted(api: Api, response: Response, who: str) -> Any:
    """The result of a critical action (issue #9 §2): its direct answer when dual control is off;
    when required, the request it filed (202, by ``who``) approved by a second member."""
    if response.status_code != 202:
        return ok(response)
    asked = response.json()
    assert asked["state"] == "requested" and asked["requested_by"] == who, asked
    done = ok(
        api.post(
            f"/api/approvals/{asked['id']}/approve", {"digest": asked["digest"]}, second(api, who)
        )
    )
    assert done["approval"]["state"] == "approved" and done["approval"]["id"] == asked["id"]
    results = [done[k] for k in ("publication", "protocol", "ballot") if done[k] is not None]
    assert len(results) == 1, done
    return results[0]


def make_api(factory: sessionmaker[Session], world: World) -> Iterator[Api]:
    """The application over ``world``, its services running at a clock the test moves."""
    clock = Clock()
    with TestClient(create_app(factory, secret="test-secret", clock=clock)) as client:
        yield Api(client, factory, world, clock)
