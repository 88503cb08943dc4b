"""Territory: regions, units, precincts, bodies and commissions (public reads), the all-or-nothing
territory import and the commission hierarchy (MANAGE_TERRITORY, MANAGE_COMMISSIONS)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import CommissionLevel
from saylau.law.rules import MaslikhatKind
from saylau.services import approvals
from saylau.services.context import fetch
from saylau.services.imports import ImportReport
from saylau.services.mandates import competence
from saylau.services.reference_load import load_reference_2023
from saylau.services.territory import (
    TerritoryImport,
    ensure_commissions,
    import_territory,
    needs_override_approval,
)
from saylau.storage.models import Body, BodyKind, Commission, Precinct, Region, Unit
from saylau.web.api import approvals as dual
from saylau.web.api.models import MAX_ID, IdFilter, IdPath, In, Out
from saylau.web.api.pagination import Page, PageQuery, Paging, paginate
from saylau.web.api.routing import api_router
from saylau.web.deps import Services

router = api_router("territory")

Rows = Annotated[list[dict[str, Any]], Field(max_length=50_000)]


class RegionOut(Out):
    id: int
    code: str
    kind: MaslikhatKind
    name_kk: str
    name_ru: str
    name_en: str
    iana_zone: str


class UnitOut(Out):
    id: int
    region_id: int
    kind: MaslikhatKind
    name_kk: str
    name_ru: str
    name_en: str


class PrecinctOut(Out):
    id: int
    region_id: int
    unit_id: int | None
    number: int
    address: str
    voters: int
    synthetic: bool


class BodyOut(Out):
    id: int
    kind: BodyKind
    region_id: int | None
    unit_id: int | None
    name_kk: str
    name_ru: str
    name_en: str
    seats: int
    seat_cap_override: str | None


class CommissionOut(Out):
    id: int
    level: CommissionLevel
    parent_id: int | None
    region_id: int | None
    unit_id: int | None
    precinct_id: int | None
    name: str


class CompetenceOut(Out):
    """Whether a maslikhat can work: ≥ 3/4 of its seats filled (LSA art. 5 para 4)."""

    body_id: int
    seats_total: int
    seats_filled: int
    required: int
    competent: bool
    missing: int


class TallyOut(Out):
    created: int
    updated: int
    unchanged: int


class ImportReportOut(Out):
    """Per kind of row: created, updated or unchanged (an unchanged row is not rewritten)."""

    tallies: dict[str, TallyOut]
    warnings: list[str]

    @classmethod
    def of(cls, report: ImportReport) -> ImportReportOut:
        return cls.model_validate(report.as_dict())


class TerritoryImportIn(In):
    """Rows of a territory import by section, as in a territory file (``saylau admin import``):
    regions (code, kind, name_kk, name_ru, name_en, iana_zone), units (region, kind, names),
    precincts (region, unit, number, address, voters, synthetic), bodies (kind, region, unit,
    seats, names, seat_cap_override). One invalid row refuses the whole import."""

    rules: str = Field(default="2023", pattern=r"^\d{4}$")
    regions: Rows = Field(default_factory=list)
    units: Rows = Field(default_factory=list)
    precincts: Rows = Field(default_factory=list)
    bodies: Rows = Field(default_factory=list)


class CommissionsIn(In):
    region_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    """Only this region's commissions (its TEC may do it); none: the whole country (the CEC)."""


# --- reads ---------------------------------------------------------------------------------------


def _regions(session: Session, paging: PageQuery) -> Page[RegionOut]:
    return paginate(session, select(Region).order_by(Region.id), paging, RegionOut.model_validate)


def _units(session: Session, region_id: int | None, paging: PageQuery) -> Page[UnitOut]:
    query = select(Unit).order_by(Unit.id)
    if region_id is not None:
        query = query.where(Unit.region_id == region_id)
    return paginate(session, query, paging, UnitOut.model_validate)


def _precincts(
    session: Session,
    region_id: int | None,
    unit_id: int | None,
    number: int | None,
    paging: PageQuery,
) -> Page[PrecinctOut]:
    query = select(Precinct).order_by(Precinct.region_id, Precinct.number, Precinct.id)
    if region_id is not None:
        query = query.where(Precinct.region_id == region_id)
    if unit_id is not None:
        query = query.where(Precinct.unit_id == unit_id)
    if number is not None:
        query = query.where(Precinct.number == number)
    return paginate(session, query, paging, PrecinctOut.model_validate)


def _bodies(
    session: Session,
    kind: BodyKind | None,
    region_id: int | None,
    unit_id: int | None,
    paging: PageQuery,
) -> Page[BodyOut]:
    query = select(Body).order_by(Body.id)
    if kind is not None:
        query = query.where(Body.kind == kind)
    if region_id is not None:
        query = query.where(Body.region_id == region_id)
    if unit_id is not None:
        query = query.where(Body.unit_id == unit_id)
    return paginate(session, query, paging, BodyOut.model_validate)


def _commissions(
    session: Session,
    level: CommissionLevel | None,
    region_id: int | None,
    unit_id: int | None,
    parent_id: int | None,
    paging: PageQuery,
) -> Page[CommissionOut]:
    query = select(Commission).order_by(Commission.id)
    if level is not None:
        query = query.where(Commission.level == level)
    if region_id is not None:
        query = query.where(Commission.region_id == region_id)
    if unit_id is not None:
        query = query.where(Commission.unit_id == unit_id)
    if parent_id is not None:
        query = query.where(Commission.parent_id == parent_id)
    return paginate(session, query, paging, CommissionOut.model_validate)


def _competence(session: Session, body_id: int) -> CompetenceOut:
    found = competence(session, body_id)
    return CompetenceOut(
        body_id=body_id,
        seats_total=found.seats_total,
        seats_filled=found.seats_filled,
        required=found.required,
        competent=found.competent,
        missing=found.missing,
    )


@router.get("/regions", response_model=Page[RegionOut])
def list_regions(services: Services, paging: Paging) -> Page[RegionOut]:
    """Regions: oblasts, cities of republican significance and the capital."""
    return services.read(_regions, paging)


@router.get("/regions/{region_id}", response_model=RegionOut)
def get_region(region_id: IdPath, services: Services) -> RegionOut:
    return services.read(lambda s: RegionOut.model_validate(fetch(s, Region, region_id, "region")))


@router.get("/units", response_model=Page[UnitOut])
def list_units(services: Services, paging: Paging, region_id: IdFilter = None) -> Page[UnitOut]:
    """Second-level units: districts (аудан) and cities of oblast significance."""
    return services.read(_units, region_id, paging)


@router.get("/precincts", response_model=Page[PrecinctOut])
def list_precincts(
    services: Services,
    paging: Paging,
    region_id: IdFilter = None,
    unit_id: IdFilter = None,
    number: IdFilter = None,
) -> Page[PrecinctOut]:
    """Polling precincts with their voters (synthetic ones are marked)."""
    return services.read(_precincts, region_id, unit_id, number, paging)


@router.get("/precincts/{precinct_id}", response_model=PrecinctOut)
def get_precinct(precinct_id: IdPath, services: Services) -> PrecinctOut:
    return services.read(
        lambda s: PrecinctOut.model_validate(fetch(s, Precinct, precinct_id, "precinct"))
    )


@router.get("/bodies", response_model=Page[BodyOut])
def list_bodies(
    services: Services,
    paging: Paging,
    kind: Annotated[BodyKind | None, Query()] = None,
    region_id: IdFilter = None,
    unit_id: IdFilter = None,
) -> Page[BodyOut]:
    """Maslikhats and the Mazhilis with their seats."""
    return services.read(_bodies, kind, region_id, unit_id, paging)


@router.get("/bodies/{body_id}", response_model=BodyOut)
def get_body(body_id: IdPath, services: Services) -> BodyOut:
    return services.read(lambda s: BodyOut.model_validate(fetch(s, Body, body_id, "body")))


@router.get("/bodies/{body_id}/competence", response_model=CompetenceOut)
def get_competence(body_id: IdPath, services: Services) -> CompetenceOut:
    """Registered deputies against the 3/4 needed for the body to be competent."""
    return services.read(_competence, body_id)


@router.get("/commissions", response_model=Page[CommissionOut])
def list_commissions(
    services: Services,
    paging: Paging,
    level: Annotated[CommissionLevel | None, Query()] = None,
    region_id: IdFilter = None,
    unit_id: IdFilter = None,
    parent_id: IdFilter = None,
) -> Page[CommissionOut]:
    """The commission hierarchy: CEC → TEC of a region → TEC of a unit → PEC of a precinct."""
    return services.read(_commissions, level, region_id, unit_id, parent_id, paging)


@router.get("/commissions/{commission_id}", response_model=CommissionOut)
def get_commission(commission_id: IdPath, services: Services) -> CommissionOut:
    return services.read(
        lambda s: CommissionOut.model_validate(fetch(s, Commission, commission_id, "commission"))
    )


# --- writes --------------------------------------------------------------------------------------


@router.post("/territory/import", response_model=ImportReportOut, responses=dual.ACCEPTED)
def import_territory_rows(
    body: TerritoryImportIn, services: Services
) -> ImportReportOut | JSONResponse:
    """Import regions, units, precincts and bodies all-or-nothing and idempotently
    (MANAGE_TERRITORY over every region touched). An import accepting seats above a cap (a new
    ``seat_cap_override``; LSA art. 5 para 3, decision #10) is, under dual control (issue #9 §2),
    a request a second member approves (202)."""
    batch = TerritoryImport.of(
        regions=body.regions, units=body.units, precincts=body.precincts, bodies=body.bodies
    )
    if dual.required() and services.read(needs_override_approval, batch, body.rules):
        params = approvals.seat_cap_params(batch, body.rules)
        return dual.requested(services, approvals.OVERRIDE_SEAT_CAP, params)
    return ImportReportOut.of(services(import_territory, batch, body.rules))


@router.post("/commissions/ensure", response_model=ImportReportOut)
def ensure_commission_hierarchy(body: CommissionsIn, services: Services) -> ImportReportOut:
    """Create the missing commissions of the territory (CL arts. 10–19), idempotently."""
    return ImportReportOut.of(services(ensure_commissions, body.region_id))


@router.post("/territory/reference-2023", response_model=ImportReportOut)
def load_reference(services: Services) -> ImportReportOut:
    """Load the real structure of the 19 March 2023 elections (regions, units, maslikhats with
    their seats, the Mazhilis, the parties and the commissions), idempotently (the CEC)."""
    return ImportReportOut.of(services(load_reference_2023))
