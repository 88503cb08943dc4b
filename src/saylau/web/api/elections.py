"""Elections: calling one (CALL_ELECTION), and the public reads a dashboard needs — elections, their
calendar in local time with what is due now, their contests and the ballots of a precinct."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import Query
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from saylau.law.bodies import ContestKind
from saylau.law.calendar import CalendarProblem, ElectionKind, Stage
from saylau.law.rules import Body as LawBody
from saylau.services.contests import describe_contest
from saylau.services.context import Context, fetch
from saylau.services.deadlines import election_calendar_for
from saylau.services.elections import (
    CalledElection,
    CallElection,
    OverrideInput,
    call_election,
    check_ballots,
    contests_for_precinct,
    election_body_ids,
)
from saylau.storage.models import (
    Body,
    Contest,
    ContestStatus,
    Election,
    ElectionStatus,
    StageOverrideRecord,
)
from saylau.web.api.models import (
    Code,
    Day,
    Id,
    IdFilter,
    IdPath,
    In,
    Moment,
    Out,
    Reason,
)
from saylau.web.api.pagination import Page, PageQuery, Paging, paginate
from saylau.web.api.routing import api_router, then
from saylau.web.deps import Services

router = api_router("elections")

Purpose = Literal["general", "by_election", "runoff", "repeat", "recall"]


class ElectionOut(Out):
    id: int
    name: str
    kind: ElectionKind
    purpose: str
    rules: str
    called_on: date
    polling_day: date
    status: ElectionStatus
    parent_id: int | None
    created_at: datetime


class OverrideOut(Out):
    stage: str
    at: datetime
    until: datetime | None
    reason: str


class ElectionDetail(ElectionOut):
    body_ids: list[int]
    overrides: list[OverrideOut]


class ContestOut(Out):
    id: int
    election_id: int
    body_id: int
    kind: ContestKind
    district_id: int | None
    district_number: int | None
    seats: int
    status: ContestStatus
    follows_contest_id: int | None
    name: str
    """Body, kind and district, for people."""


class ProblemOut(Out):
    """A breach of a calendar rule by the dates: a legal outcome reported, not a refusal."""

    code: str
    stage: str
    message: str
    article: str


class OverrideIn(In):
    """A stage fixed by the calling decision instead of the offsets (decision #13)."""

    stage: Code
    at: Moment
    reason: Reason
    until: Moment | None = None


class CallElectionIn(In):
    polling_day: Day
    called_on: Day
    kind: ElectionKind = ElectionKind.REGULAR
    rules: str = Field(default="2023", pattern=r"^\d{4}$")
    name: str | None = Field(default=None, max_length=300)
    body_ids: list[Id] | None = Field(default=None, max_length=10_000)
    """None: every maslikhat and the Mazhilis."""
    overrides: list[OverrideIn] = Field(default=[], max_length=100)
    purpose: Purpose = "general"
    parent_id: Id | None = None


class CalledElectionOut(Out):
    election: ElectionOut
    body_ids: list[int]
    contests: list[ContestOut]
    problems: list[ProblemOut]


class StageOut(Out):
    """A stage of the calendar in local time; ``state`` says where it stands now."""

    id: str
    at: datetime
    until: datetime | None
    within: timedelta | None
    """A rolling deadline running from each triggering event (e.g. 7 days per registration)."""
    actor: str
    article: str
    note: str
    override_reason: str | None
    follows: str | None
    state: Literal["past", "current", "upcoming"]


class CalendarOut(Out):
    election_id: int
    region_id: int | None
    body: LawBody
    polling_day: date
    now: datetime
    next_stage: str | None
    """The first stage still ahead: what is due next."""
    stages: list[StageOut]
    problems: list[ProblemOut]


class BallotsOfPrecinctOut(Out):
    """The contests (ballots) a voter of the precinct receives, against what the law gives."""

    precinct_id: int
    contests: list[ContestOut]
    expected: list[ContestKind]
    missing: list[ContestKind]
    unexpected: list[ContestKind]
    agrees: bool


# --- converters ----------------------------------------------------------------------------------


def contest_out(contest: Contest) -> ContestOut:
    return ContestOut(
        id=contest.id,
        election_id=contest.election_id,
        body_id=contest.body_id,
        kind=contest.kind,
        district_id=contest.district_id,
        district_number=contest.district.number if contest.district is not None else None,
        seats=contest.seats,
        status=contest.status,
        follows_contest_id=contest.follows_contest_id,
        name=describe_contest(contest),
    )


def _problem(p: CalendarProblem) -> ProblemOut:
    return ProblemOut(code=p.code, stage=p.stage, message=p.message, article=p.article)


def _detail(session: Session, election: Election) -> ElectionDetail:
    overrides = session.scalars(
        select(StageOverrideRecord)
        .where(StageOverrideRecord.election_id == election.id)
        .order_by(StageOverrideRecord.id)
    ).all()
    return ElectionDetail(
        **ElectionOut.model_validate(election).model_dump(),
        body_ids=sorted(election_body_ids(session, election.id)),
        overrides=[OverrideOut.model_validate(o) for o in overrides],
    )


def _called(session: Session, called: CalledElection) -> CalledElectionOut:
    return CalledElectionOut(
        election=ElectionOut.model_validate(called.election),
        body_ids=list(called.body_ids),
        contests=[contest_out(c) for c in called.contests],
        problems=[_problem(p) for p in called.problems],
    )


def _state(stage: Stage, now: datetime) -> Literal["past", "current", "upcoming"]:
    if now < stage.at:
        return "upcoming"
    if stage.until is not None and now <= stage.until:
        return "current"
    return "past"


# --- reads ---------------------------------------------------------------------------------------


def _elections(
    session: Session,
    status: ElectionStatus | None,
    purpose: str | None,
    parent_id: int | None,
    paging: PageQuery,
) -> Page[ElectionOut]:
    query = select(Election).order_by(Election.polling_day.desc(), Election.id.desc())
    if status is not None:
        query = query.where(Election.status == status)
    if purpose is not None:
        query = query.where(Election.purpose == purpose)
    if parent_id is not None:
        query = query.where(Election.parent_id == parent_id)
    return paginate(session, query, paging, ElectionOut.model_validate)


def election_calendar(
    ctx: Context, election_id: int, region_id: int | None, body: LawBody
) -> CalendarOut:
    """The calendar of a stored election in the region's local time, with its overrides."""
    calendar = election_calendar_for(ctx.session, election_id, region_id, body)
    now = ctx.now
    stages = [
        StageOut(
            id=s.id,
            at=s.at,
            until=s.until,
            within=s.within,
            actor=s.actor,
            article=s.article,
            note=s.note,
            override_reason=s.override_reason,
            follows=s.follows,
            state=_state(s, now),
        )
        for s in calendar.stages
    ]
    upcoming = [s.id for s in stages if s.state == "upcoming"]
    return CalendarOut(
        election_id=election_id,
        region_id=region_id,
        body=body,
        polling_day=calendar.polling_day,
        now=now,
        next_stage=upcoming[0] if upcoming else None,
        stages=stages,
        problems=[_problem(p) for p in calendar.problems],
    )


def _contests(
    session: Session,
    election_id: int,
    kind: ContestKind | None,
    body_id: int | None,
    region_id: int | None,
    status: ContestStatus | None,
    paging: PageQuery,
) -> Page[ContestOut]:
    fetch(session, Election, election_id, "election")
    query = (
        select(Contest)
        .options(selectinload(Contest.body), selectinload(Contest.district))
        .where(Contest.election_id == election_id)
        .order_by(Contest.id)
    )
    if kind is not None:
        query = query.where(Contest.kind == kind)
    if body_id is not None:
        query = query.where(Contest.body_id == body_id)
    if region_id is not None:
        query = query.where(Contest.body_id.in_(select(Body.id).where(Body.region_id == region_id)))
    if status is not None:
        query = query.where(Contest.status == status)
    return paginate(session, query, paging, contest_out)


def _ballots_of_precinct(
    session: Session, election_id: int, precinct_id: int
) -> BallotsOfPrecinctOut:
    contests = contests_for_precinct(session, election_id, precinct_id)
    check = check_ballots(session, election_id, precinct_id)
    return BallotsOfPrecinctOut(
        precinct_id=precinct_id,
        contests=[contest_out(c) for c in contests],
        expected=list(check.expected),
        missing=list(check.missing),
        unexpected=list(check.unexpected),
        agrees=check.agrees,
    )


@router.get("/elections", response_model=Page[ElectionOut])
def list_elections(
    services: Services,
    paging: Paging,
    status: Annotated[ElectionStatus | None, Query()] = None,
    purpose: Annotated[Purpose | None, Query()] = None,
    parent_id: IdFilter = None,
) -> Page[ElectionOut]:
    """Elections, latest polling day first (runoffs, by-elections and recall votes name their
    parent)."""
    return services.read(_elections, status, purpose, parent_id, paging)


@router.get("/elections/{election_id}", response_model=ElectionDetail)
def get_election(election_id: IdPath, services: Services) -> ElectionDetail:
    """An election with the bodies it elects and the calendar stages its call fixed."""
    return services.read(lambda s: _detail(s, fetch(s, Election, election_id, "election")))


@router.post("/elections", response_model=CalledElectionOut, status_code=201)
def post_election(body: CallElectionIn, services: Services) -> CalledElectionOut:
    """Call an election: its bodies, calendar overrides (decision #13) and list contests
    (CALL_ELECTION over every body's territory). Calendar problems are reported, not refused."""
    call = CallElection(
        polling_day=body.polling_day,
        called_on=body.called_on,
        kind=body.kind,
        rules=body.rules,
        name=body.name,
        body_ids=None if body.body_ids is None else tuple(body.body_ids),
        overrides=tuple(
            OverrideInput(stage=o.stage, at=o.at, reason=o.reason, until=o.until)
            for o in body.overrides
        ),
        purpose=body.purpose,
        parent_id=body.parent_id,
    )
    return services(then(call_election, _called), call)


@router.get("/elections/{election_id}/calendar", response_model=CalendarOut)
def get_calendar(
    election_id: IdPath,
    services: Services,
    region_id: IdFilter = None,
    body: Annotated[LawBody, Query()] = LawBody.MASLIKHAT,
) -> CalendarOut:
    """Every stage in the region's local time (national: the capital's), which have passed, which
    is open now and which comes next (decisions #12–#14)."""
    return services(election_calendar, election_id, region_id, body)


@router.get("/elections/{election_id}/contests", response_model=Page[ContestOut])
def list_contests(
    election_id: IdPath,
    services: Services,
    paging: Paging,
    kind: Annotated[ContestKind | None, Query()] = None,
    body_id: IdFilter = None,
    region_id: IdFilter = None,
    status: Annotated[ContestStatus | None, Query()] = None,
) -> Page[ContestOut]:
    """The contests (ballots) of an election: list parts and single-member districts."""
    return services.read(_contests, election_id, kind, body_id, region_id, status, paging)


@router.get("/contests/{contest_id}", response_model=ContestOut)
def get_contest(contest_id: IdPath, services: Services) -> ContestOut:
    return services.read(lambda s: contest_out(fetch(s, Contest, contest_id, "contest")))


@router.get(
    "/elections/{election_id}/precincts/{precinct_id}/contests",
    response_model=BallotsOfPrecinctOut,
)
def get_precinct_contests(
    election_id: IdPath, precinct_id: IdPath, services: Services
) -> BallotsOfPrecinctOut:
    """The ballots a voter of this precinct receives (CL art. 9), checked against the law."""
    return services.read(_ballots_of_precinct, election_id, precinct_id)
