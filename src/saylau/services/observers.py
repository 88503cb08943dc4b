"""Observers: organisations' accreditation, observers' credentials, assignment, coverage.

Organisations (parties, NGOs, international organisations, media) apply to the CEC (republican and
international organisations) or to a territorial commission (local ones). The commission reviews
the application within 30 calendar days and accredits for one year or refuses with a reason
(CL art. 20-1; monograph [L2399, L2410]: :func:`saylau.law.calendar.observer_accreditation`).
Only an accredited organisation whose accreditation is valid receives credentials for its
observers, and they are assigned to precincts of an election within the commission's territory.
ACCREDIT_OBSERVERS permission, scoped to the accrediting commission's territory.

Accreditation is not tied to an election, so its deadlines use the default rule set (2023).
A one-year accreditation granted on day D is read as valid from D up to the day before its first
anniversary (the source is silent on the anniversary itself).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action, CommissionLevel
from saylau.law.calendar import observer_accreditation
from saylau.law.errors import LawInputError
from saylau.law.rules import DEFAULT_RULES
from saylau.services.audit import snapshot
from saylau.services.context import Context, Scope, fetch
from saylau.services.deadlines import local_today
from saylau.services.errors import Conflict, InvalidInput, law_input
from saylau.storage.models import (
    Commission,
    District,
    DistrictPrecinct,
    Election,
    Observer,
    ObserverAssignment,
    ObserverOrganisation,
    Party,
    Precinct,
    Region,
)

MAX_NAME = 300
MAX_REASON = 500


class ObserverKind(StrEnum):
    """Who sends observers (CL art. 20-1): the categories of the coverage report."""

    PARTY = "party"
    NGO = "ngo"
    INTERNATIONAL = "international"
    MEDIA = "media"


@dataclass(frozen=True)
class AccreditationApplication:
    """An organisation's application for accreditation to a commission."""

    name: str
    kind: ObserverKind
    commission_id: int
    party_id: int | None = None


# --- helpers ------------------------------------------------------------------------------------


def commission_scope(commission: Commission) -> Scope:
    """The territory of a commission (the CEC's is national)."""
    return Scope(region_id=commission.region_id, unit_id=commission.unit_id)


def _covers(commission: Commission, precinct: Precinct) -> bool:
    if commission.level is CommissionLevel.CEC:
        return True
    if commission.level is CommissionLevel.TEC_REGION:
        return precinct.region_id == commission.region_id
    if commission.level is CommissionLevel.TEC_UNIT:
        return precinct.unit_id == commission.unit_id
    return precinct.id == commission.precinct_id


def accreditation_valid_on(organisation: ObserverOrganisation, day: date) -> bool:
    """Accredited, not refused, and ``day`` within [accredited_on, valid_until)."""
    return (
        organisation.accredited_on is not None
        and organisation.valid_until is not None
        and not organisation.refused_reason
        and organisation.accredited_on <= day < organisation.valid_until
    )


def _organisation(ctx: Context, organisation_id: int) -> tuple[ObserverOrganisation, Commission]:
    organisation = ctx.get(ObserverOrganisation, organisation_id, "organisation")
    if organisation.accrediting_commission_id is None:
        raise Conflict(
            "no_commission",
            f"organisation {organisation_id} has applied to no commission",
            field="organisation_id",
        )
    commission = ctx.get(Commission, organisation.accrediting_commission_id, "commission")
    ctx.authorize(Action.ACCREDIT_OBSERVERS, commission_scope(commission))
    return organisation, commission


def _today(ctx: Context, commission: Commission) -> date:
    return local_today(ctx, commission.region_id)


# --- accreditation ------------------------------------------------------------------------------


def apply_for_accreditation(
    ctx: Context, application: AccreditationApplication
) -> ObserverOrganisation:
    """Record an organisation's application; the review is due in 30 calendar days.

    International organisations apply to the CEC; the others to the CEC (republican) or a
    territorial commission (local). A party organisation names its party. An organisation whose
    application was refused, whose review is overdue or whose accreditation has expired may
    apply again; a pending or valid one may not (Conflict).
    """
    commission = ctx.get(Commission, application.commission_id, "commission")
    ctx.authorize(Action.ACCREDIT_OBSERVERS, commission_scope(commission))
    name = application.name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(
            "bad_name",
            f"name={application.name!r}: give 1–{MAX_NAME} characters",
            field="name",
        )
    try:
        kind = ObserverKind(application.kind)
    except ValueError:
        raise InvalidInput(
            "bad_kind",
            f"kind={application.kind!r}: one of {[k.value for k in ObserverKind]}",
            field="kind",
        ) from None
    if commission.level is CommissionLevel.PEC:
        raise InvalidInput(
            "wrong_commission",
            f"commission_id={commission.id}: observers are accredited by the CEC or a "
            "territorial commission, not a precinct commission (CL art. 20-1)",
            field="commission_id",
        )
    if kind is ObserverKind.INTERNATIONAL and commission.level is not CommissionLevel.CEC:
        raise InvalidInput(
            "wrong_commission",
            f"commission_id={commission.id}: international observers are accredited by the CEC "
            "(CL art. 20-1)",
            field="commission_id",
        )
    if (kind is ObserverKind.PARTY) != (application.party_id is not None):
        raise InvalidInput(
            "party_mismatch",
            f"party_id={application.party_id}: a party's organisation names its party, and only "
            "it does",
            field="party_id",
        )
    if application.party_id is not None:
        ctx.get(Party, application.party_id, "party")
    today = _today(ctx, commission)
    try:
        deadlines = observer_accreditation(today, DEFAULT_RULES.calendar)
    except LawInputError as exc:
        raise law_input(exc) from exc
    organisation = ctx.session.scalars(
        select(ObserverOrganisation).where(ObserverOrganisation.name == name)
    ).one_or_none()
    before = None
    if organisation is not None:
        if accreditation_valid_on(organisation, today):
            raise Conflict(
                "already_accredited",
                f"{name} is accredited until {organisation.valid_until}",
                field="name",
            )
        pending = (
            organisation.accredited_on is None
            and not organisation.refused_reason
            and organisation.review_due is not None
            and today <= organisation.review_due
        )
        if pending:
            raise Conflict(
                "application_pending",
                f"{name}'s application is under review until {organisation.review_due}",
                field="name",
            )
        before = snapshot(organisation)
    else:
        organisation = ObserverOrganisation(name=name)
        ctx.session.add(organisation)
    organisation.kind = kind.value
    organisation.party_id = application.party_id
    organisation.accrediting_commission_id = commission.id
    organisation.applied_on = today
    organisation.review_due = deadlines.review_deadline
    organisation.accredited_on = None
    organisation.valid_until = None
    organisation.refused_reason = ""
    ctx.session.flush()
    ctx.audit(
        "apply_for_accreditation",
        "observer_organisation",
        organisation.id,
        before,
        snapshot(organisation),
    )
    return organisation


def _pending(organisation: ObserverOrganisation, today: date) -> date:
    """The application day of a pending application (Conflict if none or review overdue)."""
    if (
        organisation.applied_on is None
        or organisation.review_due is None
        or organisation.accredited_on is not None
        or organisation.refused_reason
    ):
        raise Conflict(
            "not_pending",
            f"organisation {organisation.id} has no application awaiting review",
            field="organisation_id",
        )
    if today > organisation.review_due:
        raise Conflict(
            "deadline_passed",
            f"the review of {organisation.name}'s application was due by "
            f"{organisation.review_due.isoformat()} (monograph [L2399]); it must apply again",
            field="organisation_id",
            deadline=organisation.review_due.isoformat(),
        )
    return organisation.applied_on


def accredit_organisation(ctx: Context, organisation_id: int) -> ObserverOrganisation:
    """Accredit an organisation for one year from today (monograph [L2410]), within the review
    period of 30 days (monograph [L2399])."""
    organisation, commission = _organisation(ctx, organisation_id)
    today = _today(ctx, commission)
    applied = _pending(organisation, today)
    try:
        deadlines = observer_accreditation(applied, DEFAULT_RULES.calendar, granted=today)
    except LawInputError as exc:
        raise law_input(exc) from exc
    before = snapshot(organisation)
    organisation.accredited_on = today
    organisation.valid_until = deadlines.valid_until
    ctx.session.flush()
    ctx.audit(
        "accredit_organisation",
        "observer_organisation",
        organisation.id,
        before,
        snapshot(organisation),
    )
    return organisation


def refuse_accreditation(ctx: Context, organisation_id: int, reason: str) -> ObserverOrganisation:
    """Refuse an application, with the reason, within the review period."""
    organisation, commission = _organisation(ctx, organisation_id)
    text = reason.strip()
    if not text or len(text) > MAX_REASON:
        raise InvalidInput(
            "bad_reason", f"reason={reason!r}: give 1–{MAX_REASON} characters", field="reason"
        )
    _pending(organisation, _today(ctx, commission))
    before = snapshot(organisation)
    organisation.refused_reason = text
    ctx.session.flush()
    ctx.audit(
        "refuse_accreditation",
        "observer_organisation",
        organisation.id,
        before,
        snapshot(organisation),
    )
    return organisation


# --- observers ----------------------------------------------------------------------------------


def credential_number(organisation_id: int, sequence: int) -> str:
    """A credential number: the organisation and the observer's sequence within it."""
    return f"OBS-{organisation_id:05d}-{sequence:05d}"


def issue_credentials(
    ctx: Context, organisation_id: int, full_names: Sequence[str]
) -> list[Observer]:
    """Give credentials (unique numbers) to the named observers of an accredited organisation
    whose accreditation is valid today."""
    organisation, commission = _organisation(ctx, organisation_id)
    names = [n.strip() for n in full_names]
    if not names or any(not n or len(n) > MAX_NAME for n in names):
        raise InvalidInput(
            "bad_name",
            f"full_names={list(full_names)!r}: name each observer in 1–{MAX_NAME} characters",
            field="full_names",
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InvalidInput(
            "duplicate_name", f"full_names: {repeated} named twice", field="full_names"
        )
    today = _today(ctx, commission)
    if not accreditation_valid_on(organisation, today):
        raise Conflict(
            "not_accredited",
            f"{organisation.name} is not accredited on {today.isoformat()}"
            + (
                f" (accreditation ended on {organisation.valid_until.isoformat()})"
                if organisation.valid_until and organisation.accredited_on
                else ""
            )
            + ": only an accredited organisation's observers get credentials",
            field="organisation_id",
        )
    count = ctx.session.scalar(
        select(func.count())
        .select_from(Observer)
        .where(Observer.organisation_id == organisation.id)
    )
    issued: list[Observer] = []
    for offset, name in enumerate(names, start=1):
        observer = Observer(
            organisation_id=organisation.id,
            full_name=name,
            credential=credential_number(organisation.id, int(count or 0) + offset),
        )
        ctx.session.add(observer)
        ctx.session.flush()
        ctx.audit("issue_credential", "observer", observer.id, None, snapshot(observer))
        issued.append(observer)
    return issued


def election_precinct_ids(session: Session, election_id: int) -> list[int]:
    """The precincts taking part in an election: those of its districts; every precinct if it
    has no districts (a list-only election)."""
    ids = set(
        session.scalars(
            select(DistrictPrecinct.precinct_id)
            .join(District, District.id == DistrictPrecinct.district_id)
            .where(District.election_id == election_id)
        )
    )
    if not ids:
        ids = set(session.scalars(select(Precinct.id)))
    return sorted(ids)


def precincts_taking_part(
    session: Session, election_id: int, precinct_ids: Collection[int]
) -> set[int]:
    """Of ``precinct_ids``, those taking part in the election (as :func:`election_precinct_ids`
    decides), read for those precincts only: an assignment names a few precincts, and reading
    the country's for each of a region's thousands of observers made accreditation quadratic."""
    in_districts = (
        select(DistrictPrecinct.precinct_id)
        .join(District, District.id == DistrictPrecinct.district_id)
        .where(District.election_id == election_id)
    )
    if session.scalar(in_districts.limit(1)) is None:
        return set(session.scalars(select(Precinct.id).where(Precinct.id.in_(precinct_ids))))
    return set(session.scalars(in_districts.where(DistrictPrecinct.precinct_id.in_(precinct_ids))))


def assign_observer(
    ctx: Context, observer_id: int, election_id: int, precinct_ids: Sequence[int]
) -> list[ObserverAssignment]:
    """Assign an observer to precincts of an election.

    The organisation's accreditation must be valid on polling day, which must not have passed;
    the precincts must take part in the election and lie in the accrediting commission's
    territory. Idempotent: an existing assignment is returned, not duplicated.
    """
    observer = ctx.get(Observer, observer_id, "observer")
    organisation, commission = _organisation(ctx, observer.organisation_id)
    election = ctx.get(Election, election_id, "election")
    wanted = list(precinct_ids)
    if not wanted or len(set(wanted)) != len(wanted):
        raise InvalidInput(
            "bad_precincts",
            f"precinct_ids={wanted}: name each precinct once, at least one",
            field="precinct_ids",
        )
    taking_part = precincts_taking_part(ctx.session, election.id, wanted)
    for precinct_id in wanted:
        precinct = ctx.get(Precinct, precinct_id, "precinct")
        if precinct_id not in taking_part:
            raise InvalidInput(
                "precinct_not_in_election",
                f"precinct {precinct_id} takes no part in election {election_id}",
                field="precinct_ids",
            )
        if not _covers(commission, precinct):
            raise InvalidInput(
                "outside_accreditation",
                f"precinct {precinct_id} lies outside the territory of {commission.name}, which "
                f"accredited {organisation.name}",
                field="precinct_ids",
            )
    today = _today(ctx, commission)
    if today > election.polling_day:
        raise Conflict(
            "polling_day_passed",
            f"election {election_id} was held on {election.polling_day.isoformat()}",
            field="election_id",
        )
    if not accreditation_valid_on(organisation, election.polling_day):
        raise Conflict(
            "not_accredited",
            f"{organisation.name} is not accredited on polling day "
            f"{election.polling_day.isoformat()}",
            field="observer_id",
        )
    existing = {
        a.precinct_id: a
        for a in ctx.session.scalars(
            select(ObserverAssignment).where(
                ObserverAssignment.observer_id == observer.id,
                ObserverAssignment.election_id == election.id,
            )
        )
    }
    result: list[ObserverAssignment] = []
    for precinct_id in wanted:
        assignment = existing.get(precinct_id)
        if assignment is None:
            assignment = ObserverAssignment(
                observer_id=observer.id, election_id=election.id, precinct_id=precinct_id
            )
            ctx.session.add(assignment)
            ctx.session.flush()
            ctx.audit(
                "assign_observer", "observer_assignment", assignment.id, None, snapshot(assignment)
            )
        result.append(assignment)
    return result


# --- coverage -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrecinctCoverage:
    precinct_id: int
    region_id: int
    number: int
    observers: int
    categories: dict[str, int]
    """Observers by the kind of organisation that sent them."""


@dataclass(frozen=True)
class RegionCoverage:
    region_id: int
    code: str
    name_en: str
    precincts: int
    covered: int
    share: Fraction
    """covered / precincts, exact."""
    observers: int
    categories: dict[str, int]


@dataclass(frozen=True)
class CoverageReport:
    election_id: int
    precincts: tuple[PrecinctCoverage, ...]
    regions: tuple[RegionCoverage, ...]
    total_precincts: int
    covered: int
    share: Fraction
    observers: int
    categories: dict[str, int]


def coverage_report(session: Session, election_id: int) -> CoverageReport:
    """Per precinct and region: how many observers, of which categories (party, NGO,
    international, media), and the share of precincts with at least one (exact fractions).

    An observer counts once per precinct they are assigned to; the totals count assignments.
    """
    fetch(session, Election, election_id, "election")
    ids = election_precinct_ids(session, election_id)
    precincts = {p.id: p for p in session.scalars(select(Precinct).where(Precinct.id.in_(ids)))}
    counts: defaultdict[int, dict[str, int]] = defaultdict(dict)
    rows = session.execute(
        select(
            ObserverAssignment.precinct_id,
            ObserverOrganisation.kind,
            func.count(func.distinct(ObserverAssignment.observer_id)),
        )
        .join(Observer, Observer.id == ObserverAssignment.observer_id)
        .join(ObserverOrganisation, ObserverOrganisation.id == Observer.organisation_id)
        .where(ObserverAssignment.election_id == election_id)
        .group_by(ObserverAssignment.precinct_id, ObserverOrganisation.kind)
    )
    for precinct_id, kind, count in rows:
        counts[int(precinct_id)][str(kind)] = int(count)
    per_precinct = tuple(
        PrecinctCoverage(
            precinct_id=p.id,
            region_id=p.region_id,
            number=p.number,
            observers=sum(counts[p.id].values()),
            categories=dict(sorted(counts[p.id].items())),
        )
        for p in sorted(precincts.values(), key=lambda p: (p.region_id, p.number))
    )
    regions = {
        r.id: r
        for r in session.scalars(
            select(Region).where(Region.id.in_({p.region_id for p in precincts.values()}))
        )
    }
    per_region: list[RegionCoverage] = []
    for region_id in sorted(regions):
        items = [c for c in per_precinct if c.region_id == region_id]
        covered = sum(1 for c in items if c.observers)
        per_region.append(
            RegionCoverage(
                region_id=region_id,
                code=regions[region_id].code,
                name_en=regions[region_id].name_en,
                precincts=len(items),
                covered=covered,
                share=Fraction(covered, len(items)),
                observers=sum(c.observers for c in items),
                categories=_sum_categories(items),
            )
        )
    covered = sum(1 for c in per_precinct if c.observers)
    return CoverageReport(
        election_id=election_id,
        precincts=per_precinct,
        regions=tuple(per_region),
        total_precincts=len(per_precinct),
        covered=covered,
        share=Fraction(covered, len(per_precinct)) if per_precinct else Fraction(0),
        observers=sum(c.observers for c in per_precinct),
        categories=_sum_categories(per_precinct),
    )


def _sum_categories(items: Sequence[PrecinctCoverage]) -> dict[str, int]:
    total: defaultdict[str, int] = defaultdict(int)
    for item in items:
        for kind, count in item.categories.items():
            total[kind] += count
    return dict(sorted(total.items()))
