"""Protocol entry (typists: first and second entry, live control-relation checks), the
coordinator's compare-and-resolve screen and the correction of a definitive protocol by the
commission's decision (issue #4 §2; CL art. 43; decision #19)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action, CommissionLevel
from saylau.domain.states import ProtocolState
from saylau.services import approvals
from saylau.services.context import Actor, scope_for
from saylau.services.elections import contests_for_precinct
from saylau.services.errors import ServiceError
from saylau.services.protocols import (
    ProtocolData,
    check_entry,
    correct_definitive,
    definitive_data,
    differing_fields,
    enter_protocol,
    resolve_protocol,
)
from saylau.storage.models import (
    Contest,
    ContestResult,
    Precinct,
    Protocol,
    ProtocolEntry,
    Region,
)
from saylau.web.deps import Services
from saylau.web.errors import localised
from saylau.web.i18n import gettext, negotiate
from saylau.web.pages.commission import protocol_form as form
from saylau.web.pages.commission.approvals import filed, required
from saylau.web.pages.commission.common import (
    PageCall,
    Posted,
    allowed,
    chosen_election,
    elections,
    error_entry,
    flash,
    gate,
    gate_form,
    page,
    refused,
    whole,
)
from saylau.web.pages.commission.labels import N_, RELATIONS, contest_label

router = APIRouter(include_in_schema=False)
ENTER = (Action.ENTER_PROTOCOL,)
RESOLVE = (Action.RESOLVE_PROTOCOL,)
CORRECT = (Action.CORRECT_DEFINITIVE_PROTOCOL,)
WAITING = (ProtocolState.ENTRIES_DIFFER, ProtocolState.SECOND_ENTRY, ProtocolState.RESOLVED)


def _covers(session: Session, actor: Actor, precinct_id: int) -> bool:
    return actor.covers(scope_for(session, precinct_id=precinct_id))


def in_territory(query: Any, actor: Actor) -> Any:
    """Restrict a query over :class:`Precinct` to the actor's commission."""
    if actor.level is CommissionLevel.CEC:
        return query
    if actor.level is CommissionLevel.TEC_REGION:
        return query.where(Precinct.region_id == actor.region_id)
    if actor.level is CommissionLevel.TEC_UNIT:
        return query.where(Precinct.unit_id == actor.unit_id)
    return query.where(Precinct.id == actor.precinct_id)


def _find_precinct(
    session: Session, actor: Actor, number: int | None, region_id: int | None
) -> Precinct | None:
    if actor.precinct_id is not None:
        return session.get(Precinct, actor.precinct_id)
    if number is None:
        return None
    region = actor.region_id or region_id
    query = select(Precinct).where(Precinct.number == number)
    if region is not None:
        query = query.where(Precinct.region_id == region)
    found = session.scalars(in_territory(query, actor)).first()
    return found


@router.get("/protocols")
def protocols(
    request: Request,
    call: PageCall,
    election: int | None = None,
    precinct: int | None = None,
    region: int | None = None,
) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, *ENTER, *RESOLVE, *CORRECT)) is not None:
        return stop
    with call.sessions() as session:
        chosen = chosen_election(session, election)
        context: dict[str, Any] = {
            "all_elections": elections(session),
            "election": chosen,
            "may_enter": allowed(actor, ENTER),
            "may_resolve": allowed(actor, RESOLVE),
            "may_correct": allowed(actor, CORRECT),
            "regions": list(session.scalars(select(Region).order_by(Region.code)))
            if actor.region_id is None and actor.precinct_id is None
            else [],
            "region_id": region,
            "number": precinct,
        }
        if chosen is not None and (context["may_enter"] or context["may_correct"]):
            found = _find_precinct(session, actor, precinct, region)
            context["precinct"] = found
            if found is not None:
                stored = {
                    p.contest_id: p
                    for p in session.scalars(
                        select(Protocol).where(Protocol.precinct_id == found.id)
                    )
                }
                context["contests"] = [
                    (c, stored[c.id].state if c.id in stored else None, stored.get(c.id))
                    for c in contests_for_precinct(session, chosen.id, found.id)
                ]
        if chosen is not None and context["may_resolve"]:
            query = (
                select(Protocol, Precinct, Contest)
                .join(Precinct, Precinct.id == Protocol.precinct_id)
                .join(Contest, Contest.id == Protocol.contest_id)
                .where(Contest.election_id == chosen.id, Protocol.state.in_(WAITING))
                .order_by(Protocol.id)
                .limit(200)
            )
            context["waiting"] = [tuple(row) for row in session.execute(in_territory(query, actor))]
        return page(request, actor, "commission/protocols.html", **context)


def _entry_context(
    session: Session, actor: Actor, contest: Contest, precinct: Precinct, language: str
) -> dict[str, Any]:
    protocol = session.scalars(
        select(Protocol).where(
            Protocol.contest_id == contest.id, Protocol.precinct_id == precinct.id
        )
    ).first()
    state = protocol.state if protocol is not None else ProtocolState.EMPTY
    first_typist = None
    if state is ProtocolState.FIRST_ENTRY and protocol is not None:
        first_typist = session.scalar(
            select(ProtocolEntry.typist_id).where(
                ProtocolEntry.protocol_id == protocol.id, ProtocolEntry.entry_no == 1
            )
        )
    return {
        "contest": contest,
        "precinct": precinct,
        "protocol": protocol,
        "state": state,
        "open": state in (ProtocolState.EMPTY, ProtocolState.FIRST_ENTRY),
        "entry_no": 2 if state is ProtocolState.FIRST_ENTRY else 1,
        "own_first": first_typist is not None and first_typist == actor.user_id,
        "lines": form.lines(session, contest, language),
        "printed_against_all": form.against_all_printed(contest),
    }


@router.get("/protocols/entry")
def entry_page(request: Request, call: PageCall, contest: int = 0, precinct: int = 0) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, *ENTER)) is not None:
        return stop
    with call.sessions() as session:
        found_contest = session.get(Contest, contest)
        found_precinct = session.get(Precinct, precinct)
        if found_contest is None or found_precinct is None:
            return page(request, actor, "commission/missing.html", status_code=404)
        if not _covers(session, actor, found_precinct.id):
            return page(request, actor, "commission/forbidden.html", status_code=403)
        context = _entry_context(session, actor, found_contest, found_precinct, negotiate(request))
        return page(request, actor, "commission/protocol_entry.html", **context)


DATA = N_("Figures of the protocol")
"""What a refusal naming ``data`` (the whole set of figures) is about."""


def _refusal(request: Request, error: ServiceError, lines: list[form.Line]) -> dict[str, Any]:
    """A refusal of a protocol form: the line it names shown by its number and printed label (not
    the service's field name), and the control relations it breaks as translated sentences."""
    entry = error_entry(request, error)
    language = negotiate(request)
    labels = {line.name: f"{line.number}. {line.label}" for line in lines}
    field = error.field
    if field in labels or field == "data":
        shown = labels[field] if field in labels else gettext(language, DATA)
        kind = {404: "not_found", 409: "conflict", 403: "forbidden"}.get(
            error.status, "invalid_input"
        )
        entry["message"] = localised(language, error.code, kind, shown)
    broken = [str(name) for name in error.params.get("relations") or []]
    if broken:
        sentences = [gettext(language, RELATIONS.get(name, name)) for name in broken]
        entry["message"] = " ".join([entry["message"], *sentences])
    return entry


def _status_data(status: Any, language: str) -> dict[str, Any]:
    def tr(message: str) -> str:
        return gettext(language, message)

    return {
        "state": status.state.value,
        "entry_no": status.entry_no,
        "differing": len(status.differing_fields),
        "violations": [form.describe(v, tr) for v in status.violations],
        "unacknowledged": list(status.unacknowledged),
    }


@router.post("/protocols/entry")
def enter(request: Request, call: PageCall, fields: Posted) -> Response:
    actor = call.actor
    if (stop := gate_form(request, actor, fields, *ENTER)) is not None:
        return stop
    contest_id = whole(fields.get("contest")) or 0
    precinct_id = whole(fields.get("precinct")) or 0
    back = f"/protocols/entry?contest={contest_id}&precinct={precinct_id}"
    language = negotiate(request)
    with call.sessions() as session:
        contest = session.get(Contest, contest_id)
        if contest is None or session.get(Precinct, precinct_id) is None:
            return RedirectResponse("/protocols", status_code=303)
        lines = form.lines(session, contest, language)
        printed = form.against_all_printed(contest)
    typed = {line.name: fields.get(line.name) for line in lines}
    try:
        data = form.read(typed, lines, printed)
        if fields.get("action") == "check":
            found = call.read(check_entry, contest_id, precinct_id, data)
            flash(
                request,
                notice=N_("Checked; nothing was saved."),
                values={**typed, "form_id": "entry"},
                data={"check": [form.describe(v, lambda m: gettext(language, m)) for v in found]},
            )
            return RedirectResponse(back + "#check", status_code=303)
        status = call(enter_protocol, contest_id, precinct_id, data)
    except ServiceError as error:
        flash(
            request, errors=[_refusal(request, error, lines)], values={**typed, "form_id": "entry"}
        )
        return RedirectResponse(back, status_code=303)
    flash(request, data={"status": _status_data(status, language)})
    return RedirectResponse(back + "#result", status_code=303)


class CheckRequest(BaseModel):
    contest_id: int
    precinct_id: int
    values: dict[str, str] = Field(default_factory=dict)


@router.post("/commission/protocols/check")
def live_check(body: CheckRequest, request: Request, call: Services) -> JSONResponse:
    """The control relations of a form being typed (nothing is saved): translated sentences for
    the page's ``aria-live`` region. Session requests carry the X-CSRF-Token header."""
    actor = call.actor
    language = negotiate(request)

    def tr(message: str) -> str:
        return gettext(language, message)

    if not allowed(actor, ENTER + RESOLVE + CORRECT):
        return JSONResponse(
            {"status": "forbidden", "message": tr("You are not allowed to do this.")}, 403
        )
    with call.sessions() as session:
        contest = session.get(Contest, body.contest_id)
        if contest is None or not _covers(session, actor, body.precinct_id):
            return JSONResponse(
                {"status": "forbidden", "message": tr("You are not allowed to do this.")}, 403
            )
        lines = form.lines(session, contest, language)
        printed = form.against_all_printed(contest)
    _, empty = form.document(body.values, lines, printed)
    if empty:
        return JSONResponse(
            {
                "status": "incomplete",
                "message": tr(
                    "Lines still empty: {count}. The control relations are checked once every line is filled in."
                ).format(count=empty),
                "violations": [],
            }
        )
    try:
        data = form.read(body.values, lines, printed)
        found = call.read(check_entry, body.contest_id, body.precinct_id, data)
    except ServiceError as error:
        entry = _refusal(request, error, lines)
        return JSONResponse(
            {
                "status": "invalid",
                "message": entry["message"],
                "field": entry["field"],
                "violations": [],
            }
        )
    violations = [form.describe(v, tr) for v in found]
    return JSONResponse(
        {
            "status": "ok" if not violations else "violations",
            "message": tr("Every control relation holds.")
            if not violations
            else tr("Control relations that do not hold: {count}.").format(count=len(violations)),
            "violations": violations,
        }
    )


# --- the coordinator ---------------------------------------------------------------------------------


def _compare(session: Session, protocol: Protocol, language: str) -> dict[str, Any]:
    contest = session.get(Contest, protocol.contest_id)
    precinct = session.get(Precinct, protocol.precinct_id)
    assert contest is not None and precinct is not None
    entries = {
        e.entry_no: e
        for e in session.scalars(
            select(ProtocolEntry).where(ProtocolEntry.protocol_id == protocol.id)
        )
    }
    datas = {n: ProtocolData.from_json(e.data) for n, e in entries.items()}
    differing: set[str] = set()
    if 1 in datas and 2 in datas:
        differing = set(differing_fields(datas[1], datas[2]))

    def tr(message: str) -> str:
        return gettext(language, message)

    checks: dict[int, list[dict[str, Any]]] = {}
    for number, data in datas.items():
        try:
            checks[number] = [
                form.describe(v, tr) for v in check_entry(session, contest.id, precinct.id, data)
            ]
        except ServiceError as error:
            checks[number] = [
                {
                    "severity": "error",
                    "severity_label": tr("Error"),
                    "message": error.message,
                    "values": "",
                    "article": "",
                    "name": error.code,
                }
            ]
    warnings = sorted(
        {v["name"] for found in checks.values() for v in found if v["severity"] == "warning"}
    )
    lines = form.lines(session, contest, language)
    values = {n: form.values_of(e.data) for n, e in entries.items()}
    rows = [
        {
            "line": line,
            "first": values.get(1, {}).get(line.name, "—"),
            "second": values.get(2, {}).get(line.name, "—"),
            "differs": line.name in differing,
        }
        for line in lines
    ]
    typists = {n: e.typist_id for n, e in entries.items()}
    return {
        "protocol": protocol,
        "contest": contest,
        "precinct": precinct,
        "rows": rows,
        "differing": len(differing),
        "checks": checks,
        "warnings": warnings,
        "entries": sorted(entries),
        "typists": typists,
        "warning_labels": {name: tr(RELATIONS.get(name, name)) for name in warnings},
    }


@router.get("/protocols/{protocol_id}/resolve")
def resolve_page(request: Request, call: PageCall, protocol_id: int) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, *RESOLVE)) is not None:
        return stop
    with call.sessions() as session:
        protocol = session.get(Protocol, protocol_id)
        if protocol is None:
            return page(request, actor, "commission/missing.html", status_code=404)
        if not _covers(session, actor, protocol.precinct_id):
            return page(request, actor, "commission/forbidden.html", status_code=403)
        context = _compare(session, protocol, negotiate(request))
        return page(request, actor, "commission/protocol_resolve.html", **context)


@router.post("/protocols/{protocol_id}/resolve")
def resolve(request: Request, call: PageCall, fields: Posted, protocol_id: int) -> Response:
    if (stop := gate_form(request, call.actor, fields, *RESOLVE)) is not None:
        return stop
    choice = fields.get("keep")
    keep = {"1": 1, "2": 2}.get(choice)
    back = f"/protocols/{protocol_id}/resolve"
    if choice not in ("1", "2", "discard"):
        flash(
            request,
            errors=[
                {
                    "code": "keep_required",
                    "field": "keep",
                    "message": gettext(
                        negotiate(request), "Choose which entry to keep, or discard both."
                    ),
                    "detail": "keep: 1, 2 or discard",
                }
            ],
            values={"form_id": "resolve"},
        )
        return RedirectResponse(back, status_code=303)
    try:
        status = call(resolve_protocol, protocol_id, keep, fields.getlist("acknowledge_warnings"))
    except ServiceError as error:
        return refused(request, error, back, form_id="resolve")
    flash(
        request,
        notice=N_("The protocol is definitive.")
        if status.state is ProtocolState.DEFINITIVE
        else N_("Both entries are discarded: the protocol is entered again."),
    )
    return RedirectResponse("/protocols", status_code=303)


# --- correction of a definitive protocol by decision ---------------------------------------------

CORRECTED = N_("The protocol is corrected by the commission's decision.")


def _result_state(session: Session, contest_id: int) -> str:
    """What a change of the contest's figures means for its result: ``untabulated`` (counted when
    it is tabulated), ``retabulate`` (the stored result is from the old figures) or ``published``
    (a published result is not tabulated again: the tabulation service refuses it)."""
    result = session.scalars(
        select(ContestResult).where(ContestResult.contest_id == contest_id)
    ).first()
    if result is None:
        return "untabulated"
    return "published" if result.published_at is not None else "retabulate"


@router.get("/protocols/{protocol_id}/correct")
def correct_page(request: Request, call: PageCall, protocol_id: int) -> Response:
    """The definitive figures in a form in the order of the paper protocol, to be changed by the
    recorded decision of the higher commission (CL art. 43; issue #3 §2.5)."""
    actor = call.actor
    if (stop := gate(request, actor, *CORRECT)) is not None:
        return stop
    language = negotiate(request)

    def relation_label(name: str) -> str:
        return gettext(language, RELATIONS.get(name, name))

    with call.sessions() as session:
        protocol = session.get(Protocol, protocol_id)
        if protocol is None:
            return page(request, actor, "commission/missing.html", status_code=404)
        if not _covers(session, actor, protocol.precinct_id):
            return page(request, actor, "commission/forbidden.html", status_code=403)
        contest = session.get(Contest, protocol.contest_id)
        precinct = session.get(Precinct, protocol.precinct_id)
        assert contest is not None and precinct is not None
        definitive = definitive_data(session, protocol)
        lines = form.lines(session, contest, language)
        state = _result_state(session, contest.id)
        acknowledged = sorted(protocol.acknowledged_warnings or [])
        response = page(
            request,
            actor,
            "commission/protocol_correct.html",
            protocol=protocol,
            contest=contest,
            precinct=precinct,
            lines=lines,
            labels={line.name: f"{line.number}. {line.label}" for line in lines},
            prefill=form.values_of(definitive.as_json()) if definitive is not None else {},
            definitive=definitive is not None,
            stored_warnings=acknowledged,
            relation_label=relation_label,
            result_state=state,
            published_refusal=localised(
                language,
                "result_published",
                "conflict",
                contest_label(contest, language, lambda m: gettext(language, m)),
            ),
            may_tabulate=allowed(actor, (Action.TABULATE,)),
        )
        return response


@router.post("/protocols/{protocol_id}/correct")
def correct(request: Request, call: PageCall, fields: Posted, protocol_id: int) -> Response:
    """Correct the definitive figures; the service checks the control relations again, asks for
    the warnings to be acknowledged and keeps both versions in the audit log (CL art. 43)."""
    actor = call.actor
    if (stop := gate_form(request, actor, fields, *CORRECT)) is not None:
        return stop
    back = f"/protocols/{protocol_id}/correct"
    language = negotiate(request)
    with call.sessions() as session:
        protocol = session.get(Protocol, protocol_id)
        contest = session.get(Contest, protocol.contest_id) if protocol is not None else None
        if protocol is None or contest is None:
            return page(request, actor, "commission/missing.html", status_code=404)
        lines = form.lines(session, contest, language)
        printed = form.against_all_printed(contest)
        before = definitive_data(session, protocol)
        contest_id, precinct_id = contest.id, protocol.precinct_id
    typed = {line.name: fields.get(line.name) for line in lines}
    decision = fields.get("decision")
    acknowledged = [name for name in fields.getlist("acknowledge_warnings") if name]
    kept = {**typed, "decision": decision, "form_id": "correct"}
    try:
        data = form.read(typed, lines, printed)
        if fields.get("action") == "check":
            found = call.read(check_entry, contest_id, precinct_id, data)
            flash(
                request,
                notice=N_("Checked; nothing was saved."),
                values=kept,
                data={
                    "check": [form.describe(v, lambda m: gettext(language, m)) for v in found],
                    "warnings": [v.name for v in found if v.severity.value == "warning"],
                    "acknowledged": acknowledged,
                },
            )
            return RedirectResponse(back + "#check", status_code=303)
        if required():  # a request a second member approves (issue #9 §2)
            params = approvals.correction_params(protocol_id, data, decision, acknowledged)
            view = call(approvals.request, approvals.CORRECT_DEFINITIVE, params)
            return filed(request, call, view, back)
        status = call(correct_definitive, protocol_id, data, decision, acknowledged)
    except ServiceError as error:
        asked = error.params.get("warnings") if error.code == "warnings_not_acknowledged" else []
        flash(
            request,
            errors=[_refusal(request, error, lines)],
            values=kept,
            data={"warnings": list(asked or []), "acknowledged": acknowledged},
        )
        return RedirectResponse(back, status_code=303)
    return show_correction(request, call, protocol_id, before, data, decision, status.version)


def show_correction(
    request: Request,
    call: PageCall,
    protocol_id: int,
    before: ProtocolData | None,
    data: ProtocolData,
    decision: str,
    version: int,
) -> RedirectResponse:
    """To the correction page showing the lines changed old → new and what becomes of the
    contest's result (after the correction, or after a second member approved its request)."""
    language = negotiate(request)
    with call.sessions() as session:
        protocol = session.get(Protocol, protocol_id)
        contest = session.get(Contest, protocol.contest_id) if protocol is not None else None
        assert contest is not None
        lines = form.lines(session, contest, language)
        state = _result_state(session, contest.id)
    flash(
        request,
        notice=CORRECTED,
        data={
            "corrected": {
                "changes": form.changes(before, data, lines),
                "version": version,
                "decision": decision,
                "result": state,
            }
        },
    )
    return RedirectResponse(f"/protocols/{protocol_id}/correct#corrected", status_code=303)
