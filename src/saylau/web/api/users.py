"""Users and their commission-scoped roles (MANAGE_USERS within the commission's territory).

The list of users is not public: it shows the accounts holding a role in a commission of the
actor's territory (everyone, for the CEC).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import Query, Request
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action, CommissionLevel, Role
from saylau.services.context import NATIONAL, Context, Scope
from saylau.services.users import (
    NewUser,
    RoleGrant,
    SessionInfo,
    assign_role,
    create_user,
    end_sessions,
    reset_totp,
    revoke_role,
    set_active,
    set_password,
    user_sessions,
)
from saylau.storage.models import Commission, RoleAssignment, User
from saylau.web.api.models import MAX_ID, IdFilter, IdPath, In, Out
from saylau.web.api.pagination import Page, PageQuery, Paging, paginate
from saylau.web.api.routing import api_router, then
from saylau.web.deps import Services, auth_now

router = api_router("users")


class RoleOut(Out):
    id: int
    role: Role
    commission_id: int | None
    party_id: int | None


class UserOut(Out):
    """An account; the password is never shown, only whether one is set."""

    id: int
    username: str
    full_name: str
    locale: str
    active: bool
    has_password: bool
    roles: list[RoleOut]


class NewUserIn(In):
    username: str = Field(min_length=1, max_length=100)
    full_name: str = Field(default="", max_length=300)
    password: str | None = Field(default=None, max_length=1024)
    """None: the account cannot sign in until a password is set."""
    locale: str = Field(default="kk", max_length=5)


class PasswordIn(In):
    password: str = Field(min_length=1, max_length=1024)


class RoleGrantIn(In):
    role: Role
    commission_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    party_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class Revoked(Out):
    revoked: bool
    """False when the user did not hold the role."""


class ActiveIn(In):
    active: bool
    """False deactivates the account and ends its sessions and API tokens at once."""


class SessionOut(Out):
    """One sign-in session (never its id): when it began, was last used and ends."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    live: bool
    revoked_reason: str
    address: str
    user_agent: str


class Ended(Out):
    ended: int
    """How many sessions and API tokens were ended."""


class TotpReset(Out):
    reset: bool
    """False when the user had no authenticator."""


def user_out(session: Session, user: User) -> UserOut:
    roles = session.scalars(
        select(RoleAssignment).where(RoleAssignment.user_id == user.id).order_by(RoleAssignment.id)
    ).all()
    return UserOut(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        locale=user.locale,
        active=user.active,
        has_password=bool(user.password_hash),
        roles=[RoleOut.model_validate(r) for r in roles],
    )


def _own_scope(ctx: Context) -> Scope:
    actor = ctx.actor
    if actor.level is CommissionLevel.CEC:
        return NATIONAL
    return Scope(actor.region_id, actor.unit_id, actor.precinct_id)


def list_users(
    ctx: Context, role: Role | None, commission_id: int | None, paging: PageQuery
) -> Page[UserOut]:
    """Users with a role in a commission of the actor's territory (MANAGE_USERS there)."""
    ctx.authorize(Action.MANAGE_USERS, _own_scope(ctx))
    actor = ctx.actor
    held = select(RoleAssignment.user_id)
    if actor.level is not CommissionLevel.CEC:
        held = held.join(Commission, Commission.id == RoleAssignment.commission_id)
        if actor.level is CommissionLevel.TEC_REGION:
            held = held.where(Commission.region_id == actor.region_id)
        elif actor.level is CommissionLevel.TEC_UNIT:
            held = held.where(Commission.unit_id == actor.unit_id)
        else:
            held = held.where(Commission.id == actor.commission_id)
    if role is not None:
        held = held.where(RoleAssignment.role == role)
    if commission_id is not None:
        held = held.where(RoleAssignment.commission_id == commission_id)
    everyone = actor.level is CommissionLevel.CEC and role is None and commission_id is None
    query = select(User).order_by(User.username, User.id)
    if not everyone:
        query = query.where(User.id.in_(held))
    return paginate(ctx.session, query, paging, lambda u: user_out(ctx.session, u))


@router.get("/users", response_model=Page[UserOut])
def get_users(
    services: Services,
    paging: Paging,
    role: Annotated[Role | None, Query()] = None,
    commission_id: IdFilter = None,
) -> Page[UserOut]:
    """Accounts with their roles, within the actor's territory (MANAGE_USERS)."""
    return services(list_users, role, commission_id, paging)


@router.post("/users", response_model=UserOut, status_code=201)
def post_user(body: NewUserIn, services: Services) -> UserOut:
    """Create an account (MANAGE_USERS); the password is stored as an argon2id hash only."""
    new = NewUser(body.username, body.full_name, body.password, body.locale)
    return services(then(create_user, user_out), new)


@router.post("/users/{user_id}/password", response_model=UserOut)
def post_password(user_id: IdPath, body: PasswordIn, services: Services) -> UserOut:
    """Set or replace a password (MANAGE_USERS over every role the user holds)."""
    return services(then(set_password, user_out), user_id, body.password)


@router.post("/users/{user_id}/roles", response_model=RoleOut)
def post_role(user_id: IdPath, body: RoleGrantIn, services: Services) -> RoleOut:
    """Give a role in a commission (or for a party); idempotent."""
    grant = RoleGrant(user_id, body.role, body.commission_id, body.party_id)
    return services(then(assign_role, lambda _s, a: RoleOut.model_validate(a)), grant)


@router.post("/users/{user_id}/roles/revoke", response_model=Revoked)
def post_revoke(user_id: IdPath, body: RoleGrantIn, services: Services) -> Revoked:
    """Take a role away; ``revoked`` is False when it was not held."""
    grant = RoleGrant(user_id, body.role, body.commission_id, body.party_id)
    return Revoked(revoked=services(revoke_role, grant))


@router.post("/users/{user_id}/active", response_model=UserOut)
def post_active(user_id: IdPath, body: ActiveIn, services: Services) -> UserOut:
    """Deactivate or reactivate an account; deactivating ends its sessions and tokens."""
    return services(then(set_active, user_out), user_id, body.active)


@router.get("/users/{user_id}/sessions", response_model=list[SessionOut])
def get_sessions(user_id: IdPath, request: Request, services: Services) -> list[SessionOut]:
    """The user's sign-in sessions, newest first (MANAGE_USERS over every role the user holds)."""
    found: list[SessionInfo] = services(user_sessions, user_id, auth_now(request))
    return [SessionOut.model_validate(asdict(row)) for row in found]


@router.post("/users/{user_id}/sessions/revoke", response_model=Ended)
def post_revoke_sessions(user_id: IdPath, services: Services) -> Ended:
    """End every session and API token of the user now."""
    return Ended(ended=services(end_sessions, user_id))


@router.post("/users/{user_id}/totp/reset", response_model=TotpReset)
def post_totp_reset(user_id: IdPath, services: Services) -> TotpReset:
    """Remove a lost authenticator: the user sets up a new one at the next sign-in (audited)."""
    return TotpReset(reset=services(reset_totp, user_id))
