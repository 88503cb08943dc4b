"""Single-member districts: the public list and the deviation report of a body's plan (decision #11;
CL art. 22), importing or editing districts and publishing them (MANAGE_DISTRICTS)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from saylau.services.context import fetch
from saylau.services.districts import (
    DistrictImportReport,
    DistrictingSummary,
    DistrictInput,
    DistrictPlan,
    Publication,
    districting_report,
    edit_district,
    import_districts,
    publish_districts,
)
from saylau.storage.models import Contest, District, Election
from saylau.web.api.models import (
    FractionText,
    Id,
    IdFilter,
    IdPath,
    In,
    Note,
    Out,
    fraction,
)
from saylau.web.api.pagination import Page, PageQuery, Paging, paginate
from saylau.web.api.routing import api_router, then
from saylau.web.api.territory import TallyOut
from saylau.web.deps import Services

router = api_router("districts")


class DistrictOut(Out):
    id: int
    election_id: int
    body_id: int
    number: int
    name: str
    published_at: datetime | None
    precinct_ids: list[int]
    contest_id: int | None
    """The district's single-member contest (its ballot)."""


class DistrictLineOut(Out):
    id: int
    number: int
    name: str
    precincts: list[str]
    """Precincts as ``region code:number``."""
    voters: int
    deviation: FractionText
    """Deviation from the body's mean, exact (−1/10 = 10% below)."""
    deviation_percent: str
    within_tolerance: bool
    published_at: datetime | None


class DistrictingOut(Out):
    """A body's districts against the law: count, deviations and coverage (decision #11)."""

    election_id: int
    body_id: int
    body: str
    smd_seats: int
    districts_formed: int
    complete: bool
    mean_voters: FractionText | None
    tolerance: FractionText | None
    covers_exactly_once: bool
    unassigned_precincts: list[str]
    multiply_assigned_precincts: list[str]
    foreign_precincts: list[str]
    acceptable: bool
    published: bool
    article: str | None
    districts: list[DistrictLineOut]
    problems: list[str]


class DistrictPlanIn(In):
    """Rows of a districting plan, as in a plan file: ``body`` (id, ``mazhilis``, a region code or
    ``KZ-35/<unit name_en>``), ``number``, ``name``, ``precincts`` (numbers in the body's region,
    or ``KZ-35:12``). All-or-nothing and idempotent."""

    rows: list[dict[str, Any]] = Field(min_length=1, max_length=10_000)


class DistrictImportOut(Out):
    tallies: dict[str, TallyOut]
    warnings: list[str]
    district_ids: list[int]
    body_ids: list[int]


class DistrictEditIn(In):
    name: str = Field(default="", max_length=300)
    precinct_ids: list[Id] = Field(min_length=1, max_length=5_000)


class PublishIn(In):
    late_reason: Note | None = None
    """Needed after the stage ``districts_published_by`` (10 days after the call)."""
    deviation_reason: Note | None = None
    """Needed when a district lies outside the ±15% tolerance (decision #11)."""


class PublicationOut(Out):
    body_id: int
    published_at: datetime
    deadline: datetime
    late: bool
    already_published: bool
    warnings: list[str]


# --- converters ----------------------------------------------------------------------------------


def district_out(session: Session, district: District) -> DistrictOut:
    contest_id = session.scalar(
        select(Contest.id).where(Contest.district_id == district.id).order_by(Contest.id)
    )
    return DistrictOut(
        id=district.id,
        election_id=district.election_id,
        body_id=district.body_id,
        number=district.number,
        name=district.name,
        published_at=district.published_at,
        precinct_ids=sorted(link.precinct_id for link in district.precincts),
        contest_id=contest_id,
    )


def districting_out(summary: DistrictingSummary) -> DistrictingOut:
    law = summary.law
    return DistrictingOut(
        election_id=summary.election_id,
        body_id=summary.body_id,
        body=summary.body_name,
        smd_seats=summary.smd_seats,
        districts_formed=len(summary.districts),
        complete=summary.complete,
        mean_voters=fraction(law.mean) if law else None,
        tolerance=fraction(law.tolerance) if law else None,
        covers_exactly_once=law.covers_exactly_once if law else False,
        unassigned_precincts=list(law.unassigned_precincts) if law else [],
        multiply_assigned_precincts=list(law.multiply_assigned_precincts) if law else [],
        foreign_precincts=list(law.foreign_precincts) if law else [],
        acceptable=summary.acceptable,
        published=summary.published,
        article=law.article if law else None,
        districts=[
            DistrictLineOut(
                id=d.district_id,
                number=d.number,
                name=d.name,
                precincts=list(d.precincts),
                voters=d.voters,
                deviation=fraction(d.deviation),
                deviation_percent=f"{float(d.deviation * 100):+.2f}%",
                within_tolerance=d.within_tolerance,
                published_at=d.published_at,
            )
            for d in summary.districts
        ],
        problems=summary.problems(),
    )


def _import_out(_session: Session, report: DistrictImportReport) -> DistrictImportOut:
    return DistrictImportOut(
        **report.as_dict(), district_ids=report.district_ids, body_ids=report.body_ids
    )


def _publication_out(_session: Session, publication: Publication) -> PublicationOut:
    return PublicationOut(
        body_id=publication.body_id,
        published_at=publication.published_at,
        deadline=publication.deadline,
        late=publication.late,
        already_published=publication.already_published,
        warnings=list(publication.warnings),
    )


# --- reads ---------------------------------------------------------------------------------------


def _districts(
    session: Session, election_id: int, body_id: int | None, paging: PageQuery
) -> Page[DistrictOut]:
    fetch(session, Election, election_id, "election")
    query = (
        select(District)
        .options(selectinload(District.precincts))
        .where(District.election_id == election_id)
        .order_by(District.body_id, District.number)
    )
    if body_id is not None:
        query = query.where(District.body_id == body_id)
    return paginate(session, query, paging, lambda d: district_out(session, d))


@router.get("/elections/{election_id}/districts", response_model=Page[DistrictOut])
def list_districts(
    election_id: IdPath, services: Services, paging: Paging, body_id: IdFilter = None
) -> Page[DistrictOut]:
    """The single-member districts of an election, by body and number."""
    return services.read(_districts, election_id, body_id, paging)


@router.get("/districts/{district_id}", response_model=DistrictOut)
def get_district(district_id: IdPath, services: Services) -> DistrictOut:
    return services.read(lambda s: district_out(s, fetch(s, District, district_id, "district")))


@router.get("/elections/{election_id}/bodies/{body_id}/districting", response_model=DistrictingOut)
def get_districting(election_id: IdPath, body_id: IdPath, services: Services) -> DistrictingOut:
    """The deviation report: each district's voters and deviation from the body's mean against
    the ±15% tolerance (decision #11), and whether the districts cover the body's precincts
    exactly once (CL art. 22)."""
    return services.read(lambda s: districting_out(districting_report(s, election_id, body_id)))


# --- writes --------------------------------------------------------------------------------------


@router.post("/elections/{election_id}/districts", response_model=DistrictImportOut)
def post_districts(
    election_id: IdPath, body: DistrictPlanIn, services: Services
) -> DistrictImportOut:
    """Create or change the districts of a plan, each with its single-member contest."""
    plan = DistrictPlan.of(body.rows)
    return services(then(import_districts, _import_out), election_id, plan)


@router.put(
    "/elections/{election_id}/bodies/{body_id}/districts/{number}", response_model=DistrictOut
)
def put_district(
    election_id: IdPath,
    body_id: IdPath,
    number: IdPath,
    body: DistrictEditIn,
    services: Services,
) -> DistrictOut:
    """Create or change one district of a body (same rules as a plan)."""
    district = DistrictInput(body_id, number, tuple(body.precinct_ids), body.name)
    return services(then(edit_district, district_out), election_id, district)


@router.post(
    "/elections/{election_id}/bodies/{body_id}/districts/publish",
    response_model=PublicationOut,
)
def post_publication(
    election_id: IdPath, body_id: IdPath, body: PublishIn, services: Services
) -> PublicationOut:
    """Publish a body's districts (CL art. 22 paras 2, 2-1); idempotent."""
    return services(
        then(publish_districts, _publication_out),
        election_id,
        body_id,
        late_reason=body.late_reason,
        deviation_reason=body.deviation_reason,
    )
