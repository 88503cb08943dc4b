"""Single-member districts: plans imported all-or-nothing, the districting check, publication by
the deadline, territorial permissions, and the ballots each precinct ends up with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.law.bodies import ContestKind
from saylau.law.calendar import ElectionKind
from saylau.services.context import Actor, execute
from saylau.services.districts import (
    DistrictInput,
    DistrictPlan,
    districting_report,
    edit_district,
    import_districts,
    publish_districts,
)
from saylau.services.elections import CallElection, call_election, check_ballots
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied
from saylau.storage.models import AuditEvent, Contest, District, DistrictPrecinct, Precinct
from tests.world import World, build_world

OPERATOR = Actor.operator()
CALL = CallElection(
    polling_day=datetime(2023, 3, 19).date(),
    called_on=datetime(2023, 1, 19).date(),
    kind=ElectionKind.EARLY,
)
SOON = datetime(2023, 1, 23, 6, 0, tzinfo=UTC)
DEADLINE = datetime(2023, 1, 29, 12, 0, tzinfo=UTC)  # call + 10 days, 18:00 in Asia/Almaty
RAION = [
    {"body": "KZ-35/Raion", "number": 1, "name": "Raion 1", "precincts": [1]},
    {"body": "KZ-35/Raion", "number": 2, "name": "Raion 2", "precincts": [2]},
]
TOWN = [
    {"body": "KZ-35/Town", "number": 1, "precincts": [3]},
    {"body": "KZ-35/Town", "number": 2, "precincts": [4]},
]


def at(moment: datetime) -> Any:
    return lambda: moment


def setup(factory: sessionmaker[Session]) -> tuple[World, int]:
    with factory() as session, session.begin():
        world = build_world(session)
    election_id = execute(factory, OPERATOR, call_election, CALL, clock=at(SOON)).election.id
    return world, election_id


def count(factory: sessionmaker[Session], model: type[Any]) -> int:
    with factory() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def actor(factory: sessionmaker[Session], username: str, role: Role, commission: int) -> Actor:
    with factory() as session:
        return Actor.load(session, username, role, commission)


def plan(*rows: dict[str, Any]) -> DistrictPlan:
    return DistrictPlan.of(rows)


def test_a_csv_plan_creates_districts_with_contests_once(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    world, election_id = setup(factory)
    path = tmp_path / "plan.csv"
    path.write_text(
        "body,number,name,precincts\n"
        "KZ-35/Raion,1,Raion 1,1\n"
        "KZ-35/Raion,2,Raion 2,2\n"
        "KZ-35/Town,1,Town 1,3\n"
        "KZ-35/Town,2,Town 2,4\n",
        encoding="utf-8",
    )
    report = execute(factory, OPERATOR, import_districts, election_id, DistrictPlan.read(path))
    assert report.tally("district").created == 4 and report.tally("contest").created == 4
    assert report.body_ids == sorted([world.bodies["district"], world.bodies["city"]])
    with factory() as session:
        contests = list(
            session.execute(select(Contest).where(Contest.district_id.is_not(None))).scalars()
        )
    assert {c.kind for c in contests} == {ContestKind.SECOND_LEVEL_SMD}
    assert all(c.seats == 1 for c in contests)
    events = count(factory, AuditEvent)
    again = execute(factory, OPERATOR, import_districts, election_id, DistrictPlan.read(path))
    assert again.changed == 0
    assert count(factory, AuditEvent) == events


def test_the_report_shows_each_deviation_from_the_mean(factory: sessionmaker[Session]) -> None:
    world, election_id = setup(factory)
    execute(factory, OPERATOR, import_districts, election_id, plan(*RAION, *TOWN))
    with factory() as session:
        raion = districting_report(session, election_id, world.bodies["district"])
        town = districting_report(session, election_id, world.bodies["city"])
    assert raion.law is not None and raion.law.mean == 1100
    assert [(d.voters, d.deviation) for d in raion.districts] == [
        (1000, Fraction(-1, 11)),
        (1200, Fraction(1, 11)),
    ]
    assert raion.complete and raion.acceptable and raion.problems() == []
    assert town.complete and not town.acceptable  # 1500 vs 900: ±25% > ±15% (decision #11)
    assert town.deviation_problems()[0].startswith("district 1: 1500 voters, +25.00%")
    document = raion.as_dict()
    assert document["districts"][0]["precincts"] == ["KZ-35:1"]
    assert document["districts"][0]["deviation_percent"] == "-9.09%"


def test_a_plan_with_bad_rows_writes_nothing_and_names_them(
    factory: sessionmaker[Session],
) -> None:
    _, election_id = setup(factory)
    bad = plan(
        {"body": "KZ-35/Raion", "number": 3, "precincts": [1]},
        {"body": "KZ-35/Raion", "number": 1, "precincts": [3]},
        {"body": "KZ-35", "number": 1, "precincts": [77]},
        {"body": "mazhilis", "number": 1, "precincts": [1]},
        {"body": "KZ-99", "number": 1, "precincts": [1]},
        {"body": "KZ-35", "number": 2, "precincts": []},
        {"body": "KZ-35", "number": 3, "precincts": [3, "KZ-35:3"]},
        {"body": "KZ-71", "number": 1, "precincts": [1], "colour": "red"},
        *RAION,
    )
    with pytest.raises(InvalidInput) as caught:
        execute(factory, OPERATOR, import_districts, election_id, bad)
    found = [(e["row"], e["field"]) for e in caught.value.params["errors"]]
    assert found == [
        ("row 1", "number"),
        ("row 2", "precincts"),
        ("row 3", "precincts"),
        ("row 4", "precincts"),
        ("row 5", "body"),
        ("row 6", "precincts"),
        ("row 7", "precincts"),
        ("row 8", "colour"),
        ("row 9", "number"),  # district 1 of the Raion, already given in row 2
    ]
    assert "lies outside the territory" in caught.value.message
    assert count(factory, District) == 0
    assert count(factory, AuditEvent) == 4  # the call only


def test_a_body_not_in_the_election_gets_no_districts(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        world = build_world(session)
    call = CallElection(
        polling_day=CALL.polling_day, called_on=CALL.called_on, body_ids=(world.bodies["capital"],)
    )
    election_id = execute(factory, OPERATOR, call_election, call).election.id
    with pytest.raises(InvalidInput, match="not elected in this election"):
        execute(factory, OPERATOR, import_districts, election_id, plan(*RAION))


def test_a_precinct_belongs_to_one_district_of_a_body(factory: sessionmaker[Session]) -> None:
    _, election_id = setup(factory)
    with pytest.raises(InvalidInput, match="also in district 1"):
        execute(
            factory,
            OPERATOR,
            import_districts,
            election_id,
            plan(
                {"body": "KZ-35", "number": 1, "precincts": [1, 2]},
                {"body": "KZ-35", "number": 2, "precincts": [2, 3]},
            ),
        )
    execute(
        factory,
        OPERATOR,
        import_districts,
        election_id,
        plan({"body": "KZ-35", "number": 1, "precincts": [1, 2]}),
    )
    with pytest.raises(InvalidInput) as caught:
        execute(
            factory,
            OPERATOR,
            import_districts,
            election_id,
            plan({"body": "KZ-35", "number": 2, "precincts": [2]}),
        )
    assert caught.value.code == "precinct_in_two_districts"
    assert count(factory, District) == 1  # rolled back
    moved = execute(
        factory,
        OPERATOR,
        import_districts,
        election_id,
        plan(
            {"body": "KZ-35", "number": 1, "precincts": [1]},
            {"body": "KZ-35", "number": 2, "precincts": [2]},
        ),
    )
    assert (moved.tally("district").updated, moved.tally("district").created) == (1, 1)
    with factory() as session:
        event = (
            session.execute(
                select(AuditEvent).where(AuditEvent.entity == "district").order_by(AuditEvent.id)
            )
            .scalars()
            .all()[1]
        )
    assert event.before is not None and event.after is not None
    assert len(event.before["precinct_ids"]) == 2 and len(event.after["precinct_ids"]) == 1


def test_edit_one_district_by_ids(factory: sessionmaker[Session]) -> None:
    world, election_id = setup(factory)
    district = execute(
        factory,
        OPERATOR,
        edit_district,
        election_id,
        DistrictInput(world.bodies["mazhilis"], 1, tuple(world.precincts.values()), "Whole test"),
    )
    with factory() as session:
        members = session.execute(
            select(func.count())
            .select_from(DistrictPrecinct)
            .where(DistrictPrecinct.district_id == district.id)
        ).scalar_one()
        contest = session.execute(
            select(Contest).where(Contest.district_id == district.id)
        ).scalar_one()
    assert members == 6 and contest.kind is ContestKind.MAZHILIS_SMD


def test_publication_needs_a_complete_plan_then_freezes_it(
    factory: sessionmaker[Session],
) -> None:
    world, election_id = setup(factory)
    body = world.bodies["district"]
    execute(factory, OPERATOR, import_districts, election_id, plan(RAION[0]))
    with pytest.raises(Conflict) as caught:
        execute(factory, OPERATOR, publish_districts, election_id, body, clock=at(SOON))
    assert caught.value.code == "districts_not_ready"
    assert "1 districts formed" in caught.value.message and "KZ-35:2" in caught.value.message
    execute(factory, OPERATOR, import_districts, election_id, plan(*RAION))
    result = execute(factory, OPERATOR, publish_districts, election_id, body, clock=at(SOON))
    assert (result.published_at, result.late, result.deadline) == (SOON, False, DEADLINE)
    events = count(factory, AuditEvent)
    again = execute(factory, OPERATOR, publish_districts, election_id, body, clock=at(SOON))
    assert again.already_published and count(factory, AuditEvent) == events
    with pytest.raises(Conflict) as frozen:
        execute(factory, OPERATOR, import_districts, election_id, plan(*RAION))
    assert frozen.value.code == "districts_published"
    with factory() as session:
        assert districting_report(session, election_id, body).published


def test_coverage_gaps_block_publication(factory: sessionmaker[Session]) -> None:
    world, election_id = setup(factory)
    execute(
        factory,
        OPERATOR,
        import_districts,
        election_id,
        plan(*({"body": "KZ-35", "number": n, "precincts": [n]} for n in (1, 2, 3))),
    )
    with pytest.raises(Conflict, match="precincts in no district: KZ-35:4"):
        execute(
            factory,
            OPERATOR,
            publish_districts,
            election_id,
            world.bodies["oblast"],
            clock=at(SOON),
        )


def test_deviations_outside_tolerance_need_a_reason(factory: sessionmaker[Session]) -> None:
    world, election_id = setup(factory)
    execute(factory, OPERATOR, import_districts, election_id, plan(*TOWN))
    body = world.bodies["city"]
    with pytest.raises(Conflict) as caught:
        execute(factory, OPERATOR, publish_districts, election_id, body, clock=at(SOON))
    assert caught.value.code == "deviation_outside_tolerance"
    result = execute(
        factory,
        OPERATOR,
        publish_districts,
        election_id,
        body,
        deviation_reason="two precincts only",
        clock=at(SOON),
    )
    assert len(result.warnings) == 2
    with factory() as session:
        last = session.execute(
            select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)
        ).scalar_one()
    assert last.after is not None and last.after["deviation_reason"] == "two precincts only"


def test_publication_after_the_deadline_needs_a_reason(factory: sessionmaker[Session]) -> None:
    world, election_id = setup(factory)
    body = world.bodies["district"]
    execute(factory, OPERATOR, import_districts, election_id, plan(*RAION))
    late = DEADLINE + timedelta(minutes=1)
    with pytest.raises(Conflict) as caught:
        execute(factory, OPERATOR, publish_districts, election_id, body, clock=at(late))
    assert caught.value.code == "deadline_passed"
    assert "2023-01-29 18:00" in caught.value.message
    assert count(factory, AuditEvent) == 4 + 4  # call + districts and contests; nothing more
    result = execute(
        factory,
        OPERATOR,
        publish_districts,
        election_id,
        body,
        late_reason="the TEC's session was postponed",
        clock=at(late),
    )
    assert result.late and "after the deadline" in result.warnings[0]
    with factory() as session:
        last = session.execute(
            select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)
        ).scalar_one()
    assert last.after is not None and last.after["late_reason"] == "the TEC's session was postponed"


def test_publication_exactly_at_the_deadline_is_in_time(factory: sessionmaker[Session]) -> None:
    world, election_id = setup(factory)
    execute(factory, OPERATOR, import_districts, election_id, plan(*RAION))
    result = execute(
        factory,
        OPERATOR,
        publish_districts,
        election_id,
        world.bodies["district"],
        clock=at(DEADLINE),
    )
    assert not result.late


def test_a_tec_forms_districts_only_in_its_own_territory(factory: sessionmaker[Session]) -> None:
    world, election_id = setup(factory)
    capital_admin = actor(
        factory, "capital_admin", Role.TEC_ADMIN, world.commissions["tec_capital"]
    )
    oblast_admin = actor(factory, "oblast_admin", Role.TEC_ADMIN, world.commissions["tec_oblast"])
    with pytest.raises(PermissionDenied):
        execute(factory, capital_admin, import_districts, election_id, plan(*RAION))
    with pytest.raises(PermissionDenied):
        execute(
            factory,
            oblast_admin,
            import_districts,
            election_id,
            plan({"body": "mazhilis", "number": 1, "precincts": ["KZ-35:1"]}),
        )
    assert count(factory, District) == 0
    execute(factory, oblast_admin, import_districts, election_id, plan(*RAION))
    with pytest.raises(PermissionDenied):
        execute(
            factory,
            capital_admin,
            publish_districts,
            election_id,
            world.bodies["district"],
            clock=at(SOON),
        )
    execute(
        factory,
        oblast_admin,
        publish_districts,
        election_id,
        world.bodies["district"],
        clock=at(SOON),
    )
    with factory() as session:
        refused = session.execute(
            select(AuditEvent.action, AuditEvent.username).where(AuditEvent.outcome == "refused")
        ).all()
    assert [tuple(r) for r in refused] == [
        ("import_districts", "capital_admin"),
        ("import_districts", "oblast_admin"),
        ("publish_districts", "capital_admin"),
    ]


def test_with_every_district_formed_each_precinct_has_its_ballots(
    factory: sessionmaker[Session],
) -> None:
    world, election_id = setup(factory)
    with factory() as session, session.begin():
        p7 = Precinct(region_id=world.regions["capital"], number=3, voters=1900)
        session.add(p7)
    rows = [
        {"body": "KZ-35", "number": 1, "precincts": [1, 2]},
        {"body": "KZ-35", "number": 2, "precincts": [3]},
        {"body": "KZ-35", "number": 3, "precincts": [4]},
        *({"body": "KZ-71", "number": n, "precincts": [n]} for n in (1, 2, 3)),
        *RAION,
        *TOWN,
        {
            "body": "mazhilis",
            "number": 1,
            "precincts": [f"KZ-35:{n}" for n in (1, 2, 3, 4)] + ["KZ-71:1", "KZ-71:2", "KZ-71:3"],
        },
    ]
    execute(factory, OPERATOR, import_districts, election_id, plan(*rows))
    with factory() as session:
        precincts = list(session.execute(select(Precinct)).scalars())
        checks = {p.id: check_ballots(session, election_id, p.id) for p in precincts}
    assert all(check.agrees for check in checks.values())
    assert len(checks[world.precincts["p1"]].found) == 5
    assert len(checks[world.precincts["p5"]].found) == 4
    assert len(checks[p7.id].found) == 4
