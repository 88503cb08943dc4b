"""The recall case from application to result (CL arts. 113-12 – 113-16), on both databases.

The deputy of district d1 of the Raion maslikhat (precinct p1, 1,000 voters) started work on
29 March 2023; the convocation ends on 29 March 2028. A recall may be initiated from 29 March 2024
to 28 March 2027. Dates below are worked out by hand from the articles:

- applied 1 April 2024 → registration by 4 April → collection until 4 May;
- lists submitted 4 May → verification by 14 May → decision by 15 May (a Wednesday);
- notice within 3 working days: 16, 17, 20 May → by 20 May; campaign 15–18 May;
- vote within 2 months: by 15 July; result within 3 days of the vote.
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
from saylau.domain.states import RecallState
from saylau.law.iin import Sex
from saylau.services.context import Actor, execute
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied
from saylau.services.recall import (
    apply_for_recall,
    call_recall_vote,
    notify_deputy,
    record_recall_result,
    refuse_recall,
    register_recall,
    submit_signature_lists,
    verify_signatures,
)
from saylau.storage.models import (
    AuditEvent,
    Contest,
    District,
    Election,
    ElectionStatus,
    Mandate,
    MandateSource,
    MandateState,
    Person,
    RecallCase,
    RoleAssignment,
    User,
    Vacancy,
    VacancyOutcome,
)
from tests.world import World, build_election, build_world

IIN = itertools.count(1)
TERM_START = date(2023, 3, 29)


def at(day: date) -> Callable[[], datetime]:
    moment = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)  # 12:00 in Asia/Almaty
    return lambda: moment


@dataclass
class Setup:
    world: World
    deputy: int
    mazhilis_deputy: int
    list_deputy: int
    oblast_deputy: int


def mandate(
    session: Session, world: World, contest: str, body: str, party: str | None = None
) -> int:
    person = Person(
        iin=f"{next(IIN):012d}",
        surname="Deputy",
        name="Test",
        birth_date=date(1980, 1, 1),
        sex=Sex.MALE,
    )
    session.add(person)
    session.flush()
    row = Mandate(
        body_id=world.bodies[body],
        contest_id=world.contests[contest],
        source=MandateSource.PARTY_LIST if party else MandateSource.SINGLE_MEMBER,
        party_id=world.parties[party] if party else None,
        person_id=person.id,
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
        return Setup(
            world,
            mandate(session, world, "district_d1", "district"),
            mandate(session, world, "mazhilis_m1", "mazhilis"),
            mandate(session, world, "oblast_list", "oblast", "alpha"),
            mandate(session, world, "oblast_o1", "oblast"),
        )


def run(
    factory: sessionmaker[Session], day: date, operation: Callable[..., Any], *args: Any, **kw: Any
) -> Any:
    return execute(factory, Actor.operator(), operation, *args, clock=at(day), **kw)


def case_of(factory: sessionmaker[Session], case_id: int) -> RecallCase:
    with factory() as session:
        case = session.get(RecallCase, case_id)
        assert case is not None
        return case


def events(factory: sessionmaker[Session], **where: Any) -> list[AuditEvent]:
    with factory() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        for key, value in where.items():
            query = query.where(getattr(AuditEvent, key) == value)
        return list(session.scalars(query))


def up_to_vote(factory: sessionmaker[Session], mandate_id: int, signatures: int = 101) -> int:
    case = run(factory, date(2024, 4, 1), apply_for_recall, mandate_id, "A. Voter")
    run(factory, date(2024, 4, 4), register_recall, case.id)
    run(factory, date(2024, 5, 4), submit_signature_lists, case.id)
    run(factory, date(2024, 5, 14), verify_signatures, case.id, signatures)
    run(factory, date(2024, 5, 15), call_recall_vote, case.id, date(2024, 7, 14))
    return int(case.id)


def test_full_case_recalls_the_deputy_and_calls_a_by_election(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    w = setup.world
    case = run(factory, date(2024, 4, 1), apply_for_recall, setup.deputy, "A. Voter")
    assert case.state is RecallState.APPLIED
    assert case.timeline["deadlines"]["application_decision_by"] == "2024-04-04"
    case = run(factory, date(2024, 4, 4), register_recall, case.id)
    assert case.state is RecallState.COLLECTING and case.registered_on == date(2024, 4, 4)
    assert case.timeline["deadlines"]["collection_ends"] == "2024-05-04"
    case = run(factory, date(2024, 5, 4), submit_signature_lists, case.id)
    assert case.timeline["deadlines"]["verification_ends"] == "2024-05-14"
    # 101 of 1,000 voters: more than 10%
    case = run(factory, date(2024, 5, 14), verify_signatures, case.id, 101)
    assert case.state is RecallState.COLLECTING
    assert case.timeline["petition"] == {
        "district_voters": 1000,
        "valid_signatures": 101,
        "signatures_needed": 101,
        "sufficient": True,
        "article": "CL art. 113-14 para 2",
    }
    case = run(factory, date(2024, 5, 15), call_recall_vote, case.id, date(2024, 7, 14))
    assert case.state is RecallState.VOTE_CALLED
    deadlines = case.timeline["deadlines"]
    assert (deadlines["notice_by"], deadlines["campaign_ends"], deadlines["vote_by"]) == (
        "2024-05-20",
        "2024-05-18",
        "2024-07-15",
    )
    assert deadlines["result_published_by"] == "2024-07-17"
    with factory() as session:
        vote = session.get(Election, case.vote_election_id)
        assert vote is not None
        assert (vote.purpose, vote.polling_day, vote.parent_id) == (
            "recall",
            date(2024, 7, 14),
            w.election,
        )
        [district] = session.scalars(select(District).where(District.election_id == vote.id)).all()
        assert [link.precinct_id for link in district.precincts] == [w.precincts["p1"]]
    case = run(factory, date(2024, 5, 20), notify_deputy, case.id)
    assert case.notified_on == date(2024, 5, 20)
    # 334 of 1,000 took part (≥ 1/3: ceil(1000/3) = 334), 168 for (> 167)
    case = run(factory, date(2024, 7, 17), record_recall_result, case.id, 334, 168)
    assert case.state is RecallState.RECALLED
    assert case.timeline["vote"]["valid"] is True and case.timeline["vote"]["turnout_needed"] == 334
    with factory() as session:
        ended = session.get(Mandate, setup.deputy)
        assert ended is not None and ended.state is MandateState.TERMINATED
        assert ended.terminated_on == date(2024, 7, 17)
        vacancy = session.scalars(select(Vacancy).where(Vacancy.mandate_id == setup.deputy)).one()
        # after 17 July 2024 the next last Sunday of March/October is 27 October 2024
        assert (vacancy.outcome, vacancy.by_election_day) == (
            VacancyOutcome.BY_ELECTION,
            date(2024, 10, 27),
        )
        follow_up = session.get(Election, case.follow_up_election_id)
        assert follow_up is not None and follow_up.purpose == "by_election"
        contest = session.get(Contest, vacancy.by_election_contest_id)
        assert contest is not None and contest.election_id == follow_up.id
        assert contest.follows_contest_id == w.contests["district_d1"]
        vote = session.get(Election, case.vote_election_id)
        assert vote is not None and vote.status is ElectionStatus.RESULTS_PUBLISHED


@pytest.mark.parametrize(
    ("voters", "took_part", "for_recall", "state"),
    [
        (999, 333, 167, RecallState.RECALLED),  # exactly 1/3 of 999 took part: valid; 167 > 166.5
        (1000, 333, 300, RecallState.KEPT),  # 333 < 1000/3: not valid, nobody recalled
        (1000, 334, 167, RecallState.KEPT),  # exactly half: not more than 50%
    ],
)
def test_vote_thresholds(
    factory: sessionmaker[Session],
    setup: Setup,
    voters: int,
    took_part: int,
    for_recall: int,
    state: RecallState,
) -> None:
    case_id = up_to_vote(factory, setup.deputy)
    case = run(
        factory,
        date(2024, 7, 15),
        record_recall_result,
        case_id,
        took_part,
        for_recall,
        voters=voters,
    )
    assert case.state is state
    assert case.timeline["vote"]["district_voters"] == voters
    with factory() as session:
        held = session.get(Mandate, setup.deputy)
        assert held is not None
        assert (held.state is MandateState.TERMINATED) == (state is RecallState.RECALLED)


def test_exactly_ten_percent_is_insufficient(factory: sessionmaker[Session], setup: Setup) -> None:
    case = run(factory, date(2024, 4, 1), apply_for_recall, setup.deputy, "A. Voter")
    run(factory, date(2024, 4, 2), register_recall, case.id)
    run(factory, date(2024, 4, 20), submit_signature_lists, case.id)
    done = run(factory, date(2024, 4, 25), verify_signatures, case.id, 100)
    assert done.state is RecallState.INSUFFICIENT
    assert done.timeline["petition"]["sufficient"] is False
    with pytest.raises(Conflict):
        run(factory, date(2024, 4, 25), call_recall_vote, case.id, date(2024, 6, 1))


def test_late_steps_are_refused_naming_the_deadline(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    case = run(factory, date(2024, 4, 1), apply_for_recall, setup.deputy, "A. Voter")
    with pytest.raises(Conflict) as late:
        run(factory, date(2024, 4, 5), register_recall, case.id)
    assert late.value.code == "deadline_passed" and "2024-04-04" in late.value.message
    assert case_of(factory, case.id).state is RecallState.APPLIED  # nothing written
    run(factory, date(2024, 4, 4), register_recall, case.id)
    with pytest.raises(Conflict, match="2024-05-04"):
        run(factory, date(2024, 5, 5), submit_signature_lists, case.id)
    run(factory, date(2024, 5, 4), submit_signature_lists, case.id)
    with pytest.raises(Conflict, match="2024-05-14"):
        run(factory, date(2024, 5, 15), verify_signatures, case.id, 200)
    run(factory, date(2024, 5, 14), verify_signatures, case.id, 200)
    with pytest.raises(Conflict, match="2024-05-15"):
        run(factory, date(2024, 5, 16), call_recall_vote, case.id, date(2024, 7, 1))
    with pytest.raises(InvalidInput, match="2024-07-15"):
        run(factory, date(2024, 5, 15), call_recall_vote, case.id, date(2024, 7, 16))
    with pytest.raises(InvalidInput, match="2024-05-18"):
        run(factory, date(2024, 5, 15), call_recall_vote, case.id, date(2024, 5, 18))
    assert case_of(factory, case.id).vote_election_id is None
    run(factory, date(2024, 5, 15), call_recall_vote, case.id, date(2024, 5, 19))
    with pytest.raises(Conflict, match="2024-05-20"):
        run(factory, date(2024, 5, 21), notify_deputy, case.id)
    with pytest.raises(Conflict, match="is on 2024-05-19"):
        run(factory, date(2024, 5, 18), record_recall_result, case.id, 400, 300)
    with pytest.raises(Conflict, match="2024-05-22"):
        run(factory, date(2024, 5, 23), record_recall_result, case.id, 400, 300)


def test_when_a_recall_may_be_initiated(factory: sessionmaker[Session], setup: Setup) -> None:
    """Not in the first year (until 29 March 2024), nor within a year of a failed recall's
    publication (kept on 15 July 2024 → possible again from 16 July 2025)."""
    with pytest.raises(Conflict) as first_year:
        run(factory, date(2024, 3, 28), apply_for_recall, setup.deputy, "A. Voter")
    assert first_year.value.code == "recall_barred"
    assert "first year" in first_year.value.message and "2024-03-29" in first_year.value.message
    case_id = up_to_vote(factory, setup.deputy)
    with pytest.raises(Conflict, match="still vote_called"):
        run(factory, date(2024, 6, 1), apply_for_recall, setup.deputy, "B. Voter")
    run(factory, date(2024, 7, 15), record_recall_result, case_id, 100, 90)  # not valid: kept
    with pytest.raises(Conflict, match="2025-07-16"):
        run(factory, date(2025, 7, 15), apply_for_recall, setup.deputy, "B. Voter")
    again = run(factory, date(2025, 7, 16), apply_for_recall, setup.deputy, "B. Voter")
    assert again.state is RecallState.APPLIED
    run(factory, date(2025, 7, 17), refuse_recall, again.id, "withdrawn by the applicant")
    with pytest.raises(Conflict, match=r"last year of the deputy's work \(from 2027-03-29\)"):
        run(factory, date(2027, 3, 29), apply_for_recall, setup.deputy, "C. Voter")


def test_refusal_and_list_deputies(factory: sessionmaker[Session], setup: Setup) -> None:
    case = run(factory, date(2024, 4, 1), apply_for_recall, setup.deputy, "A. Voter")
    refused = run(
        factory, date(2024, 4, 10), refuse_recall, case.id, "signature of the applicant missing"
    )
    assert refused.state is RecallState.REFUSED and refused.refusal_reason.startswith("signature")
    with pytest.raises(InvalidInput) as listed:
        run(factory, date(2024, 4, 1), apply_for_recall, setup.list_deputy, "A. Voter")
    assert listed.value.code == "not_a_district_deputy"


def test_recall_permissions_follow_the_districts_territory(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    w = setup.world
    with factory() as session:
        capital = Actor.load(session, "capital_admin", Role.TEC_ADMIN, w.commissions["tec_capital"])
        oblast = Actor.load(session, "oblast_admin", Role.TEC_ADMIN, w.commissions["tec_oblast"])
    with pytest.raises(PermissionDenied):
        execute(
            factory, capital, apply_for_recall, setup.deputy, "A. Voter", clock=at(date(2024, 4, 1))
        )
    # the Mazhilis district spans both regions: only the CEC covers it
    with pytest.raises(PermissionDenied):
        execute(
            factory,
            oblast,
            apply_for_recall,
            setup.mazhilis_deputy,
            "A. Voter",
            clock=at(date(2024, 4, 1)),
        )
    refusals = events(factory, outcome="refused")
    assert [(e.username, e.action, e.entity_id) for e in refusals] == [
        ("capital_admin", "apply_for_recall", "outside_territory"),
        ("oblast_admin", "apply_for_recall", "outside_territory"),
    ]
    with factory() as session:
        assert session.scalars(select(RecallCase)).all() == []
    case = execute(
        factory, oblast, apply_for_recall, setup.deputy, "A. Voter", clock=at(date(2024, 4, 1))
    )
    assert case.state is RecallState.APPLIED
    mazhilis = run(factory, date(2024, 4, 1), apply_for_recall, setup.mazhilis_deputy, "A. Voter")
    assert mazhilis.timeline["body"] == "mazhilis"


def test_a_unit_commission_acts_only_for_its_own_maslikhat(
    factory: sessionmaker[Session], setup: Setup
) -> None:
    """Oblast district o1 lies wholly in the Raion (p1, p2), yet belongs to the oblast maslikhat:
    the Raion TEC handles the recall of its own maslikhat's deputy (d1), not of o1's."""
    w = setup.world
    with factory() as session, session.begin():
        user = User(username="raion_admin")
        session.add(user)
        session.flush()
        session.add(
            RoleAssignment(
                user_id=user.id, role=Role.TEC_ADMIN, commission_id=w.commissions["tec_district"]
            )
        )
    with factory() as session:
        raion = Actor.load(session, "raion_admin", Role.TEC_ADMIN, w.commissions["tec_district"])
    clock = at(date(2024, 4, 1))
    case = execute(factory, raion, apply_for_recall, setup.deputy, "A. Voter", clock=clock)
    assert case.state is RecallState.APPLIED
    with pytest.raises(PermissionDenied):
        execute(factory, raion, apply_for_recall, setup.oblast_deputy, "A. Voter", clock=clock)
    with factory() as session:
        oblast = Actor.load(session, "oblast_admin", Role.TEC_ADMIN, w.commissions["tec_oblast"])
    assert execute(factory, oblast, apply_for_recall, setup.oblast_deputy, "B", clock=clock).id
