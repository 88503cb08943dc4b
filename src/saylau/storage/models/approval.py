"""Dual control: a critical action requested by one member and approved by another (issue #9 §2).

A request stores the exact parameters of the action and their SHA-256 digest; a second member of
the same commission approves that digest, and the action runs in the approver's transaction. The
request is then ``approved`` (and executed) or ``rejected``; both steps are audited.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from saylau.storage.models.base import Base, IdMixin
from saylau.storage.types import UtcDateTime, enum_column


class ApprovalState(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    """Approved by a second member and executed in the same transaction."""
    REJECTED = "rejected"


class Approval(IdMixin, Base):
    """One request for a critical action and its decision."""

    __tablename__ = "approval"
    __table_args__ = (Index("ix_approval_state_commission", "state", "commission_key"),)

    kind: Mapped[str] = mapped_column(String(40))
    """The critical action (``saylau.services.approvals.CRITICAL``)."""
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the canonical JSON of kind and params: what the approver approves."""
    commission_key: Mapped[str] = mapped_column(String(40))
    """The commission whose members may approve (``cec`` or ``commission:<id>``)."""
    state: Mapped[ApprovalState] = mapped_column(
        enum_column(ApprovalState), default=ApprovalState.REQUESTED
    )
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_role: Mapped[str] = mapped_column(String(32))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    executed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str | None] = mapped_column(String(500))
    """The rejection's reason."""
