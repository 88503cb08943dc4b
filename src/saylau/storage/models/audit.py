"""The append-only, hash-chained audit log (issue #3 §1; issue #9 §4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from saylau.storage.models.base import Base, IdMixin
from saylau.storage.types import UtcDateTime


class AuditEvent(IdMixin, Base):
    """One state change: who (user, role, commission) did what to which entity, before and after.

    ``hash`` = SHA-256 over the canonical JSON of the event's fields and ``prev_hash``, so editing or
    deleting any row breaks every later link (see :mod:`saylau.services.audit`).
    """

    __tablename__ = "audit_event"
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    user_id: Mapped[int | None]
    username: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    commission_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), default="done")  # done | refused
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The single row holding the chain's last hash; writers lock it, so the chain never forks."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    last_event_id: Mapped[int | None]
    last_hash: Mapped[str] = mapped_column(String(64))
