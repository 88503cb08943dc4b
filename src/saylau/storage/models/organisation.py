"""Commissions, their members, users and their commission-scoped roles."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saylau.domain.roles import CommissionLevel, Role
from saylau.storage.models.base import Base, IdMixin
from saylau.storage.types import UtcDateTime, enum_column, utcnow


class Commission(IdMixin, Base):
    """CEC → TEC of a region → TEC of a second-level unit → PEC of a precinct."""

    __tablename__ = "commission"
    level: Mapped[CommissionLevel] = mapped_column(enum_column(CommissionLevel))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("commission.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    precinct_id: Mapped[int | None] = mapped_column(
        ForeignKey("precinct.id"), unique=True, index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    parent: Mapped[Commission | None] = relationship(remote_side="Commission.id")
    members: Mapped[list[CommissionMember]] = relationship(back_populates="commission")


class CommissionPosition(StrEnum):
    """A member's position in an election commission (CL art. 10 ff.): one chair, one deputy
    chair and one secretary at a time; any other member is a ``member``."""

    CHAIR = "chair"
    DEPUTY_CHAIR = "deputy_chair"
    SECRETARY = "secretary"
    MEMBER = "member"


_SERVING_OFFICE = "released_on IS NULL AND position <> 'member'"


class CommissionMember(IdMixin, Base):
    """A member of a commission; a released member keeps their row (the day and the reason)."""

    __tablename__ = "commission_member"
    __table_args__ = (
        # A safety net under the service's check: one serving chair, deputy chair and secretary.
        Index(
            "uq_commission_member_office",
            "commission_id",
            "position",
            unique=True,
            sqlite_where=text(_SERVING_OFFICE),
            postgresql_where=text(_SERVING_OFFICE),
        ),
    )
    commission_id: Mapped[int] = mapped_column(ForeignKey("commission.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(300))
    position: Mapped[CommissionPosition] = mapped_column(enum_column(CommissionPosition))
    nominated_by: Mapped[str] = mapped_column(String(200), default="")
    appointed_on: Mapped[date | None]
    released_on: Mapped[date | None]
    """None while the member serves."""
    release_reason: Mapped[str] = mapped_column(String(500), default="")
    commission: Mapped[Commission] = relationship(back_populates="members")


class User(IdMixin, Base):
    __tablename__ = "app_user"
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(300), default="")
    password_hash: Mapped[str] = mapped_column(String(300), default="")
    locale: Mapped[str] = mapped_column(String(5), default="kk")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    roles: Mapped[list[RoleAssignment]] = relationship(back_populates="user")


class RoleAssignment(IdMixin, Base):
    """A role held by a user in one commission (or for one party / observer organisation)."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role", "commission_id", "party_id"),)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    commission_id: Mapped[int | None] = mapped_column(ForeignKey("commission.id"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    user: Mapped[User] = relationship(back_populates="roles")
    commission: Mapped[Commission | None] = relationship()


TOKEN_LIFETIME = timedelta(days=30)


def _token_end() -> datetime:
    return utcnow() + TOKEN_LIFETIME


class ApiToken(IdMixin, Base):
    """A token for scripts (``Authorization: Bearer …``), bound to one role assignment.

    Only the SHA-256 of the token is stored; the token itself is shown once, when it is made.
    """

    __tablename__ = "api_token"
    role_assignment_id: Mapped[int] = mapped_column(ForeignKey("role_assignment.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=_token_end)
    """Refused from then on, like a session past its absolute timeout (the API sets it from
    ``SAYLAU_TOKEN_DAYS``; a row made without it ends after :data:`TOKEN_LIFETIME`)."""
    assignment: Mapped[RoleAssignment] = relationship()
