"""List seats given by the party branch, deputies registered, competence (CL art. 111-1 para 5;
art. 97-1 para 5; LSA art. 5 paras 2, 4), on SQLite and PostgreSQL.

Dates: the test election is on 19 March 2023 in Asia/Almaty (UTC+6 then); results are due
E+7 = 26 March 18:00, so the branch decides by 31 March 18:00 local = 12:00 UTC (Mazhilis: ten
days, 5 April 18:00 local).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.law.iin import Sex
from saylau.services.context import Actor, execute
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied
from saylau.services.mandates import assign_list_mandates, competence, register_deputy
from saylau.storage.models import (
    AuditEvent,
    ListEntry,
    Mandate,
    MandateSource,
    MandateState,
    PartyList,
    Person,
    RoleAssignment,
    User,
)
from tests.world import World, build_election, build_world


def at(year: int, month: int, day: int, hour: int, minute: int) -> Callable[[], datetime]:
    moment = datetime(year, month, day, hour, minute, tzinfo=UTC)
    return lambda: moment


IIN = itertools.count(1)
BEFORE_DEADLINE = at(2023, 3, 31, 11, 59)
AFTER_DEADLINE = at(2023, 3, 31, 12, 1)


@dataclass
class Setup:
    world: World
    persons: dict[str, int]
    seats: list[int]
    smd: int


def person(session: Session, key: str, sex: Sex, born: date, **extra: Any) -> Person:
    row = Person(
        iin=f"{next(IIN):012d}",
        surname=key.title(),
        name="Test",
        birth_date=born,
        sex=sex,
        **extra,
    )
    session.add(row)
    session.flush()
    return row


def party_list(
    session: Session, contest_id: int, party_id: int, persons: list[Person], withdrawn: set[int]
) -> PartyList:
    plist = PartyList(contest_id=contest_id, party_id=party_id, registration_order=1)
    session.add(plist)
    session.flush()
    for position, p in enumerate(persons, start=1):
        session.add(
            ListEntry(
                party_list_id=plist.id,
                position=position,
                person_id=p.id,
                withdrawn=p.id in withdrawn,
            )
        )
    session.flush()
    return plist


def won_list_seats(
    session: Session, world: World, contest: str, body: str, party: str, n: int
) -> list[int]:
    seats = []
    for _ in range(n):
        m = Mandate(
            body_id=world.bodies[body],
            contest_id=world.contests[contest],
            source=MandateSource.PARTY_LIST,
            party_id=world.parties[party],
            state=MandateState.WON,
        )
        session.add(m)
        session.flush()
        seats.append(m.id)
    return seats


def agent(session: Session, world: World, username: str, party: str) -> None:
    user = User(username=username, full_name=username)
    session.add(user)
    session.flush()
    session.add(
        RoleAssignment(user_id=user.id, role=Role.PARTY_AGENT, party_id=world.parties[party])
    )
    session.flush()


@pytest.fixture
def setup(factory: sessionmaker[Session]) -> Setup:
    with factory() as session, session.begin():
        world = build_election(session, build_world(session))
        agent(session, world, "beta_agent", "beta")
        people = {
            "aman": person(session, "aman", Sex.MALE, date(1970, 1, 1)),
            "bota": person(session, "bota", Sex.FEMALE, date(1980, 1, 1)),
            "dana": person(session, "dana", Sex.FEMALE, date(1990, 1, 1)),
            "erlan": person(session, "erlan", Sex.MALE, date(1975, 1, 1)),
            "gani": person(session, "gani", Sex.MALE, date(1965, 1, 1)),
        }
        party_list(
            session,
            world.contests["oblast_list"],
            world.parties["alpha"],
            list(people.values()),
            withdrawn={people["erlan"].id},
        )
        seats = won_list_seats(session, world, "oblast_list", "oblast", "alpha", 2)
        # gani is also on the list but won district o1: he holds a mandate already
        smd = Mandate(
            body_id=world.bodies["oblast"],
            contest_id=world.contests["oblast_o1"],
            source=MandateSource.SINGLE_MEMBER,
            person_id=people["gani"].id,
            state=MandateState.WON,
        )
        session.add(smd)
        session.flush()
        return Setup(world, {k: v.id for k, v in people.items()}, seats, smd.id)


def load(
    factory: sessionmaker[Session], world: World, username: str, role: Role, commission: str | None
) -> Actor:
    with factory() as session:
        return Actor.load(
            session, username, role, world.commissions[commission] if commission else None
        )


def mandates_of(factory: sessionmaker[Session], ids: list[int]) -> list[Mandate]:
    with factory() as session:
        return [m for m in (session.get(Mandate, i) for i in ids) if m is not None]


def events(factory: sessionmaker[Session], **where: Any) -> list[AuditEvent]:
    with factory() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for key, value in where.items():
            query = query.where(getattr(AuditEvent, key) == value)
        return list(session.scalars(query))


def test_party_agent_assigns_list_seats_within_the_deadline(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    w, p = setup.world, setup.persons
    actor = load(factory, w, "alpha_agent", Role.PARTY_AGENT, None)
    result = execute(
        factory,
        actor,
        assign_list_mandates,
        w.contests["oblast_list"],
        w.parties["alpha"],
        [p["dana"], p["aman"]],
        clock=BEFORE_DEADLINE,
    )
    # seats in mandate-id order go to the persons in the order named
    assert [m.id for m in result] == setup.seats
    assert [(m.person_id, m.state) for m in mandates_of(factory, setup.seats)] == [
        (p["dana"], MandateState.ASSIGNED),
        (p["aman"], MandateState.ASSIGNED),
    ]
    assigned = events(factory, action="assign_mandate")
    assert len(assigned) == 2
    assert (assigned[0].before or {})["state"] == "won" and (assigned[0].after or {})[
        "state"
    ] == "assigned"
    assert assigned[0].username == "alpha_agent"

    # idempotent: the same decision again changes nothing and writes no event
    again = execute(
        factory,
        actor,
        assign_list_mandates,
        w.contests["oblast_list"],
        w.parties["alpha"],
        [p["dana"], p["aman"]],
        clock=BEFORE_DEADLINE,
    )
    assert [m.id for m in again] == setup.seats
    assert len(events(factory, action="assign_mandate")) == 2


def test_decision_after_the_deadline_is_refused_naming_it(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    w, p = setup.world, setup.persons
    with pytest.raises(Conflict) as refused:
        execute(
            factory,
            Actor.operator(),
            assign_list_mandates,
            w.contests["oblast_list"],
            w.parties["alpha"],
            [p["aman"]],
            clock=AFTER_DEADLINE,
        )
    assert refused.value.code == "deadline_passed"
    assert refused.value.params["deadline"] == "2023-03-31T18:00:00+06:00"
    assert "2023-03-31 18:00 Asia/Almaty" in refused.value.message
    assert "party_branch_seat_decision" in refused.value.message
    assert "CL art. 111-1 para 5" in refused.value.message
    assert all(m.state is MandateState.WON for m in mandates_of(factory, setup.seats))


@pytest.mark.parametrize(
    ("who", "error", "code"),
    [
        ("nobody", InvalidInput, "not_on_list"),
        ("erlan", InvalidInput, "withdrawn_from_list"),
        ("gani", Conflict, "one_seat_per_person"),
    ],
)
def test_only_listed_persons_without_a_mandate_take_seats(
    factory: sessionmaker[Session], setup: Setup, who: str, error: type[Exception], code: str
) -> None:
    w, p = setup.world, setup.persons
    with factory() as session, session.begin():
        p["nobody"] = person(session, "nobody", Sex.MALE, date(1980, 5, 5)).id
    with pytest.raises(error) as refused:
        execute(
            factory,
            Actor.operator(),
            assign_list_mandates,
            w.contests["oblast_list"],
            w.parties["alpha"],
            [p["aman"], p[who]],  # the first is fine: nothing of the call may stay written
            clock=BEFORE_DEADLINE,
        )
    assert refused.value.code == code  # type: ignore[attr-defined]
    assert [m.person_id for m in mandates_of(factory, setup.seats)] == [None, None]
    assert events(factory, action="assign_mandate") == []


def test_more_persons_than_seats_is_a_conflict(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    w, p = setup.world, setup.persons
    with pytest.raises(Conflict, match="2 list seat"):
        execute(
            factory,
            Actor.operator(),
            assign_list_mandates,
            w.contests["oblast_list"],
            w.parties["alpha"],
            [p["aman"], p["bota"], p["dana"]],
            clock=BEFORE_DEADLINE,
        )


@pytest.mark.parametrize(
    ("username", "role", "commission", "code"),
    [
        ("beta_agent", Role.PARTY_AGENT, None, "outside_territory"),
        ("capital_admin", Role.TEC_ADMIN, "tec_capital", "outside_territory"),
        ("oblast_coordinator", Role.TEC_COORDINATOR, "tec_oblast", "role_forbids"),
    ],
)
def test_other_parties_and_regions_are_refused_and_logged(
    factory: sessionmaker[Session],
    setup: Setup,
    username: str,
    role: Role,
    commission: str | None,
    code: str,
) -> None:
    w, p = setup.world, setup.persons
    actor = load(factory, w, username, role, commission)
    with pytest.raises(PermissionDenied) as refused:
        execute(
            factory,
            actor,
            assign_list_mandates,
            w.contests["oblast_list"],
            w.parties["alpha"],
            [p["aman"]],
            clock=BEFORE_DEADLINE,
        )
    assert refused.value.code == code
    logged = events(factory, outcome="refused")
    assert [(e.username, e.action, e.entity_id) for e in logged] == [
        (username, "assign_list_mandates", code)
    ]
    assert mandates_of(factory, setup.seats)[0].person_id is None


def test_region_commission_may_record_the_decision(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    w, p = setup.world, setup.persons
    actor = load(factory, w, "oblast_admin", Role.TEC_ADMIN, "tec_oblast")
    result = execute(
        factory,
        actor,
        assign_list_mandates,
        w.contests["oblast_list"],
        w.parties["alpha"],
        [p["bota"]],
        clock=BEFORE_DEADLINE,
    )
    assert [m.person_id for m in result] == [p["bota"]]


def test_mazhilis_mandates_keep_the_quota(factory: sessionmaker[Session], setup: Setup) -> None:
    """CL art. 97-1 para 5: 3 seats need ceil(30% × 3) = 1 woman, young person or person with a
    disability among the holders; checked when the party's last seat is given (polling day
    19.03.2023: born 1990 → 33, youth; born 1960 → 63)."""
    w = setup.world
    with factory() as session, session.begin():
        men = [person(session, f"man{i}", Sex.MALE, date(1960, 1, 1)) for i in range(4)]
        young = person(session, "young", Sex.MALE, date(1990, 1, 1))
        party_list(session, w.contests["mazhilis_list"], w.parties["alpha"], [*men, young], set())
        seats = won_list_seats(session, w, "mazhilis_list", "mazhilis", "alpha", 3)
        ids = [m.id for m in men]
    clock = at(2023, 4, 5, 11, 0)  # Mazhilis: ten days, until 5 April 18:00 local
    # two seats first: not yet the whole distribution, no quota verdict
    execute(
        factory,
        Actor.operator(),
        assign_list_mandates,
        w.contests["mazhilis_list"],
        w.parties["alpha"],
        ids[:2],
        clock=clock,
    )
    with pytest.raises(InvalidInput) as refused:
        execute(
            factory,
            Actor.operator(),
            assign_list_mandates,
            w.contests["mazhilis_list"],
            w.parties["alpha"],
            [ids[2]],
            clock=clock,
        )
    assert refused.value.code == "mandate_quota"
    assert "0 of 3" in refused.value.message and "at least 1" in refused.value.message
    assert mandates_of(factory, seats)[2].person_id is None
    done = execute(
        factory,
        Actor.operator(),
        assign_list_mandates,
        w.contests["mazhilis_list"],
        w.parties["alpha"],
        [young.id],
        clock=clock,
    )
    assert done[0].id == seats[2]


def test_register_deputy_records_the_application_and_term_start(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    w = setup.world
    actor = load(factory, w, "oblast_admin", Role.TEC_ADMIN, "tec_oblast")
    clock = at(2023, 3, 28, 6, 0)  # 12:00 local on 28 March
    deputy = execute(factory, actor, register_deputy, setup.smd, date(2023, 3, 27), clock=clock)
    assert deputy.state is MandateState.REGISTERED
    assert deputy.application_received_on == date(2023, 3, 27)
    assert deputy.term_start == date(2023, 3, 28)
    [event] = events(factory, action="register_deputy")
    assert (event.before or {})["state"] == "won" and (event.after or {})["state"] == "registered"
    with pytest.raises(Conflict, match="registered and cannot become registered"):
        execute(factory, actor, register_deputy, setup.smd, date(2023, 3, 27), clock=clock)


def test_register_refuses_unassigned_seats_and_future_applications(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    clock = at(2023, 3, 28, 6, 0)
    with pytest.raises(Conflict) as unassigned:
        execute(
            factory,
            Actor.operator(),
            register_deputy,
            setup.seats[0],
            date(2023, 3, 27),
            clock=clock,
        )
    assert unassigned.value.code == "seat_not_assigned"
    with pytest.raises(InvalidInput) as future:
        execute(
            factory, Actor.operator(), register_deputy, setup.smd, date(2023, 3, 29), clock=clock
        )
    assert future.value.field == "application_received_on"
    capital = load(factory, setup.world, "capital_admin", Role.TEC_ADMIN, "tec_capital")
    with pytest.raises(PermissionDenied):
        execute(factory, capital, register_deputy, setup.smd, date(2023, 3, 27), clock=clock)
    assert mandates_of(factory, [setup.smd])[0].state is MandateState.WON


def test_competence_needs_three_quarters_registered(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    """The oblast maslikhat has 6 seats: ceil(6 × 3/4) = 5 registered deputies are needed."""
    w = setup.world
    body = w.bodies["oblast"]
    with factory() as session, session.begin():
        for i in range(4):
            session.add(
                Mandate(
                    body_id=body,
                    contest_id=w.contests["oblast_list"],
                    source=MandateSource.PARTY_LIST,
                    party_id=w.parties["beta"],
                    person_id=person(session, f"deputy{i}", Sex.FEMALE, date(1980, 1, 1)).id,
                    state=MandateState.REGISTERED,
                )
            )
    with factory() as session:
        before = competence(session, body)
    assert (before.seats_total, before.seats_filled, before.required) == (6, 4, 5)
    assert not before.competent and before.missing == 1
    execute(
        factory,
        Actor.operator(),
        register_deputy,
        setup.smd,
        date(2023, 3, 27),
        clock=at(2023, 3, 28, 6, 0),
    )
    with factory() as session:
        after = competence(session, body)
        assert after.competent and after.missing == 0
        count = session.scalar(
            select(func.count()).select_from(Mandate).where(Mandate.body_id == body)
        )
    assert count == 7  # two list seats still unassigned do not count
