"""Signing in and out, choosing the acting role, one-time codes and API tokens for scripts.

Sign-in (:mod:`saylau.web.signin`): ``POST /api/auth/login`` with the password — and, for a
commission account with an authenticator, its one-time ``code`` in the same body. A commission
account without one is signed in at the ``enrol`` stage (``pending``): ``POST /api/auth/totp/enrol``
gives the secret, ``POST /api/auth/totp/confirm`` with the first code completes the sign-in. Too
many failures answer 429 with ``Retry-After``.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.services.audit import append
from saylau.services.context import Actor
from saylau.services.errors import PermissionDenied
from saylau.services.sessions import AWAITING_CODE, FULL, SessionPolicy
from saylau.services.throttle import Throttled
from saylau.storage.models import ApiToken, RoleAssignment, User
from saylau.storage.types import utcnow
from saylau.web import signin
from saylau.web.deps import CurrentActor, Sessions, auth_now, resolve_actor, token_hash
from saylau.web.errors import ErrorBody
from saylau.web.security import CSRF_HEADER, csrf_token, csrf_valid

router = APIRouter(prefix="/api/auth", tags=["auth"])
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorBody, "description": "Too many failed sign-ins (Retry-After)"}
}


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    code: str | None = Field(default=None, max_length=20)
    """The authenticator's one-time code (commission accounts that have set one up)."""


class Code(BaseModel):
    code: str = Field(min_length=1, max_length=20)


class EnrolmentOut(BaseModel):
    """The authenticator to set up: type the secret or scan the QR code (an SVG data URI)."""

    secret: str
    otpauth_uri: str
    qr: str


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
    pending: str | None = None
    """``totp`` or ``enrol`` while the sign-in awaits a one-time code or an authenticator."""


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


def _after(request: Request, sessions: sessionmaker[Session], state: signin.SignedIn) -> Me:
    if state.stage != FULL:
        return Me(
            username=state.username,
            role="public",
            commission_id=None,
            roles=[],
            csrf_token=csrf_token(request),
            pending=state.stage,
        )
    who, _ = resolve_actor(request, sessions)
    return _me(request, sessions, who)


def throttled(request: Request, refusal: Throttled) -> JSONResponse:
    """429 with ``Retry-After`` and the translated sentence saying when to try again."""
    body = ErrorBody(
        code=refusal.code,
        field=refusal.field,
        message=signin.throttled_message(request, refusal),
        detail=refusal.message,
    ).model_dump()
    body["retry_after"] = refusal.retry_after
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(refusal.retry_after)})


def _csrf(request: Request) -> None:
    if not csrf_valid(request, request.headers.get(CSRF_HEADER)):
        raise PermissionDenied("csrf", "missing or wrong CSRF token (send X-CSRF-Token)")


@router.post("/login", response_model=Me, responses=THROTTLED)
def login(body: Login, request: Request, sessions: Sessions) -> Me | JSONResponse:
    """Sign in with a password (and the one-time code of a commission account)."""
    try:
        state = signin.with_password(request, sessions, body.username, body.password)
        if state.stage == AWAITING_CODE:
            if not body.code:
                signin.sign_out(request, sessions)
                raise PermissionDenied(
                    "totp_required", "this account signs in with a one-time code", field="code"
                )
            state = signin.with_code(request, sessions, body.code)
    except Throttled as refusal:
        return throttled(request, refusal)
    return _after(request, sessions, state)


@router.post("/totp/enrol", response_model=EnrolmentOut)
def totp_enrol(request: Request, sessions: Sessions) -> EnrolmentOut:
    """The authenticator to set up (during an ``enrol`` sign-in, or by choice when optional)."""
    _csrf(request)
    found = signin.enrolment(request, sessions)
    return EnrolmentOut(secret=found.secret, otpauth_uri=found.uri, qr=found.qr)


@router.post("/totp/confirm", response_model=Me, responses=THROTTLED)
def totp_confirm(body: Code, request: Request, sessions: Sessions) -> Me | JSONResponse:
    """Confirm the authenticator with its first code; completes an ``enrol`` sign-in."""
    _csrf(request)
    try:
        state = signin.confirm_enrolment(request, sessions, body.code)
    except Throttled as refusal:
        return throttled(request, refusal)
    return _after(request, sessions, state)


@router.post("/role", response_model=Me)
def choose_role(body: ChooseRole, request: Request, sessions: Sessions) -> Me:
    """Act in one of the signed-in user's roles."""
    if signin.pending(request, sessions) is None:
        raise PermissionDenied("not_signed_in", "sign in first")
    _csrf(request)
    signin.choose_role(request, sessions, body.assignment_id)
    who, _ = resolve_actor(request, sessions)
    return _me(request, sessions, who)


@router.post("/logout", status_code=204)
def logout(request: Request, sessions: Sessions) -> None:
    """Sign out: the server-side session ends (a copy of the cookie no longer works)."""
    signin.sign_out(request, sessions)


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
    """A bearer token for scripts, acting in the session's current role; shown only once. It
    ends after ``SAYLAU_TOKEN_DAYS`` (30) days, and with the user's sessions (password change,
    role revoked, deactivation, an administrator's revocation)."""
    state = signin.pending(request, sessions)
    assignment_id = state.assignment_id if state is not None and state.stage == FULL else None
    if assignment_id is None or who.user_id is None:
        raise PermissionDenied("not_signed_in", "sign in and choose a role first")
    token = secrets.token_urlsafe(32)
    now = auth_now(request)
    with sessions() as session, session.begin():
        session.add(
            ApiToken(
                role_assignment_id=assignment_id,
                token_hash=token_hash(token),
                label=body.label,
                created_at=now,
                expires_at=now + SessionPolicy.from_env().token_lifetime,
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
