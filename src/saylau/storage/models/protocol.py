"""Precinct protocols: the two entries, the definitive figures and turnout reports (CL art. 43)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saylau.domain.states import ProtocolState
from saylau.storage.models.base import Base, IdMixin
from saylau.storage.types import UtcDateTime, enum_column, utcnow


class Protocol(IdMixin, Base):
    """The result protocol of one contest at one precinct, with its double-entry state.

    The figure columns hold the definitive protocol (filled when the state becomes ``definitive``);
    the per-choice votes are in :class:`ProtocolVote` so that tabulation is one aggregation.
    """

    __tablename__ = "protocol"
    __table_args__ = (UniqueConstraint("contest_id", "precinct_id"),)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precinct.id"), index=True)
    state: Mapped[ProtocolState] = mapped_column(
        enum_column(ProtocolState), default=ProtocolState.EMPTY
    )
    version: Mapped[int] = mapped_column(default=0)
    """Incremented by every definitive correction (each version is kept in the audit log)."""
    voters_on_list: Mapped[int | None] = mapped_column(Integer)
    ballots_received: Mapped[int | None] = mapped_column(Integer)
    ballots_issued: Mapped[int | None] = mapped_column(Integer)
    ballots_cancelled: Mapped[int | None] = mapped_column(Integer)
    ballots_in_boxes: Mapped[int | None] = mapped_column(Integer)
    portable_box_ballots: Mapped[int | None] = mapped_column(Integer)
    portable_box_requests: Mapped[int | None] = mapped_column(Integer)
    portable_box_invalidated: Mapped[int | None] = mapped_column(Integer)
    """Portable-box ballots declared invalid (more ballots than requests, CL art. 43 para 3-1)."""
    against_all: Mapped[int | None] = mapped_column(Integer)
    invalid: Mapped[int | None] = mapped_column(Integer)
    acknowledged_warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    definitive_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    correction_decision: Mapped[str | None] = mapped_column(String(500))
    entries: Mapped[list[ProtocolEntry]] = relationship(
        back_populates="protocol", order_by="ProtocolEntry.entry_no"
    )
    votes: Mapped[list[ProtocolVote]] = relationship(back_populates="protocol")


class ProtocolEntry(IdMixin, Base):
    """One typist's entry of a protocol (first or second), kept for comparison and audit."""

    __tablename__ = "protocol_entry"
    __table_args__ = (UniqueConstraint("protocol_id", "entry_no"),)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol.id"), index=True)
    entry_no: Mapped[int]
    typist_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    protocol: Mapped[Protocol] = relationship(back_populates="entries")


class ProtocolVote(Base):
    """Definitive votes of one ballot line in one protocol."""

    __tablename__ = "protocol_vote"
    __table_args__ = (CheckConstraint("votes >= 0", name="votes_non_negative"),)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol.id"), primary_key=True)
    choice_id: Mapped[int] = mapped_column(ForeignKey("ballot_choice.id"), primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    votes: Mapped[int]
    protocol: Mapped[Protocol] = relationship(back_populates="votes")


class TurnoutReport(IdMixin, Base):
    """Voters who have voted at a precinct by 10:00, 16:00 and at the close (``final``)."""

    __tablename__ = "turnout_report"
    __table_args__ = (UniqueConstraint("election_id", "precinct_id", "at"),)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precinct.id"), index=True)
    at: Mapped[str] = mapped_column(String(8))  # "10:00", "16:00", "final"
    voted: Mapped[int]
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
