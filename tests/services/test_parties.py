"""Admission of parties by the CEC and the branch a party nominates through (monograph [L224])."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.law.iin import Sex
from saylau.services.errors import Conflict, NotFound, PermissionDenied
from saylau.services.parties import admit_party, find_party
from saylau.storage.models import (
    AuditEvent,
    Election,
    ElectionStatus,
    PartyAdmission,
    PartyBranch,
    PartyList,
)
from tests.services.nomination_world import (
    NOMINATING,
    Setup,
    party_list,
    person,
    setup,
    smd,
)

Factory = sessionmaker[Session]


@pytest.fixture
def s(factory: Factory) -> Setup:
    return setup(factory)


def _admissions(s: Setup) -> int:
    return s.read(lambda session: session.scalar(select(func.count()).select_from(PartyAdmission)))


def test_cec_admits_a_party_once(s: Setup) -> None:
    assert s.world.election is not None
    first = s.run(s.cec, admit_party, s.world.election, s.party("alpha"), at=NOMINATING)
    again = s.run(s.cec, admit_party, s.world.election, s.party("alpha"), at=NOMINATING)
    assert (first.created, again.created) == (True, False)
    assert first.party_code == "alpha" and again.admitted_at == first.admitted_at == NOMINATING
    assert _admissions(s) == 1
    events = s.read(
        lambda session: session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity == "party_admission")
        ).all()
    )
    assert events == ["admit_party"]


@pytest.mark.parametrize(
    ("username", "role", "commission", "code"),
    [
        ("oblast_admin", Role.TEC_ADMIN, "tec_oblast", "outside_territory"),
        ("alpha_agent", Role.PARTY_AGENT, None, "role_forbids"),
    ],
)
def test_only_the_cec_admits_and_refusals_are_logged(
    s: Setup, username: str, role: Role, commission: str | None, code: str
) -> None:
    assert s.world.election is not None
    actor = s.actor(username, role, commission)
    with pytest.raises(PermissionDenied) as refused:
        s.run(actor, admit_party, s.world.election, s.party("alpha"), at=NOMINATING)
    assert refused.value.code == code
    assert _admissions(s) == 0
    [event] = s.refusals()
    assert (event.username, event.action, event.entity_id) == (username, "admit_party", code)


def test_a_closed_election_admits_no_one(s: Setup) -> None:
    assert s.world.election is not None
    with s.factory() as session, session.begin():
        election = session.get(Election, s.world.election)
        assert election is not None
        election.status = ElectionStatus.RESULTS_PUBLISHED
    with pytest.raises(Conflict, match="results_published"):
        s.run(s.cec, admit_party, s.world.election, s.party("alpha"), at=NOMINATING)


def test_a_party_not_admitted_cannot_nominate(s: Setup) -> None:
    with pytest.raises(Conflict) as refused:
        party_list(s, "oblast_list", "alpha", [person("Серікова", "Дана", sex=Sex.FEMALE)])
    assert refused.value.code == "party_not_admitted"
    assert s.read(lambda session: session.scalar(select(func.count()).select_from(PartyList))) == 0


def test_a_party_needs_a_branch_in_the_region(s: Setup) -> None:
    s.admit("gamma")
    with s.factory() as session, session.begin():
        session.execute(
            delete(PartyBranch).where(
                PartyBranch.party_id == s.party("gamma"),
                PartyBranch.region_id == s.world.regions["capital"],
            )
        )
    with pytest.raises(Conflict) as refused:
        smd(s, "capital_c1", person("Омаров", "Бауыржан"), party="gamma")
    assert refused.value.code == "no_branch"
    assert "Testcapital" in refused.value.message
    # the oblast branch is still there, and the national Mazhilis list needs no branch at all
    assert smd(s, "oblast_o1", person("Бекұлы", "Арман"), party="gamma").nomination_id
    women = [person("Ахметова", "Гүлнар", date(1970, 1, 1), Sex.FEMALE, residence_years=30)]
    assert party_list(s, "mazhilis_list", "gamma", women).party_list_id


def test_find_party_by_code_or_id(s: Setup) -> None:
    by_code = s.run(s.cec, find_party, "beta", at=NOMINATING)
    by_id = s.run(s.cec, find_party, str(s.party("beta")), at=NOMINATING)
    assert by_code == by_id and by_code.name_kk == "Бета"
    with pytest.raises(NotFound):
        s.run(s.cec, find_party, "delta", at=NOMINATING)


def test_recording_parties_and_branches_is_idempotent_and_cec_only(
    factory: sessionmaker[Session],
) -> None:
    """The CEC records a registered party and its regional branches; a TEC may not (logged)."""
    from saylau.services.context import Actor, execute
    from saylau.services.parties import PartyRecord, record_branch, record_party
    from saylau.storage.models import AuditEvent, PartyBranch
    from tests.world import build_world

    with factory() as session, session.begin():
        world = build_world(session)
        cec = Actor.load(session, "cec_admin", Role.CEC_ADMIN, world.commissions["cec"])
        tec = Actor.load(session, "oblast_admin", Role.TEC_ADMIN, world.commissions["tec_oblast"])
    record = PartyRecord(code="delta", name_kk="Дельта", name_en="Delta")
    party = execute(factory, cec, record_party, record)
    assert execute(factory, cec, record_party, record).id == party.id
    assert execute(factory, cec, record_branch, party.id, world.regions["oblast"]) is True
    assert execute(factory, cec, record_branch, party.id, world.regions["oblast"]) is False
    with pytest.raises(PermissionDenied):
        execute(factory, tec, record_branch, party.id, world.regions["capital"])
    with factory() as session:
        branches = session.scalar(
            select(func.count()).select_from(PartyBranch).where(PartyBranch.party_id == party.id)
        )
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.outcome == "done").order_by(AuditEvent.id)
        ).all()
        refused = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "refused")
        )
    assert branches == 1
    assert actions.count("record_party") == 1 and actions.count("record_branch") == 1
    assert refused == 1
