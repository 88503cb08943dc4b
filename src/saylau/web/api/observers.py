"""Observers: organisations' accreditation, observers' credentials and assignment to precincts
(ACCREDIT_OBSERVERS over the accrediting commission's territory) and the public coverage report."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.services.context import fetch
from saylau.services.observers import (
    AccreditationApplication,
    ObserverKind,
    PrecinctCoverage,
    RegionCoverage,
    accredit_organisation,
    apply_for_accreditation,
    assign_observer,
    coverage_report,
    issue_credentials,
    refuse_accreditation,
)
from saylau.storage.models import Observer, ObserverAssignment, ObserverOrganisation
from saylau.web.api.models import (
    FractionText,
    Id,
    IdFilter,
    IdPath,
    In,
    Name,
    Out,
    Reason,
    fraction,
)
from saylau.web.api.pagination import Page, PageQuery, Paging, page_of, paginate
from saylau.web.api.routing import api_router, then
from saylau.web.deps import Services

router = api_router("observers")


class OrganisationOut(Out):
    id: int
    name: str
    kind: str
    party_id: int | None
    accrediting_commission_id: int | None
    applied_on: date | None
    review_due: date | None
    accredited_on: date | None
    valid_until: date | None
    refused_reason: str


class ObserverOut(Out):
    id: int
    organisation_id: int
    full_name: str
    credential: str


class AssignmentOut(Out):
    id: int
    observer_id: int
    election_id: int
    precinct_id: int


class ApplicationIn(In):
    name: Name
    kind: ObserverKind
    commission_id: Id
    party_id: Id | None = None


class RefuseIn(In):
    reason: Reason


class CredentialsIn(In):
    full_names: list[Name] = Field(min_length=1, max_length=1_000)


class AssignIn(In):
    election_id: Id
    precinct_ids: list[Id] = Field(min_length=1, max_length=1_000)


class CoverageLineOut(Out):
    precinct_id: int
    region_id: int
    number: int
    observers: int
    categories: dict[str, int]


class RegionCoverageOut(Out):
    region_id: int
    code: str
    name_en: str
    precincts: int
    covered: int
    share: FractionText
    observers: int
    categories: dict[str, int]


class CoverageOut(Out):
    """Observers per region and nationally, by the kind of organisation that sent them, and the
    share of precincts with at least one (exact)."""

    election_id: int
    total_precincts: int
    covered: int
    share: FractionText
    observers: int
    categories: dict[str, int]
    regions: list[RegionCoverageOut]
    precincts: Page[CoverageLineOut]


def organisation_out(_session: Session, organisation: ObserverOrganisation) -> OrganisationOut:
    return OrganisationOut.model_validate(organisation)


def _region(line: RegionCoverage) -> RegionCoverageOut:
    return RegionCoverageOut(
        region_id=line.region_id,
        code=line.code,
        name_en=line.name_en,
        precincts=line.precincts,
        covered=line.covered,
        share=fraction(line.share),
        observers=line.observers,
        categories=dict(line.categories),
    )


def _precinct(line: PrecinctCoverage) -> CoverageLineOut:
    return CoverageLineOut(
        precinct_id=line.precinct_id,
        region_id=line.region_id,
        number=line.number,
        observers=line.observers,
        categories=dict(line.categories),
    )


def _coverage(
    session: Session, election_id: int, region_id: int | None, paging: PageQuery
) -> CoverageOut:
    report = coverage_report(session, election_id)
    lines = [
        _precinct(p) for p in report.precincts if region_id is None or p.region_id == region_id
    ]
    return CoverageOut(
        election_id=report.election_id,
        total_precincts=report.total_precincts,
        covered=report.covered,
        share=fraction(report.share),
        observers=report.observers,
        categories=dict(report.categories),
        regions=[_region(r) for r in report.regions],
        precincts=page_of(lines, paging),
    )


def _organisations(
    session: Session,
    kind: ObserverKind | None,
    commission_id: int | None,
    paging: PageQuery,
) -> Page[OrganisationOut]:
    query = select(ObserverOrganisation).order_by(ObserverOrganisation.id)
    if kind is not None:
        query = query.where(ObserverOrganisation.kind == kind.value)
    if commission_id is not None:
        query = query.where(ObserverOrganisation.accrediting_commission_id == commission_id)
    return paginate(session, query, paging, OrganisationOut.model_validate)


def _observers(
    session: Session,
    organisation_id: int | None,
    election_id: int | None,
    precinct_id: int | None,
    paging: PageQuery,
) -> Page[ObserverOut]:
    query = select(Observer).order_by(Observer.id)
    if organisation_id is not None:
        query = query.where(Observer.organisation_id == organisation_id)
    if election_id is not None or precinct_id is not None:
        assigned = select(ObserverAssignment.observer_id)
        if election_id is not None:
            assigned = assigned.where(ObserverAssignment.election_id == election_id)
        if precinct_id is not None:
            assigned = assigned.where(ObserverAssignment.precinct_id == precinct_id)
        query = query.where(Observer.id.in_(assigned))
    return paginate(session, query, paging, ObserverOut.model_validate)


@router.get("/observer-organisations", response_model=Page[OrganisationOut])
def list_organisations(
    services: Services,
    paging: Paging,
    kind: Annotated[ObserverKind | None, Query()] = None,
    commission_id: IdFilter = None,
) -> Page[OrganisationOut]:
    """Organisations with their accreditation: applied, due for review, accredited until, or
    refused with the reason."""
    return services.read(_organisations, kind, commission_id, paging)


@router.get("/observer-organisations/{organisation_id}", response_model=OrganisationOut)
def get_organisation(organisation_id: IdPath, services: Services) -> OrganisationOut:
    return services.read(
        lambda s: OrganisationOut.model_validate(
            fetch(s, ObserverOrganisation, organisation_id, "organisation")
        )
    )


@router.post("/observer-organisations", response_model=OrganisationOut, status_code=201)
def post_application(body: ApplicationIn, services: Services) -> OrganisationOut:
    """An organisation's application to a commission; the review is due in 30 days
    (CL art. 20-1; monograph [L2399])."""
    application = AccreditationApplication(body.name, body.kind, body.commission_id, body.party_id)
    return services(then(apply_for_accreditation, organisation_out), application)


@router.post(
    "/observer-organisations/{organisation_id}/accreditation", response_model=OrganisationOut
)
def post_accreditation(organisation_id: IdPath, services: Services) -> OrganisationOut:
    """Accredit for one year from today, within the review period (monograph [L2410])."""
    return services(then(accredit_organisation, organisation_out), organisation_id)


@router.post("/observer-organisations/{organisation_id}/refusal", response_model=OrganisationOut)
def post_refusal(organisation_id: IdPath, body: RefuseIn, services: Services) -> OrganisationOut:
    """Refuse an application, with the reason, within the review period."""
    return services(then(refuse_accreditation, organisation_out), organisation_id, body.reason)


@router.post(
    "/observer-organisations/{organisation_id}/observers",
    response_model=list[ObserverOut],
    status_code=201,
)
def post_credentials(
    organisation_id: IdPath, body: CredentialsIn, services: Services
) -> list[ObserverOut]:
    """Credentials (unique numbers) for the named observers of an accredited organisation."""

    def convert(_session: Session, observers: list[Observer]) -> list[ObserverOut]:
        return [ObserverOut.model_validate(o) for o in observers]

    return services(then(issue_credentials, convert), organisation_id, body.full_names)


@router.get("/observers", response_model=Page[ObserverOut])
def list_observers(
    services: Services,
    paging: Paging,
    organisation_id: IdFilter = None,
    election_id: IdFilter = None,
    precinct_id: IdFilter = None,
) -> Page[ObserverOut]:
    """Observers with their credentials; filter by organisation or by where they observe."""
    return services.read(_observers, organisation_id, election_id, precinct_id, paging)


@router.post("/observers/{observer_id}/assignments", response_model=list[AssignmentOut])
def post_assignments(
    observer_id: IdPath, body: AssignIn, services: Services
) -> list[AssignmentOut]:
    """Assign an observer to precincts of an election within the accrediting commission's
    territory; idempotent."""

    def convert(_session: Session, done: list[ObserverAssignment]) -> list[AssignmentOut]:
        return [AssignmentOut.model_validate(a) for a in done]

    return services(
        then(assign_observer, convert), observer_id, body.election_id, body.precinct_ids
    )


@router.get("/elections/{election_id}/observer-coverage", response_model=CoverageOut)
def get_coverage(
    election_id: IdPath, services: Services, paging: Paging, region_id: IdFilter = None
) -> CoverageOut:
    """How many observers, of which kinds, and the share of precincts covered; the precinct
    lines are paged (optionally one region's)."""
    return services.read(_coverage, election_id, region_id, paging)
