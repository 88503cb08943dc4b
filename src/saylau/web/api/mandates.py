"""Mandates, deputies and vacancies: who takes a party's list seats (ASSIGN_MANDATE), deputy
registration (REGISTER_DEPUTY), an early end of a mandate and how its seat is filled
(HANDLE_VACANCY); mandates and vacancies are public."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Query
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.services.context import fetch
from saylau.services.mandates import assign_list_mandates, register_deputy
from saylau.services.vacancies import choose_list_successor, remaining_on_list, terminate_mandate
from saylau.storage.models import (
    Contest,
    Mandate,
    MandateSource,
    MandateState,
    Person,
    Vacancy,
    VacancyOutcome,
)
from saylau.web.api.models import Day, Id, IdFilter, IdPath, In, Out
from saylau.web.api.pagination import Page, PageQuery, Paging, paginate
from saylau.web.api.routing import api_router, then
from saylau.web.deps import Services

router = api_router("mandates")


class MandateOut(Out):
    id: int
    body_id: int
    contest_id: int
    election_id: int
    source: MandateSource
    party_id: int | None
    person_id: int | None
    person: str | None
    """The holder's full name."""
    state: MandateState
    assigned_at: datetime | None
    registered_at: datetime | None
    term_start: date | None
    application_received_on: date | None
    terminated_on: date | None
    termination_reason: str


class VacancyOut(Out):
    id: int
    mandate_id: int
    body_id: int
    occurred_on: date
    reason: str
    outcome: VacancyOutcome
    successor_mandate_id: int | None
    by_election_contest_id: int | None
    by_election_day: date | None
    remaining_on_list: list[int]
    """Persons the party branch may still choose from (list seats awaiting its decision)."""


class ListSeatsIn(In):
    party_id: Id
    person_ids: list[Id] = Field(min_length=1, max_length=500)


class RegisterDeputyIn(In):
    application_received_on: Day
    term_start: Day | None = None


class TerminateIn(In):
    on: Day
    reason: str = Field(min_length=1, max_length=300)
    successor_person_id: Id | None = None
    """A list seat: the party branch's choice of successor (CL art. 111-1 para 6)."""
    agreed_day: Day | None = None
    """A single-member seat: a by-election day agreed with the CEC (CL art. 101 para 3-1)."""


class SuccessorIn(In):
    person_id: Id


def mandate_out(session: Session, mandate: Mandate) -> MandateOut:
    contest = fetch(session, Contest, mandate.contest_id, "contest")
    person = None
    if mandate.person_id is not None:
        found = session.get(Person, mandate.person_id)
        person = found.full_name if found else None
    return MandateOut(
        id=mandate.id,
        body_id=mandate.body_id,
        contest_id=mandate.contest_id,
        election_id=contest.election_id,
        source=mandate.source,
        party_id=mandate.party_id,
        person_id=mandate.person_id,
        person=person,
        state=mandate.state,
        assigned_at=mandate.assigned_at,
        registered_at=mandate.registered_at,
        term_start=mandate.term_start,
        application_received_on=mandate.application_received_on,
        terminated_on=mandate.terminated_on,
        termination_reason=mandate.termination_reason,
    )


def vacancy_out(session: Session, vacancy: Vacancy) -> VacancyOut:
    mandate = fetch(session, Mandate, vacancy.mandate_id, "mandate")
    awaiting = vacancy.outcome is VacancyOutcome.AWAITING_PARTY_DECISION
    return VacancyOut(
        id=vacancy.id,
        mandate_id=vacancy.mandate_id,
        body_id=mandate.body_id,
        occurred_on=vacancy.occurred_on,
        reason=vacancy.reason,
        outcome=vacancy.outcome,
        successor_mandate_id=vacancy.successor_mandate_id,
        by_election_contest_id=vacancy.by_election_contest_id,
        by_election_day=vacancy.by_election_day,
        remaining_on_list=remaining_on_list(session, mandate) if awaiting else [],
    )


def _mandates(
    session: Session,
    election_id: int | None,
    body_id: int | None,
    contest_id: int | None,
    party_id: int | None,
    state: MandateState | None,
    source: MandateSource | None,
    paging: PageQuery,
) -> Page[MandateOut]:
    query = select(Mandate).order_by(Mandate.id)
    if election_id is not None:
        query = query.where(
            Mandate.contest_id.in_(select(Contest.id).where(Contest.election_id == election_id))
        )
    if body_id is not None:
        query = query.where(Mandate.body_id == body_id)
    if contest_id is not None:
        query = query.where(Mandate.contest_id == contest_id)
    if party_id is not None:
        query = query.where(Mandate.party_id == party_id)
    if state is not None:
        query = query.where(Mandate.state == state)
    if source is not None:
        query = query.where(Mandate.source == source)
    return paginate(session, query, paging, lambda m: mandate_out(session, m))


def _vacancies(
    session: Session,
    body_id: int | None,
    outcome: VacancyOutcome | None,
    paging: PageQuery,
) -> Page[VacancyOut]:
    query = select(Vacancy).order_by(Vacancy.id)
    if body_id is not None:
        query = query.where(
            Vacancy.mandate_id.in_(select(Mandate.id).where(Mandate.body_id == body_id))
        )
    if outcome is not None:
        query = query.where(Vacancy.outcome == outcome)
    return paginate(session, query, paging, lambda v: vacancy_out(session, v))


@router.get("/mandates", response_model=Page[MandateOut])
def list_mandates(
    services: Services,
    paging: Paging,
    election_id: IdFilter = None,
    body_id: IdFilter = None,
    contest_id: IdFilter = None,
    party_id: IdFilter = None,
    state: Annotated[MandateState | None, Query()] = None,
    source: Annotated[MandateSource | None, Query()] = None,
) -> Page[MandateOut]:
    """Seats won and who holds them: won → assigned (list seat given) → registered → ended."""
    return services.read(
        _mandates, election_id, body_id, contest_id, party_id, state, source, paging
    )


@router.get("/mandates/{mandate_id}", response_model=MandateOut)
def get_mandate(mandate_id: IdPath, services: Services) -> MandateOut:
    return services.read(lambda s: mandate_out(s, fetch(s, Mandate, mandate_id, "mandate")))


@router.post("/contests/{contest_id}/list-seats", response_model=list[MandateOut])
def post_list_seats(contest_id: IdPath, body: ListSeatsIn, services: Services) -> list[MandateOut]:
    """The party branch's decision giving its list seats to listed persons (CL art. 111-1
    para 5; art. 97-1 para 5), by the stage ``party_branch_seat_decision``; idempotent."""

    def convert(session: Session, mandates: list[Mandate]) -> list[MandateOut]:
        return [mandate_out(session, m) for m in mandates]

    return services(then(assign_list_mandates, convert), contest_id, body.party_id, body.person_ids)


@router.post("/mandates/{mandate_id}/registration", response_model=MandateOut)
def post_registration(mandate_id: IdPath, body: RegisterDeputyIn, services: Services) -> MandateOut:
    """Register the holder as a deputy on their written application (one mandate per person)."""
    return services(
        then(register_deputy, mandate_out),
        mandate_id,
        body.application_received_on,
        body.term_start,
    )


@router.post("/mandates/{mandate_id}/termination", response_model=VacancyOut)
def post_termination(mandate_id: IdPath, body: TerminateIn, services: Services) -> VacancyOut:
    """End a mandate early and fill the seat: list successor, vacancy until the next election,
    or a by-election (CL arts. 101, 111-1 para 6, 113)."""
    return services(
        then(terminate_mandate, vacancy_out),
        mandate_id,
        body.on,
        body.reason,
        successor_person_id=body.successor_person_id,
        agreed_day=body.agreed_day,
    )


@router.get("/vacancies", response_model=Page[VacancyOut])
def list_vacancies(
    services: Services,
    paging: Paging,
    body_id: IdFilter = None,
    outcome: Annotated[VacancyOutcome | None, Query()] = None,
) -> Page[VacancyOut]:
    """Mandates ended early and how each seat is filled."""
    return services.read(_vacancies, body_id, outcome, paging)


@router.get("/vacancies/{vacancy_id}", response_model=VacancyOut)
def get_vacancy(vacancy_id: IdPath, services: Services) -> VacancyOut:
    return services.read(lambda s: vacancy_out(s, fetch(s, Vacancy, vacancy_id, "vacancy")))


@router.post("/vacancies/{vacancy_id}/successor", response_model=VacancyOut)
def post_successor(vacancy_id: IdPath, body: SuccessorIn, services: Services) -> VacancyOut:
    """The party branch's choice of successor for a list seat (CL art. 111-1 para 6)."""
    return services(then(choose_list_successor, vacancy_out), vacancy_id, body.person_id)
