"""Signing in and out, choosing the acting role, and API tokens for scripts."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.services.audit import append
from saylau.services.context import Actor
from saylau.services.errors import InvalidInput, PermissionDenied
from saylau.services.users import verify_password
from saylau.storage.models import ApiToken, RoleAssignment, User
from saylau.storage.types import utcnow
from saylau.web.deps import CurrentActor, Sessions, resolve_actor, token_hash
from saylau.web.security import CSRF_HEADER, csrf_token, csrf_valid

router = APIRouter(prefix="/api/auth", tags=["auth"])


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class RoleOut(BaseModel):
    assignment_id: int
    role: str
    commission_id: int | None
    commission: str | None
    party_id: int | None


class Me(BaseModel):
    username: str
    role: str
    commission_id: int | None
    roles: list[RoleOut]
    csrf_token: str


class ChooseRole(BaseModel):
    assignment_id: int


class TokenRequest(BaseModel):
    label: str = Field(default="", max_length=200)


class TokenOut(BaseModel):
    token: str
    label: str


def _roles(session: Session, user_id: int) -> list[RoleOut]:
    rows = session.execute(
        select(RoleAssignment).where(RoleAssignment.user_id == user_id).order_by(RoleAssignment.id)
    ).scalars()
    return [
        RoleOut(
            assignment_id=row.id,
            role=row.role.value,
            commission_id=row.commission_id,
            commission=row.commission.name if row.commission else None,
            party_id=row.party_id,
        )
        for row in rows
    ]


def _me(request: Request, sessions: sessionmaker[Session], who: Actor) -> Me:
    with sessions() as session:
        roles = _roles(session, who.user_id) if who.user_id is not None else []
    return Me(
        username=who.username,
        role=who.role.value,
        commission_id=who.commission_id,
        roles=roles,
        csrf_token=csrf_token(request),
    )


def _log(sessions: sessionmaker[Session], username: str, action: str, outcome: str) -> None:
    with sessions() as session, session.begin():
        append(
            session,
            at=utcnow(),
            user_id=None,
            username=username,
            role="",
            commission_id=None,
            action=action,
            entity="session",
            entity_id=username,
            before=None,
            after=None,
            outcome=outcome,
        )


@router.post("/login", response_model=Me)
def login(body: Login, request: Request, sessions: Sessions) -> Me:
    """Sign in with a password; a user with a single role acts in it at once."""
    with sessions() as session:
        user = verify_password(session, body.username, body.password)
        roles = _roles(session, user.id) if user is not None else []
    if user is None:
        _log(sessions, body.username, "login", "refused")
        raise PermissionDenied("bad_credentials", "wrong user name or password", field="password")
    request.session.clear()
    request.session["user_id"] = user.id
    if len(roles) == 1:
        request.session["assignment_id"] = roles[0].assignment_id
    _log(sessions, body.username, "login", "done")
    who, _ = resolve_actor(request, sessions)
    return _me(request, sessions, who)


@router.post("/role", response_model=Me)
def choose_role(body: ChooseRole, request: Request, sessions: Sessions) -> Me:
    """Act in one of the signed-in user's roles."""
    user_id = request.session.get("user_id")
    if user_id is None:
        raise PermissionDenied("not_signed_in", "sign in first")
    if not csrf_valid(request, request.headers.get(CSRF_HEADER)):
        raise PermissionDenied("csrf", "missing or wrong CSRF token (send X-CSRF-Token)")
    with sessions() as session:
        assignment = session.get(RoleAssignment, body.assignment_id)
        if assignment is None or assignment.user_id != user_id:
            raise InvalidInput(
                "not_your_role",
                "this role is not held by the signed-in user",
                field="assignment_id",
            )
    request.session["assignment_id"] = body.assignment_id
    who, _ = resolve_actor(request, sessions)
    return _me(request, sessions, who)


@router.post("/logout", status_code=204)
def logout(request: Request) -> None:
    request.session.clear()


@router.get("/me", response_model=Me)
def me(
    request: Request,
    sessions: Sessions,
    who: CurrentActor,
) -> Me:
    return _me(request, sessions, who)


@router.post("/tokens", response_model=TokenOut, status_code=201)
def make_token(
    body: TokenRequest,
    request: Request,
    sessions: Sessions,
    who: CurrentActor,
) -> TokenOut:
    """A bearer token for scripts, acting in the session's current role; shown only once."""
    assignment_id = request.session.get("assignment_id")
    if assignment_id is None or who.user_id is None:
        raise PermissionDenied("not_signed_in", "sign in and choose a role first")
    token = secrets.token_urlsafe(32)
    with sessions() as session, session.begin():
        session.add(
            ApiToken(
                role_assignment_id=assignment_id, token_hash=token_hash(token), label=body.label
            )
        )
        user = session.get(User, who.user_id)
        append(
            session,
            at=utcnow(),
            user_id=who.user_id,
            username=user.username if user else "",
            role=who.role.value,
            commission_id=who.commission_id,
            action="make_token",
            entity="api_token",
            entity_id=body.label,
            before=None,
            after={"label": body.label},
        )
    return TokenOut(token=token, label=body.label)
