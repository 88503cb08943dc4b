"""Authentication state kept in the database (issue #9 §3): sign-in sessions, login throttling
and the one-time-password enrolment of commission accounts.

Kept in the database, not in a process, so that several server workers share it: a session revoked
by one worker is refused by all; a lock-out counted by one holds on all.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saylau.storage.models.base import Base, IdMixin
from saylau.storage.types import UtcDateTime, utcnow

if TYPE_CHECKING:
    from saylau.storage.models.organisation import User


class UserSession(IdMixin, Base):
    """One signed-in browser or API client. The cookie carries only a random id; its SHA-256 is
    the key here, so a copy of this table does not let anyone act as a user.

    ``stage`` is ``""`` once fully signed in, ``"totp"`` while the one-time code is awaited after a
    correct password, ``"enrol"`` while a commission account sets up its authenticator.
    """

    __tablename__ = "user_session"
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("role_assignment.id", ondelete="SET NULL")
    )
    """The role the session acts in (None until one is chosen)."""
    stage: Mapped[str] = mapped_column(String(10), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    """The absolute end; the idle end is ``last_seen_at`` plus the idle timeout."""
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_reason: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    user: Mapped[User] = relationship()


class LoginThrottle(IdMixin, Base):
    """Failed sign-ins of one account (``kind="user"``) or one client address (``"address"``)."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("kind", "subject"),)
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class TotpEnrolment(IdMixin, Base):
    """A user's authenticator (RFC 6238): confirmed by a first code; ``last_step`` is the time step
    of the last code accepted, so a code is never accepted twice."""

    __tablename__ = "totp_enrolment"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)
