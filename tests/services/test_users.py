"""Users: hashed passwords, unique names, roles granted only within the granter's territory."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services.context import Actor, execute
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied
from saylau.services.users import (
    NewUser,
    RoleGrant,
    assign_role,
    create_user,
    revoke_role,
    set_password,
    verify_password,
)
from saylau.storage.models import AuditEvent, RoleAssignment, User
from tests.world import World, build_world

OPERATOR = Actor.operator()
PASSWORD = "correct horse battery"


def world_of(factory: sessionmaker[Session]) -> World:
    with factory() as session, session.begin():
        return build_world(session)


def actor(factory: sessionmaker[Session], username: str, role: Role, commission: int) -> Actor:
    with factory() as session:
        return Actor.load(session, username, role, commission)


def events(factory: sessionmaker[Session], outcome: str = "done") -> list[AuditEvent]:
    with factory() as session:
        return list(
            session.execute(
                select(AuditEvent).where(AuditEvent.outcome == outcome).order_by(AuditEvent.id)
            ).scalars()
        )


def test_password_is_stored_as_argon2_and_never_audited(factory: sessionmaker[Session]) -> None:
    user = execute(factory, OPERATOR, create_user, NewUser("aigerim", "Aigerim S.", PASSWORD))
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    with factory() as session:
        assert verify_password(session, "aigerim", PASSWORD) is not None
        assert verify_password(session, "aigerim", PASSWORD + "!") is None
        assert verify_password(session, "nobody", PASSWORD) is None
    logged = events(factory)
    assert [(e.action, e.entity) for e in logged] == [("create_user", "user")]
    text = json.dumps(logged[0].after)
    assert user.password_hash not in text and PASSWORD not in text
    assert logged[0].after is not None and logged[0].after["password_hash"] == "set"


def test_an_inactive_or_passwordless_user_cannot_log_in(factory: sessionmaker[Session]) -> None:
    execute(factory, OPERATOR, create_user, NewUser("nopass"))
    execute(factory, OPERATOR, create_user, NewUser("gone", password=PASSWORD))
    with factory() as session, session.begin():
        session.execute(select(User).where(User.username == "gone")).scalar_one().active = False
    with factory() as session:
        assert verify_password(session, "nopass", "") is None
        assert verify_password(session, "gone", PASSWORD) is None


def test_usernames_are_unique_and_checked(factory: sessionmaker[Session]) -> None:
    execute(factory, OPERATOR, create_user, NewUser("aigerim", password=PASSWORD))
    with pytest.raises(Conflict, match="already taken"):
        execute(factory, OPERATOR, create_user, NewUser("aigerim", password=PASSWORD))
    with pytest.raises(InvalidInput) as bad_name:
        execute(factory, OPERATOR, create_user, NewUser("Ai Gerim"))
    assert bad_name.value.field == "username"
    with pytest.raises(InvalidInput) as weak:
        execute(factory, OPERATOR, create_user, NewUser("bolat", password="short"))
    assert weak.value.field == "password"
    with pytest.raises(InvalidInput):
        execute(factory, OPERATOR, create_user, NewUser("bolat", locale="de"))
    with factory() as session:
        assert [u.username for u in session.execute(select(User)).scalars()] == ["aigerim"]


def test_a_tec_admin_staffs_only_their_own_territory(factory: sessionmaker[Session]) -> None:
    world = world_of(factory)
    admin = actor(factory, "oblast_admin", Role.TEC_ADMIN, world.commissions["tec_oblast"])
    user = execute(factory, admin, create_user, NewUser("new_typist", password=PASSWORD))
    own = RoleGrant(user.id, Role.PEC_TYPIST, world.commissions["pec_p1"])
    assignment = execute(factory, admin, assign_role, own)
    again = execute(factory, admin, assign_role, own)
    assert again.id == assignment.id  # idempotent
    assert len([e for e in events(factory) if e.action == "assign_role"]) == 1
    with factory() as session:
        typist = Actor.load(session, "new_typist", Role.PEC_TYPIST, world.commissions["pec_p1"])
    assert typist.precinct_id == world.precincts["p1"]

    forbidden = [
        RoleGrant(user.id, Role.PEC_TYPIST, world.commissions["pec_p5"]),  # another region
        RoleGrant(user.id, Role.TEC_ADMIN, world.commissions["tec_capital"]),
        RoleGrant(user.id, Role.CEC_ADMIN, world.commissions["cec"]),
        RoleGrant(user.id, Role.ANALYST),  # a national role
    ]
    for grant in forbidden:
        with pytest.raises(PermissionDenied):
            execute(factory, admin, assign_role, grant)
    refused = events(factory, "refused")
    assert [e.action for e in refused] == ["assign_role"] * 4
    assert all(e.username == "oblast_admin" for e in refused)
    with factory() as session:
        held = session.execute(
            select(RoleAssignment).where(RoleAssignment.user_id == user.id)
        ).scalars()
        assert [a.commission_id for a in held] == [world.commissions["pec_p1"]]


def test_roles_fit_their_commission_level(factory: sessionmaker[Session]) -> None:
    world = world_of(factory)
    user = execute(factory, OPERATOR, create_user, NewUser("someone"))
    bad = [
        (RoleGrant(user.id, Role.TEC_ADMIN, world.commissions["pec_p1"]), "commission_id"),
        (RoleGrant(user.id, Role.CEC_ADMIN, world.commissions["tec_oblast"]), "commission_id"),
        (RoleGrant(user.id, Role.PEC_TYPIST), "commission_id"),
        (RoleGrant(user.id, Role.PARTY_AGENT), "party_id"),
        (RoleGrant(user.id, Role.ANALYST, party_id=world.parties["alpha"]), "party_id"),
    ]
    for grant, field in bad:
        with pytest.raises(InvalidInput) as caught:
            execute(factory, OPERATOR, assign_role, grant)
        assert caught.value.field == field
    agent = execute(
        factory,
        OPERATOR,
        assign_role,
        RoleGrant(user.id, Role.PARTY_AGENT, party_id=world.parties["beta"]),
    )
    assert agent.party_id == world.parties["beta"]


def test_revoking_a_role_removes_the_right_to_act(factory: sessionmaker[Session]) -> None:
    world = world_of(factory)
    grant = RoleGrant(world.users["typist_p5_a"], Role.PEC_TYPIST, world.commissions["pec_p5"])
    oblast_admin = actor(factory, "oblast_admin", Role.TEC_ADMIN, world.commissions["tec_oblast"])
    with pytest.raises(PermissionDenied):
        execute(factory, oblast_admin, revoke_role, grant)
    capital_admin = actor(
        factory, "capital_admin", Role.TEC_ADMIN, world.commissions["tec_capital"]
    )
    assert execute(factory, capital_admin, revoke_role, grant) is True
    assert execute(factory, capital_admin, revoke_role, grant) is False
    with factory() as session, pytest.raises(PermissionDenied):
        Actor.load(session, "typist_p5_a", Role.PEC_TYPIST, world.commissions["pec_p5"])
    revoked = [e for e in events(factory) if e.action == "revoke_role"]
    assert len(revoked) == 1 and revoked[0].after is None and revoked[0].before is not None


def test_a_password_is_reset_only_by_someone_covering_every_role(
    factory: sessionmaker[Session],
) -> None:
    world = world_of(factory)
    capital_admin = actor(
        factory, "capital_admin", Role.TEC_ADMIN, world.commissions["tec_capital"]
    )
    with pytest.raises(PermissionDenied):
        execute(factory, capital_admin, set_password, world.users["typist_p1_a"], PASSWORD)
    execute(factory, capital_admin, set_password, world.users["typist_p5_a"], PASSWORD)
    with factory() as session:
        assert verify_password(session, "typist_p5_a", PASSWORD) is not None
        assert verify_password(session, "typist_p1_a", PASSWORD) is None
