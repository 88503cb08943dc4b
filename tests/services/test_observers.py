"""Observer accreditation (30-day review, one-year validity: CL art. 20-1; monograph [L2399,
L2410]), credentials, assignment to precincts and coverage, on both databases.

Applications on 2 January 2023 are due for review by 1 February 2023; accreditation granted on
1 February 2023 is valid until 1 February 2024 (exclusive). The election is on 19 March 2023.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services.context import Actor, execute
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied
from saylau.services.observers import (
    AccreditationApplication,
    ObserverKind,
    accredit_organisation,
    apply_for_accreditation,
    assign_observer,
    coverage_report,
    issue_credentials,
    refuse_accreditation,
)
from saylau.storage.models import AuditEvent, ObserverAssignment, ObserverOrganisation, Precinct
from tests.world import World, build_election, build_world

APPLIED = date(2023, 1, 2)
REVIEW_DUE = date(2023, 2, 1)


def at(day: date) -> Callable[[], datetime]:
    moment = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)  # 12:00 in Asia/Almaty
    return lambda: moment


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    with factory() as session, session.begin():
        return build_election(session, build_world(session))


def run(
    factory: sessionmaker[Session],
    day: date,
    operation: Callable[..., Any],
    *args: Any,
    actor: Actor | None = None,
) -> Any:
    return execute(factory, actor or Actor.operator(), operation, *args, clock=at(day))


def apply(
    factory: sessionmaker[Session],
    world: World,
    name: str,
    kind: ObserverKind,
    commission: str = "tec_oblast",
    party: str | None = None,
    day: date = APPLIED,
    actor: Actor | None = None,
) -> ObserverOrganisation:
    application = AccreditationApplication(
        name=name,
        kind=kind,
        commission_id=world.commissions[commission],
        party_id=world.parties[party] if party else None,
    )
    return run(factory, day, apply_for_accreditation, application, actor=actor)  # type: ignore[no-any-return]


def accredited(
    factory: sessionmaker[Session],
    world: World,
    name: str,
    kind: ObserverKind,
    commission: str = "tec_oblast",
    party: str | None = None,
) -> int:
    org = apply(factory, world, name, kind, commission, party)
    run(factory, REVIEW_DUE, accredit_organisation, org.id)
    return int(org.id)


def events(factory: sessionmaker[Session], **where: Any) -> list[AuditEvent]:
    with factory() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for key, value in where.items():
            query = query.where(getattr(AuditEvent, key) == value)
        return list(session.scalars(query))


def test_review_within_thirty_days_and_one_year_validity(
    factory: sessionmaker[Session], world: World
) -> None:
    org = apply(factory, world, "Fair Vote", ObserverKind.NGO)
    assert (org.applied_on, org.review_due) == (APPLIED, REVIEW_DUE)
    with pytest.raises(Conflict, match="under review until 2023-02-01"):
        apply(factory, world, "Fair Vote", ObserverKind.NGO, day=date(2023, 1, 10))
    done = run(factory, REVIEW_DUE, accredit_organisation, org.id)
    assert (done.accredited_on, done.valid_until) == (REVIEW_DUE, date(2024, 2, 1))
    late = apply(factory, world, "Slow Org", ObserverKind.NGO)
    with pytest.raises(Conflict) as overdue:
        run(factory, date(2023, 2, 2), accredit_organisation, late.id)
    assert overdue.value.code == "deadline_passed" and "2023-02-01" in overdue.value.message
    # an overdue application may be filed again, with a new review period
    again = apply(factory, world, "Slow Org", ObserverKind.NGO, day=date(2023, 2, 2))
    assert again.id == late.id and again.review_due == date(2023, 3, 4)


def test_refusal_needs_a_reason_and_allows_a_new_application(
    factory: sessionmaker[Session], world: World
) -> None:
    org = apply(factory, world, "Watchers", ObserverKind.NGO)
    with pytest.raises(InvalidInput):
        run(factory, date(2023, 1, 5), refuse_accreditation, org.id, "  ")
    refused = run(
        factory,
        date(2023, 1, 5),
        refuse_accreditation,
        org.id,
        "charter does not allow observation",
    )
    assert refused.refused_reason == "charter does not allow observation"
    with pytest.raises(Conflict):
        run(factory, date(2023, 1, 6), accredit_organisation, org.id)
    with pytest.raises(Conflict, match="not accredited on 2023-01-06"):
        run(factory, date(2023, 1, 6), issue_credentials, org.id, ["A"])
    again = apply(factory, world, "Watchers", ObserverKind.NGO, day=date(2023, 1, 20))
    assert again.refused_reason == "" and again.review_due == date(2023, 2, 19)


@pytest.mark.parametrize(
    ("kind", "commission", "party", "field"),
    [
        (ObserverKind.INTERNATIONAL, "tec_oblast", None, "commission_id"),
        (ObserverKind.NGO, "pec_p1", None, "commission_id"),
        (ObserverKind.PARTY, "tec_oblast", None, "party_id"),
        (ObserverKind.NGO, "tec_oblast", "alpha", "party_id"),
    ],
)
def test_application_rules(
    factory: sessionmaker[Session],
    world: World,
    kind: ObserverKind,
    commission: str,
    party: str | None,
    field: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        apply(factory, world, "Org", kind, commission, party)
    assert refused.value.field == field
    with factory() as session:
        assert session.scalars(select(ObserverOrganisation)).all() == []


def test_credentials_only_from_a_valid_accreditation(
    factory: sessionmaker[Session], world: World
) -> None:
    org = apply(factory, world, "Fair Vote", ObserverKind.NGO)
    with pytest.raises(Conflict, match="not accredited on 2023-01-10"):
        run(factory, date(2023, 1, 10), issue_credentials, org.id, ["Aigerim Bekova"])
    run(factory, REVIEW_DUE, accredit_organisation, org.id)
    first = run(
        factory, date(2023, 2, 10), issue_credentials, org.id, ["Aigerim Bekova", "Daulet Ospanov"]
    )
    second = run(factory, date(2023, 2, 11), issue_credentials, org.id, ["Erlan Nurov"])
    numbers = [o.credential for o in [*first, *second]]
    assert numbers == [
        f"OBS-{org.id:05d}-00001",
        f"OBS-{org.id:05d}-00002",
        f"OBS-{org.id:05d}-00003",
    ]
    with pytest.raises(InvalidInput):
        run(factory, date(2023, 2, 11), issue_credentials, org.id, ["Same", "Same"])
    # on the anniversary the accreditation has run out
    with pytest.raises(Conflict, match="not accredited on 2024-02-01"):
        run(factory, date(2024, 2, 1), issue_credentials, org.id, ["Late Person"])


def test_assignment_rules_and_idempotency(factory: sessionmaker[Session], world: World) -> None:
    org = accredited(factory, world, "Fair Vote", ObserverKind.NGO)
    [observer] = run(factory, date(2023, 2, 10), issue_credentials, org, ["Aigerim Bekova"])
    election = world.election
    p1, p2, p5 = (world.precincts[n] for n in ("p1", "p2", "p5"))
    made = run(factory, date(2023, 3, 1), assign_observer, observer.id, election, [p1, p2])
    again = run(factory, date(2023, 3, 2), assign_observer, observer.id, election, [p1])
    assert again[0].id == made[0].id
    assert len(events(factory, action="assign_observer")) == 2
    with pytest.raises(InvalidInput) as outside:
        run(factory, date(2023, 3, 1), assign_observer, observer.id, election, [p1, p5])
    assert outside.value.code == "outside_accreditation"
    with pytest.raises(Conflict, match="held on 2023-03-19"):
        run(factory, date(2023, 3, 20), assign_observer, observer.id, election, [p1])
    with factory() as session:
        assert len(session.scalars(select(ObserverAssignment)).all()) == 2


def test_a_precinct_outside_the_elections_districts_is_refused(
    factory: sessionmaker[Session], world: World
) -> None:
    """Only the precincts of the election's districts take part (a new precinct of the same
    territory, in no district, does not)."""
    org = accredited(factory, world, "Fair Vote", ObserverKind.NGO)
    [observer] = run(factory, date(2023, 2, 10), issue_credentials, org, ["Aigerim Bekova"])
    with factory() as session, session.begin():
        outside = Precinct(
            region_id=world.regions["oblast"],
            unit_id=world.units["district"],
            number=99,
            address="New street",
            voters=500,
        )
        session.add(outside)
        session.flush()
        outside_id = outside.id
    p1 = world.precincts["p1"]
    with pytest.raises(InvalidInput) as refused:
        run(
            factory,
            date(2023, 3, 1),
            assign_observer,
            observer.id,
            world.election,
            [p1, outside_id],
        )
    assert refused.value.code == "precinct_not_in_election"
    assert str(outside_id) in refused.value.message
    assert run(factory, date(2023, 3, 1), assign_observer, observer.id, world.election, [p1])


def test_accreditation_must_cover_polling_day(factory: sessionmaker[Session], world: World) -> None:
    """Accredited on 1 March 2022 → valid until 1 March 2023, before the 19 March polling day."""
    org = apply(factory, world, "Old Org", ObserverKind.NGO, day=date(2022, 2, 20))
    run(factory, date(2022, 3, 1), accredit_organisation, org.id)
    [observer] = run(factory, date(2022, 3, 2), issue_credentials, org.id, ["Old Observer"])
    with pytest.raises(Conflict, match="not accredited on polling day 2023-03-19"):
        run(
            factory,
            date(2023, 2, 1),
            assign_observer,
            observer.id,
            world.election,
            [world.precincts["p1"]],
        )


def test_permissions_follow_the_accrediting_commission(
    factory: sessionmaker[Session], world: World
) -> None:
    with factory() as session:
        capital = Actor.load(
            session, "capital_admin", Role.TEC_ADMIN, world.commissions["tec_capital"]
        )
        oblast = Actor.load(
            session, "oblast_admin", Role.TEC_ADMIN, world.commissions["tec_oblast"]
        )
        analyst = Actor.load(session, "analyst", Role.ANALYST, None)
    with pytest.raises(PermissionDenied):
        apply(factory, world, "Org", ObserverKind.NGO, actor=capital)
    with pytest.raises(PermissionDenied):
        apply(factory, world, "Global Watch", ObserverKind.INTERNATIONAL, "cec", actor=oblast)
    org = apply(factory, world, "Org", ObserverKind.NGO, actor=oblast)
    with pytest.raises(PermissionDenied):
        run(factory, REVIEW_DUE, accredit_organisation, org.id, actor=capital)
    with pytest.raises(PermissionDenied):
        run(factory, REVIEW_DUE, accredit_organisation, org.id, actor=analyst)
    refusals = events(factory, outcome="refused")
    assert [(e.username, e.action, e.entity_id) for e in refusals] == [
        ("capital_admin", "apply_for_accreditation", "outside_territory"),
        ("oblast_admin", "apply_for_accreditation", "outside_territory"),
        ("capital_admin", "accredit_organisation", "outside_territory"),
        ("analyst", "accredit_organisation", "role_forbids"),
    ]
    done = run(factory, REVIEW_DUE, accredit_organisation, org.id, actor=oblast)
    assert done.accredited_on == REVIEW_DUE


def test_coverage_report(factory: sessionmaker[Session], world: World) -> None:
    """p1: 2 party observers, p2: 1 party, p3: 1 NGO, p5: 1 international; p4 and p6 uncovered.
    Covered 4 of 6 = 2/3; Testoblast 3 of 4 = 3/4; Testcapital 1 of 2 = 1/2."""
    party = accredited(factory, world, "Alpha observers", ObserverKind.PARTY, party="alpha")
    ngo = accredited(factory, world, "Fair Vote", ObserverKind.NGO)
    foreign = accredited(factory, world, "Global Watch", ObserverKind.INTERNATIONAL, "cec")
    day = date(2023, 3, 1)
    a, b = run(factory, day, issue_credentials, party, ["A One", "A Two"])
    [c] = run(factory, day, issue_credentials, ngo, ["N One"])
    [d] = run(factory, day, issue_credentials, foreign, ["I One"])
    p = world.precincts
    run(factory, day, assign_observer, a.id, world.election, [p["p1"], p["p2"]])
    run(factory, day, assign_observer, b.id, world.election, [p["p1"]])
    run(factory, day, assign_observer, c.id, world.election, [p["p3"]])
    run(factory, day, assign_observer, d.id, world.election, [p["p5"]])
    assert world.election is not None
    with factory() as session:
        report = coverage_report(session, world.election)
    by_precinct = {c.precinct_id: (c.observers, c.categories) for c in report.precincts}
    assert by_precinct == {
        p["p1"]: (2, {"party": 2}),
        p["p2"]: (1, {"party": 1}),
        p["p3"]: (1, {"ngo": 1}),
        p["p4"]: (0, {}),
        p["p5"]: (1, {"international": 1}),
        p["p6"]: (0, {}),
    }
    assert (report.total_precincts, report.covered, report.share) == (6, 4, Fraction(2, 3))
    assert report.observers == 5
    assert report.categories == {"international": 1, "ngo": 1, "party": 3}
    regions = {r.code: (r.precincts, r.covered, r.share, r.categories) for r in report.regions}
    assert regions == {
        "KZ-35": (4, 3, Fraction(3, 4), {"ngo": 1, "party": 3}),
        "KZ-71": (2, 1, Fraction(1, 2), {"international": 1}),
    }
