"""Mandates and vacancies: the mandates of the actor's territory with registration as a deputy,
early termination (which opens a vacancy), the party's choice of a list successor, and the
by-elections called for single-member seats (CL art. 101 para 3-1, art. 113), each linked to the
result page of its contest."""

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
from saylau.storage.models import (
    Body,
    Contest,
    ContestResult,
    Mandate,
    Party,
    Person,
    Vacancy,
    VacancyOutcome,
)
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

CONTEST_STATES: dict[str, str] = {
    "open": N_("Open: not decided yet"),
    "decided": N_("Decided"),
    "runoff": N_("Runoff"),
    "repeat_election": N_("Repeat election"),
    "no_party_passed": N_("No party passed the threshold"),
    "lot_required": N_("A lot is required"),
}
"""The state of a by-election's contest, as shown next to its link."""


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
        by_elections = _by_elections(session, vacancies)
        return page(
            request,
            actor,
            "commission/mandates.html",
            mandates=found,
            persons=persons,
            parties=parties,
            bodies=bodies,
            vacancies=vacancies,
            by_elections=by_elections,
            contest_states=CONTEST_STATES,
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


def _by_elections(session: Session, vacancies: list[Any]) -> list[dict[str, Any]]:
    """The by-elections called for the vacancies shown: the follow-up contest of each, its
    district, polling day and state, and whether its result is published."""
    wanted = {
        v.by_election_contest_id: v
        for v, _ in vacancies
        if v.outcome is VacancyOutcome.BY_ELECTION and v.by_election_contest_id is not None
    }
    if not wanted:
        return []
    contests = {
        c.id: c for c in session.scalars(select(Contest).where(Contest.id.in_(wanted.keys())))
    }
    published = {
        r.contest_id: r.published_at is not None
        for r in session.scalars(
            select(ContestResult).where(ContestResult.contest_id.in_(wanted.keys()))
        )
    }
    found = []
    for contest_id, vacancy in wanted.items():
        contest = contests.get(contest_id)
        if contest is None:
            continue
        found.append(
            {
                "vacancy": vacancy,
                "contest": contest,
                "district": contest.district,
                "polling_day": vacancy.by_election_day or contest.election.polling_day,
                "state": contest.status.value,
                "published": published.get(contest_id, False),
            }
        )
    return sorted(found, key=lambda b: (b["polling_day"], b["contest"].id))


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
