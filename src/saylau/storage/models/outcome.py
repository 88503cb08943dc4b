"""Results, mandates, deputies, vacancies and recall cases."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saylau.domain.states import RecallState
from saylau.storage.models.base import Base, IdMixin
from saylau.storage.types import UtcDateTime, enum_column, utcnow


class ContestResult(IdMixin, Base):
    """The latest tabulation of a contest with its full trace (for the result protocol)."""

    __tablename__ = "contest_result"
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), unique=True)
    status: Mapped[str] = mapped_column(String(32))
    precincts_counted: Mapped[int]
    precincts_total: Mapped[int]
    totals: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    outcome_status: Mapped[str] = mapped_column(String(32), default="")
    """The law's outcome (``outcome["status"]``) as a column, so that a tabulation that finds the
    inputs unchanged reports it without decoding the stored trace."""
    inputs_digest: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of everything the result was computed from (sums, ballot lines, lot seed, rules,
    precinct count, follow-up, contest status): equal inputs give an equal result, so a
    tabulation skips the contest without recomputing or decoding it (issue #8, B2)."""


class TabulationPending(IdMixin, Base):
    """A definitive protocol not yet tabulated: written in the protocol's own transaction
    (append-only, so concurrent entries never contend on one row) and consumed by an incremental
    tabulation, which re-tabulates only these contests (issue #8, B3)."""

    __tablename__ = "tabulation_pending"
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precinct.id"))


class MandateSource(StrEnum):
    PARTY_LIST = "party_list"
    SINGLE_MEMBER = "single_member"


class MandateState(StrEnum):
    WON = "won"  # a list seat not yet given to a person, or an SMD winner not yet registered
    ASSIGNED = "assigned"
    REGISTERED = "registered"
    TERMINATED = "terminated"
    VACANT = "vacant"


class Mandate(IdMixin, Base):
    """A seat of a body won in a contest, and who holds it."""

    __tablename__ = "mandate"
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id"), index=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    source: Mapped[MandateSource] = mapped_column(enum_column(MandateSource))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    state: Mapped[MandateState] = mapped_column(enum_column(MandateState))
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    registered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    term_start: Mapped[date | None]
    application_received_on: Mapped[date | None]
    """The day the elected person's written application for registration as a deputy came in."""
    terminated_on: Mapped[date | None]
    termination_reason: Mapped[str] = mapped_column(String(300), default="")


class VacancyOutcome(StrEnum):
    FILLED_FROM_LIST = "filled_from_list"
    VACANT_UNTIL_NEXT_ELECTION = "vacant_until_next_election"
    BY_ELECTION = "by_election"
    NO_BY_ELECTION_FINAL_YEAR = "no_by_election_final_year"
    AWAITING_PARTY_DECISION = "awaiting_party_decision"
    """A list seat whose successor the party branch has not chosen yet (CL art. 111-1 para 6)."""


class Vacancy(IdMixin, Base):
    """An early end of a mandate and how the seat is filled (CL art. 111-1 para 6, art. 113)."""

    __tablename__ = "vacancy"
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandate.id"), unique=True)
    occurred_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(300))
    outcome: Mapped[VacancyOutcome] = mapped_column(enum_column(VacancyOutcome))
    successor_mandate_id: Mapped[int | None] = mapped_column(ForeignKey("mandate.id"))
    by_election_contest_id: Mapped[int | None] = mapped_column(ForeignKey("contest.id"))
    by_election_day: Mapped[date | None]
    mandate: Mapped[Mandate] = relationship(foreign_keys=[mandate_id])


class RecallCase(IdMixin, Base):
    """A recall of a single-member deputy (CL arts. 113-12 – 113-16)."""

    __tablename__ = "recall_case"
    mandate_id: Mapped[int] = mapped_column(ForeignKey("mandate.id"), index=True)
    state: Mapped[RecallState] = mapped_column(enum_column(RecallState))
    initiator: Mapped[str] = mapped_column(String(300))
    applied_on: Mapped[date]
    registered_on: Mapped[date | None]
    refusal_reason: Mapped[str] = mapped_column(String(500), default="")
    lists_submitted_on: Mapped[date | None]
    district_voters: Mapped[int | None]
    valid_signatures: Mapped[int | None]
    verified_on: Mapped[date | None]
    vote_decided_on: Mapped[date | None]
    notified_on: Mapped[date | None]
    """The day the deputy was notified of the decision to hold the vote (art. 113-15 para 2)."""
    vote_election_id: Mapped[int | None] = mapped_column(ForeignKey("election.id"))
    """The recall vote itself, an election record with purpose ``recall``."""
    vote_day: Mapped[date | None]
    took_part: Mapped[int | None]
    invalid_ballots: Mapped[int | None]
    for_recall: Mapped[int | None]
    result_published_on: Mapped[date | None]
    follow_up_election_id: Mapped[int | None] = mapped_column(ForeignKey("election.id"))
    """The by-election called for the district after a successful recall."""
    timeline: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
