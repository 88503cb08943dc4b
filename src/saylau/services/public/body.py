"""A maslikhat (or the Mazhilis) on the results site (issue #5 §1): the body's row in the national
and regional tables, and ``elections/{election_id}/bodies/{body_id}/`` with its list contest and
every single-member district."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.services.public.common import (
    NO_PROGRESS,
    Crumb,
    ElectionInfo,
    Progress,
    body_crumbs,
    coverage,
    election_body,
    election_body_ids,
    election_info,
    memo,
    names,
    overall,
    share,
    synthetic,
    updated_at,
)
from saylau.services.public.tally import DistrictRow, ListResult, district_rows, list_results
from saylau.services.tabulation import TotalsLine, election_totals
from saylau.storage.models import Body, Contest, ContestResult, Region


@dataclass(frozen=True)
class BodyInfo:
    """A maslikhat (or the Mazhilis): its kind, region, names and seats (CL art. 9)."""

    body_id: int
    kind: str
    region_code: str | None
    name_kk: str
    name_ru: str
    name_en: str
    seats: int


@dataclass(frozen=True)
class BodyRow(BodyInfo):
    """A body in a table: its seats, progress, turnout and whether its results are official."""

    precincts_counted: int
    precincts_total: int
    turnout: Fraction | None
    official: bool


@dataclass(frozen=True)
class BodyResults:
    """``elections/{election_id}/bodies/{body_id}/``: a maslikhat (or the Mazhilis)."""

    election: ElectionInfo
    body: BodyRow
    synthetic: bool
    updated_at: datetime | None
    official: bool
    progress: Progress
    list_result: ListResult | None
    districts: tuple[DistrictRow, ...]
    breadcrumbs: tuple[Crumb, ...]


def body_results(session: Session, *, election_id: int, body_id: int) -> BodyResults:
    """A maslikhat: its list contest with the threshold line and every single-member district."""
    election, body = election_body(session, election_id, body_id)
    rows = memo(  # every body's row at once: the publication reads it once per election
        session,
        ("body.rows", election.id),
        lambda: body_rows(session, election.id, election_totals(session, election.id), None),
    )
    row = next(r for r in rows if r.body_id == body.id)
    contests = list(
        session.scalars(
            select(Contest)
            .where(Contest.election_id == election.id, Contest.body_id == body.id)
            .order_by(Contest.id)
        )
    )
    lists = [c for c in contests if c.kind.is_list]
    districts = [c for c in contests if not c.kind.is_list]
    results = list_results(session, election, lists)
    return BodyResults(
        election=election_info(election),
        body=row,
        synthetic=memo(session, ("synthetic",), lambda: synthetic(session, None)),
        updated_at=updated_at(session, election.id, body_id=body.id),
        official=row.official,
        progress=overall(session, election.id, body_id=body.id),
        list_result=results[lists[0].id] if lists else None,
        districts=district_rows(session, districts),
        breadcrumbs=tuple(body_crumbs(session, election, body)),
    )


def body_rows(
    session: Session, election_id: int, totals: Sequence[TotalsLine], region_id: int | None
) -> tuple[BodyRow, ...]:
    """Every body of the election (or of one region), with progress, turnout and whether its
    results are official; the Mazhilis first, then by region code and body id."""
    ids = election_body_ids(session, election_id)
    query = (
        select(Body, Region.code)
        .outerjoin(Region, Region.id == Body.region_id)
        .where(Body.id.in_(ids))
        .order_by(Region.code.is_not(None), Region.code, Body.unit_id.is_not(None), Body.id)
    )
    if region_id is not None:
        query = query.where(Body.region_id == region_id)
    progress = coverage(session, election_id, "body")
    turnout: dict[int, TotalsLine] = {}
    for line in totals:
        if line.scope != "body" or line.key is None:
            continue
        held = turnout.get(line.key)
        if held is None or (line.kind.is_list and not held.kind.is_list):
            turnout[line.key] = line
    unpublished = set(
        session.scalars(
            select(Contest.body_id)
            .outerjoin(ContestResult, ContestResult.contest_id == Contest.id)
            .where(Contest.election_id == election_id, ContestResult.published_at.is_(None))
        )
    )
    contested = set(
        session.scalars(select(Contest.body_id).where(Contest.election_id == election_id))
    )
    rows = []
    for body, code in session.execute(query):
        p = progress.get(body.id, NO_PROGRESS)
        body_line = turnout.get(body.id)
        rows.append(
            BodyRow(
                body.id,
                body.kind.value,
                code,
                *names(body),
                body.seats,
                p.precincts_counted,
                p.precincts_total,
                share(body_line.ballots_in_boxes, body_line.voters_on_list) if body_line else None,
                body.id in contested and body.id not in unpublished,
            )
        )
    return tuple(rows)
