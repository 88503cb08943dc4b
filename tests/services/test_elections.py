"""Calling elections: list contests from the law's seat split, calendar overrides, enforced
deadlines in each region's zone, and the ballots of each precinct."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.law.bodies import ContestKind
from saylau.law.calendar import ElectionKind
from saylau.law.rules import MaslikhatKind
from saylau.services.context import Actor, Context, execute
from saylau.services.deadlines import election_calendar_for, require_after, require_before
from saylau.services.elections import (
    CallElection,
    OverrideInput,
    call_election,
    check_ballots,
    contests_for_precinct,
)
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied, ServiceError
from saylau.storage.models import (
    AuditEvent,
    Contest,
    Election,
    Region,
    StageOverrideRecord,
)
from saylau.storage.models.election import ElectionBody
from tests.world import World, build_election, build_world

OPERATOR = Actor.operator()
CALLED = date(2023, 1, 19)
POLLING = date(2023, 3, 19)
CALL = CallElection(polling_day=POLLING, called_on=CALLED, kind=ElectionKind.EARLY)


def world_of(factory: sessionmaker[Session]) -> World:
    with factory() as session, session.begin():
        return build_world(session)


def count(factory: sessionmaker[Session], model: type[Any]) -> int:
    with factory() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def at(moment: datetime) -> Any:
    return lambda: moment


def test_call_creates_list_contests_by_the_law_seat_split(factory: sessionmaker[Session]) -> None:
    world = world_of(factory)
    result = execute(factory, OPERATOR, call_election, CALL)
    contests = {(c.body_id, c.kind, c.seats) for c in result.contests}
    assert contests == {
        (world.bodies["mazhilis"], ContestKind.MAZHILIS_LIST, 69),  # CL art. 9 para 2
        (world.bodies["oblast"], ContestKind.FIRST_LEVEL_LIST, 3),  # 6 seats: 3 + 3
        (world.bodies["capital"], ContestKind.FIRST_LEVEL_LIST, 2),  # 5 seats: 2 + 3 (odd → SMD)
    }
    assert set(result.body_ids) == set(world.bodies.values())
    # 19 March 2023 was called on 19 January, 59 days before: by the offsets nomination would
    # open a day before the call, which the law core reports (decision #13).
    assert [p.code for p in result.problems] == ["nomination_opens_before_call"]
    with factory() as session:
        election = session.get(Election, result.election.id)
        assert election is not None and election.rules == "2023"
        assert election.name == "Elections of 2023-03-19"
        stored = set(
            session.execute(
                select(ElectionBody.body_id).where(ElectionBody.election_id == election.id)
            ).scalars()
        )
        assert stored == set(world.bodies.values())
        actions = [(e.action, e.entity) for e in session.execute(select(AuditEvent)).scalars()]
    assert actions == [("call_election", "election")] + [("call_election", "contest")] * 3


def test_under_2021_rules_every_body_votes_by_list(factory: sessionmaker[Session]) -> None:
    world = world_of(factory)
    call = CallElection(polling_day=POLLING, called_on=CALLED, rules="2021")
    result = execute(factory, OPERATOR, call_election, call)
    kinds = {c.body_id: (c.kind, c.seats) for c in result.contests}
    assert kinds[world.bodies["mazhilis"]] == (ContestKind.MAZHILIS_LIST, 98)
    assert kinds[world.bodies["district"]] == (ContestKind.SECOND_LEVEL_LIST, 2)
    assert kinds[world.bodies["oblast"]] == (ContestKind.FIRST_LEVEL_LIST, 6)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (CallElection(polling_day=CALLED, called_on=POLLING), "polling_day"),
        (CallElection(polling_day=POLLING, called_on=CALLED, rules="1995"), "rules"),
        (CallElection(polling_day=POLLING, called_on=CALLED, body_ids=(999,)), "body_id"),
        (CallElection(polling_day=POLLING, called_on=CALLED, purpose="party"), "purpose"),
        (
            CallElection(
                polling_day=POLLING,
                called_on=CALLED,
                overrides=(
                    OverrideInput("nomination_closes", datetime(2023, 2, 20, 12, tzinfo=UTC), ""),
                ),
            ),
            "overrides.nomination_closes.reason",
        ),
        (
            CallElection(
                polling_day=POLLING,
                called_on=CALLED,
                overrides=(OverrideInput("coronation", datetime(2023, 2, 20, tzinfo=UTC), "x"),),
            ),
            "overrides",
        ),
    ],
)
def test_a_bad_call_is_refused_and_writes_nothing(
    factory: sessionmaker[Session], call: CallElection, field: str
) -> None:
    world_of(factory)
    with pytest.raises(ServiceError) as caught:
        execute(factory, OPERATOR, call_election, call)
    assert caught.value.field == field
    assert count(factory, Election) == 0
    assert count(factory, Contest) == 0
    assert count(factory, AuditEvent) == 0


def test_overrides_are_stored_and_move_the_calendar(factory: sessionmaker[Session]) -> None:
    world = world_of(factory)
    closes = datetime(2023, 2, 20, 12, 0, tzinfo=UTC)  # 18:00 in Asia/Almaty (UTC+6)
    call = CallElection(
        polling_day=POLLING,
        called_on=CALLED,
        kind=ElectionKind.EARLY,
        overrides=(OverrideInput("nomination_closes", closes, "CEC resolution No. 1"),),
    )
    result = execute(factory, OPERATOR, call_election, call)
    with factory() as session:
        record = session.execute(select(StageOverrideRecord)).scalar_one()
        assert (record.stage, record.at, record.reason) == (
            "nomination_closes",
            closes,
            "CEC resolution No. 1",
        )
        calendar = election_calendar_for(session, result.election.id, world.regions["oblast"])
    stage = calendar.stage("nomination_closes")
    assert stage.at == closes and stage.override_reason == "CEC resolution No. 1"
    assert stage.at.utcoffset() == timedelta(hours=6)
    assert calendar.stage("districts_published_by").at == datetime(2023, 1, 29, 12, 0, tzinfo=UTC)


def test_deadlines_are_enforced_in_each_region_local_time(factory: sessionmaker[Session]) -> None:
    world = world_of(factory)
    with factory() as session, session.begin():
        west = Region(
            code="KZ-27",
            kind=MaslikhatKind.OBLAST,
            name_kk="Батыс",
            name_en="West",
            name_ru="",
            iana_zone="Asia/Oral",  # UTC+5 in 2023
        )
        session.add(west)
        session.flush()
        west_id = west.id
    election_id = execute(factory, OPERATOR, call_election, CALL).election.id
    # nomination closes E−30 = 17 Feb 2023 18:00 local: 12:00 UTC in Almaty, 13:00 UTC in Oral.
    almaty_deadline = datetime(2023, 2, 17, 12, 0, tzinfo=UTC)

    def check(ctx: Context, region_id: int) -> str:
        return require_before(
            ctx, election_calendar_for(ctx.session, election_id, region_id), "nomination_closes"
        ).id

    oblast = world.regions["oblast"]
    assert (
        execute(factory, OPERATOR, check, oblast, clock=at(almaty_deadline)) == "nomination_closes"
    )
    late = almaty_deadline + timedelta(minutes=30)
    with pytest.raises(Conflict) as caught:
        execute(factory, OPERATOR, check, oblast, clock=at(late))
    assert caught.value.code == "deadline_passed"
    assert "2023-02-17 18:00" in caught.value.message and "monograph [L232]" in caught.value.message
    assert execute(factory, OPERATOR, check, west_id, clock=at(late)) == "nomination_closes"
    with pytest.raises(Conflict):
        execute(factory, OPERATOR, check, west_id, clock=at(late + timedelta(hours=1)))


def test_require_after_and_period_ends(factory: sessionmaker[Session]) -> None:
    world_of(factory)
    election_id = execute(factory, OPERATOR, call_election, CALL).election.id
    opens = datetime(2023, 1, 18, 18, 0, tzinfo=UTC)  # E−60 = 18 Jan 00:00 local = 17 Jan 18:00 UTC

    def opened(ctx: Context) -> str:
        return require_after(
            ctx, election_calendar_for(ctx.session, election_id), "nomination_opens"
        ).id

    def extension(ctx: Context) -> str:
        return require_before(
            ctx,
            election_calendar_for(ctx.session, election_id),
            "nomination_extension_limit",
            use_until=True,
        ).id

    assert execute(factory, OPERATOR, opened, clock=at(opens))
    with pytest.raises(Conflict) as caught:
        execute(factory, OPERATOR, opened, clock=at(datetime(2023, 1, 17, 17, 0, tzinfo=UTC)))
    assert caught.value.code == "not_yet_open"
    # the extension limit closes 20 days after nomination closes: 9 March 18:00 local
    assert execute(factory, OPERATOR, extension, clock=at(datetime(2023, 3, 9, 12, tzinfo=UTC)))
    with pytest.raises(Conflict):
        execute(factory, OPERATOR, extension, clock=at(datetime(2023, 3, 9, 12, 1, tzinfo=UTC)))

    def unknown(ctx: Context) -> str:
        return require_before(ctx, election_calendar_for(ctx.session, election_id), "coronation").id

    with pytest.raises(InvalidInput):
        execute(factory, OPERATOR, unknown)


def test_a_tec_may_call_only_elections_within_its_region(factory: sessionmaker[Session]) -> None:
    world = world_of(factory)
    with factory() as session:
        admin = Actor.load(session, "oblast_admin", Role.TEC_ADMIN, world.commissions["tec_oblast"])
    with pytest.raises(PermissionDenied):
        execute(factory, admin, call_election, CALL)  # includes the Mazhilis: national
    capital_only = CallElection(
        polling_day=POLLING, called_on=CALLED, body_ids=(world.bodies["capital"],)
    )
    with pytest.raises(PermissionDenied):
        execute(factory, admin, call_election, capital_only)
    assert count(factory, Election) == 0
    with factory() as session:
        refused = list(
            session.execute(select(AuditEvent).where(AuditEvent.outcome == "refused")).scalars()
        )
    assert [e.action for e in refused] == ["call_election", "call_election"]
    own = CallElection(
        polling_day=POLLING,
        called_on=CALLED,
        body_ids=(world.bodies["oblast"], world.bodies["district"]),
        purpose="by_election",
    )
    result = execute(factory, admin, call_election, own)
    assert [c.kind for c in result.contests] == [ContestKind.FIRST_LEVEL_LIST]


def test_a_precinct_receives_five_ballots_in_an_oblast_and_four_in_the_capital(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        world = build_election(session, build_world(session))
    assert world.election is not None
    with factory() as session:
        p1 = contests_for_precinct(session, world.election, world.precincts["p1"])
        p5 = contests_for_precinct(session, world.election, world.precincts["p5"])
        assert [c.id for c in p1] == [
            world.contests[name]
            for name in ("mazhilis_list", "mazhilis_m1", "oblast_list", "oblast_o1", "district_d1")
        ]
        assert [c.id for c in p5] == [
            world.contests[name]
            for name in ("mazhilis_list", "mazhilis_m1", "capital_list", "capital_c1")
        ]
        for name in ("p1", "p2", "p3", "p4", "p5", "p6"):
            check = check_ballots(session, world.election, world.precincts[name])
            assert check.agrees, (name, check)
        assert len(check_ballots(session, world.election, world.precincts["p3"]).found) == 5
        assert len(check_ballots(session, world.election, world.precincts["p6"]).found) == 4


def test_ballot_check_names_what_is_missing(factory: sessionmaker[Session]) -> None:
    world = world_of(factory)
    election_id = execute(factory, OPERATOR, call_election, CALL).election.id
    with factory() as session:
        check = check_ballots(session, election_id, world.precincts["p1"])
    assert not check.agrees
    assert check.found == (ContestKind.MAZHILIS_LIST, ContestKind.FIRST_LEVEL_LIST)
    assert check.missing == (
        ContestKind.MAZHILIS_SMD,
        ContestKind.FIRST_LEVEL_SMD,
        ContestKind.SECOND_LEVEL_SMD,
    )
