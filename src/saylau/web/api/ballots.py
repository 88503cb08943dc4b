"""Ballots: the party order drawn by lot, each contest's ballot lines and print run, freezing
(MANAGE_BALLOTS); the ballots are public."""

from __future__ import annotations

from datetime import datetime

from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.services import approvals
from saylau.services.ballots import (
    BallotsPrepared,
    BallotStatus,
    ContestBallot,
    PartyOrderRecord,
    ballot_of,
    draw_party_order,
    freeze_ballot,
    lot_purpose,
    prepare_ballots,
    prepare_contest_ballot,
)
from saylau.services.context import Context, fetch
from saylau.services.errors import NotFound
from saylau.storage.models import BallotChoice, BallotDefinition, Contest, Election, LotRecord
from saylau.web.api import approvals as dual
from saylau.web.api.models import IdPath, In, Note, Out, Seed
from saylau.web.api.pagination import Page, PageQuery, Paging
from saylau.web.api.routing import api_router, then
from saylau.web.deps import Services

router = api_router("ballots")


class PartyOrderOut(Out):
    """The recorded lot: its seed, method and the party codes in ballot order (decision #9)."""

    lot_record_id: int
    election_id: int
    purpose: str
    seed: str
    method: str
    parties: list[str]
    drawn_at: datetime
    created: bool


class BallotLineOut(Out):
    position: int
    label: str
    party_list_id: int | None
    nomination_id: int | None
    choice_id: int | None = None
    """The ballot line's id, which a protocol's ``votes`` are keyed by."""


class BallotOut(Out):
    """A contest's ballot: lines in print order, print run and per-precinct delivery."""

    contest_id: int
    status: BallotStatus
    lines: list[BallotLineOut]
    against_all: bool
    """Whether "against all" is printed last (a line of the protocol, not of the ballot)."""
    extended: bool
    print_run: int
    precinct_delivery: dict[int, int]
    """Precinct id → ballots delivered (voters + 1%, rounded up; CL art. 37 paras 2–3)."""
    frozen_at: datetime | None
    change_decision: str | None
    lot_record_id: int | None


class BallotsPreparedOut(Out):
    election_id: int
    party_order: PartyOrderOut | None
    contests: list[BallotOut]


class SeedIn(In):
    seed: Seed
    """The published seed of the lot (decision #9)."""


class PrepareIn(In):
    decision: Note | None = None
    """Only to change a frozen ballot: the commission's decision, which is recorded."""


def _order_out(_session: Session, order: PartyOrderRecord) -> PartyOrderOut:
    return PartyOrderOut(
        lot_record_id=order.lot_record_id,
        election_id=order.election_id,
        purpose=order.purpose,
        seed=order.seed,
        method=order.method,
        parties=list(order.parties),
        drawn_at=order.drawn_at,
        created=order.created,
    )


def ballot_out(session: Session, ballot: ContestBallot) -> BallotOut:
    ids = {
        position: choice_id
        for position, choice_id in session.execute(
            select(BallotChoice.position, BallotChoice.id).where(
                BallotChoice.contest_id == ballot.contest_id
            )
        )
    }
    return BallotOut(
        contest_id=ballot.contest_id,
        status=ballot.status,
        lines=[
            BallotLineOut(
                position=line.position,
                label=line.label,
                party_list_id=line.party_list_id,
                nomination_id=line.nomination_id,
                choice_id=ids.get(line.position),
            )
            for line in ballot.lines
        ],
        against_all=ballot.against_all,
        extended=ballot.extended,
        print_run=ballot.print_run,
        precinct_delivery=dict(ballot.precinct_delivery),
        frozen_at=ballot.frozen_at,
        change_decision=ballot.change_decision,
        lot_record_id=ballot.lot_record_id,
    )


def _prepared_out(session: Session, prepared: BallotsPrepared) -> BallotsPreparedOut:
    return BallotsPreparedOut(
        election_id=prepared.election_id,
        party_order=None
        if prepared.party_order is None
        else _order_out(session, prepared.party_order),
        contests=[ballot_out(session, b) for b in prepared.contests],
    )


def read_party_order(ctx: Context, election_id: int) -> PartyOrderOut:
    fetch(ctx.session, Election, election_id, "election")
    record = ctx.session.scalars(
        select(LotRecord)
        .where(LotRecord.election_id == election_id, LotRecord.purpose == lot_purpose(election_id))
        .order_by(LotRecord.id)
    ).first()
    if record is None:
        raise NotFound(
            "party_order_not_drawn",
            f"the party order of election {election_id} has not been drawn",
            field="election_id",
        )
    return PartyOrderOut(
        lot_record_id=record.id,
        election_id=record.election_id,
        purpose=record.purpose,
        seed=record.seed,
        method=record.method,
        parties=list(record.order),
        drawn_at=record.drawn_at,
        created=False,
    )


def read_ballot(ctx: Context, contest_id: int) -> BallotOut:
    return ballot_out(ctx.session, ballot_of(ctx, contest_id))


def list_ballots(ctx: Context, election_id: int, paging: PageQuery) -> Page[BallotOut]:
    fetch(ctx.session, Election, election_id, "election")
    query = select(Contest.id).where(Contest.election_id == election_id).order_by(Contest.id)
    ids = list(ctx.session.scalars(query))
    chosen = ids[paging.offset : paging.offset + paging.limit]
    return Page[BallotOut](
        items=[read_ballot(ctx, contest_id) for contest_id in chosen],
        total=len(ids),
        limit=paging.limit,
        offset=paging.offset,
    )


def frozen(session: Session, contest_id: int) -> bool:
    """Whether the contest's ballot is frozen (a change then needs a decision and dual control)."""
    found = session.scalar(
        select(BallotDefinition.frozen_at).where(BallotDefinition.contest_id == contest_id)
    )
    return found is not None


@router.get("/elections/{election_id}/party-order", response_model=PartyOrderOut)
def get_party_order(election_id: IdPath, services: Services) -> PartyOrderOut:
    """The order of parties on every list ballot, with the lot's seed, re-runnable by anyone."""
    return services(read_party_order, election_id)


@router.post("/elections/{election_id}/party-order", response_model=PartyOrderOut)
def post_party_order(election_id: IdPath, body: SeedIn, services: Services) -> PartyOrderOut:
    """Draw the party order by an auditable lot once registration has closed (CL art. 37
    para 1; decision #9); the same seed again returns the record, another seed is refused."""
    return services(then(draw_party_order, _order_out), election_id, body.seed)


@router.post("/elections/{election_id}/ballots", response_model=BallotsPreparedOut)
def post_ballots(election_id: IdPath, body: SeedIn, services: Services) -> BallotsPreparedOut:
    """Draw the party order (if needed) and prepare every contest's ballot; frozen ballots stay."""
    return services(then(prepare_ballots, _prepared_out), election_id, body.seed)


@router.get("/elections/{election_id}/ballots", response_model=Page[BallotOut])
def get_ballots(election_id: IdPath, services: Services, paging: Paging) -> Page[BallotOut]:
    """Every contest's ballot as stored, by contest."""
    return services(list_ballots, election_id, paging)


@router.get("/contests/{contest_id}/ballot", response_model=BallotOut)
def get_ballot(contest_id: IdPath, services: Services) -> BallotOut:
    """A contest's ballot: lines with their ids, print run and delivery per precinct."""
    return services(read_ballot, contest_id)


@router.post("/contests/{contest_id}/ballot", response_model=BallotOut, responses=dual.ACCEPTED)
def post_ballot(
    contest_id: IdPath, body: PrepareIn, services: Services
) -> BallotOut | JSONResponse:
    """Lay out a contest's ballot from its registered candidacies (CL art. 37 paras 1–3); a
    frozen ballot changes only with ``decision`` and, under dual control (issue #9 §2), by a
    request a second member approves (202)."""
    decision = (body.decision or "").strip()
    if decision and dual.required() and services.read(frozen, contest_id):
        params = approvals.ballot_change_params(contest_id, decision)
        return dual.requested(services, approvals.CHANGE_FROZEN_BALLOT, params)
    return services(then(prepare_contest_ballot, ballot_out), contest_id, decision=body.decision)


@router.post("/contests/{contest_id}/ballot/freeze", response_model=BallotOut)
def post_freeze(contest_id: IdPath, services: Services) -> BallotOut:
    """Freeze a prepared ballot for printing; afterwards it changes only by a recorded decision."""
    return services(then(freeze_ballot, ballot_out), contest_id)
