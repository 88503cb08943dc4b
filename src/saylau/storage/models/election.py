"""Elections, bodies, single-member districts, contests, lots and ballots."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saylau.law.bodies import ContestKind
from saylau.law.calendar import ElectionKind
from saylau.storage.models.base import Base, IdMixin
from saylau.storage.types import UtcDateTime, enum_column, utcnow


class BodyKind(StrEnum):
    """A maslikhat kind (:class:`saylau.law.rules.MaslikhatKind`) or the Mazhilis."""

    OBLAST = "oblast"
    REPUBLICAN_CITY = "republican_city"
    CAPITAL = "capital"
    CITY = "city"
    DISTRICT = "district"
    MAZHILIS = "mazhilis"


class Body(IdMixin, Base):
    """A representative body: a maslikhat of a region or unit, or the Mazhilis."""

    __tablename__ = "body"
    __table_args__ = (CheckConstraint("seats >= 1", name="seats_positive"),)
    kind: Mapped[BodyKind] = mapped_column(enum_column(BodyKind))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), unique=True, index=True)
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300), default="")
    name_en: Mapped[str] = mapped_column(String(300))
    seats: Mapped[int]
    seat_cap_override: Mapped[str | None] = mapped_column(String(500))
    """The recorded reason for accepting seats above the cap (decision #10)."""


class ElectionStatus(StrEnum):
    CALLED = "called"
    RESULTS_PUBLISHED = "results_published"
    CLOSED = "closed"


class Election(IdMixin, Base):
    __tablename__ = "election"
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[ElectionKind] = mapped_column(enum_column(ElectionKind))
    purpose: Mapped[str] = mapped_column(String(32), default="general")
    """``general``, ``by_election``, ``runoff``, ``repeat`` or ``recall``."""
    rules: Mapped[str] = mapped_column(String(8), default="2023")
    called_on: Mapped[date]
    polling_day: Mapped[date]
    status: Mapped[ElectionStatus] = mapped_column(
        enum_column(ElectionStatus), default=ElectionStatus.CALLED
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("election.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    overrides: Mapped[list[StageOverrideRecord]] = relationship(back_populates="election")


class ElectionBody(Base):
    """A body elected in an election: the call names them (CL art. 9), even those whose seats are
    all single-member and so get their contests only when the districts are formed."""

    __tablename__ = "election_body"
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), primary_key=True, index=True)


class StageOverrideRecord(IdMixin, Base):
    """A calendar stage set by the calling decision instead of the offsets (decision #13)."""

    __tablename__ = "stage_override"
    __table_args__ = (UniqueConstraint("election_id", "stage"),)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    stage: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(String(500))
    election: Mapped[Election] = relationship(back_populates="overrides")


class District(IdMixin, Base):
    """A single-member district of a body, formed for an election (CL arts. 21–22)."""

    __tablename__ = "district"
    __table_args__ = (UniqueConstraint("election_id", "body_id", "number"),)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(300), default="")
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    body: Mapped[Body] = relationship()
    precincts: Mapped[list[DistrictPrecinct]] = relationship(back_populates="district")


class DistrictPrecinct(Base):
    __tablename__ = "district_precinct"
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), primary_key=True)
    precinct_id: Mapped[int] = mapped_column(
        ForeignKey("precinct.id"), primary_key=True, index=True
    )
    district: Mapped[District] = relationship(back_populates="precincts")


class ContestStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"
    RUNOFF = "runoff"
    REPEAT_ELECTION = "repeat_election"
    NO_PARTY_PASSED = "no_party_passed"
    LOT_REQUIRED = "lot_required"


class Contest(IdMixin, Base):
    """One race with its own ballot: a body's list part, or one single-member district."""

    __tablename__ = "contest"
    __table_args__ = (
        UniqueConstraint("election_id", "body_id", "kind", "district_id"),
        CheckConstraint("seats >= 1", name="seats_positive"),
    )
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), index=True)
    kind: Mapped[ContestKind] = mapped_column(enum_column(ContestKind))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    seats: Mapped[int]
    status: Mapped[ContestStatus] = mapped_column(
        enum_column(ContestStatus), default=ContestStatus.OPEN
    )
    follows_contest_id: Mapped[int | None] = mapped_column(ForeignKey("contest.id"))
    """The contest this runoff, repeat election or by-election follows."""
    election: Mapped[Election] = relationship()
    body: Mapped[Body] = relationship()
    district: Mapped[District | None] = relationship()


class LotRecord(IdMixin, Base):
    """A drawn lot: seed, inputs, method and result, re-runnable by anyone (decision #9)."""

    __tablename__ = "lot_record"
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(200))
    seed: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(32))
    candidates: Mapped[list[str]] = mapped_column(JSON)
    order: Mapped[list[str]] = mapped_column(JSON)
    drawn_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    drawn_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class BallotChoice(IdMixin, Base):
    """A line of a contest's ballot: a party list or a candidate, in ballot order."""

    __tablename__ = "ballot_choice"
    __table_args__ = (UniqueConstraint("contest_id", "position"),)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    position: Mapped[int]
    party_list_id: Mapped[int | None] = mapped_column(ForeignKey("party_list.id"))
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nomination.id"))
    label: Mapped[str] = mapped_column(String(400))


class BallotDefinition(IdMixin, Base):
    """The frozen ballot of a contest with its print runs (CL art. 37)."""

    __tablename__ = "ballot_definition"
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), unique=True)
    frozen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    lot_record_id: Mapped[int | None] = mapped_column(ForeignKey("lot_record.id"))
    extended: Mapped[bool] = mapped_column(default=False)
    print_run: Mapped[int] = mapped_column(default=0)
    precinct_delivery: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    change_decision: Mapped[str | None] = mapped_column(String(500))
