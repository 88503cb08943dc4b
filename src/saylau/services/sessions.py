"""Server-side sign-in sessions and API-token lifetimes (issue #9 §3).

The browser's signed cookie carries a random session id; the database keeps, under that id's
SHA-256, who signed in, when, when last seen, when the session ends and whether it was revoked.
A session ends after ``idle`` without a request or ``absolute`` after sign-in, whichever is first;
signing out, a password change, a role revoked and a deactivated account end it at once (on every
server worker, since the check reads the database). API tokens end ``token_lifetime`` after they
are made and are revoked with the sessions.

Settings (environment): ``SAYLAU_SESSION_IDLE_MINUTES`` (60: a typist's pause between protocols),
``SAYLAU_SESSION_MAX_HOURS`` (12: one election-night shift), ``SAYLAU_TOKEN_DAYS`` (30).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from saylau.storage.models import ApiToken, RoleAssignment, UserSession

TOUCH_EVERY = timedelta(seconds=30)
"""``last_seen_at`` is written at most this often (not on every request)."""

FULL = ""
AWAITING_CODE = "totp"
ENROLLING = "enrol"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=60)
    absolute: timedelta = timedelta(hours=12)
    token_lifetime: timedelta = timedelta(days=30)

    @classmethod
    def from_env(cls) -> SessionPolicy:
        return cls(
            idle=timedelta(minutes=_env_int("SAYLAU_SESSION_IDLE_MINUTES", 60)),
            absolute=timedelta(hours=_env_int("SAYLAU_SESSION_MAX_HOURS", 12)),
            token_lifetime=timedelta(days=_env_int("SAYLAU_TOKEN_DAYS", 30)),
        )


def id_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def open_session(
    session: Session,
    user_id: int,
    now: datetime,
    *,
    stage: str = FULL,
    assignment_id: int | None = None,
    address: str = "",
    user_agent: str = "",
    policy: SessionPolicy | None = None,
) -> str:
    """A new session for ``user_id``; returns its random id (to put in the cookie, once)."""
    policy = policy or SessionPolicy.from_env()
    raw = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            id_hash=id_hash(raw),
            user_id=user_id,
            assignment_id=assignment_id,
            stage=stage,
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.absolute,
            address=address[:64],
            user_agent=user_agent[:200],
        )
    )
    session.flush()
    return raw


def is_live(row: UserSession, now: datetime, policy: SessionPolicy) -> bool:
    """Neither revoked, nor past its absolute end, nor idle for longer than the idle timeout."""
    return row.revoked_at is None and now < row.expires_at and now - row.last_seen_at < policy.idle


def find_session(
    session: Session, raw: str | None, now: datetime, policy: SessionPolicy | None = None
) -> UserSession | None:
    """The live session with this id (its ``last_seen_at`` moved to ``now``), or None."""
    if not raw:
        return None
    policy = policy or SessionPolicy.from_env()
    row = session.execute(
        select(UserSession).where(UserSession.id_hash == id_hash(raw))
    ).scalar_one_or_none()
    if row is None or not row.user.active or not is_live(row, now, policy):
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.flush()
    return row


def revoke_session(session: Session, raw: str | None, now: datetime, reason: str) -> bool:
    """End the session with this id (signing out); False when there was none."""
    if not raw:
        return False
    done = session.execute(
        update(UserSession)
        .where(UserSession.id_hash == id_hash(raw), UserSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    return bool(getattr(done, "rowcount", 0))


def revoke_user(
    session: Session,
    user_id: int,
    now: datetime,
    reason: str,
    *,
    assignment_id: int | None = None,
) -> int:
    """End every live session of ``user_id`` and revoke its API tokens (only those of one role
    when ``assignment_id`` is given); the number of sessions and tokens ended."""
    sessions = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    held = select(RoleAssignment.id).where(RoleAssignment.user_id == user_id)
    if assignment_id is not None:
        held = held.where(RoleAssignment.id == assignment_id)
    tokens = session.execute(
        update(ApiToken)
        .where(ApiToken.role_assignment_id.in_(held), ApiToken.revoked.is_(False))
        .values(revoked=True)
    )
    session.expire_all()
    return int(getattr(sessions, "rowcount", 0)) + int(getattr(tokens, "rowcount", 0))


def token_live(token: ApiToken, now: datetime) -> bool:
    """An API token is used until revoked or past its end."""
    return not token.revoked and now < token.expires_at
