"""Mandates and vacancies: the mandates of the actor's territory with registration as a deputy,
early termination (which opens a vacancy), the party's choice of a list successor, by-elections."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.services.context import Actor
from saylau.services.elections import body_scope
from saylau.services.errors import InvalidInput
from saylau.services.mandates import register_deputy
from saylau.services.vacancies import choose_list_successor, terminate_mandate
from saylau.storage.models import Body, Mandate, Party, Person, Vacancy
from saylau.web.pages.commission.common import (
    PageCall,
    Posted,
    act,
    gate,
    gate_form,
    page,
    whole,
)
from saylau.web.pages.commission.labels import N_

router = APIRouter(include_in_schema=False)
ACTIONS = (Action.REGISTER_DEPUTY, Action.HANDLE_VACANCY)
LIMIT = 300


def covered_mandates(session: Session, actor: Actor, body_id: int | None) -> list[Mandate]:
    query = select(Mandate).order_by(Mandate.body_id, Mandate.id)
    if body_id is not None:
        query = query.where(Mandate.body_id == body_id)
    cache: dict[int, bool] = {}
    found: list[Mandate] = []
    for mandate in session.scalars(query):
        if mandate.body_id not in cache:
            body = session.get(Body, mandate.body_id)
            cache[mandate.body_id] = body is not None and actor.covers(body_scope(session, body))
        if cache[mandate.body_id]:
            found.append(mandate)
        if len(found) >= LIMIT:
            break
    return found


def parse_day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            "invalid_date", f"{field}={text!r}: a date is written YYYY-MM-DD", field=field
        ) from None


@router.get("/mandates")
def mandates(request: Request, call: PageCall, body: int | None = None) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, *ACTIONS)) is not None:
        return stop
    with call.sessions() as session:
        found = covered_mandates(session, actor, body)
        persons = {
            p.id: p
            for p in session.scalars(
                select(Person).where(Person.id.in_({m.person_id for m in found if m.person_id}))
            )
        }
        parties = {p.id: p for p in session.scalars(select(Party))}
        bodies = {b.id: b for b in session.scalars(select(Body))}
        vacancies = _vacancies(session, actor, bodies)
        return page(
            request,
            actor,
            "commission/mandates.html",
            mandates=found,
            persons=persons,
            parties=parties,
            bodies=bodies,
            vacancies=vacancies,
        )


def _vacancies(session: Session, actor: Actor, bodies: dict[int, Body]) -> list[Any]:
    rows = session.execute(
        select(Vacancy, Mandate)
        .join(Mandate, Mandate.id == Vacancy.mandate_id)
        .order_by(Vacancy.id.desc())
        .limit(LIMIT)
    )
    return [
        (vacancy, mandate)
        for vacancy, mandate in rows
        if actor.covers(body_scope(session, bodies[mandate.body_id]))
    ]


@router.post("/mandates/register")
def register(request: Request, call: PageCall, fields: Posted) -> Response:
    mandate_id = whole(fields.get("mandate_id")) or 0
    if (stop := gate_form(request, call.actor, fields, Action.REGISTER_DEPUTY)) is not None:
        return stop
    return act(
        request,
        lambda: call(
            register_deputy,
            mandate_id,
            parse_day(fields.get("application_received_on"), "application_received_on"),
        ),
        back="/mandates#forms",
        notice=N_("The deputy is registered."),
        fields=fields,
    )


@router.post("/mandates/terminate")
def terminate(request: Request, call: PageCall, fields: Posted) -> Response:
    mandate_id = whole(fields.get("mandate_id")) or 0
    if (stop := gate_form(request, call.actor, fields, Action.HANDLE_VACANCY)) is not None:
        return stop
    agreed = fields.get("agreed_day")
    return act(
        request,
        lambda: call(
            terminate_mandate,
            mandate_id,
            parse_day(fields.get("on"), "on"),
            fields.get("reason"),
            successor_person_id=whole(fields.get("successor_person_id")),
            agreed_day=parse_day(agreed, "agreed_day") if agreed else None,
        ),
        back="/mandates#forms",
        notice=N_("The mandate is terminated; the vacancy is recorded."),
        fields=fields,
    )


@router.post("/vacancies/successor")
def successor(request: Request, call: PageCall, fields: Posted) -> Response:
    vacancy_id = whole(fields.get("vacancy_id")) or 0
    if (stop := gate_form(request, call.actor, fields, Action.HANDLE_VACANCY)) is not None:
        return stop
    person_id = whole(fields.get("person_id"))

    def run() -> Any:
        if person_id is None:
            raise InvalidInput("invalid_input", "give the person's number", field="person_id")
        return call(choose_list_successor, vacancy_id, person_id)

    return act(
        request,
        run,
        back="/mandates#vacancies",
        notice=N_("The successor is recorded."),
        fields=fields,
    )
