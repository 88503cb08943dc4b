"""Dual control of the seat-cap override and of striking a line from a frozen ballot (issue #9 §2),
on SQLite and PostgreSQL: under ``SAYLAU_DUAL_CONTROL=required`` nothing happens without a second
member's approval, the requester cannot approve, the approval runs the action exactly once; with
the policy ``off`` the action is done directly."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.states import CandidacyState
from saylau.law.nomination import RefusalReason
from saylau.services import approvals
from saylau.services.ballots import freeze_ballot, prepare_contest_ballot, strike_from_frozen_ballot
from saylau.services.candidacy import CandidacyKind, CandidacyRef
from saylau.services.errors import Conflict, PermissionDenied
from saylau.services.registration import cancel_registration, withdraw
from saylau.services.territory import TerritoryImport, import_territory
from saylau.storage.models import Approval, ApprovalState, AuditEvent, Body, BodyKind, Nomination
from tests.security.dual import second_member
from tests.services.nomination_world import AFTER_REGISTRATION, Setup
from tests.services.nomination_world import setup as ballot_setup
from tests.services.test_ballots import NAMES, candidates, lines

Factory = sessionmaker[Session]

REASON = "seats fixed by the akimat's decision No. 4 of 2022"
DECISION = "TEC decision No. 12 of 01.03.2023: strike the withdrawn candidate"


@pytest.fixture
def required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(approvals.POLICY_ENV, approvals.REQUIRED)


@pytest.fixture
def off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(approvals.POLICY_ENV, approvals.OFF)


@pytest.fixture
def s(factory: Factory) -> Setup:
    return ballot_setup(factory, "alpha", "beta", "gamma")


def events(factory: Factory, action: str, outcome: str = "done") -> list[AuditEvent]:
    with factory() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == outcome)
            )
        )


# --- the seat-cap override of a territory import (LSA art. 5 para 3; decision #10) -------------


def over_cap(seats: int = 30, reason: str | None = REASON) -> TerritoryImport:
    """The district maslikhat of the test world (cap 25) given ``seats``, with ``reason``."""
    row: dict[str, Any] = {"kind": "district", "region": "KZ-35", "unit": "Raion", "seats": seats}
    if reason is not None:
        row["seat_cap_override"] = reason
    return TerritoryImport.of(bodies=[row])


def district_seats(factory: Factory) -> tuple[int, str | None]:
    with factory() as session:
        body = session.scalars(select(Body).where(Body.kind == BodyKind.DISTRICT)).one()
        return body.seats, body.seat_cap_override


@pytest.mark.usefixtures("required")
def test_a_seat_cap_override_needs_a_second_cec_member(s: Setup, factory: Factory) -> None:
    at = AFTER_REGISTRATION
    assert district_seats(factory) == (2, None)
    with pytest.raises(PermissionDenied) as alone:
        s.run(s.cec, import_territory, over_cap(), at=at)
    assert alone.value.code == "approval_required"
    assert "override_seat_cap" in alone.value.message and "second member" in alone.value.message
    assert district_seats(factory) == (2, None)
    assert [e.entity_id for e in events(factory, "import_territory", "refused")] == [
        "approval_required"
    ]
    # Within the cap nothing needs an approval.
    s.run(s.cec, import_territory, over_cap(20, None), at=at)
    assert district_seats(factory) == (20, None)

    params = approvals.seat_cap_params(over_cap(), "2023")
    asked = s.run(s.cec, approvals.request, approvals.OVERRIDE_SEAT_CAP, params, at=at)
    assert asked.commission == "cec" and asked.params["bodies"][0]["seats"] == 30
    assert district_seats(factory) == (20, None)  # the request (and its rehearsal) wrote nothing
    with pytest.raises(PermissionDenied) as own:
        s.run(s.cec, approvals.approve, asked.id, asked.digest, at=at)
    assert own.value.code == "approval_by_requester"
    with pytest.raises(PermissionDenied) as tec:  # a TEC does not set seats (MANAGE_TERRITORY)
        s.run(s.oblast, approvals.approve, asked.id, asked.digest, at=at)
    assert tec.value.code == "role_forbids"
    with pytest.raises(PermissionDenied) as direct:
        s.run(s.cec, import_territory, over_cap(), approval_id=asked.id, at=at)
    assert direct.value.code == "approval_not_given"
    assert district_seats(factory) == (20, None)

    second = second_member(factory, s.cec)
    done = s.run(second, approvals.approve, asked.id, asked.digest, at=at)
    assert done.approval.state == "approved" and done.result.tally("body").updated == 1
    assert district_seats(factory) == (30, REASON)
    assert len(events(factory, "approve")) == 1
    with pytest.raises(Conflict) as twice:
        s.run(second, approvals.approve, asked.id, asked.digest, at=at)
    assert twice.value.code == "approval_decided"
    with pytest.raises(PermissionDenied) as replay:  # an executed approval is spent
        s.run(second, import_territory, over_cap(), approval_id=asked.id, at=at)
    assert replay.value.code == "approval_not_given"
    with pytest.raises(Conflict) as other:  # nor does it name other seats
        s.run(second, import_territory, over_cap(31), approval_id=asked.id, at=at)
    assert other.value.code == "approval_mismatch"
    # Importing the override already stored again accepts nothing new: no approval needed.
    again = s.run(s.cec, import_territory, over_cap(), at=at)
    assert again.tally("body").unchanged == 1
    with pytest.raises(PermissionDenied):  # another excess is a new acceptance
        s.run(s.cec, import_territory, over_cap(31), at=at)
    assert district_seats(factory) == (30, REASON)


@pytest.mark.usefixtures("required")
def test_an_approval_names_the_whole_import(s: Setup, factory: Factory) -> None:
    at = AFTER_REGISTRATION
    asked = s.run(
        s.cec,
        approvals.request,
        approvals.OVERRIDE_SEAT_CAP,
        approvals.seat_cap_params(over_cap(), "2023"),
        at=at,
    )
    with factory() as session, session.begin():  # the stored request changed after it was seen
        row = session.get(Approval, asked.id)
        assert row is not None
        row.params = approvals.seat_cap_params(over_cap(45), "2023")
    with pytest.raises(Conflict) as changed:
        s.run(second_member(factory, s.cec), approvals.approve, asked.id, asked.digest, at=at)
    assert changed.value.code == "approval_changed"
    assert district_seats(factory) == (2, None)


@pytest.mark.usefixtures("off")
def test_with_the_policy_off_an_override_is_imported_directly(s: Setup, factory: Factory) -> None:
    report = s.run(s.cec, import_territory, over_cap(), at=AFTER_REGISTRATION)
    assert any(REASON in w for w in report.warnings)
    assert district_seats(factory) == (30, REASON)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Approval)) == 0


# --- striking a line from a frozen ballot after a withdrawal (CL art. 37; art. 105 para 1) -----


def frozen_district(s: Setup) -> tuple[int, dict[str, int]]:
    ids = candidates(s, "oblast_o1", NAMES[:4])  # Ахметов 1, Қасымов 2, Өмірбеков 3, Іргебаев 4
    contest = s.contest("oblast_o1")
    s.run(s.oblast, prepare_contest_ballot, contest, at=AFTER_REGISTRATION)
    s.run(s.oblast, freeze_ballot, contest, at=AFTER_REGISTRATION)
    return contest, ids


def surnames(s: Setup) -> list[tuple[int, str]]:
    return [(pos, label.split()[0]) for pos, label in lines(s, "oblast_o1")]


def state_of(s: Setup, ref: CandidacyRef) -> CandidacyState:
    return s.read(lambda session: session.get(Nomination, ref.id).state)  # type: ignore[union-attr]


FOUR = [(1, "Ахметов"), (2, "Қасымов"), (3, "Өмірбеков"), (4, "Іргебаев")]


@pytest.mark.usefixtures("required")
def test_a_withdrawal_is_recorded_and_its_strike_waits_for_a_second_member(
    s: Setup, factory: Factory
) -> None:
    at = AFTER_REGISTRATION
    _, ids = frozen_district(s)
    ref = CandidacyRef(CandidacyKind.SMD, ids["Қасымов"])
    with pytest.raises(Conflict) as undecided:  # still a recorded decision first
        s.run(s.oblast, withdraw, ref, at=at)
    assert undecided.value.code == "decision_required"

    decided = s.run(s.oblast, withdraw, ref, "own application", DECISION, at=at)
    assert decided.state is CandidacyState.WITHDRAWN and state_of(s, ref) is decided.state
    assert decided.ballot_approval is not None
    assert surnames(s) == FOUR  # the printed ballot waits for the second member
    assert events(s.factory, "change_frozen_ballot") == []
    with factory() as session:
        row = session.get(Approval, decided.ballot_approval)
        assert row is not None and row.state is ApprovalState.REQUESTED
        assert row.kind == approvals.STRIKE_FROM_FROZEN_BALLOT
        assert row.requested_by == "oblast_admin"
        assert row.params == {"candidacy": str(ref), "decision": DECISION}
        asked = approvals.ApprovalView.of(row)

    with pytest.raises(PermissionDenied) as alone:
        s.run(s.oblast, strike_from_frozen_ballot, ref, DECISION, at=at)
    assert alone.value.code == "approval_required"
    assert "strike_from_frozen_ballot" in alone.value.message
    with pytest.raises(PermissionDenied) as own:
        s.run(s.oblast, approvals.approve, asked.id, asked.digest, at=at)
    assert own.value.code == "approval_by_requester"
    with pytest.raises(PermissionDenied) as other:  # a member of another commission
        s.run(s.capital, approvals.approve, asked.id, asked.digest, at=at)
    assert other.value.code in {"outside_territory", "approval_other_commission"}
    assert surnames(s) == FOUR

    second = second_member(factory, s.oblast)
    done = s.run(second, approvals.approve, asked.id, asked.digest, at=at)
    assert done.result.contest_id == s.contest("oblast_o1")
    assert surnames(s) == [(1, "Ахметов"), (3, "Өмірбеков"), (4, "Іргебаев")]
    assert len(events(factory, "change_frozen_ballot")) == 1
    with pytest.raises(Conflict):
        s.run(second, approvals.approve, asked.id, asked.digest, at=at)
    with pytest.raises(PermissionDenied) as replay:
        s.run(second, strike_from_frozen_ballot, ref, DECISION, approval_id=asked.id, at=at)
    assert replay.value.code == "approval_not_given"
    assert len(events(factory, "change_frozen_ballot")) == 1


@pytest.mark.usefixtures("required")
def test_only_a_candidacy_no_longer_standing_is_struck(s: Setup, factory: Factory) -> None:
    at = AFTER_REGISTRATION
    _, ids = frozen_district(s)
    standing = CandidacyRef(CandidacyKind.SMD, ids["Ахметов"])
    params = approvals.strike_params(standing, DECISION)
    with pytest.raises(Conflict) as refused:  # the rehearsal refuses it when filed
        s.run(s.oblast, approvals.request, approvals.STRIKE_FROM_FROZEN_BALLOT, params, at=at)
    assert refused.value.code == "still_standing"
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Approval)) == 0
    cancelled = CandidacyRef(CandidacyKind.SMD, ids["Іргебаев"])
    decided = s.run(
        s.oblast,
        cancel_registration,
        cancelled,
        RefusalReason.INCOMPLETE_DOCUMENTS,
        "court decision",
        DECISION,
        at=at,
    )
    assert decided.state is CandidacyState.CANCELLED and decided.ballot_approval is not None
    assert surnames(s) == FOUR


@pytest.mark.usefixtures("off")
def test_with_the_policy_off_a_withdrawal_strikes_the_frozen_line_directly(s: Setup) -> None:
    _, ids = frozen_district(s)
    ref = CandidacyRef(CandidacyKind.SMD, ids["Қасымов"])
    decided = s.run(s.oblast, withdraw, ref, "own application", DECISION, at=AFTER_REGISTRATION)
    assert decided.ballot_approval is None
    assert surnames(s) == [(1, "Ахметов"), (3, "Өмірбеков"), (4, "Іргебаев")]
    assert len(events(s.factory, "change_frozen_ballot")) == 1
