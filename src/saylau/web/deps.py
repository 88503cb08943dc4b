"""Request dependencies: the database, the acting user and one service call per request."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services.context import Actor, execute
from saylau.services.errors import PermissionDenied
from saylau.storage.models import ApiToken, RoleAssignment
from saylau.storage.types import utcnow
from saylau.web.i18n import negotiate
from saylau.web.security import CSRF_HEADER, SAFE_METHODS, csrf_valid

T = TypeVar("T")
PUBLIC = Actor(user_id=None, username="public", role=Role.PUBLIC)


def factory(request: Request) -> sessionmaker[Session]:
    result: sessionmaker[Session] = request.app.state.factory
    return result


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def resolve_actor(request: Request, sessions: sessionmaker[Session]) -> tuple[Actor, str]:
    """The acting role and how it was authenticated: ``token``, ``session`` or ``public``."""
    with sessions() as session:
        token = _bearer(request)
        if token is not None:
            row = session.execute(
                select(ApiToken).where(
                    ApiToken.token_hash == token_hash(token), ApiToken.revoked.is_(False)
                )
            ).scalar_one_or_none()
            if row is None or not row.assignment.user.active:
                raise PermissionDenied("invalid_token", "the API token is unknown or revoked")
            return Actor.of_assignment(row.assignment), "token"
        assignment_id = request.session.get("assignment_id")
        user_id = request.session.get("user_id")
        if assignment_id is not None and user_id is not None:
            assignment = session.get(RoleAssignment, assignment_id)
            if assignment is not None and assignment.user_id == user_id and assignment.user.active:
                return Actor.of_assignment(assignment), "session"
        return PUBLIC, "public"


Sessions = Annotated[sessionmaker[Session], Depends(factory)]


def actor(request: Request, sessions: Sessions) -> Actor:
    """The acting role; a write through a cookie session must carry the session's CSRF token."""
    who, how = resolve_actor(request, sessions)
    unsafe = how == "session" and request.method not in SAFE_METHODS
    if unsafe and not csrf_valid(request, request.headers.get(CSRF_HEADER)):
        raise PermissionDenied("csrf", "missing or wrong CSRF token (send X-CSRF-Token)")
    return who


def language(request: Request) -> str:
    return negotiate(request)


class Call:
    """Runs service operations for one request as its actor, each as one transaction, at the
    moment the application's clock gives (the real time, or a fixed one in a rehearsal or test)."""

    def __init__(
        self, sessions: sessionmaker[Session], who: Actor, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.sessions = sessions
        self.actor = who
        self.clock = clock

    def __call__(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return execute(self.sessions, self.actor, operation, *args, clock=self.clock, **kwargs)

    def read(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.sessions() as session:
            return query(session, *args, **kwargs)


CurrentActor = Annotated[Actor, Depends(actor)]


def request_call(request: Request, sessions: sessionmaker[Session], who: Actor) -> Call:
    """Service calls for ``who`` at the moment of the application's clock."""
    clock: Callable[[], datetime] = request.app.state.clock
    return Call(sessions, who, clock)


def call(request: Request, sessions: Sessions, who: CurrentActor) -> Call:
    return request_call(request, sessions, who)


Services = Annotated[Call, Depends(call)]
"""Inject into a route to run services as the request's actor."""
