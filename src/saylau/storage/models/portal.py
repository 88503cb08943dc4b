"""The portal's own records: uploaded document files and self-nominees' applications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from saylau.storage.models.base import Base, IdMixin
from saylau.storage.types import UtcDateTime, utcnow


class DocumentFile(IdMixin, Base):
    """The scanned file of a checklist document (PDF, JPEG or PNG), as uploaded.

    Linked to the :class:`SubmittedDocument` it evidences once the candidacy exists; before that
    it is a self-nominee's draft, owned by the uploading account (``submitted_document_id`` is
    None). The content is kept with its size and SHA-256 so the commission sees exactly what was
    handed in.
    """

    __tablename__ = "document_file"
    submitted_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("submitted_document.id"), index=True
    )
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    document: Mapped[str] = mapped_column(String(64))
    """The checklist id (``biography``, ``consent`` …)."""
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary(), deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CandidateApplication(IdMixin, Base):
    """A self-nominee's application made online: the account that made it and its nomination."""

    __tablename__ = "candidate_application"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), unique=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"))
    applied_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
