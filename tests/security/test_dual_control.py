"""Dual control of critical actions (issue #9 §2), on SQLite and PostgreSQL, with the policy
``SAYLAU_DUAL_CONTROL=required``: a request by one member, the approval of a second member of the
same commission, the action run in the approver's transaction — and nothing without it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Role
from saylau.services import approvals
from saylau.services.ballots import freeze_ballot, prepare_contest_ballot
from saylau.services.errors import Conflict, PermissionDenied, ServiceError
from saylau.services.protocols import ProtocolData, correct_definitive
from saylau.services.results import publish_results
from saylau.services.tabulation import tabulate_election
from saylau.storage.models import (
    Approval,
    ApprovalState,
    AuditEvent,
    BallotDefinition,
    ContestResult,
    Protocol,
)
from tests.security.dual import second_member
from tests.services.count_world import CountWorld, actor, run, setup
from tests.services.test_results import CAPITAL, IN_TIME, count_everything

Factory = sessionmaker[Session]


@pytest.fixture(autouse=True)
def dual_control_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(approvals.POLICY_ENV, approvals.REQUIRED)


@pytest.fixture
def cw(factory: Factory) -> CountWorld:
    world = setup(factory)
    count_everything(factory, world, CAPITAL)
    admin = capital_admin(factory, world)
    run(factory, admin, tabulate_election, world.world.election, at=IN_TIME)
    return world


def capital_admin(factory: Factory, cw: CountWorld) -> Any:
    return actor(factory, "capital_admin", Role.TEC_ADMIN, cw.world.commissions["tec_capital"])


def election(cw: CountWorld) -> int:
    assert cw.world.election is not None
    return cw.world.election


def published(factory: Factory) -> int:
    with factory() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(ContestResult)
                .where(ContestResult.published_at.is_not(None))
            )
            or 0
        )


def writes(factory: Factory) -> list[tuple[str, str | None]]:
    """The audit trail, as (action, outcome): what a refused attempt may add is one refusal."""
    with factory() as session:
        return [(e.action, e.outcome) for e in session.scalars(select(AuditEvent))]


def test_publication_needs_a_second_member_and_runs_as_the_approver(
    factory: Factory, cw: CountWorld
) -> None:
    admin = capital_admin(factory, cw)
    before = writes(factory)
    with pytest.raises(PermissionDenied) as alone:
        run(factory, admin, publish_results, election(cw), at=IN_TIME)
    assert alone.value.code == "approval_required"
    assert published(factory) == 0
    assert writes(factory)[len(before) :] == [("publish_results", "refused")]

    params = approvals.publish_params(election(cw))
    asked = run(factory, admin, approvals.request, approvals.PUBLISH_RESULTS, params, at=IN_TIME)
    assert asked.state == "requested" and asked.digest == approvals.digest_of(
        approvals.PUBLISH_RESULTS, params
    )
    assert published(factory) == 0  # a request runs nothing
    with pytest.raises(PermissionDenied) as own:
        run(factory, admin, approvals.approve, asked.id, asked.digest, at=IN_TIME)
    assert own.value.code == "approval_by_requester"
    with pytest.raises(PermissionDenied) as direct:  # the id alone does not unlock the service
        run(factory, admin, publish_results, election(cw), approval_id=asked.id, at=IN_TIME)
    assert direct.value.code == "approval_not_given"

    oblast = actor(factory, "oblast_admin", Role.TEC_ADMIN, cw.world.commissions["tec_oblast"])
    with pytest.raises(PermissionDenied) as other:
        run(factory, oblast, approvals.approve, asked.id, asked.digest, at=IN_TIME)
    assert other.value.code in {"outside_territory", "approval_other_commission"}
    coordinator = actor(
        factory, "capital_coordinator", Role.TEC_COORDINATOR, cw.world.commissions["tec_capital"]
    )
    with pytest.raises(PermissionDenied) as unauthorised:
        run(factory, coordinator, approvals.approve, asked.id, asked.digest, at=IN_TIME)
    assert unauthorised.value.code == "role_forbids"
    assert published(factory) == 0

    second = second_member(factory, admin)
    with pytest.raises(Conflict) as changed:
        run(factory, second, approvals.approve, asked.id, "0" * 64, at=IN_TIME)
    assert changed.value.code == "approval_changed"
    done = run(factory, second, approvals.approve, asked.id, asked.digest, at=IN_TIME)
    assert done.approval.state == "approved" and done.approval.decided_by == second.username
    assert done.result.mandates == 4 and published(factory) == 3
    with pytest.raises(Conflict) as twice:
        run(factory, second, approvals.approve, asked.id, asked.digest, at=IN_TIME)
    assert twice.value.code == "approval_decided"
    with pytest.raises(PermissionDenied) as replay:  # an executed approval is spent
        run(factory, second, publish_results, election(cw), approval_id=asked.id, at=IN_TIME)
    assert replay.value.code == "approval_not_given"
    actions = [a for a, outcome in writes(factory) if outcome != "refused"]
    assert actions.count("request_approval") == 1 and actions[-1] == "approve"
    assert actions.index("request_approval") < actions.index("publish_results")
    with factory() as session:
        refused = session.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.outcome == "refused")
        ).all()
    assert {"approval_required", "approval_by_requester", "role_forbids"} <= set(refused)


def test_an_approval_of_other_parameters_is_refused(factory: Factory, cw: CountWorld) -> None:
    admin = capital_admin(factory, cw)
    second = second_member(factory, admin)
    asked = run(
        factory,
        admin,
        approvals.request,
        approvals.PUBLISH_RESULTS,
        approvals.publish_params(election(cw), "a reason"),
        at=IN_TIME,
    )
    with factory() as session, session.begin():  # the stored request changed after it was seen
        row = session.get(Approval, asked.id)
        assert row is not None
        row.params = approvals.publish_params(election(cw), "another reason")
    with pytest.raises(Conflict) as changed:
        run(factory, second, approvals.approve, asked.id, asked.digest, at=IN_TIME)
    assert changed.value.code == "approval_changed"
    assert published(factory) == 0
    with factory() as session:
        assert session.get(Approval, asked.id).state is ApprovalState.REQUESTED  # type: ignore[union-attr]


def test_a_rejected_request_cannot_be_approved(factory: Factory, cw: CountWorld) -> None:
    admin = capital_admin(factory, cw)
    second = second_member(factory, admin)
    params = approvals.publish_params(election(cw))
    asked = run(factory, admin, approvals.request, approvals.PUBLISH_RESULTS, params, at=IN_TIME)
    listed = run(factory, second, approvals.list_approvals, "requested", at=IN_TIME)
    assert [a.id for a in listed] == [asked.id]
    run(factory, second, approvals.reject, asked.id, "figures not checked yet", at=IN_TIME)
    with pytest.raises(Conflict):
        run(factory, second, approvals.approve, asked.id, asked.digest, at=IN_TIME)
    assert published(factory) == 0


def test_two_approvers_at_once_one_wins(factory: Factory, cw: CountWorld) -> None:
    admin = capital_admin(factory, cw)
    first = second_member(factory, admin)
    third = second_member(factory, first)
    params = approvals.publish_params(election(cw))
    asked = run(factory, admin, approvals.request, approvals.PUBLISH_RESULTS, params, at=IN_TIME)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def approve_as(who: Any) -> None:
        barrier.wait()
        try:
            outcomes.append(
                run(factory, who, approvals.approve, asked.id, asked.digest, at=IN_TIME)
            )
        except ServiceError as error:
            outcomes.append(error.code)
        except Exception as error:  # SQLite: the losing writer may see the database locked
            outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=approve_as, args=(w,)) for w in (first, third)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    won = [o for o in outcomes if isinstance(o, approvals.Approved)]
    assert len(won) == 1, outcomes
    assert published(factory) == 3
    with factory() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "approve")
            )
            == 1
        )


def _definitive_o1(factory: Factory, cw: CountWorld) -> tuple[int, ProtocolData]:
    from tests.services.count_world import double_entry, figures

    votes = {
        cw.choices["oblast_o1"][n]: v
        for n, v in (("Абаев", 300), ("Бекова", 200), ("Жұмабаев", 100))
    }
    status = double_entry(factory, cw, "oblast_o1", "p1", figures(votes))
    votes[cw.choices["oblast_o1"]["Жұмабаев"]] = 110
    return status.protocol_id, figures(votes, cancelled=390)


def test_a_definitive_correction_needs_a_second_member(factory: Factory, cw: CountWorld) -> None:
    protocol_id, corrected = _definitive_o1(factory, cw)
    admin = actor(factory, "oblast_admin", Role.TEC_ADMIN, cw.world.commissions["tec_oblast"])
    with pytest.raises(PermissionDenied) as alone:
        run(factory, admin, correct_definitive, protocol_id, corrected, "TEC decision 1")
    assert alone.value.code == "approval_required"
    params = approvals.correction_params(protocol_id, corrected, "TEC decision 1")
    asked = run(factory, admin, approvals.request, approvals.CORRECT_DEFINITIVE, params)
    with pytest.raises(Conflict) as other:  # the approval names other figures than these
        run(
            factory,
            second_member(factory, admin),
            correct_definitive,
            protocol_id,
            ProtocolData(**{**corrected.__dict__, "against_all": 0}),
            "TEC decision 2",
            approval_id=asked.id,
        )
    assert other.value.code == "approval_mismatch"
    with factory() as session:
        assert session.get(Protocol, protocol_id).version == 0  # type: ignore[union-attr]
    done = run(factory, second_member(factory, admin), approvals.approve, asked.id, asked.digest)
    assert done.result.version == 1


def test_changing_a_frozen_ballot_needs_a_second_member(factory: Factory) -> None:
    from tests.services.nomination_world import AFTER_REGISTRATION
    from tests.services.nomination_world import setup as ballot_setup
    from tests.services.test_ballots import NAMES, candidates

    s = ballot_setup(factory, "alpha", "beta", "gamma")
    candidates(s, "oblast_o1", NAMES[:3])
    contest = s.contest("oblast_o1")
    s.run(s.oblast, prepare_contest_ballot, contest, at=AFTER_REGISTRATION)
    s.run(s.oblast, freeze_ballot, contest, at=AFTER_REGISTRATION)
    decision = "TEC decision No. 12: reprint"
    with pytest.raises(PermissionDenied) as alone:
        s.run(s.oblast, prepare_contest_ballot, contest, decision=decision, at=AFTER_REGISTRATION)
    assert alone.value.code == "approval_required"
    assert ("change_frozen_ballot", None) not in writes(factory)
    params = approvals.ballot_change_params(contest, decision)
    asked = s.run(
        s.oblast, approvals.request, approvals.CHANGE_FROZEN_BALLOT, params, at=AFTER_REGISTRATION
    )
    second = second_member(factory, s.oblast)
    done = s.run(second, approvals.approve, asked.id, asked.digest, at=AFTER_REGISTRATION)
    assert done.result.contest_id == contest
    assert [a for a, _ in writes(factory)].count("change_frozen_ballot") == 1
    with factory() as session:
        stored = session.scalars(select(BallotDefinition)).one()
        assert stored.change_decision == decision


def test_each_critical_action_is_guarded() -> None:
    assert set(approvals.CRITICAL) == {
        approvals.PUBLISH_RESULTS,
        approvals.CORRECT_DEFINITIVE,
        approvals.CHANGE_FROZEN_BALLOT,
        approvals.STRIKE_FROM_FROZEN_BALLOT,
        approvals.OVERRIDE_SEAT_CAP,
    }
