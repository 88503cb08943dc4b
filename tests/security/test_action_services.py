"""Every ``Action`` of the permission matrix is enforced by a real service (issue #9 §2), on SQLite
and PostgreSQL: :data:`ENFORCED_BY` names, for each action, the service that checks it; the test
calls that service as a role without the action (``role_forbids``), where the role is territorial
as the same role elsewhere (``outside_territory``), and as an allowed member, and finds each
refusal — raised by the service, not by an interface — in the audit log with the action's name.

``READ_RESULTS`` is held by every role (results are public): no role is refused it, which the test
checks instead. ``READ_AUDIT`` is enforced by ``saylau.services.audit_log`` (it was checked only
in the web API before).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import PERMISSIONS, Action, Role
from saylau.law.calendar import ElectionKind
from saylau.services import approvals
from saylau.services.audit_log import AuditFilters, read_events, verify_audit
from saylau.services.ballots import prepare_contest_ballot
from saylau.services.candidacy import CandidacyKind, CandidacyRef
from saylau.services.context import Actor, execute
from saylau.services.districts import publish_districts
from saylau.services.elections import CallElection, call_election
from saylau.services.errors import PermissionDenied, ServiceError
from saylau.services.mandates import assign_list_mandates, register_deputy
from saylau.services.nomination import DocumentReceipt, record_documents
from saylau.services.observers import (
    AccreditationApplication,
    ObserverKind,
    apply_for_accreditation,
)
from saylau.services.parties import admit_party
from saylau.services.protocols import correct_definitive, enter_protocol, resolve_protocol
from saylau.services.recall import apply_for_recall
from saylau.services.registration import record_deposit, register
from saylau.services.results import publish_results
from saylau.services.subscriptions import subscribe
from saylau.services.tabulation import tabulate_election
from saylau.services.territory import TerritoryImport, ensure_commissions, import_territory
from saylau.services.turnout import report_turnout
from saylau.services.users import NewUser, create_user
from saylau.services.vacancies import terminate_mandate
from saylau.storage.models import AuditEvent, Mandate, MandateSource, Protocol
from tests.services.count_world import CountWorld, figures, setup
from tests.services.test_results import CAPITAL, IN_TIME, count_everything
from tests.world import World

Factory = sessionmaker[Session]


@dataclass(frozen=True)
class Seat:
    """Where an acting role sits: a commission of the test world, or a party."""

    role: Role
    commission: str | None = None
    party: str | None = None


@dataclass(frozen=True)
class Enforced:
    """The service that enforces an action, its arguments in the counted world, who may call it,
    and — for a territorial role — the same role elsewhere, which is refused."""

    service: Callable[..., Any]
    arguments: Callable[[Facts], tuple[tuple[Any, ...], dict[str, Any]]]
    allowed: Seat
    elsewhere: Seat | None = None


@dataclass(frozen=True)
class Facts:
    """Ids of the counted and published capital (see :func:`world`)."""

    cw: CountWorld
    protocol: int
    list_mandate: int
    smd_mandate: int

    @property
    def w(self) -> World:
        return self.cw.world

    @property
    def election(self) -> int:
        assert self.w.election is not None
        return self.w.election


def _args(*args: Any, **kwargs: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return args, kwargs


def _smd(f: Facts) -> CandidacyRef:
    return CandidacyRef(CandidacyKind.SMD, f.cw.nominations["capital_c1"]["Абаев"])


CAPITAL_TEC = Seat(Role.TEC_ADMIN, "tec_capital")
OBLAST_TEC = Seat(Role.TEC_ADMIN, "tec_oblast")
CEC = Seat(Role.CEC_ADMIN, "cec")

ENFORCED_BY: dict[Action, Enforced] = {
    Action.MANAGE_TERRITORY: Enforced(
        import_territory,
        lambda f: _args(
            TerritoryImport.of(precincts=[{"region": "KZ-71", "number": 77, "voters": 100}])
        ),
        CEC,
    ),
    Action.CALL_ELECTION: Enforced(
        call_election,
        lambda f: _args(
            CallElection(
                polling_day=date(2024, 3, 17),
                called_on=date(2024, 1, 10),
                kind=ElectionKind.EARLY,
                body_ids=(f.w.bodies["capital"],),
            )
        ),
        CAPITAL_TEC,
        OBLAST_TEC,
    ),
    Action.MANAGE_DISTRICTS: Enforced(
        publish_districts,
        lambda f: _args(f.election, f.w.bodies["capital"]),
        CAPITAL_TEC,
        OBLAST_TEC,
    ),
    Action.MANAGE_COMMISSIONS: Enforced(
        ensure_commissions, lambda f: _args(f.w.regions["capital"]), CAPITAL_TEC, OBLAST_TEC
    ),
    Action.MANAGE_USERS: Enforced(
        create_user, lambda f: _args(NewUser(username="clerk.new", full_name="Clerk")), CEC
    ),
    Action.ADMIT_PARTY: Enforced(
        admit_party, lambda f: _args(f.election, f.w.parties["alpha"]), CEC, CAPITAL_TEC
    ),
    Action.SUBMIT_NOMINATION: Enforced(
        record_documents,
        lambda f: _args(_smd(f), [DocumentReceipt("application")]),
        Seat(Role.PARTY_AGENT, party="alpha"),
        Seat(Role.PARTY_AGENT, party="beta"),
    ),
    Action.DECIDE_REGISTRATION: Enforced(
        register, lambda f: _args(_smd(f)), CAPITAL_TEC, OBLAST_TEC
    ),
    Action.RECORD_DEPOSIT: Enforced(
        record_deposit, lambda f: _args(_smd(f), 1), CAPITAL_TEC, OBLAST_TEC
    ),
    Action.MANAGE_BALLOTS: Enforced(
        prepare_contest_ballot, lambda f: _args(f.cw.contest("capital_c1")), CAPITAL_TEC, OBLAST_TEC
    ),
    Action.ENTER_PROTOCOL: Enforced(
        enter_protocol,
        lambda f: _args(
            f.cw.contest("capital_c1"),
            f.cw.precinct("p5"),
            figures({f.cw.choices["capital_c1"]["Абаев"]: 10}),
        ),
        Seat(Role.PEC_TYPIST, "pec_p5"),
        Seat(Role.PEC_TYPIST, "pec_p1"),
    ),
    Action.RESOLVE_PROTOCOL: Enforced(
        resolve_protocol,
        lambda f: _args(f.protocol, None),
        Seat(Role.TEC_COORDINATOR, "tec_capital"),
        Seat(Role.TEC_COORDINATOR, "tec_oblast"),
    ),
    Action.CORRECT_DEFINITIVE_PROTOCOL: Enforced(
        correct_definitive,
        lambda f: _args(
            f.protocol, figures({f.cw.choices["capital_c1"]["Абаев"]: 10}), "TEC decision 1"
        ),
        CAPITAL_TEC,
        OBLAST_TEC,
    ),
    Action.REPORT_TURNOUT: Enforced(
        report_turnout,
        lambda f: _args(f.election, f.cw.precinct("p5"), "final", 10),
        Seat(Role.PEC_TYPIST, "pec_p5"),
        Seat(Role.PEC_TYPIST, "pec_p1"),
    ),
    Action.TABULATE: Enforced(
        tabulate_election, lambda f: _args(f.election), Seat(Role.TEC_COORDINATOR, "tec_capital")
    ),
    Action.PUBLISH_RESULTS: Enforced(publish_results, lambda f: _args(f.election), CAPITAL_TEC),
    Action.ASSIGN_MANDATE: Enforced(
        assign_list_mandates,
        lambda f: _args(f.cw.contest("capital_list"), f.w.parties["alpha"], []),
        Seat(Role.PARTY_AGENT, party="alpha"),
        Seat(Role.PARTY_AGENT, party="beta"),
    ),
    Action.REGISTER_DEPUTY: Enforced(
        register_deputy, lambda f: _args(f.smd_mandate, date(2023, 3, 24)), CAPITAL_TEC, OBLAST_TEC
    ),
    Action.HANDLE_VACANCY: Enforced(
        terminate_mandate,
        lambda f: _args(f.smd_mandate, date(2023, 6, 1), "resigned"),
        CAPITAL_TEC,
        OBLAST_TEC,
    ),
    Action.HANDLE_RECALL: Enforced(
        apply_for_recall,
        lambda f: _args(f.smd_mandate, "voters of district 1"),
        CAPITAL_TEC,
        OBLAST_TEC,
    ),
    Action.ACCREDIT_OBSERVERS: Enforced(
        apply_for_accreditation,
        lambda f: _args(
            AccreditationApplication(
                "Observers NGO", ObserverKind.NGO, f.w.commissions["tec_capital"]
            )
        ),
        CAPITAL_TEC,
        OBLAST_TEC,
    ),
    Action.READ_AUDIT: Enforced(
        read_events,
        lambda f: _args(AuditFilters(commission_id=f.w.commissions["tec_capital"])),
        Seat(Role.TEC_COORDINATOR, "tec_capital"),
        Seat(Role.TEC_COORDINATOR, "tec_oblast"),
    ),
    Action.READ_RESULTS: Enforced(
        subscribe,
        lambda f: _args(f.cw.contest("capital_c1"), "webhook", "https://93.184.216.34/hook"),
        Seat(Role.PUBLIC),
    ),
}
"""Action → the service function that enforces it (one each; others may check it too)."""


def _actor(w: World, seat: Seat, name: str, commission: int | None, party: int | None) -> Actor:
    from saylau.domain.roles import CommissionLevel

    level = None
    region = unit = precinct = None
    if seat.commission == "cec":
        level = CommissionLevel.CEC
    elif seat.commission is not None:
        place = seat.commission.split("_", 1)[1]
        if seat.commission.startswith("pec_"):
            level = CommissionLevel.PEC
            precinct = w.precincts[place]
            region = w.regions["capital"] if place in ("p5", "p6") else w.regions["oblast"]
            unit = (
                None
                if place in ("p5", "p6")
                else w.units["district" if place in ("p1", "p2") else "city"]
            )
        else:
            level = CommissionLevel.TEC_REGION
            region = w.regions[place]
    return Actor(
        user_id=None,
        username=name,
        role=seat.role,
        commission_id=commission,
        level=level,
        region_id=region,
        unit_id=unit,
        precinct_id=precinct,
        party_id=party,
    )


@pytest.fixture
def facts(factory: Factory, monkeypatch: pytest.MonkeyPatch) -> Facts:
    """The capital counted, tabulated and published (dual control off for the setting up)."""
    monkeypatch.setenv(approvals.POLICY_ENV, approvals.OFF)
    cw = setup(factory)
    count_everything(factory, cw, CAPITAL)
    admin = _actor(
        cw.world, CAPITAL_TEC, "capital_admin", cw.world.commissions["tec_capital"], None
    )
    assert cw.world.election is not None
    execute(factory, admin, tabulate_election, cw.world.election, clock=lambda: IN_TIME)
    execute(factory, admin, publish_results, cw.world.election, clock=lambda: IN_TIME)
    with factory() as session:
        protocol = session.scalars(
            select(Protocol.id).where(Protocol.contest_id == cw.contest("capital_c1"))
        ).first()
        mandates = session.scalars(select(Mandate).order_by(Mandate.id)).all()
        smd = next(m.id for m in mandates if m.source is MandateSource.SINGLE_MEMBER)
        listed = next(m.id for m in mandates if m.source is MandateSource.PARTY_LIST)
    assert protocol is not None
    return Facts(cw, protocol, listed, smd)


def refused_by_role(action: Action) -> Role:
    """A role without ``action`` (every role but READ_RESULTS's)."""
    return next(r for r in Role if action not in PERMISSIONS[r])


def attempt(factory: Factory, who: Actor, enforced: Enforced, f: Facts) -> str | None:
    """The refusal code of the call, or None when the permission let it through (another
    refusal of the service — a Conflict, a NotFound — is not a permission's)."""
    args, kwargs = enforced.arguments(f)
    try:
        execute(factory, who, enforced.service, *args, clock=lambda: IN_TIME, **kwargs)
    except PermissionDenied as denied:
        return denied.code
    except ServiceError:
        return None
    return None


def last_refusal(factory: Factory, username: str) -> tuple[str, str | None]:
    with factory() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.username == username, AuditEvent.outcome == "refused")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert event is not None, f"{username}: no refusal in the audit log"
    return event.entity_id, (event.after or {}).get("action")


def test_every_action_has_its_service() -> None:
    assert set(ENFORCED_BY) == set(Action)
    assert all(a in PERMISSIONS[ENFORCED_BY[a].allowed.role] for a in Action)


def test_every_action_is_refused_by_its_service_and_audited(factory: Factory, facts: Facts) -> None:
    w = facts.w
    problems: list[str] = []
    for action, enforced in ENFORCED_BY.items():
        if action is Action.READ_RESULTS:
            assert all(action in PERMISSIONS[r] for r in Role)  # public: nobody is refused it
        else:
            seat = Seat(refused_by_role(action), "cec")
            name = f"no_{action.value}"
            code = attempt(
                factory, _actor(w, seat, name, w.commissions["cec"], None), enforced, facts
            )
            if code != "role_forbids":
                problems.append(f"{action.value} by {seat.role.value}: {code}")
            elif last_refusal(factory, name) != ("role_forbids", action.value):
                problems.append(f"{action.value}: refusal not audited as this action")
        if enforced.elsewhere is not None:
            seat = enforced.elsewhere
            name = f"elsewhere_{action.value}"
            commission = w.commissions[seat.commission] if seat.commission else None
            party = w.parties[seat.party] if seat.party else None
            code = attempt(factory, _actor(w, seat, name, commission, party), enforced, facts)
            if code != "outside_territory":
                problems.append(f"{action.value} elsewhere: {code}")
            elif last_refusal(factory, name) != ("outside_territory", action.value):
                problems.append(f"{action.value}: territorial refusal not audited as this action")
        seat = enforced.allowed
        commission = w.commissions[seat.commission] if seat.commission else None
        party = w.parties[seat.party] if seat.party else None
        allowed = attempt(
            factory, _actor(w, seat, f"may_{action.value}", commission, party), enforced, facts
        )
        if allowed is not None:
            problems.append(f"{action.value} by {seat.role.value}: refused {allowed}")
    assert not problems, "\n".join(problems)


def test_reading_the_audit_chain_is_a_service_permission(factory: Factory, facts: Facts) -> None:
    w = facts.w
    analyst = _actor(w, Seat(Role.ANALYST), "analyst_x", None, None)
    with pytest.raises(PermissionDenied) as refused:
        execute(factory, analyst, verify_audit)
    assert refused.value.code == "role_forbids"
    assert last_refusal(factory, "analyst_x") == ("role_forbids", Action.READ_AUDIT.value)
    coordinator = _actor(
        w, Seat(Role.TEC_COORDINATOR, "tec_capital"), "coord", w.commissions["tec_capital"], None
    )
    assert execute(factory, coordinator, verify_audit).intact
