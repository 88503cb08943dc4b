"""Observers and accreditation: organisations accredited by the commissions of the actor's
territory, applications, accreditation or refusal, credentials, assignment to precincts, and the
coverage of an election's precincts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from saylau.domain.roles import Action, CommissionLevel
from saylau.services import observers as service
from saylau.services.errors import InvalidInput
from saylau.storage.models import (
    Commission,
    Observer,
    ObserverOrganisation,
    Party,
    Precinct,
)
from saylau.web.pages.commission.common import (
    PageCall,
    Posted,
    act,
    chosen_election,
    elections,
    gate,
    gate_form,
    page,
    whole,
)
from saylau.web.pages.commission.labels import N_

router = APIRouter(include_in_schema=False)
LIMIT = 300


def _mine(commission: Commission, actor: Any) -> bool:
    if commission.level is CommissionLevel.CEC:
        return actor.level is CommissionLevel.CEC
    if commission.level is CommissionLevel.PEC:
        return False
    return bool(actor.covers(service.commission_scope(commission)))


@router.get("/observers")
def observers(request: Request, call: PageCall, election: int | None = None) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, Action.ACCREDIT_OBSERVERS)) is not None:
        return stop
    with call.sessions() as session:
        commissions = {
            c.id: c
            for c in session.scalars(
                select(Commission).where(Commission.level != CommissionLevel.PEC)
            )
            if _mine(c, actor)
        }
        organisations = list(
            session.scalars(
                select(ObserverOrganisation)
                .where(ObserverOrganisation.accrediting_commission_id.in_(commissions))
                .order_by(ObserverOrganisation.id)
                .limit(LIMIT)
            )
        )
        observers = list(
            session.scalars(
                select(Observer)
                .where(Observer.organisation_id.in_([o.id for o in organisations]))
                .order_by(Observer.id)
                .limit(LIMIT)
            )
        )
        chosen = chosen_election(session, election)
        coverage = service.coverage_report(session, chosen.id) if chosen is not None else None
        return page(
            request,
            actor,
            "commission/observers.html",
            commissions=commissions,
            organisations=organisations,
            observers=observers,
            parties=list(session.scalars(select(Party).order_by(Party.id))),
            all_elections=elections(session),
            election=chosen,
            coverage=coverage,
        )


@router.post("/observers/apply")
def apply(request: Request, call: PageCall, fields: Posted) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.ACCREDIT_OBSERVERS)) is not None:
        return stop

    def run() -> Any:
        kind = fields.get("kind")
        if kind not in {k.value for k in service.ObserverKind}:
            raise InvalidInput("invalid_input", "choose the kind", field="kind")
        application = service.AccreditationApplication(
            name=fields.get("name"),
            kind=service.ObserverKind(kind),
            commission_id=whole(fields.get("commission_id")) or 0,
            party_id=whole(fields.get("party_id")),
        )
        return call(service.apply_for_accreditation, application)

    return act(
        request,
        run,
        back="/observers#apply",
        notice=N_("The application is recorded."),
        fields=fields,
    )


@router.post("/observers/decide")
def decide(request: Request, call: PageCall, fields: Posted) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.ACCREDIT_OBSERVERS)) is not None:
        return stop
    organisation_id = whole(fields.get("organisation_id")) or 0

    def run() -> Any:
        if fields.get("decision") == "refuse":
            return call(service.refuse_accreditation, organisation_id, fields.get("reason"))
        return call(service.accredit_organisation, organisation_id)

    return act(
        request,
        run,
        back="/observers#decide",
        notice=N_("The decision is recorded."),
        fields=fields,
    )


@router.post("/observers/credentials")
def credentials(request: Request, call: PageCall, fields: Posted) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.ACCREDIT_OBSERVERS)) is not None:
        return stop
    organisation_id = whole(fields.get("organisation_id")) or 0
    names = [n.strip() for n in fields.get("full_names").splitlines() if n.strip()]
    return act(
        request,
        lambda: call(service.issue_credentials, organisation_id, names),
        back="/observers#credentials",
        notice=N_("The credentials are issued."),
        fields=fields,
    )


def _assign(ctx: Any, observer_id: int, election_id: int, numbers: list[int], region: int) -> Any:
    ids = [
        p.id
        for p in ctx.session.scalars(
            select(Precinct).where(Precinct.region_id == region, Precinct.number.in_(numbers))
        )
    ]
    if len(ids) != len(set(numbers)):
        raise InvalidInput(
            "not_found", "a precinct number is unknown in the region", field="precinct_ids"
        )
    return service.assign_observer(ctx, observer_id, election_id, ids)


@router.post("/observers/assign")
def assign(request: Request, call: PageCall, fields: Posted) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.ACCREDIT_OBSERVERS)) is not None:
        return stop
    numbers = [int(n) for n in fields.get("precinct_ids").replace(",", " ").split() if n.isdigit()]
    region = call.actor.region_id or whole(fields.get("region_id")) or 0
    return act(
        request,
        lambda: call(
            _assign,
            whole(fields.get("observer_id")) or 0,
            whole(fields.get("election")) or 0,
            numbers,
            region,
        ),
        back="/observers#assign",
        notice=N_("The observer is assigned."),
        fields=fields,
    )
