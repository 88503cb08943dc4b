"""Recall cases (CL arts. 113-12 – 113-16): the cases of the actor's territory, a voter's
application, and each next step of a case as one form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from saylau.domain.roles import Action
from saylau.services import recall as service
from saylau.services.elections import body_scope
from saylau.services.errors import InvalidInput
from saylau.storage.models import Body, Mandate, MandateSource, MandateState, Person, RecallCase
from saylau.web.pages.commission.common import PageCall, Posted, act, gate, gate_form, page, whole
from saylau.web.pages.commission.labels import N_
from saylau.web.pages.commission.mandates import parse_day

router = APIRouter(include_in_schema=False)
LIMIT = 300

STEPS: dict[str, str] = {
    "register": N_("Register the application"),
    "refuse": N_("Refuse the application (give the reason)"),
    "submit_lists": N_("Record the signature lists submitted"),
    "verify": N_("Record the verified signatures"),
    "call_vote": N_("Call the recall vote (give the day)"),
    "notify": N_("Record that the deputy was notified"),
    "result": N_("Record the result of the vote"),
}


@router.get("/recall")
def recall(request: Request, call: PageCall) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, Action.HANDLE_RECALL)) is not None:
        return stop
    with call.sessions() as session:
        bodies = {b.id: b for b in session.scalars(select(Body))}
        covered = {b.id for b in bodies.values() if actor.covers(body_scope(session, b))}
        cases = [
            (case, mandate)
            for case, mandate in session.execute(
                select(RecallCase, Mandate)
                .join(Mandate, Mandate.id == RecallCase.mandate_id)
                .order_by(RecallCase.id.desc())
                .limit(LIMIT)
            )
            if mandate.body_id in covered
        ]
        mandates = [
            m
            for m in session.scalars(
                select(Mandate)
                .where(
                    Mandate.source == MandateSource.SINGLE_MEMBER,
                    Mandate.state == MandateState.REGISTERED,
                )
                .order_by(Mandate.id)
                .limit(LIMIT)
            )
            if m.body_id in covered
        ]
        ids = {m.person_id for m in mandates} | {m.person_id for _, m in cases}
        persons = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
        return page(
            request,
            actor,
            "commission/recall.html",
            cases=cases,
            mandates=mandates,
            persons=persons,
            bodies=bodies,
            steps=STEPS,
        )


@router.post("/recall")
def apply(request: Request, call: PageCall, fields: Posted) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.HANDLE_RECALL)) is not None:
        return stop
    mandate_id = whole(fields.get("mandate_id")) or 0
    return act(
        request,
        lambda: call(service.apply_for_recall, mandate_id, fields.get("initiator")),
        back="/recall#apply",
        notice=N_("The application is recorded."),
        fields=fields,
    )


def _number(fields: Any, name: str) -> int:
    value = whole(fields.get(name))
    if value is None:
        raise InvalidInput("invalid_count", f"{name}: a whole number is required", field=name)
    return value


def _step(fields: Any, case_id: int) -> Callable[[Any], Any]:
    """The service call of the chosen step, as a function of the request's ``call``."""
    step = fields.get("step")
    if step == "register":
        return lambda call: call(service.register_recall, case_id)
    if step == "refuse":
        return lambda call: call(service.refuse_recall, case_id, fields.get("reason"))
    if step == "submit_lists":
        return lambda call: call(service.submit_signature_lists, case_id)
    if step == "verify":
        return lambda call: call(
            service.verify_signatures, case_id, _number(fields, "valid_signatures")
        )
    if step == "call_vote":
        return lambda call: call(
            service.call_recall_vote, case_id, parse_day(fields.get("vote_day"), "vote_day")
        )
    if step == "notify":
        return lambda call: call(service.notify_deputy, case_id)
    if step == "result":
        return lambda call: call(
            service.record_recall_result,
            case_id,
            _number(fields, "took_part"),
            _number(fields, "for_recall"),
            invalid=whole(fields.get("invalid")) or 0,
        )
    raise InvalidInput("invalid_input", "choose a step", field="step")


@router.post("/recall/step")
def step(request: Request, call: PageCall, fields: Posted) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.HANDLE_RECALL)) is not None:
        return stop
    case_id = whole(fields.get("case_id")) or 0
    return act(
        request,
        lambda: _step(fields, case_id)(call),
        back="/recall#step",
        notice=N_("The step is recorded."),
        fields=fields,
    )
