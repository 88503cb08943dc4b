"""The test world loads on both databases and actors resolve with their territory."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services.context import Actor, scope_for
from tests.world import build_world


def test_actors_cover_only_their_territory(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        world = build_world(session)
    with factory() as session:
        oblast = Actor.load(
            session, "oblast_admin", Role.TEC_ADMIN, world.commissions["tec_oblast"]
        )
        typist = Actor.load(session, "typist_p1_a", Role.PEC_TYPIST, world.commissions["pec_p1"])
        p1 = scope_for(session, precinct_id=world.precincts["p1"])
        p5 = scope_for(session, precinct_id=world.precincts["p5"])
        p2 = scope_for(session, precinct_id=world.precincts["p2"])
    assert oblast.covers(p1) and not oblast.covers(p5)
    assert typist.covers(p1) and not typist.covers(p2)


def test_election_fixture_builds_every_contest(factory: sessionmaker[Session]) -> None:
    from tests.world import CONTESTS, build_election

    with factory() as session, session.begin():
        world = build_election(session, build_world(session))
    assert set(world.contests) == set(CONTESTS)
    assert len(world.districts) == 10
