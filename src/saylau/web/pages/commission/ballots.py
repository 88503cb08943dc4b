"""Ballots (CL art. 37): the order of parties drawn by a recorded lot for the whole election
(para 1; decision #9), the ballots of the actor's contests prepared from the registrations with
their print runs (paras 2–3), a contest's ballot in print order with "against all" last, and
freezing it for printing. Refusals (e.g. before registration closes) are shown translated.

The lot is verifiable: each party's key is SHA-256 of ``seed ␟ purpose ␟ party code``
(``saylau.law.lot``, method ``sha256-v1``) and parties are ordered by ascending key, so anyone
holding the published seed can redo the draw; the page shows every key.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.law.lot import lot_key
from saylau.services import approvals
from saylau.services.ballots import (
    ballot_of,
    draw_party_order,
    freeze_ballot,
    lot_purpose,
    prepare_ballots,
    prepare_contest_ballot,
)
from saylau.services.contests import contest_scope
from saylau.services.context import NATIONAL, Actor, Context
from saylau.services.elections import body_scope
from saylau.services.errors import NotFound
from saylau.storage.models import (
    BallotDefinition,
    Body,
    Contest,
    District,
    Election,
    LotRecord,
    Party,
)
from saylau.web.pages.commission.approvals import file_request, required
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
PAGE_SIZE = 50
ACTION = Action.MANAGE_BALLOTS

STATES: dict[str, str] = {
    "": N_("Every state"),
    "none": N_("Not prepared"),
    "prepared": N_("Prepared"),
    "frozen": N_("Frozen"),
}
"""The ballot states a contest list may be filtered by."""


def may_draw(actor: Actor) -> bool:
    """Only a role over the whole country draws the one party order of the election
    (``draw_party_order`` and ``prepare_ballots`` act nationally)."""
    return actor.covers(NATIONAL)


def _bodies(session: Session, actor: Actor, election: Election) -> list[Body]:
    """The bodies with a contest in ``election`` whose territory ``actor`` covers."""
    found = session.scalars(
        select(Body)
        .where(Body.id.in_(select(Contest.body_id).where(Contest.election_id == election.id)))
        .order_by(Body.id)
    )
    return [b for b in found if actor.covers(body_scope(session, b))]


def _contests(election_id: int, body_id: int, state: str) -> Select[Contest, BallotDefinition]:
    """The contests of one body with their ballot, if any, in ballot-kind and district order."""
    query = (
        select(Contest, BallotDefinition)
        .outerjoin(BallotDefinition, BallotDefinition.contest_id == Contest.id)
        .outerjoin(District, District.id == Contest.district_id)
        .where(Contest.election_id == election_id, Contest.body_id == body_id)
    )
    if state == "none":
        query = query.where(BallotDefinition.id.is_(None))
    elif state == "prepared":
        query = query.where(BallotDefinition.id.is_not(None), BallotDefinition.frozen_at.is_(None))
    elif state == "frozen":
        query = query.where(BallotDefinition.frozen_at.is_not(None))
    return query.order_by(Contest.kind, District.number, Contest.id)


def _order(session: Session, election: Election) -> dict[str, Any] | None:
    """The recorded party order with each party's name and the key that placed it."""
    record = session.scalars(
        select(LotRecord)
        .where(LotRecord.election_id == election.id, LotRecord.purpose == lot_purpose(election.id))
        .order_by(LotRecord.id)
    ).first()
    if record is None:
        return None
    parties = {
        p.code: p for p in session.scalars(select(Party).where(Party.code.in_(record.order)))
    }
    return {
        "record": record,
        "parties": [
            (code, parties.get(code), lot_key(record.seed, record.purpose, code))
            for code in record.order
        ],
    }


def _address(election_id: int, **more: Any) -> str:
    return "/ballots?" + urlencode({"election": election_id, **more})


@router.get("/ballots")
def ballots(
    request: Request,
    call: PageCall,
    election: int | None = None,
    body: int | None = None,
    state: str = "",
    page_no: int = 1,
) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, ACTION)) is not None:
        return stop
    with call.sessions() as session:
        chosen = chosen_election(session, election)
        state = state if state in STATES else ""
        context: dict[str, Any] = {
            "all_elections": elections(session),
            "election": chosen,
            "bodies": [],
            "body": None,
            "rows": [],
            "state": state,
            "states": STATES,
            "may_draw": may_draw(actor),
            "order": None,
            "page_no": 1,
            "pages": 1,
            "count": 0,
        }
        if chosen is not None:
            bodies = _bodies(session, actor, chosen)
            picked = next((b for b in bodies if b.id == body), bodies[0] if bodies else None)
            context.update(bodies=bodies, body=picked, order=_order(session, chosen))
            if picked is not None:
                query = _contests(chosen.id, picked.id, state)
                count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
                pages = max(1, math.ceil(count / PAGE_SIZE))
                page_no = min(max(1, page_no), pages)
                rows = session.execute(
                    query.offset((page_no - 1) * PAGE_SIZE).limit(PAGE_SIZE)
                ).all()
                context.update(
                    rows=[(contest, definition) for contest, definition in rows],
                    page_no=page_no,
                    pages=pages,
                    count=count,
                    base=_address(chosen.id, body=picked.id, state=state) + "&",
                )
        return page(request, actor, "commission/ballots.html", **context)


@router.post("/ballots/party-order")
def draw(request: Request, call: PageCall, fields: Posted) -> Response:
    """Draw the party order with the seed agreed at the commission's sitting (decision #9)."""
    if (stop := gate_form(request, call.actor, fields, ACTION)) is not None:
        return stop
    election_id = whole(fields.get("election_id")) or 0
    return act(
        request,
        lambda: call(draw_party_order, election_id, fields.get("seed")),
        back=_address(election_id) + "#party-order",
        notice=N_("The party order is drawn."),
        fields=fields,
    )


def _prepare_body(ctx: Context, election_id: int, body_id: int) -> int:
    """Every ballot of one body's contests, in one transaction (all or none)."""
    contests = ctx.session.scalars(
        select(Contest.id)
        .where(Contest.election_id == election_id, Contest.body_id == body_id)
        .order_by(Contest.id)
    ).all()
    if not contests:
        raise NotFound("not_found", f"body {body_id} has no contest in election {election_id}")
    for contest_id in contests:
        prepare_contest_ballot(ctx, contest_id)
    return len(contests)


@router.post("/ballots/prepare")
def prepare(request: Request, call: PageCall, fields: Posted) -> Response:
    """Prepare the ballots of the chosen body, or of the whole election with the lot's seed."""
    if (stop := gate_form(request, call.actor, fields, ACTION)) is not None:
        return stop
    election_id = whole(fields.get("election_id")) or 0
    body_id = whole(fields.get("body_id"))
    if fields.get("scope") == "election":
        back = _address(election_id, **({"body": body_id} if body_id else {}))
        return act(
            request,
            lambda: call(prepare_ballots, election_id, fields.get("seed")),
            back=back + "#prepare",
            notice=N_("The ballots are prepared."),
            fields=fields,
        )
    return act(
        request,
        lambda: call(_prepare_body, election_id, body_id or 0),
        back=_address(election_id, body=body_id or 0) + "#prepare",
        notice=N_("The ballots are prepared."),
        fields=fields,
    )


# --- one contest ---------------------------------------------------------------------------------


@router.get("/ballots/contest/{contest_id}")
def contest_ballot(request: Request, call: PageCall, contest_id: int) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, ACTION)) is not None:
        return stop
    try:
        ballot = call(ballot_of, contest_id)
    except NotFound:
        ballot = None
    with call.sessions() as session:
        contest = session.get(Contest, contest_id)
        if ballot is None or contest is None or not actor.covers(contest_scope(session, contest)):
            return page(request, actor, "commission/missing.html", status_code=404)
        return page(
            request,
            actor,
            "commission/ballot.html",
            contest=contest,
            ballot=ballot,
            back=_address(contest.election_id, body=contest.body_id),
        )


def frozen(session: Session, contest_id: int) -> bool:
    """Whether the contest's ballot is frozen (a change then needs a decision and dual control)."""
    found = session.scalar(
        select(BallotDefinition.frozen_at).where(BallotDefinition.contest_id == contest_id)
    )
    return found is not None


@router.post("/ballots/contest/{contest_id}/prepare")
def prepare_one(request: Request, call: PageCall, contest_id: int, fields: Posted) -> Response:
    """Lay out the ballot again; a frozen one only with the commission's decision."""
    if (stop := gate_form(request, call.actor, fields, ACTION)) is not None:
        return stop
    decision = fields.get("decision") or None
    back = f"/ballots/contest/{contest_id}"
    if decision is not None and required() and call.read(frozen, contest_id):
        # A change of a frozen ballot: a request a second member approves (issue #9 §2).
        params = approvals.ballot_change_params(contest_id, decision)
        return file_request(
            request, call, approvals.CHANGE_FROZEN_BALLOT, params, back=back, fields=fields
        )
    return act(
        request,
        lambda: call(prepare_contest_ballot, contest_id, decision=decision),
        back=back,
        notice=N_("The ballot is prepared."),
        fields=fields,
    )


@router.post("/ballots/contest/{contest_id}/freeze")
def freeze(request: Request, call: PageCall, contest_id: int, fields: Posted) -> Response:
    """Freeze the ballot for printing (afterwards it changes only by a recorded decision)."""
    if (stop := gate_form(request, call.actor, fields, ACTION)) is not None:
        return stop
    return act(
        request,
        lambda: call(freeze_ballot, contest_id),
        back=f"/ballots/contest/{contest_id}",
        notice=N_("The ballot is frozen."),
        fields=fields,
    )
