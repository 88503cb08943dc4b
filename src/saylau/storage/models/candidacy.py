"""Parties, persons, party lists, single-member nominations, documents and deposits."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saylau.domain.states import CandidacyState
from saylau.law.iin import Sex
from saylau.law.nomination import NominationRoute, RefusalReason
from saylau.storage.models.base import Base, IdMixin
from saylau.storage.types import UtcDateTime, enum_column, utcnow


class Party(IdMixin, Base):
    __tablename__ = "party"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300), default="")
    name_en: Mapped[str] = mapped_column(String(300))
    branches: Mapped[list[PartyBranch]] = relationship(back_populates="party")


class PartyBranch(IdMixin, Base):
    """A regional branch; a party needs one to take part in that region's elections."""

    __tablename__ = "party_branch"
    __table_args__ = (UniqueConstraint("party_id", "region_id"),)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    party: Mapped[Party] = relationship(back_populates="branches")


class PartyAdmission(IdMixin, Base):
    """The CEC's decision admitting a party to an election's list contests."""

    __tablename__ = "party_admission"
    __table_args__ = (UniqueConstraint("election_id", "party_id"),)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    admitted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Person(IdMixin, Base):
    """A citizen who is a candidate, list member or deputy (names in Kazakh and Russian)."""

    __tablename__ = "person"
    iin: Mapped[str] = mapped_column(String(12), unique=True)
    surname: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str] = mapped_column(String(100), default="")
    surname_ru: Mapped[str] = mapped_column(String(100), default="")
    name_ru: Mapped[str] = mapped_column(String(100), default="")
    patronymic_ru: Mapped[str] = mapped_column(String(100), default="")
    birth_date: Mapped[date]
    sex: Mapped[Sex] = mapped_column(enum_column(Sex))
    disability: Mapped[bool] = mapped_column(default=False)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    """Party membership, if any."""
    synthetic: Mapped[bool] = mapped_column(default=False)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)


class PartyList(IdMixin, Base):
    """A party's list in one list contest (CL art. 104 para 4: one list per party)."""

    __tablename__ = "party_list"
    __table_args__ = (UniqueConstraint("contest_id", "party_id"),)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    state: Mapped[CandidacyState] = mapped_column(
        enum_column(CandidacyState), default=CandidacyState.NOMINATED
    )
    registration_order: Mapped[int | None]
    """Order of registration in the contest, 1 = earliest: breaks equal remainders (art. 111-1 p.4)."""
    previous_result: Mapped[str | None] = mapped_column(String(32))
    """The party's share at the previous election of this body, an exact fraction ``"n/d"``; it
    reduces the list's deposit (CL art. 104 para 1; decision #15). None: not standing before."""
    refusal_reason: Mapped[RefusalReason | None] = mapped_column(enum_column(RefusalReason))
    state_note: Mapped[str] = mapped_column(String(500), default="")
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    registered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    party: Mapped[Party] = relationship()
    entries: Mapped[list[ListEntry]] = relationship(
        back_populates="party_list", order_by="ListEntry.position"
    )


class ListEntry(Base):
    __tablename__ = "list_entry"
    __table_args__ = (UniqueConstraint("party_list_id", "person_id"),)
    party_list_id: Mapped[int] = mapped_column(ForeignKey("party_list.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    withdrawn: Mapped[bool] = mapped_column(default=False)
    party_list: Mapped[PartyList] = relationship(back_populates="entries")
    person: Mapped[Person] = relationship()


class Nomination(IdMixin, Base):
    """A candidate nominated in a single-member district contest."""

    __tablename__ = "nomination"
    __table_args__ = (UniqueConstraint("contest_id", "person_id"),)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    route: Mapped[NominationRoute] = mapped_column(enum_column(NominationRoute))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    association: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[CandidacyState] = mapped_column(
        enum_column(CandidacyState), default=CandidacyState.NOMINATED
    )
    refusal_reason: Mapped[RefusalReason | None] = mapped_column(enum_column(RefusalReason))
    state_note: Mapped[str] = mapped_column(String(500), default="")
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    registered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    person: Mapped[Person] = relationship()


class SubmittedDocument(IdMixin, Base):
    """A document of the checklist received for a nomination or a list (monograph Table 4)."""

    __tablename__ = "submitted_document"
    __table_args__ = (UniqueConstraint("nomination_id", "party_list_id", "person_id", "document"),)
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nomination.id"), index=True)
    party_list_id: Mapped[int | None] = mapped_column(ForeignKey("party_list.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    """For a list's per-person documents (consent, biography…): whose document it is."""
    document: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DepositKind(StrEnum):
    PAID = "paid"
    REFUNDED = "refunded"
    FORFEITED = "forfeited"


class DepositEntry(IdMixin, Base):
    """A line of the deposit ledger (CL art. 104 paras 1, 1-1; decision #15)."""

    __tablename__ = "deposit_entry"
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nomination.id"), index=True)
    party_list_id: Mapped[int | None] = mapped_column(ForeignKey("party_list.id"), index=True)
    kind: Mapped[DepositKind] = mapped_column(enum_column(DepositKind))
    amount: Mapped[int]
    note: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
