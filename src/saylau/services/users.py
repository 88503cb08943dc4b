"""Users, their passwords and their commission-scoped roles (issue #3 §1; issue #9 §2, §3).

Passwords are kept only as argon2id hashes (``argon2-cffi``); the audit log records that a password
was set, never the hash. A role is held in one commission (or for one party): who may grant it is
the MANAGE_USERS permission *within the territory of that commission*, so a TEC administrator of one
region can staff that region's TECs and PECs and nothing else.

Whatever takes rights away ends the user's sign-in sessions and API tokens at once (issue #9 §3):
a password change, a role revoked, a deactivated account; an administrator may also list and end
them, and reset a lost authenticator (:mod:`saylau.services.totp`), all audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from saylau.domain.roles import Action, CommissionLevel, Role
from saylau.services.audit import snapshot
from saylau.services.context import NATIONAL, Context, Scope, scope_for
from saylau.services.errors import Conflict, InvalidInput, NotFound
from saylau.services.sessions import SessionPolicy, is_live, revoke_user
from saylau.storage.models import (
    ApiToken,
    Commission,
    Party,
    RoleAssignment,
    TotpEnrolment,
    User,
    UserSession,
)

USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{2,99}")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
LOCALES = ("kk", "ru", "en")

ROLE_LEVELS: dict[Role, frozenset[CommissionLevel] | None] = {
    Role.CEC_ADMIN: frozenset({CommissionLevel.CEC}),
    Role.TEC_ADMIN: frozenset({CommissionLevel.TEC_REGION, CommissionLevel.TEC_UNIT}),
    Role.TEC_COORDINATOR: frozenset({CommissionLevel.TEC_REGION, CommissionLevel.TEC_UNIT}),
    Role.PEC_TYPIST: frozenset(
        {CommissionLevel.PEC, CommissionLevel.TEC_UNIT, CommissionLevel.TEC_REGION}
    ),
    Role.PARTY_AGENT: None,
    Role.CANDIDATE: None,
    Role.OBSERVER: None,
    Role.ANALYST: None,
    Role.PUBLIC: None,
}
"""The commission levels a role is held at (None: any commission, or none). Typists work at a
PEC or at a TEC, which enters protocols too (issue #3 §2.5, "PEC/TEC typists")."""


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user is unknown, so a wrong name takes as long as a wrong password."""
    return _hasher().hash("saylau-no-such-user")


@dataclass(frozen=True)
class NewUser:
    username: str
    full_name: str = ""
    password: str | None = None
    """None: the account cannot log in until a password is set."""
    locale: str = "kk"


@dataclass(frozen=True)
class RoleGrant:
    user_id: int
    role: Role
    commission_id: int | None = None
    party_id: int | None = None


def user_snapshot(user: User) -> dict[str, Any]:
    """The user's columns for the audit log, with the hash replaced by whether one is set."""
    data = snapshot(user)
    data["password_hash"] = "set" if user.password_hash else ""
    return data


def _check_password(password: str, username: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            "weak_password",
            f"password: must have {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters "
            f"(got {len(password)})",
            field="password",
        )
    if password.strip().lower() == username:
        raise InvalidInput(
            "weak_password", "password: must differ from the username", field="password"
        )


def _own_scope(ctx: Context) -> Scope:
    """The actor's own territory: creating an account is allowed wherever they manage users."""
    actor = ctx.actor
    if actor.level is CommissionLevel.CEC or actor.region_id is None:
        return NATIONAL
    return Scope(actor.region_id, actor.unit_id, actor.precinct_id)


def create_user(ctx: Context, new: NewUser) -> User:
    """Create an account (MANAGE_USERS); the username is unique, the password stored hashed."""
    username = new.username.strip()
    if not USERNAME.fullmatch(username):
        raise InvalidInput(
            "invalid_username",
            f"username={new.username!r}: 3–100 characters, lower-case letters, digits, "
            "'_', '.', '-', starting with a letter or digit",
            field="username",
        )
    if new.locale not in LOCALES:
        raise InvalidInput(
            "invalid_locale",
            f"locale={new.locale!r}: one of {', '.join(LOCALES)}",
            field="locale",
        )
    if new.password is not None:
        _check_password(new.password, username)
    ctx.authorize(Action.MANAGE_USERS, _own_scope(ctx))
    taken = ctx.session.execute(select(User.id).where(User.username == username)).first()
    if taken is not None:
        raise Conflict(
            "username_taken", f"username={username!r} is already taken", field="username"
        )
    user = User(
        username=username,
        full_name=new.full_name.strip(),
        password_hash=_hasher().hash(new.password) if new.password is not None else "",
        locale=new.locale,
        active=True,
        created_at=ctx.now,
    )
    ctx.session.add(user)
    ctx.session.flush()
    ctx.audit("create_user", "user", user.id, None, user_snapshot(user))
    return user


def user_by_name(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound("not_found", f"no user named {username!r}", field="username")
    return user


def set_password(ctx: Context, user_id: int, password: str) -> User:
    """Set or replace a user's password: MANAGE_USERS over every role the user holds (a TEC
    administrator cannot take over an account that also works elsewhere)."""
    user = ctx.get(User, user_id, "user")
    _check_password(password, user.username)
    _authorize_over(ctx, user)
    before = user_snapshot(user)
    user.password_hash = _hasher().hash(password)
    ctx.session.flush()
    after = user_snapshot(user)
    after["password_changed"] = True
    after["sessions_ended"] = revoke_user(ctx.session, user.id, ctx.now, "password_changed")
    ctx.audit("set_password", "user", user.id, before, after)
    return user


def _authorize_over(ctx: Context, user: User) -> None:
    """MANAGE_USERS over every role the user holds (or the actor's own territory for none)."""
    scopes = {_grant_scope(ctx.session, a.commission_id, a.party_id) for a in user.roles}
    for scope in sorted(scopes, key=repr) or [_own_scope(ctx)]:
        ctx.authorize(Action.MANAGE_USERS, scope)


def set_active(ctx: Context, user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) an account; deactivating ends its sessions and tokens at once."""
    user = ctx.get(User, user_id, "user")
    _authorize_over(ctx, user)
    if user.active == active:
        return user
    before = user_snapshot(user)
    user.active = active
    ctx.session.flush()
    after = user_snapshot(user)
    if not active:
        after["sessions_ended"] = revoke_user(ctx.session, user.id, ctx.now, "deactivated")
    ctx.audit("activate_user" if active else "deactivate_user", "user", user.id, before, after)
    return user


@dataclass(frozen=True)
class SessionInfo:
    """One sign-in session as an administrator sees it (never its id)."""

    id: int
    created_at: Any
    last_seen_at: Any
    expires_at: Any
    live: bool
    revoked_reason: str
    address: str
    user_agent: str


def user_sessions(ctx: Context, user_id: int, at: datetime | None = None) -> list[SessionInfo]:
    """The user's sessions, newest first (MANAGE_USERS over the user's roles); whether each is
    live is judged at ``at`` (the web's authentication clock; default: the call's moment)."""
    user = ctx.get(User, user_id, "user")
    _authorize_over(ctx, user)
    policy = SessionPolicy.from_env()
    rows = ctx.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.created_at.desc(), UserSession.id.desc())
    ).all()
    return [
        SessionInfo(
            id=row.id,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=row.expires_at,
            live=is_live(row, at or ctx.now, policy) and user.active,
            revoked_reason=row.revoked_reason,
            address=row.address,
            user_agent=row.user_agent,
        )
        for row in rows
    ]


def end_sessions(ctx: Context, user_id: int) -> int:
    """End every session and API token of the user now (an administrator's decision, audited)."""
    user = ctx.get(User, user_id, "user")
    _authorize_over(ctx, user)
    ended = revoke_user(ctx.session, user.id, ctx.now, "revoked_by_admin")
    ctx.audit("revoke_sessions", "user", user.id, None, {"sessions_ended": ended})
    return ended


def reset_totp(ctx: Context, user_id: int) -> bool:
    """Remove the user's authenticator (a lost telephone): the next sign-in enrols a new one.
    Ends the user's sessions too; audited. False when none was set up."""
    user = ctx.get(User, user_id, "user")
    _authorize_over(ctx, user)
    row = ctx.session.execute(
        select(TotpEnrolment).where(TotpEnrolment.user_id == user.id)
    ).scalar_one_or_none()
    if row is None:
        return False
    confirmed = row.confirmed_at is not None
    ctx.session.delete(row)
    ctx.session.flush()
    ended = revoke_user(ctx.session, user.id, ctx.now, "totp_reset")
    ctx.audit(
        "reset_totp",
        "user",
        user.id,
        {"totp": "confirmed" if confirmed else "pending"},
        {"totp": "", "sessions_ended": ended},
    )
    return True


def verify_password(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None (no difference told to the caller)."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    stored = user.password_hash if user is not None and user.active else ""
    try:
        _hasher().verify(stored or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return user if stored else None


def _grant_scope(session: Session, commission_id: int | None, party_id: int | None) -> Scope:
    commission = session.get(Commission, commission_id) if commission_id is not None else None
    if commission is None or commission.level is CommissionLevel.CEC:
        return NATIONAL
    return scope_for(
        session,
        region_id=commission.region_id,
        unit_id=commission.unit_id,
        precinct_id=commission.precinct_id,
    )


def _check_grant(ctx: Context, grant: RoleGrant) -> Commission | None:
    commission = (
        ctx.get(Commission, grant.commission_id, "commission")
        if grant.commission_id is not None
        else None
    )
    if grant.party_id is not None:
        ctx.get(Party, grant.party_id, "party")
    levels = ROLE_LEVELS[grant.role]
    if levels is not None and (commission is None or commission.level not in levels):
        held_at = commission.level.value if commission else "no commission"
        raise InvalidInput(
            "role_level",
            f"role={grant.role.value} is held in a commission of level "
            f"{' or '.join(sorted(level.value for level in levels))}, not {held_at}",
            field="commission_id",
        )
    if grant.role is Role.PARTY_AGENT and grant.party_id is None:
        raise InvalidInput(
            "party_required",
            "role=party_agent is held for a party: give party_id",
            field="party_id",
        )
    if grant.role is not Role.PARTY_AGENT and grant.party_id is not None:
        raise InvalidInput(
            "party_not_allowed",
            f"role={grant.role.value} is not held for a party (party_id={grant.party_id})",
            field="party_id",
        )
    return commission


def _find_grant(session: Session, grant: RoleGrant) -> RoleAssignment | None:
    return session.execute(
        select(RoleAssignment).where(
            RoleAssignment.user_id == grant.user_id,
            RoleAssignment.role == grant.role,
            RoleAssignment.commission_id.is_(None)
            if grant.commission_id is None
            else RoleAssignment.commission_id == grant.commission_id,
            RoleAssignment.party_id.is_(None)
            if grant.party_id is None
            else RoleAssignment.party_id == grant.party_id,
        )
    ).scalar_one_or_none()


def assign_role(ctx: Context, grant: RoleGrant) -> RoleAssignment:
    """Give a user a role in a commission (or for a party); idempotent.

    MANAGE_USERS within the commission's territory: a TEC administrator assigns roles only in
    the commissions of their region or unit; a role without a commission (a party agent, an
    analyst) is national and needs the CEC.
    """
    user = ctx.get(User, grant.user_id, "user")
    _check_grant(ctx, grant)
    ctx.authorize(
        Action.MANAGE_USERS, _grant_scope(ctx.session, grant.commission_id, grant.party_id)
    )
    if not user.active:
        raise Conflict("user_inactive", f"user {user.username!r} is not active", field="user_id")
    existing = _find_grant(ctx.session, grant)
    if existing is not None:
        return existing
    assignment = RoleAssignment(
        user_id=user.id,
        role=grant.role,
        commission_id=grant.commission_id,
        party_id=grant.party_id,
    )
    ctx.session.add(assignment)
    ctx.session.flush()
    ctx.audit("assign_role", "role_assignment", assignment.id, None, snapshot(assignment))
    return assignment


def revoke_role(ctx: Context, grant: RoleGrant) -> bool:
    """Take a role away (MANAGE_USERS within its commission's territory); False if not held."""
    user = ctx.get(User, grant.user_id, "user")
    ctx.authorize(
        Action.MANAGE_USERS, _grant_scope(ctx.session, grant.commission_id, grant.party_id)
    )
    existing = _find_grant(ctx.session, grant)
    if existing is None:
        return False
    before = snapshot(existing)
    ended = revoke_user(ctx.session, user.id, ctx.now, "role_revoked")
    ctx.session.execute(
        update(UserSession)
        .where(UserSession.assignment_id == existing.id)
        .values(assignment_id=None)
    )
    # The role's tokens were revoked above; they go with the role they were bound to.
    ctx.session.execute(delete(ApiToken).where(ApiToken.role_assignment_id == existing.id))
    existing = ctx.session.get(RoleAssignment, before["id"])
    assert existing is not None
    ctx.session.delete(existing)
    ctx.session.flush()
    ctx.session.expire(user, ["roles"])
    ctx.audit("revoke_role", "role_assignment", before["id"], before, None)
    if ended:
        ctx.audit("revoke_sessions", "user", user.id, None, {"sessions_ended": ended})
    return True
