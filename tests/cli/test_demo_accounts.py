"""``saylau serve --demo`` gives a few demo accounts working, random, audited passwords."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.cli.demo_accounts import demo_sign_ins
from saylau.domain.roles import Role
from saylau.services.users import verify_password
from saylau.storage.models import AuditEvent, RoleAssignment, User
from tests.world import build_world


def test_one_account_per_role_and_two_typists_of_one_precinct(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        build_world(session)
    first = demo_sign_ins(factory)
    roles = [role for _, role, _ in first]
    assert roles.count(Role.PEC_TYPIST) == 2
    assert {Role.TEC_ADMIN, Role.TEC_COORDINATOR, Role.PARTY_AGENT} <= set(roles)
    with factory() as session:
        for username, _, password in first:
            assert verify_password(session, username, password) is not None
        typists = [u for u, r, _ in first if r is Role.PEC_TYPIST]
        precincts = session.scalars(
            select(RoleAssignment.commission_id).join(User).where(User.username.in_(typists))
        ).all()
        assert len(set(precincts)) == 1  # the two typists can double-enter the same protocols
        changes = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "set_password")
        )
    assert changes == len({username for username, _, _ in first})
    second = demo_sign_ins(factory)
    assert [p for *_, p in second] != [p for *_, p in first]  # new passwords on every start
    with factory() as session:
        username, _, old = first[0]
        assert verify_password(session, username, old) is None


def test_an_account_holding_two_roles_gets_one_working_password(
    factory: sessionmaker[Session],
) -> None:
    """In the demo one TEC account is both administrator and coordinator."""
    from saylau.domain.roles import Role as R

    with factory() as session, session.begin():
        world = build_world(session)
        session.add(
            RoleAssignment(
                user_id=world.users["oblast_admin"],
                role=R.TEC_COORDINATOR,
                commission_id=world.commissions["tec_oblast"],
            )
        )
        for name in ("oblast_coordinator", "capital_coordinator"):
            session.delete(session.get(User, world.users[name]).roles[0])
    signed = demo_sign_ins(factory)
    holders = {role: (username, password) for username, role, password in signed}
    assert holders[Role.TEC_ADMIN] == holders[Role.TEC_COORDINATOR]
    with factory() as session:
        username, password = holders[Role.TEC_ADMIN]
        assert verify_password(session, username, password) is not None


def test_two_cec_members_so_that_one_approves_what_the_other_requests(
    factory: sessionmaker[Session],
) -> None:
    """Dual control (issue #9 §2): the demo prints two CEC administrators, who can request and
    approve a critical action between them."""
    with factory() as session, session.begin():
        world = build_world(session)
        second = User(username="cec_admin_2", full_name="Second CEC member")
        session.add(second)
        session.flush()
        session.add(
            RoleAssignment(
                user_id=second.id, role=Role.CEC_ADMIN, commission_id=world.commissions["cec"]
            )
        )
    admins = [u for u, role, _ in demo_sign_ins(factory) if role is Role.CEC_ADMIN]
    assert len(admins) == 2 and len(set(admins)) == 2 and "cec_admin_2" in admins
