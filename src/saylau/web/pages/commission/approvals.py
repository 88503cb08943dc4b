"""Dual control in the commission interface (issue #9 §2): the commission's requests of critical
actions, described in human terms, approved as seen (their digest) or rejected with a reason by a
second member; and :func:`file_or_act`, through which the pages of the critical actions file a
request instead of acting when ``SAYLAU_DUAL_CONTROL`` is ``required``.

Authorisation is the services' (:mod:`saylau.services.approvals`): the requester cannot approve, a
member of another commission cannot decide; their refusals are shown translated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import CommissionLevel
from saylau.services import approvals
from saylau.services.errors import ServiceError
from saylau.storage.models import Approval, Commission, Contest, Election, Precinct, Protocol
from saylau.web.i18n import gettext, negotiate
from saylau.web.pages.commission.common import (
    APPROVAL_ACTIONS,
    FIELD_NAMES,
    Fields,
    PageCall,
    Posted,
    act,
    error_entry,
    flash,
    gate,
    gate_form,
    page,
    refused,
)
from saylau.web.pages.commission.labels import N_, contest_label

router = APIRouter(include_in_schema=False)

KINDS: dict[str, str] = {
    "publish_results": N_("Publish the results"),
    "correct_definitive": N_("Correct a definitive protocol"),
    "change_frozen_ballot": N_("Change a frozen ballot"),
    "override_seat_cap": N_("Override the seat cap of a territory import"),
    "strike_from_frozen_ballot": N_("Strike a candidacy from a frozen ballot"),
}
"""What each critical action is called; a kind not named here is shown by its code and its
parameters (so that a new kind shows sensibly before it is named)."""

PARAMS: dict[str, str] = {
    "data": N_("Figures"),
    "votes": N_("Votes"),
    "extra": N_("Other lines"),
    "nomination_id": N_("Candidacy"),
    "candidacy": N_("Candidacy"),
    "party_list_id": N_("Party list"),
    "cap": N_("Seat cap"),
    "seats": N_("Seats"),
}
"""Parameter names beyond those a refusal may name (:data:`FIELD_NAMES`)."""

STATES: dict[str, str] = {
    "requested": N_("Waiting for a second member"),
    "approved": N_("Approved and done"),
    "rejected": N_("Rejected"),
}

APPROVED = N_("The request is approved: the action is done.")
REJECTED = N_("The request is rejected.")


@dataclass(frozen=True)
class Described:
    """A request as a member reads it before deciding."""

    view: approvals.ApprovalView
    label: str
    subject: list[str]
    params: list[tuple[str, Any]]
    commission: str
    own: bool
    changes: list[tuple[str, str, str]]
    """A pending correction's lines as it would change them: (line, now, requested)."""


def commission_name(session: Session, key: str) -> str:
    """The name of the commission behind ``cec`` or ``commission:<id>``."""
    if key == "cec":
        found = session.scalars(
            select(Commission.name).where(Commission.level == CommissionLevel.CEC)
        ).first()
        return found or key
    _, _, number = key.partition(":")
    commission = session.get(Commission, int(number)) if number.isdigit() else None
    return commission.name if commission is not None else key


def _subject(session: Session, params: dict[str, Any], language: str) -> list[str]:
    """The election, contest, protocol or precinct the parameters name, in words."""

    def tr(message: str) -> str:
        return gettext(language, message)

    lines: list[str] = []
    election = _get(session, Election, params.get("election_id"))
    if election is not None:
        lines.append(f"{tr('Election')}: {election.name}")
    protocol = _get(session, Protocol, params.get("protocol_id"))
    contest = _get(session, Contest, params.get("contest_id"))
    precinct = _get(session, Precinct, params.get("precinct_id"))
    if protocol is not None:
        contest = contest or session.get(Contest, protocol.contest_id)
        precinct = precinct or session.get(Precinct, protocol.precinct_id)
    if contest is not None:
        lines.append(f"{tr('Contest')}: {contest_label(contest, language, tr)}")
    if precinct is not None:
        lines.append(tr("Precinct № {number}").replace("{number}", str(precinct.number)))
    return lines


def _get(session: Session, model: Any, value: Any) -> Any:
    return session.get(model, int(value)) if isinstance(value, int) else None


def _param_name(name: str, language: str) -> str:
    known = FIELD_NAMES.get(name) or PARAMS.get(name)
    return gettext(language, known) if known else name


def _value(value: Any, language: str) -> Any:
    """A parameter's value for the page: nested mappings as (name, value) pairs, lists joined."""
    if isinstance(value, dict):
        return [(_param_name(str(k), language), _value(v, language)) for k, v in value.items()]
    if isinstance(value, list):
        shown = ", ".join(_short(v) for v in value[:LISTED]) or "—"
        return shown + (f" … ({len(value)})" if len(value) > LISTED else "")
    if value is None or value == "":
        return "—"
    return _short(value)


LISTED = 20
"""Items of a list parameter shown (a territory import lists many rows)."""


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 300 else text[:300] + " …"


def describe(
    session: Session, view: approvals.ApprovalView, language: str, username: str
) -> Described:
    kind = KINDS.get(view.kind)
    changes = _correction(session, view, language)
    shown = {k: v for k, v in view.params.items() if not (changes and k == "data")}
    return Described(
        view=view,
        label=gettext(language, kind) if kind else view.kind,
        subject=_subject(session, view.params, language),
        params=[(_param_name(k, language), _value(v, language)) for k, v in shown.items()],
        commission=commission_name(session, view.commission),
        own=view.requested_by == username,
        changes=changes,
    )


def _correction(
    session: Session, view: approvals.ApprovalView, language: str
) -> list[tuple[str, str, str]]:
    """The lines a pending correction changes, labelled as on the paper protocol, against the
    definitive figures now (empty for another kind, or one decided)."""
    if view.kind != approvals.CORRECT_DEFINITIVE or view.state != "requested":
        return []
    from saylau.services.protocols import ProtocolData, definitive_data
    from saylau.web.pages.commission import protocol_form as form

    protocol = _get(session, Protocol, view.params.get("protocol_id"))
    contest = session.get(Contest, protocol.contest_id) if protocol is not None else None
    if protocol is None or contest is None:
        return []
    try:
        after = ProtocolData.from_json(view.params["data"])
    except (KeyError, ServiceError):
        return []
    lines = form.lines(session, contest, language)
    labels = {line.name: f"{line.number}. {line.label}" for line in lines}
    before = definitive_data(session, protocol)
    return [(labels[n], old, new) for n, old, new in form.changes(before, after, lines)]


# --- the pages of the critical actions -----------------------------------------------------------


def required() -> bool:
    """Whether the critical actions go through a request (``SAYLAU_DUAL_CONTROL``)."""
    return approvals.policy() == approvals.REQUIRED


def file_request(
    request: Request,
    call: PageCall,
    kind: str,
    params: dict[str, Any],
    *,
    back: str,
    fields: Fields | None = None,
) -> RedirectResponse:
    """File the request of ``kind`` as the signed-in member and say that it waits for a second
    member of the commission, with a link to it; a refusal goes back to the form, as typed."""
    try:
        view = call(approvals.request, kind, params)
    except ServiceError as error:
        values = fields.values() if fields is not None else {}
        flash(request, errors=[error_entry(request, error)], values=values)
        return RedirectResponse(back, status_code=303)
    return filed(request, call, view, back)


def filed(
    request: Request, call: PageCall, view: approvals.ApprovalView, back: str
) -> RedirectResponse:
    """Back to ``back``, saying that request ``view`` waits for a second member (with a link)."""
    with call.sessions() as session:
        name = commission_name(session, view.commission)
    kind = KINDS.get(view.kind)
    flash(request, data={"filed": {"id": view.id, "commission": name, "kind": kind}})
    return RedirectResponse(back, status_code=303)


def file_or_act(
    request: Request,
    call: PageCall,
    kind: str,
    params: Callable[[], dict[str, Any]],
    operation: Callable[[], Any],
    *,
    back: str,
    notice: str,
    fields: Fields | None = None,
) -> RedirectResponse:
    """Under dual control, file the request; else run ``operation`` as the page always did."""
    if required():
        return file_request(request, call, kind, params(), back=back, fields=fields)
    return act(request, operation, back=back, notice=notice, fields=fields)


# --- the commission's requests -------------------------------------------------------------------


@router.get("/approvals")
def approvals_page(request: Request, call: PageCall) -> Response:
    """The requests of the commission: pending first, then the decided ones, newest first."""
    actor = call.actor
    if (stop := gate(request, actor, *APPROVAL_ACTIONS)) is not None:
        return stop
    language = negotiate(request)
    try:
        views = call(approvals.list_approvals)
    except ServiceError as error:
        return refused(request, error, "/dashboard")
    with call.sessions() as session:
        described = [describe(session, v, language, actor.username) for v in views]
    pending = [d for d in described if d.view.state == "requested"]
    decided = [d for d in described if d.view.state != "requested"]
    return page(
        request,
        actor,
        "commission/approvals.html",
        pending=pending,
        decided=decided,
        states=STATES,
        policy_required=required(),
    )


@router.post("/approvals/{approval_id}/approve")
def approve(request: Request, call: PageCall, fields: Posted, approval_id: int) -> Response:
    """Approve a request as seen (its digest): the action runs now, as the approver."""
    if (stop := gate_form(request, call.actor, fields, *APPROVAL_ACTIONS)) is not None:
        return stop
    back = f"/approvals#approval-{approval_id}"
    with call.sessions() as session:
        row = session.get(Approval, approval_id)
        kind, params = (row.kind, dict(row.params)) if row is not None else ("", {})
        before = _before(session, kind, params)
    try:
        done = call(approvals.approve, approval_id, fields.get("digest"))
    except ServiceError as error:
        return refused(request, error, back, form_id=f"approve-{approval_id}")
    return _carried_out(request, call, done, before)


def _before(session: Session, kind: str, params: dict[str, Any]) -> Any:
    """What the action changes, read before it runs (a protocol's definitive figures)."""
    if kind != approvals.CORRECT_DEFINITIVE:
        return None
    from saylau.services.protocols import definitive_data

    protocol = _get(session, Protocol, params.get("protocol_id"))
    return definitive_data(session, protocol) if protocol is not None else None


def _carried_out(
    request: Request, call: PageCall, done: approvals.Approved, before: Any
) -> RedirectResponse:
    """To the page of the action just carried out, showing its outcome as if done directly."""
    view, params = done.approval, done.approval.params
    if view.kind == approvals.PUBLISH_RESULTS:
        flash(request, notice=N_("The results are published."))
        return RedirectResponse(f"/results?election={params['election_id']}", status_code=303)
    if view.kind == approvals.CORRECT_DEFINITIVE:
        from saylau.services.protocols import ProtocolData
        from saylau.web.pages.commission.protocols import show_correction

        data = ProtocolData.from_json(params["data"])
        version = int(getattr(done.result, "version", 0))
        return show_correction(
            request, call, params["protocol_id"], before, data, params["decision"], version
        )
    if view.kind == approvals.CHANGE_FROZEN_BALLOT:
        flash(request, notice=N_("The ballot is prepared."))
        return RedirectResponse(f"/ballots/contest/{params['contest_id']}", status_code=303)
    flash(request, notice=APPROVED)
    return RedirectResponse(f"/approvals#approval-{view.id}", status_code=303)


@router.post("/approvals/{approval_id}/reject")
def reject(request: Request, call: PageCall, fields: Posted, approval_id: int) -> Response:
    """Reject a pending request (or withdraw one's own) with the reason, which is recorded."""
    if (stop := gate_form(request, call.actor, fields, *APPROVAL_ACTIONS)) is not None:
        return stop
    return act(
        request,
        lambda: call(approvals.reject, approval_id, fields.get("note")),
        back=f"/approvals#approval-{approval_id}",
        notice=REJECTED,
        fields=fields,
    )
