"""Tabulation and results: counting progress, totals, each contest's result with the full trace of
the allocation or decision, lots the law requires, publication and the open-data export.

Tabulating needs TABULATE, publishing PUBLISH_RESULTS, within the actor's territory; every read is
public (READ_RESULTS is held by everyone).
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from saylau.law.bodies import ContestKind
from saylau.services import approvals
from saylau.services.contests import describe_contest
from saylau.services.context import fetch
from saylau.services.errors import NotFound
from saylau.services.results import Publication, export_results, publish_results
from saylau.services.tabulation import (
    FINAL,
    ContestTally,
    contest_progress,
    election_totals,
    record_lot,
    tabulate_contest,
    tabulate_election,
)
from saylau.storage.models import (
    Body,
    Contest,
    ContestResult,
    ContestStatus,
    Election,
    ElectionStatus,
)
from saylau.web.api import approvals as dual
from saylau.web.api.models import Day, FractionText, IdFilter, IdPath, In, Note, Out, Seed, fraction
from saylau.web.api.pagination import Page, PageQuery, Paging, page_of, paginate_rows
from saylau.web.api.routing import api_router
from saylau.web.deps import Services

router = api_router("results")


class TabulateIn(In):
    follow_up_day: Day | None = None
    """Polling day of the runoffs and repeat elections this creates (default: the last Sunday
    of the legal period, CL arts. 109-1, 110)."""


class LotIn(TabulateIn):
    seed: Seed
    """The seed the commission published for the lot (decision #9)."""


class PublishIn(In):
    late_reason: Note | None = None
    """Needed after the results deadline (E+7 18:00 local, monograph [L292])."""


class TallyOut(Out):
    contest_id: int
    kind: ContestKind
    final: bool
    status: str
    """The law's outcome (``allocated``, ``no_party_passed``, ``elected``, ``runoff``,
    ``repeat_election``, ``lot_required``), ``no_protocols`` or ``no_ballot``."""
    precincts_counted: int
    precincts_total: int
    progress: str
    follow_up_contest_id: int | None


class ContestProgressOut(Out):
    contest_id: int
    kind: ContestKind
    region_id: int | None
    """The body's region (None: the Mazhilis)."""
    name: str
    counted: int
    total: int
    share: FractionText


class RegionProgressOut(Out):
    """Counting in one region (the territory of its commissions); None: national contests."""

    region_id: int | None
    contests: int
    counted: int
    total: int


class ProgressOut(Out):
    election_id: int
    counted: int
    """Definitive protocols, all contests."""
    total: int
    regions: list[RegionProgressOut]
    contests: Page[ContestProgressOut]


class TotalsLineOut(Out):
    scope: str
    """``national``, ``region`` or ``body``."""
    key: int | None
    kind: ContestKind
    protocols: int
    voters_on_list: int
    ballots_in_boxes: int
    valid: int
    against_all: int
    invalid: int
    turnout: FractionText


class ContestResultOut(Out):
    """A contest's latest tabulation with its full trace (the result protocol)."""

    contest_id: int
    kind: ContestKind
    name: str
    contest_status: ContestStatus
    status: str
    """``final`` once every precinct is definitive, else ``provisional``."""
    final: bool
    precincts_counted: int
    precincts_total: int
    progress: str
    totals: dict[str, Any]
    outcome: dict[str, Any]
    """The law's outcome with every step: quota, remainders, threshold, lots, competitiveness."""
    computed_at: datetime
    published_at: datetime | None


class PublicationOut(Out):
    election_id: int
    contests: list[int]
    mandates: int
    """Mandates created by this publication."""
    deadline: datetime
    late: bool
    election_status: ElectionStatus


def _tally(tally: ContestTally) -> TallyOut:
    return TallyOut(
        contest_id=tally.contest_id,
        kind=tally.kind,
        final=tally.final,
        status=tally.status,
        precincts_counted=tally.precincts_counted,
        precincts_total=tally.precincts_total,
        progress=tally.progress,
        follow_up_contest_id=tally.follow_up_contest_id,
    )


def _result(contest: Contest, result: ContestResult) -> ContestResultOut:
    return ContestResultOut(
        contest_id=contest.id,
        kind=contest.kind,
        name=describe_contest(contest),
        contest_status=contest.status,
        status=result.status,
        final=result.status == FINAL,
        precincts_counted=result.precincts_counted,
        precincts_total=result.precincts_total,
        progress=f"{result.precincts_counted} of {result.precincts_total} precincts definitive",
        totals=result.totals,
        outcome=result.outcome,
        computed_at=result.computed_at,
        published_at=result.published_at,
    )


def _progress(session: Session, election_id: int, paging: PageQuery) -> ProgressOut:
    progress = contest_progress(session, election_id)
    contests = {
        c.id: c
        for c in session.scalars(
            select(Contest)
            .options(selectinload(Contest.body), selectinload(Contest.district))
            .where(Contest.election_id == election_id)
        )
    }
    lines = [
        ContestProgressOut(
            contest_id=contest_id,
            kind=contests[contest_id].kind,
            region_id=contests[contest_id].body.region_id,
            name=describe_contest(contests[contest_id]),
            counted=counted,
            total=total,
            share=fraction(Fraction(counted, total)) if total else "0/1",
        )
        for contest_id, (counted, total) in sorted(progress.items())
    ]
    regions: dict[int | None, RegionProgressOut] = {}
    for line in lines:
        region = regions.setdefault(
            line.region_id,
            RegionProgressOut(region_id=line.region_id, contests=0, counted=0, total=0),
        )
        region.contests += 1
        region.counted += line.counted
        region.total += line.total
    return ProgressOut(
        election_id=election_id,
        counted=sum(line.counted for line in lines),
        total=sum(line.total for line in lines),
        regions=sorted(regions.values(), key=lambda r: (r.region_id is not None, r.region_id or 0)),
        contests=page_of(lines, paging),
    )


def _totals(session: Session, election_id: int, paging: PageQuery) -> Page[TotalsLineOut]:
    lines = [
        TotalsLineOut(
            scope=line.scope,
            key=line.key,
            kind=line.kind,
            protocols=line.protocols,
            voters_on_list=line.voters_on_list,
            ballots_in_boxes=line.ballots_in_boxes,
            valid=line.valid,
            against_all=line.against_all,
            invalid=line.invalid,
            turnout=fraction(line.turnout),
        )
        for line in election_totals(session, election_id)
    ]
    return page_of(lines, paging)


def _results(
    session: Session,
    election_id: int,
    kind: ContestKind | None,
    region_id: int | None,
    final: bool | None,
    paging: PageQuery,
) -> Page[ContestResultOut]:
    fetch(session, Election, election_id, "election")
    query = (
        select(Contest, ContestResult)
        .join(ContestResult, ContestResult.contest_id == Contest.id)
        .where(Contest.election_id == election_id)
        .order_by(Contest.id)
    )
    if kind is not None:
        query = query.where(Contest.kind == kind)
    if region_id is not None:
        query = query.where(Contest.body_id.in_(select(Body.id).where(Body.region_id == region_id)))
    if final is True:
        query = query.where(ContestResult.status == FINAL)
    elif final is False:
        query = query.where(ContestResult.status != FINAL)
    return paginate_rows(session, query, paging, lambda row: _result(row[0], row[1]))


def _contest_result(session: Session, contest_id: int) -> ContestResultOut:
    contest = fetch(session, Contest, contest_id, "contest")
    result = session.scalars(
        select(ContestResult).where(ContestResult.contest_id == contest.id)
    ).first()
    if result is None:
        raise NotFound(
            "no_result", f"contest {contest_id} has not been tabulated", field="contest_id"
        )
    return _result(contest, result)


def _publication(publication: Publication) -> PublicationOut:
    return PublicationOut(
        election_id=publication.election_id,
        contests=list(publication.contests),
        mandates=publication.mandates,
        deadline=publication.deadline,
        late=publication.late,
        election_status=publication.election_status,
    )


@router.post("/elections/{election_id}/tabulate", response_model=list[TallyOut])
def post_tabulate_election(
    election_id: IdPath, body: TabulateIn, services: Services
) -> list[TallyOut]:
    """Tabulate every contest of the election in the actor's territory (TABULATE)."""
    tallies = services(tabulate_election, election_id, follow_up_day=body.follow_up_day)
    return [_tally(t) for t in tallies]


@router.post("/contests/{contest_id}/tabulate", response_model=TallyOut)
def post_tabulate_contest(contest_id: IdPath, body: TabulateIn, services: Services) -> TallyOut:
    """Tabulate one contest: list seats by CL art. 111-1 (art. 97-1 for the Mazhilis), a
    district by plurality with runoff or repeat election (CL arts. 9, 109-1, 110)."""
    return _tally(services(tabulate_contest, contest_id, follow_up_day=body.follow_up_day))


@router.post("/contests/{contest_id}/lot", response_model=TallyOut)
def post_lot(contest_id: IdPath, body: LotIn, services: Services) -> TallyOut:
    """Record the published seed of a lot the law requires and apply it (decisions #4, #6,
    #9); the lot record is printable and re-runnable."""
    return _tally(services(record_lot, contest_id, body.seed, follow_up_day=body.follow_up_day))


@router.get("/elections/{election_id}/progress", response_model=ProgressOut)
def get_progress(election_id: IdPath, services: Services, paging: Paging) -> ProgressOut:
    """Definitive protocols of every contest (“X of Y precincts”), per region and in total."""
    return services.read(_progress, election_id, paging)


@router.get("/elections/{election_id}/totals", response_model=Page[TotalsLineOut])
def get_totals(election_id: IdPath, services: Services, paging: Paging) -> Page[TotalsLineOut]:
    """Summed definitive protocols per contest kind: national, per region and per body."""
    return services.read(_totals, election_id, paging)


@router.get("/elections/{election_id}/results", response_model=Page[ContestResultOut])
def get_results(
    election_id: IdPath,
    services: Services,
    paging: Paging,
    kind: Annotated[ContestKind | None, Query()] = None,
    region_id: IdFilter = None,
    final: Annotated[bool | None, Query()] = None,
) -> Page[ContestResultOut]:
    """Each tabulated contest's result with the trace of the allocation or decision."""
    return services.read(_results, election_id, kind, region_id, final, paging)


@router.get("/contests/{contest_id}/result", response_model=ContestResultOut)
def get_result(contest_id: IdPath, services: Services) -> ContestResultOut:
    """A contest's result with its full trace."""
    return services.read(_contest_result, contest_id)


@router.post(
    "/elections/{election_id}/publish", response_model=PublicationOut, responses=dual.ACCEPTED
)
def post_publish(
    election_id: IdPath, body: PublishIn, services: Services
) -> PublicationOut | JSONResponse:
    """Publish the final results in the actor's territory (PUBLISH_RESULTS); creates the
    mandates won. Under dual control (issue #9 §2) files the request instead (202)."""
    if dual.required():
        params = approvals.publish_params(election_id, body.late_reason)
        return dual.requested(services, approvals.PUBLISH_RESULTS, params)
    return _publication(services(publish_results, election_id, late_reason=body.late_reason))


@router.get("/elections/{election_id}/export", response_model=dict[str, Any])
def get_export(election_id: IdPath, services: Services) -> dict[str, Any]:
    """Open data: every contest's result with totals and trace, the totals and the mandates;
    figures exact (fractions as ``"n/d"``)."""
    return services.read(export_results, election_id)
