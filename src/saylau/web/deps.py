"""Request dependencies: the database, the acting user and one service call per request.

The acting user comes from a bearer token or from the server-side session whose random id the
signed cookie carries (:mod:`saylau.services.sessions`): the cookie itself names no user and no
role, so a session ended in the database is refused at once, by every worker.
"""

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
from saylau.services.sessions import FULL, find_session, token_live
from saylau.storage.models import ApiToken, RoleAssignment, UserSession
from saylau.storage.types import utcnow
from saylau.web.i18n import negotiate
from saylau.web.security import CSRF_HEADER, SAFE_METHODS, csrf_valid

T = TypeVar("T")
PUBLIC = Actor(user_id=None, username="public", role=Role.PUBLIC)
SESSION_ID = "sid"
"""The key of the session's random id in the signed cookie."""


def factory(request: Request) -> sessionmaker[Session]:
    result: sessionmaker[Session] = request.app.state.factory
    return result


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def auth_now(request: Request) -> datetime:
    """The real moment for sessions, tokens, throttling and one-time codes: the application's
    authentication clock (a wall clock; a test may shift it), never a rehearsal's fixed moment."""
    clock: Callable[[], datetime] = request.app.state.auth_clock
    return clock()


def current_session(request: Request, session: Session) -> UserSession | None:
    """The live server-side session of this request's cookie (any stage), or None."""
    raw = request.session.get(SESSION_ID)
    return find_session(session, raw if isinstance(raw, str) else None, auth_now(request))


def resolve_actor(request: Request, sessions: sessionmaker[Session]) -> tuple[Actor, str]:
    """The acting role and how it was authenticated: ``token``, ``session`` or ``public``."""
    with sessions() as session, session.begin():
        token = _bearer(request)
        if token is not None:
            row = session.execute(
                select(ApiToken).where(ApiToken.token_hash == token_hash(token))
            ).scalar_one_or_none()
            if (
                row is None
                or not token_live(row, auth_now(request))
                or not row.assignment.user.active
            ):
                raise PermissionDenied(
                    "invalid_token", "the API token is unknown, expired or revoked"
                )
            return Actor.of_assignment(row.assignment), "token"
        live = current_session(request, session)
        if live is not None and live.stage == FULL and live.assignment_id is not None:
            assignment = session.get(RoleAssignment, live.assignment_id)
            if assignment is not None and assignment.user_id == live.user_id:
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
