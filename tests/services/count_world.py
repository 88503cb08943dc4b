"""Set-up for the counting tests (protocols, turnout, tabulation, results): the test world's election
with registered party lists and candidates and their ballot lines, inserted directly (the ballots
service has its own tests), plus helpers to build protocol figures that add up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.domain.states import CandidacyState
from saylau.law.iin import Sex
from saylau.law.nomination import NominationRoute
from saylau.services.context import Actor, Context, execute
from saylau.services.protocols import ProtocolData
from saylau.storage.models import BallotChoice, ContestResult, Nomination, PartyList, Person
from tests.world import World, build_election, build_world

ELECTION_NIGHT = datetime(2023, 3, 19, 16, 30, tzinfo=UTC)  # 22:30 in Asia/Almaty (UTC+6)
NEXT_DAY = datetime(2023, 3, 20, 6, 0, tzinfo=UTC)

LIST_CONTESTS = ("mazhilis_list", "oblast_list", "capital_list")
PARTIES = ("alpha", "beta", "gamma")
SMD_CANDIDATES = ("Абаев", "Бекова", "Жұмабаев")

T = TypeVar("T")


@dataclass
class CountWorld:
    world: World
    choices: dict[str, dict[str, int]] = field(default_factory=dict)
    """contest name → party code or candidate surname → ballot choice id."""
    nominations: dict[str, dict[str, int]] = field(default_factory=dict)
    persons: dict[str, dict[str, int]] = field(default_factory=dict)

    def contest(self, name: str) -> int:
        return self.world.contests[name]

    def precinct(self, name: str) -> int:
        return self.world.precincts[name]


def build_count_world(session: Session) -> CountWorld:
    world = build_election(session, build_world(session))
    cw = CountWorld(world)
    for name in LIST_CONTESTS:
        cw.choices[name] = {}
        for order, party in enumerate(PARTIES, start=1):
            party_list = PartyList(
                contest_id=world.contests[name],
                party_id=world.parties[party],
                state=CandidacyState.REGISTERED,
                registration_order=order,
            )
            session.add(party_list)
            session.flush()
            choice = BallotChoice(
                contest_id=world.contests[name],
                position=order,
                party_list_id=party_list.id,
                label=party.capitalize(),
            )
            session.add(choice)
            session.flush()
            cw.choices[name][party] = choice.id
    serial = 0
    for name, contest_id in world.contests.items():
        if name in LIST_CONTESTS:
            continue
        cw.choices[name], cw.nominations[name], cw.persons[name] = {}, {}, {}
        for position, surname in enumerate(SMD_CANDIDATES, start=1):
            serial += 1
            person = Person(
                iin=f"{800101300000 + serial:012d}",
                surname=surname,
                name=f"Кандидат{serial}",
                birth_date=date(1980, 1, 1),
                sex=Sex.FEMALE if position == 2 else Sex.MALE,
                party_id=world.parties[PARTIES[position - 1]],
            )
            session.add(person)
            session.flush()
            nomination = Nomination(
                contest_id=contest_id,
                person_id=person.id,
                route=NominationRoute.PARTY_SMD,
                party_id=world.parties[PARTIES[position - 1]],
                state=CandidacyState.REGISTERED,
            )
            session.add(nomination)
            session.flush()
            choice = BallotChoice(
                contest_id=contest_id,
                position=position,
                nomination_id=nomination.id,
                label=person.full_name,
            )
            session.add(choice)
            session.flush()
            cw.choices[name][surname] = choice.id
            cw.nominations[name][surname] = nomination.id
            cw.persons[name][surname] = person.id
    return cw


def setup(factory: sessionmaker[Session]) -> CountWorld:
    with factory() as session, session.begin():
        return build_count_world(session)


def actor(
    factory: sessionmaker[Session], username: str, role: Role, commission: int | None
) -> Actor:
    with factory() as session:
        return Actor.load(session, username, role, commission)


def typist(factory: sessionmaker[Session], cw: CountWorld, precinct: str, which: str) -> Actor:
    return actor(
        factory,
        f"typist_{precinct}_{which}",
        Role.PEC_TYPIST,
        cw.world.commissions[f"pec_{precinct}"],
    )


def run(
    factory: sessionmaker[Session],
    who: Actor,
    operation: Callable[..., T],
    *args: Any,
    at: datetime = NEXT_DAY,
    **kwargs: Any,
) -> T:
    return execute(factory, who, operation, *args, clock=lambda: at, **kwargs)


def figures(
    votes: Mapping[int, int],
    *,
    voters: int = 1000,
    against_all: int = 0,
    invalid: int = 0,
    cancelled: int | None = None,
    **overrides: Any,
) -> ProtocolData:
    """Protocol figures that satisfy every control relation, from the votes per ballot line."""
    in_boxes = sum(votes.values()) + against_all + invalid
    issued = in_boxes
    spare = cancelled if cancelled is not None else voters - issued
    values: dict[str, Any] = {
        "voters_on_list": voters,
        "ballots_received": issued + spare,
        "ballots_issued": issued,
        "ballots_cancelled": spare,
        "ballots_in_boxes": in_boxes,
        "portable_box_ballots": 0,
        "portable_box_requests": 0,
        "votes": dict(votes),
        "against_all": against_all,
        "invalid": invalid,
    }
    values.update(overrides)
    return ProtocolData(**values)


def double_entry(
    factory: sessionmaker[Session],
    cw: CountWorld,
    contest: str,
    precinct: str,
    data: ProtocolData,
    *,
    at: datetime = NEXT_DAY,
) -> Any:
    """Both entries by the precinct's two typists; returns the second entry's status."""
    from saylau.services.protocols import enter_protocol

    contest_id, precinct_id = cw.contest(contest), cw.precinct(precinct)
    run(
        factory,
        typist(factory, cw, precinct, "a"),
        enter_protocol,
        contest_id,
        precinct_id,
        data,
        at=at,
    )
    return run(
        factory,
        typist(factory, cw, precinct, "b"),
        enter_protocol,
        contest_id,
        precinct_id,
        data,
        at=at,
    )


def context_for(session: Session, who: Actor, at: datetime = NEXT_DAY) -> Context:
    return Context(session, who, lambda: at)


def published_results(factory: sessionmaker[Session]) -> int:
    """How many contest results are published (dual-control tests: none until approved)."""
    with factory() as session:
        found = select(func.count()).select_from(ContestResult)
        return session.scalar(found.where(ContestResult.published_at.is_not(None))) or 0
