"""Observer organisations, their accreditation, observers and assignments (CL arts. 20-1, 20-2)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saylau.storage.models.base import Base, IdMixin


class ObserverOrganisation(IdMixin, Base):
    __tablename__ = "observer_organisation"
    name: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # party, ngo, international, media
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    accrediting_commission_id: Mapped[int | None] = mapped_column(ForeignKey("commission.id"))
    applied_on: Mapped[date | None]
    review_due: Mapped[date | None]
    accredited_on: Mapped[date | None]
    valid_until: Mapped[date | None]
    refused_reason: Mapped[str] = mapped_column(String(500), default="")


class Observer(IdMixin, Base):
    __tablename__ = "observer"
    organisation_id: Mapped[int] = mapped_column(ForeignKey("observer_organisation.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(300))
    credential: Mapped[str] = mapped_column(String(64), unique=True)


class ObserverAssignment(IdMixin, Base):
    __tablename__ = "observer_assignment"
    __table_args__ = (UniqueConstraint("observer_id", "election_id", "precinct_id"),)
    observer_id: Mapped[int] = mapped_column(ForeignKey("observer.id"), index=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precinct.id"), index=True)
