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
