"""Commission members: appointment, the one chair / deputy chair / secretary rule, territory,
release with the history kept, and the audit trail, on both databases (CL arts. 10–19)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services.commissions import (
    Appointment,
    appoint_member,
    list_members,
    release_member,
)
from saylau.services.context import Actor, execute
from saylau.services.errors import Conflict, InvalidInput, PermissionDenied
from saylau.storage.models import AuditEvent, CommissionMember
from saylau.storage.models.organisation import CommissionPosition
from tests.world import World, build_world

TODAY = date(2023, 2, 1)


def at_noon() -> datetime:
    return datetime(2023, 2, 1, 6, tzinfo=UTC)  # 12:00 in Asia/Almaty


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    with factory() as session, session.begin():
        return build_world(session)


def admin(factory: sessionmaker[Session], username: str, role: Role, commission: int) -> Actor:
    with factory() as session:
        return Actor.load(session, username, role, commission)


def run(
    factory: sessionmaker[Session], actor: Actor, operation: Callable[..., Any], *args: Any
) -> Any:
    return execute(factory, actor, operation, *args, clock=at_noon)


def oblast_admin(factory: sessionmaker[Session], world: World) -> Actor:
    return admin(factory, "oblast_admin", Role.TEC_ADMIN, world.commissions["tec_oblast"])


def test_appointment_trims_the_name_lists_offices_first_and_is_audited(
    factory: sessionmaker[Session], world: World
) -> None:
    actor = oblast_admin(factory, world)
    tec = world.commissions["tec_oblast"]
    member = run(
        factory,
        actor,
        appoint_member,
        tec,
        Appointment("  Ахметов   Серік  ", "member", nominated_by=" Amanat party "),
    )
    chair = run(factory, actor, appoint_member, tec, Appointment("Бекова Айгүл", "chair"))
    assert member.full_name == "Ахметов Серік" and member.nominated_by == "Amanat party"
    assert member.position is CommissionPosition.MEMBER and member.appointed_on == TODAY
    listed = run(factory, actor, list_members, tec)
    assert [m.id for m in listed] == [chair.id, member.id]  # the chair first
    with factory() as session:
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "appoint_member", AuditEvent.entity_id == str(chair.id)
            )
        ).one()
        assert event.username == "oblast_admin" and event.before is None
        assert event.after is not None and event.after["position"] == "chair"
        assert event.after["full_name"] == "Бекова Айгүл"


def test_one_chair_deputy_and_secretary_and_no_person_twice(
    factory: sessionmaker[Session], world: World
) -> None:
    actor = oblast_admin(factory, world)
    pec = world.commissions["pec_p1"]  # a TEC of the region staffs its PECs too
    chair = run(factory, actor, appoint_member, pec, Appointment("Chair One", "chair"))
    run(factory, actor, appoint_member, pec, Appointment("Deputy One", "deputy_chair"))
    run(factory, actor, appoint_member, pec, Appointment("Secretary One", "secretary"))
    with pytest.raises(Conflict) as taken:
        run(factory, actor, appoint_member, pec, Appointment("Chair Two", "chair"))
    assert taken.value.code == "position_taken" and taken.value.field == "position"
    assert taken.value.params["member_id"] == chair.id
    with pytest.raises(Conflict) as twice:
        run(factory, actor, appoint_member, pec, Appointment("chair  one", "member"))
    assert twice.value.code == "already_member" and twice.value.params["member_id"] == chair.id
    # Any number of ordinary members: the law's sizes are not invented here.
    for number in range(1, 6):
        run(factory, actor, appoint_member, pec, Appointment(f"Member {number}"))
    # The same office in another commission is another office.
    other = world.commissions["pec_p2"]
    run(factory, actor, appoint_member, other, Appointment("Chair Two", "chair"))
    with factory() as session:
        serving = session.scalars(
            select(CommissionMember).where(CommissionMember.commission_id == pec)
        ).all()
    assert len(serving) == 8
    assert [m.position for m in serving].count(CommissionPosition.CHAIR) == 1


def test_invalid_appointments_name_the_field(factory: sessionmaker[Session], world: World) -> None:
    actor = oblast_admin(factory, world)
    tec = world.commissions["tec_district"]
    cases = [
        (Appointment("   "), "bad_name", "full_name"),
        (Appointment("x" * 301), "bad_name", "full_name"),
        (Appointment("Someone", "treasurer"), "bad_position", "position"),
        (Appointment("Someone", nominated_by="y" * 201), "bad_text", "nominated_by"),
        (Appointment("Someone", appointed_on=date(2023, 2, 2)), "future_date", "appointed_on"),
    ]
    for appointment, code, field in cases:
        with pytest.raises(InvalidInput) as refused:
            run(factory, actor, appoint_member, tec, appointment)
        assert (refused.value.code, refused.value.field) == (code, field)
    with factory() as session:
        assert session.scalars(select(CommissionMember)).all() == []


def test_another_regions_admin_and_a_typist_are_refused_and_logged(
    factory: sessionmaker[Session], world: World
) -> None:
    capital = admin(factory, "capital_admin", Role.TEC_ADMIN, world.commissions["tec_capital"])
    for commission in ("tec_oblast", "pec_p1", "tec_city", "cec"):
        with pytest.raises(PermissionDenied) as outside:
            run(factory, capital, appoint_member, world.commissions[commission], Appointment("X"))
        assert outside.value.code == "outside_territory"
    with pytest.raises(PermissionDenied):
        run(factory, capital, list_members, world.commissions["tec_oblast"])
    # The region's own admin cannot staff the CEC; the CEC can staff everything.
    with pytest.raises(PermissionDenied):
        run(
            factory,
            oblast_admin(factory, world),
            appoint_member,
            world.commissions["cec"],
            Appointment("X"),
        )
    cec = admin(factory, "cec_admin", Role.CEC_ADMIN, world.commissions["cec"])
    member = run(factory, cec, appoint_member, world.commissions["pec_p5"], Appointment("Y"))
    typist = admin(factory, "typist_p1_a", Role.PEC_TYPIST, world.commissions["pec_p1"])
    with pytest.raises(PermissionDenied) as forbidden:
        run(factory, typist, appoint_member, world.commissions["pec_p1"], Appointment("Z"))
    assert forbidden.value.code == "role_forbids"
    with pytest.raises(PermissionDenied):
        run(factory, oblast_admin(factory, world), release_member, member.id, "moved")
    with factory() as session:
        refusals = session.scalars(
            select(AuditEvent).where(AuditEvent.outcome == "refused").order_by(AuditEvent.id)
        ).all()
        assert [e.username for e in refusals] == ["capital_admin"] * 5 + [
            "oblast_admin",
            "typist_p1_a",
            "oblast_admin",
        ]
        assert refusals[0].action == "appoint_member"
        assert refusals[-1].action == "release_member"
        assert session.scalars(select(CommissionMember)).all() == [
            session.get(CommissionMember, member.id)
        ]


def test_release_keeps_the_history_and_frees_the_office(
    factory: sessionmaker[Session], world: World
) -> None:
    actor = oblast_admin(factory, world)
    tec = world.commissions["tec_city"]
    chair = run(
        factory,
        actor,
        appoint_member,
        tec,
        Appointment("Old Chair", "chair", appointed_on=date(2022, 5, 1)),
    )
    with pytest.raises(InvalidInput) as no_reason:
        run(factory, actor, release_member, chair.id, "   ")
    assert no_reason.value.code == "bad_reason"
    with pytest.raises(InvalidInput) as early:
        run(factory, actor, release_member, chair.id, "resigned", date(2022, 4, 30))
    assert early.value.code == "before_appointment"
    released = run(factory, actor, release_member, chair.id, " resigned  on request ")
    assert released.released_on == TODAY and released.release_reason == "resigned on request"
    with pytest.raises(Conflict) as again:
        run(factory, actor, release_member, chair.id, "resigned")
    assert again.value.code == "already_released"
    # The office is free again; the same person may even come back.
    new_chair = run(factory, actor, appoint_member, tec, Appointment("New Chair", "chair"))
    back = run(factory, actor, appoint_member, tec, Appointment("Old Chair", "member"))
    listed = run(factory, actor, list_members, tec)
    assert [m.id for m in listed] == [new_chair.id, back.id, chair.id]  # released last
    serving = run(factory, actor, lambda ctx, c: list_members(ctx, c, include_released=False), tec)
    assert chair.id not in [m.id for m in serving]
    with factory() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "release_member")
        ).one()
        assert event.before is not None and event.before["released_on"] is None
        assert event.after is not None and event.after["released_on"] == "2023-02-01"
        assert event.after["release_reason"] == "resigned on request"
