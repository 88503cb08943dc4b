"""Mandates ended early: list successors (CL art. 111-1 para 6) and by-elections on the last
Sunday of March/October, none in the term's final year (CL arts. 101, 113), on both databases.

The convocation of the test maslikhats starts on 29 March 2023 (the deputies' term_start), so it
ends on 29 March 2028 and its final year starts on 29 March 2027.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.law.bodies import ContestKind
from saylau.law.iin import Sex
from saylau.services.context import Actor, execute
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied
from saylau.services.vacancies import choose_list_successor, terminate_mandate
from saylau.storage.models import (
    AuditEvent,
    Contest,
    District,
    Election,
    ListEntry,
    Mandate,
    MandateSource,
    MandateState,
    PartyList,
    Person,
    RoleAssignment,
    User,
    Vacancy,
    VacancyOutcome,
)
from tests.world import World, build_election, build_world

IIN = itertools.count(1)
TERM_START = date(2023, 3, 29)


def at(day: date, hour: int = 6) -> Callable[[], datetime]:
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return lambda: moment


@dataclass
class Setup:
    world: World
    persons: dict[str, int]
    mandates: dict[str, int]


def person(session: Session, key: str) -> int:
    row = Person(
        iin=f"{next(IIN):012d}",
        surname=key.title(),
        name="Test",
        birth_date=date(1980, 1, 1),
        sex=Sex.FEMALE,
    )
    session.add(row)
    session.flush()
    return row.id


def mandate(
    session: Session,
    world: World,
    contest: str,
    body: str,
    person_id: int,
    party: str | None = None,
) -> int:
    row = Mandate(
        body_id=world.bodies[body],
        contest_id=world.contests[contest],
        source=MandateSource.PARTY_LIST if party else MandateSource.SINGLE_MEMBER,
        party_id=world.parties[party] if party else None,
        person_id=person_id,
        state=MandateState.REGISTERED,
        term_start=TERM_START,
    )
    session.add(row)
    session.flush()
    return row.id


@pytest.fixture
def setup(factory: sessionmaker[Session]) -> Setup:
    with factory() as session, session.begin():
        world = build_election(session, build_world(session))
        names = ["list1", "list2", "next3", "gone4", "next5", "smd1", "smd2", "cap1", "beta1"]
        p = {name: person(session, name) for name in names}
        plist = PartyList(contest_id=world.contests["oblast_list"], party_id=world.parties["alpha"])
        session.add(plist)
        session.flush()
        for position, name in enumerate(["list1", "list2", "next3", "gone4", "next5"], start=1):
            session.add(
                ListEntry(
                    party_list_id=plist.id,
                    position=position,
                    person_id=p[name],
                    withdrawn=name == "gone4",
                )
            )
        beta = PartyList(contest_id=world.contests["oblast_list"], party_id=world.parties["beta"])
        session.add(beta)
        session.flush()
        session.add(ListEntry(party_list_id=beta.id, position=1, person_id=p["beta1"]))
        m = {
            "list1": mandate(session, world, "oblast_list", "oblast", p["list1"], "alpha"),
            "list2": mandate(session, world, "oblast_list", "oblast", p["list2"], "alpha"),
            "beta1": mandate(session, world, "oblast_list", "oblast", p["beta1"], "beta"),
            "o1": mandate(session, world, "oblast_o1", "oblast", p["smd1"]),
            "o2": mandate(session, world, "oblast_o2", "oblast", p["smd2"]),
            "c1": mandate(session, world, "capital_c1", "capital", p["cap1"]),
        }
        # next5 already sits in the capital maslikhat: not available as a successor
        mandate(session, world, "capital_c2", "capital", p["next5"])
        return Setup(world, p, m)


def load(
    factory: sessionmaker[Session], world: World, username: str, role: Role, commission: str | None
) -> Actor:
    with factory() as session:
        return Actor.load(
            session, username, role, world.commissions[commission] if commission else None
        )


def events(factory: sessionmaker[Session], **where: Any) -> list[AuditEvent]:
    with factory() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for key, value in where.items():
            query = query.where(getattr(AuditEvent, key) == value)
        return list(session.scalars(query))


def terminate(
    factory: sessionmaker[Session], mandate_id: int, on: date, today: date, **kw: Any
) -> Vacancy:
    return execute(
        factory,
        Actor.operator(),
        terminate_mandate,
        mandate_id,
        on,
        "resigned",
        clock=at(today),
        **kw,
    )


def test_district_vacancy_calls_a_by_election_on_the_last_sunday_of_october(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    """Vacancy on 10 June 2023 → the next last Sunday of March/October is 29 October 2023."""
    w = setup.world
    vacancy = terminate(factory, setup.mandates["o1"], date(2023, 6, 10), date(2023, 6, 12))
    assert vacancy.outcome is VacancyOutcome.BY_ELECTION
    assert vacancy.by_election_day == date(2023, 10, 29)
    with factory() as session:
        ended = session.get(Mandate, setup.mandates["o1"])
        assert ended is not None and ended.state is MandateState.TERMINATED
        assert (ended.terminated_on, ended.termination_reason) == (date(2023, 6, 10), "resigned")
        contest = session.get(Contest, vacancy.by_election_contest_id)
        assert contest is not None
        assert contest.follows_contest_id == w.contests["oblast_o1"]
        assert (contest.kind, contest.seats, contest.body_id) == (
            ContestKind.FIRST_LEVEL_SMD,
            1,
            w.bodies["oblast"],
        )
        election = session.get(Election, contest.election_id)
        assert election is not None
        assert (election.purpose, election.polling_day, election.parent_id, election.rules) == (
            "by_election",
            date(2023, 10, 29),
            w.election,
            "2023",
        )
        assert election.called_on == date(2023, 6, 12)
        district = session.get(District, contest.district_id)
        original = session.get(District, w.districts["oblast_o1"])
        assert district is not None and original is not None
        assert district.number == original.number and district.election_id == election.id
        assert sorted(link.precinct_id for link in district.precincts) == sorted(
            [w.precincts["p1"], w.precincts["p2"]]
        )
    # a second vacancy with the same by-election day joins the same election record
    second = terminate(factory, setup.mandates["o2"], date(2023, 7, 1), date(2023, 7, 3))
    assert second.by_election_day == date(2023, 10, 29)
    with factory() as session:
        first_contest = session.get(Contest, vacancy.by_election_contest_id)
        second_contest = session.get(Contest, second.by_election_contest_id)
        assert first_contest is not None and second_contest is not None
        assert first_contest.election_id == second_contest.election_id
    assert [e.action for e in events(factory)].count("call_by_election") == 1


def test_vacancy_recorded_late_takes_the_next_lawful_day(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    """Vacancy on 10 June 2023 recorded on 1 November 2023: 29 October has passed → 31 March 2024."""
    vacancy = terminate(factory, setup.mandates["o1"], date(2023, 6, 10), date(2023, 11, 1))
    assert vacancy.by_election_day == date(2024, 3, 31)


def test_final_year_boundary(factory: sessionmaker[Session], setup: Setup) -> None:
    """Final year from 29 March 2027: a by-election on 28 March 2027 is still held; a vacancy on
    1 April 2027 would be filled on 31 October 2027, inside the final year: none is held."""
    held = terminate(factory, setup.mandates["o1"], date(2026, 11, 15), date(2026, 11, 16))
    assert (held.outcome, held.by_election_day) == (VacancyOutcome.BY_ELECTION, date(2027, 3, 28))
    none = terminate(factory, setup.mandates["o2"], date(2027, 4, 1), date(2027, 4, 2))
    assert none.outcome is VacancyOutcome.NO_BY_ELECTION_FINAL_YEAR
    assert none.by_election_day is None and none.by_election_contest_id is None
    [event] = [e for e in events(factory, action="vacancy") if e.entity_id == str(none.id)]
    assert "CL art. 113 part 2" in (event.after or {})["law"]


def test_day_agreed_with_the_cec(factory: sessionmaker[Session], setup: Setup) -> None:
    vacancy = terminate(
        factory,
        setup.mandates["c1"],
        date(2023, 6, 10),
        date(2023, 6, 12),
        agreed_day=date(2023, 9, 10),
    )
    assert vacancy.by_election_day == date(2023, 9, 10)


def test_list_seat_passes_to_the_branchs_choice(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    p = setup.persons
    vacancy = terminate(
        factory,
        setup.mandates["list1"],
        date(2023, 6, 10),
        date(2023, 6, 12),
        successor_person_id=p["next3"],
    )
    assert vacancy.outcome is VacancyOutcome.FILLED_FROM_LIST
    with factory() as session:
        successor = session.get(Mandate, vacancy.successor_mandate_id)
        assert successor is not None
        assert (successor.person_id, successor.party_id, successor.state) == (
            p["next3"],
            setup.world.parties["alpha"],
            MandateState.ASSIGNED,
        )


@pytest.mark.parametrize("choice", ["gone4", "next5", "list2", "beta1"])
def test_successor_must_remain_on_the_list(
    factory: sessionmaker[Session], setup: Setup, choice: str
) -> None:
    """Withdrawn (gone4), already a deputy elsewhere (next5), seated from this list (list2), or on
    another party's list (beta1): refused, and the mandate is not terminated either."""
    with pytest.raises(InvalidInput) as refused:
        terminate(
            factory,
            setup.mandates["list1"],
            date(2023, 6, 10),
            date(2023, 6, 12),
            successor_person_id=setup.persons[choice],
        )
    assert refused.value.field == "choice"
    with factory() as session:
        kept = session.get(Mandate, setup.mandates["list1"])
        assert kept is not None and kept.state is MandateState.REGISTERED
        assert session.scalars(select(Vacancy)).all() == []
    assert events(factory) == []


def test_list_vacancy_awaits_the_party_then_the_agent_chooses(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    p, w = setup.persons, setup.world
    vacancy = terminate(factory, setup.mandates["list1"], date(2023, 6, 10), date(2023, 6, 12))
    assert vacancy.outcome is VacancyOutcome.AWAITING_PARTY_DECISION
    with factory() as session:
        user = User(username="beta_agent")
        session.add(user)
        session.flush()
        session.add(
            RoleAssignment(user_id=user.id, role=Role.PARTY_AGENT, party_id=w.parties["beta"])
        )
        session.commit()
    beta = load(factory, w, "beta_agent", Role.PARTY_AGENT, None)
    with pytest.raises(PermissionDenied):
        execute(factory, beta, choose_list_successor, vacancy.id, p["next3"])
    alpha = load(factory, w, "alpha_agent", Role.PARTY_AGENT, None)
    filled = execute(factory, alpha, choose_list_successor, vacancy.id, p["next3"])
    assert filled.outcome is VacancyOutcome.FILLED_FROM_LIST
    with pytest.raises(Conflict, match="no successor to choose"):
        execute(factory, alpha, choose_list_successor, vacancy.id, p["next3"])
    [refusal] = events(factory, outcome="refused")
    assert (refusal.username, refusal.action) == ("beta_agent", "choose_list_successor")


def test_empty_list_leaves_the_seat_vacant(factory: sessionmaker[Session], setup: Setup) -> None:
    """Beta's list had one person, now gone: vacant until the next election (art. 111-1 para 6)."""
    vacancy = terminate(factory, setup.mandates["beta1"], date(2023, 6, 10), date(2023, 6, 12))
    assert vacancy.outcome is VacancyOutcome.VACANT_UNTIL_NEXT_ELECTION
    assert vacancy.successor_mandate_id is None


def test_bad_terminations(factory: sessionmaker[Session], setup: Setup) -> None:
    with pytest.raises(InvalidInput) as future:
        terminate(factory, setup.mandates["o1"], date(2023, 6, 13), date(2023, 6, 12))
    assert future.value.field == "on"
    with pytest.raises(InvalidInput) as before_term:
        terminate(factory, setup.mandates["o1"], date(2023, 3, 1), date(2023, 6, 12))
    assert before_term.value.code == "before_term"
    with pytest.raises(InvalidInput):
        terminate(
            factory,
            setup.mandates["o1"],
            date(2023, 6, 10),
            date(2023, 6, 12),
            successor_person_id=1,
        )
    terminate(factory, setup.mandates["o1"], date(2023, 6, 10), date(2023, 6, 12))
    with pytest.raises(Conflict) as twice:
        terminate(factory, setup.mandates["o1"], date(2023, 6, 10), date(2023, 6, 12))
    assert twice.value.code == "already_terminated"


@pytest.mark.parametrize(
    ("username", "role", "commission", "code"),
    [
        ("capital_admin", Role.TEC_ADMIN, "tec_capital", "outside_territory"),
        ("alpha_agent", Role.PARTY_AGENT, None, "role_forbids"),
    ],
)
def test_vacancy_permissions_are_logged(
    factory: sessionmaker[Session],
    setup: Setup,
    username: str,
    role: Role,
    commission: str | None,
    code: str,
) -> None:
    actor = load(factory, setup.world, username, role, commission)
    with pytest.raises(PermissionDenied):
        execute(
            factory,
            actor,
            terminate_mandate,
            setup.mandates["o1"],
            date(2023, 6, 10),
            "x",
            clock=at(date(2023, 6, 12)),
        )
    [event] = events(factory)
    assert (event.outcome, event.username, event.entity_id) == ("refused", username, code)
    oblast = load(factory, setup.world, "oblast_admin", Role.TEC_ADMIN, "tec_oblast")
    done = execute(
        factory,
        oblast,
        terminate_mandate,
        setup.mandates["o1"],
        date(2023, 6, 10),
        "died",
        clock=at(date(2023, 6, 12)),
    )
    assert done.reason == "died"
