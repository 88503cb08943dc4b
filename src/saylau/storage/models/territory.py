"""Territory: regions, second-level units and precincts (CL art. 23; decision #14)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saylau.law.rules import MaslikhatKind
from saylau.storage.models.base import Base, IdMixin
from saylau.storage.types import enum_column


class Region(IdMixin, Base):
    """A first-level unit: oblast, city of republican significance or the capital."""

    __tablename__ = "region"
    code: Mapped[str] = mapped_column(String(8), unique=True)
    kind: Mapped[MaslikhatKind] = mapped_column(enum_column(MaslikhatKind))
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    iana_zone: Mapped[str] = mapped_column(String(64))
    units: Mapped[list[Unit]] = relationship(back_populates="region", order_by="Unit.id")


class Unit(IdMixin, Base):
    """A second-level unit: district (аудан) or city of oblast significance."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("region_id", "name_en"),)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    kind: Mapped[MaslikhatKind] = mapped_column(enum_column(MaslikhatKind))
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200))
    region: Mapped[Region] = relationship(back_populates="units")


class Precinct(IdMixin, Base):
    """A polling precinct with its voter list size (at most 3,000 voters, CL art. 23)."""

    __tablename__ = "precinct"
    __table_args__ = (
        UniqueConstraint("region_id", "number"),
        CheckConstraint("voters >= 0", name="voters_non_negative"),
    )
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    number: Mapped[int]
    address: Mapped[str] = mapped_column(String(300), default="")
    voters: Mapped[int]
    synthetic: Mapped[bool] = mapped_column(default=False)
    """True for data invented by the demo generator, shown as such wherever it appears."""
    region: Mapped[Region] = relationship()
    unit: Mapped[Unit | None] = relationship()


class PrecinctArea(IdMixin, Base):
    """A settlement, or a street of it with its house numbers, that a precinct serves.

    Precincts are formed over the territory with their boundaries published (CL art. 23), so a
    voter finds their precinct by where they live: ``saylau.services.voters`` imports the areas and
    searches them. ``search_key`` is the settlement and street case-folded in Python, because
    SQLite's ``lower()`` folds only ASCII and the names are Kazakh and Russian.
    """

    __tablename__ = "precinct_area"
    __table_args__ = (UniqueConstraint("precinct_id", "settlement", "street", "houses"),)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precinct.id"), index=True)
    settlement: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200), default="")
    """Empty: the whole settlement (a village served by one precinct)."""
    houses: Mapped[str] = mapped_column(String(200), default="")
    """House numbers as published, e.g. ``1–45, 2–60``; empty: every house of the street."""
    search_key: Mapped[str] = mapped_column(String(402))
    synthetic: Mapped[bool] = mapped_column(default=False)
    """True for streets invented by the demo generator."""
    precinct: Mapped[Precinct] = relationship()


class VoterRegisterEntry(Base):
    """One voter of the loaded register: a keyed digest of the IIN and the voter's precinct.

    The IIN itself is never stored: ``digest`` is HMAC-SHA256 of it under a server secret, so the
    table answers "is this IIN registered, and where" for someone who knows the IIN, and nothing
    to someone who reads the table without the secret (issue #5 §5).
    """

    __tablename__ = "voter_register_entry"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precinct.id"), index=True)
