"""Dual control of critical actions (issue #9 §2): one member requests, a second approves.

Publishing results, correcting a definitive protocol, changing a frozen ballot, overriding a seat
cap and striking a withdrawn candidacy's line from a frozen ballot (the kinds of :data:`CRITICAL`)
each need a second authorised member of the same commission. A request stores the action's exact parameters and their
SHA-256 digest; the approver approves that digest and the action runs in the approver's transaction
(so an action that fails leaves the request pending, and two approvers at once cannot both win: the
state moves ``requested → approved`` by one conditional update). The requester cannot approve;
every step is audited, every refusal logged (:func:`saylau.services.context.execute`).

Policy ``SAYLAU_DUAL_CONTROL``: ``required`` or ``off`` (the guarded services then also run without
an approval; an approval given is still checked). The default is ``required``: every interface
files a request instead of acting — the commission web pages (their requests page ``/approvals``),
the API (``/api/approvals``), the CLI (``saylau approval``) — and the demo and the tests go through
request and approval. A request is first rehearsed (:func:`_rehearse`) so that one the
service would refuse is refused when filed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from saylau.domain.roles import Action, CommissionLevel, may
from saylau.services.audit import snapshot
from saylau.services.context import Actor, Context, Scope, execute, scope_for
from saylau.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from saylau.storage.models import Approval, ApprovalState, Contest, Election, Protocol

REQUIRED = "required"
OFF = "off"
POLICIES = (REQUIRED, OFF)
DEFAULT = REQUIRED
"""Every interface requests instead of acting (see the module doc); ``off`` is for a rehearsal."""
POLICY_ENV = "SAYLAU_DUAL_CONTROL"

PUBLISH_RESULTS = "publish_results"
CORRECT_DEFINITIVE = "correct_definitive"
CHANGE_FROZEN_BALLOT = "change_frozen_ballot"
STRIKE_FROM_FROZEN_BALLOT = "strike_from_frozen_ballot"
OVERRIDE_SEAT_CAP = "override_seat_cap"


def policy() -> str:
    """``SAYLAU_DUAL_CONTROL``: ``required`` or ``off`` (:data:`DEFAULT`); anything else is refused."""
    value = os.environ.get(POLICY_ENV, DEFAULT).strip().lower() or DEFAULT
    if value not in POLICIES:
        raise ValueError(f"{POLICY_ENV}={value!r}: one of {', '.join(POLICIES)}")
    return value


@dataclass(frozen=True)
class Critical:
    """A critical action: the permission it needs, where it acts, and how it runs once approved."""

    kind: str
    action: Action
    scope: Callable[[Session, dict[str, Any], Actor], Scope]
    run: Callable[[Context, dict[str, Any], int], Any]


def _election_scope(session: Session, params: dict[str, Any], actor: Actor) -> Scope:
    """As :func:`saylau.services.results.publish_results` decides: the actor publishes the
    contests of its territory, so a contest it covers (else the first) is the target."""
    from saylau.services.tabulation import contest_scope

    election = session.get(Election, int(params["election_id"]))
    if election is None:
        raise NotFound(
            "not_found", f"no election with id {params['election_id']}", field="election_id"
        )
    scopes = [
        contest_scope(c)
        for c in session.scalars(
            select(Contest).where(Contest.election_id == election.id).order_by(Contest.id)
        )
    ]
    covered = [s for s in scopes if actor.covers(s)]
    return (covered or scopes or [Scope()])[0]


def _protocol_scope(session: Session, params: dict[str, Any], _actor: Actor) -> Scope:
    protocol = session.get(Protocol, int(params["protocol_id"]))
    if protocol is None:
        raise NotFound(
            "not_found", f"no protocol with id {params['protocol_id']}", field="protocol_id"
        )
    return scope_for(session, precinct_id=protocol.precinct_id)


def _contest_scope(session: Session, params: dict[str, Any], _actor: Actor) -> Scope:
    from saylau.services.contests import contest_scope

    contest = session.get(Contest, int(params["contest_id"]))
    if contest is None:
        raise NotFound(
            "not_found", f"no contest with id {params['contest_id']}", field="contest_id"
        )
    return contest_scope(session, contest)


def _candidacy_scope(session: Session, params: dict[str, Any], _actor: Actor) -> Scope:
    from saylau.services.candidacy import CandidacyKind, CandidacyRef, contest_of
    from saylau.services.contests import contest_scope
    from saylau.storage.models import Nomination, PartyList

    ref = CandidacyRef.parse(str(params["candidacy"]))
    candidacy: PartyList | Nomination | None = (
        session.get(PartyList, ref.id)
        if ref.kind is CandidacyKind.LIST
        else session.get(Nomination, ref.id)
    )
    if candidacy is None:
        raise NotFound("not_found", f"no candidacy {ref}", field="candidacy")
    return contest_scope(session, contest_of(session, candidacy))


def _territory_scope(session: Session, params: dict[str, Any], _actor: Actor) -> Scope:
    """Where the seats are set: MANAGE_TERRITORY is the CEC's (LSA art. 5 para 3; CL art. 12)."""
    from saylau.services.territory import import_scope

    return import_scope(session, params)


def _run_publish(ctx: Context, params: dict[str, Any], approval_id: int) -> Any:
    from saylau.services.results import publish_results

    return publish_results(
        ctx, params["election_id"], late_reason=params["late_reason"], approval_id=approval_id
    )


def _run_correction(ctx: Context, params: dict[str, Any], approval_id: int) -> Any:
    from saylau.services.protocols import ProtocolData, correct_definitive

    return correct_definitive(
        ctx,
        params["protocol_id"],
        ProtocolData.from_json(params["data"]),
        params["decision"],
        params["acknowledge_warnings"],
        approval_id=approval_id,
    )


def _run_ballot_change(ctx: Context, params: dict[str, Any], approval_id: int) -> Any:
    from saylau.services.ballots import prepare_contest_ballot

    return prepare_contest_ballot(
        ctx, params["contest_id"], decision=params["decision"], approval_id=approval_id
    )


def _run_strike(ctx: Context, params: dict[str, Any], approval_id: int) -> Any:
    from saylau.services.ballots import strike_from_frozen_ballot
    from saylau.services.candidacy import CandidacyRef

    return strike_from_frozen_ballot(
        ctx,
        CandidacyRef.parse(params["candidacy"]),
        params["decision"],
        approval_id=approval_id,
    )


def _run_seat_cap(ctx: Context, params: dict[str, Any], approval_id: int) -> Any:
    from saylau.services.territory import TerritoryImport, import_territory

    batch = TerritoryImport.of(**{k: v for k, v in params.items() if k != "rules"})
    return import_territory(ctx, batch, params["rules"], approval_id=approval_id)


CRITICAL: dict[str, Critical] = {
    c.kind: c
    for c in (
        Critical(PUBLISH_RESULTS, Action.PUBLISH_RESULTS, _election_scope, _run_publish),
        Critical(
            CORRECT_DEFINITIVE, Action.CORRECT_DEFINITIVE_PROTOCOL, _protocol_scope, _run_correction
        ),
        Critical(CHANGE_FROZEN_BALLOT, Action.MANAGE_BALLOTS, _contest_scope, _run_ballot_change),
        Critical(STRIKE_FROM_FROZEN_BALLOT, Action.MANAGE_BALLOTS, _candidacy_scope, _run_strike),
        Critical(OVERRIDE_SEAT_CAP, Action.MANAGE_TERRITORY, _territory_scope, _run_seat_cap),
    )
}
"""The actions under dual control (issue #9 §2)."""


# --- the exact parameters of each action, as its service receives them ---------------------------


def publish_params(election_id: int, late_reason: str | None = None) -> dict[str, Any]:
    return {"election_id": int(election_id), "late_reason": (late_reason or "").strip() or None}


def correction_params(
    protocol_id: int, data: Any, decision: str, acknowledge_warnings: Iterable[str] = ()
) -> dict[str, Any]:
    """``data`` is a :class:`saylau.services.protocols.ProtocolData`."""
    return {
        "protocol_id": int(protocol_id),
        "data": data.as_json(),
        "decision": decision.strip(),
        "acknowledge_warnings": sorted({w.strip() for w in acknowledge_warnings if w.strip()}),
    }


def ballot_change_params(contest_id: int, decision: str) -> dict[str, Any]:
    return {"contest_id": int(contest_id), "decision": decision.strip()}


def strike_params(candidacy: Any, decision: str) -> dict[str, Any]:
    """``candidacy`` is a :class:`saylau.services.candidacy.CandidacyRef` (or its text)."""
    return {"candidacy": str(candidacy).strip(), "decision": decision.strip()}


def seat_cap_params(batch: Any, rules: str) -> dict[str, Any]:
    """The whole territory import (``batch``, a :class:`saylau.services.territory.TerritoryImport`)
    as validated rows: the approver approves exactly the import that sets the seats."""
    from saylau.services.territory import import_params

    return import_params(batch, rules)


def _canonical(params: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(params, sort_keys=True, ensure_ascii=False))
    return loaded


def digest_of(kind: str, params: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``kind`` and ``params``: what a second member approves."""
    text = json.dumps(
        {"kind": kind, "params": params}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


def commission_key(actor: Actor) -> str | None:
    """The commission an actor acts for: every CEC-level actor (the console included) is the CEC's."""
    if actor.level is CommissionLevel.CEC:
        return "cec"
    if actor.commission_id is None:
        return None
    return f"commission:{actor.commission_id}"


@dataclass(frozen=True)
class ApprovalView:
    id: int
    kind: str
    params: dict[str, Any]
    digest: str
    commission: str
    state: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    note: str | None

    @classmethod
    def of(cls, row: Approval) -> ApprovalView:
        return cls(
            row.id,
            row.kind,
            dict(row.params),
            row.digest,
            row.commission_key,
            row.state.value,
            row.requested_by,
            row.requested_at,
            row.decided_by,
            row.decided_at,
            row.note,
        )


@dataclass(frozen=True)
class Approved:
    """An approval given and the result of the action it ran."""

    approval: ApprovalView
    result: Any


def _critical(kind: str) -> Critical:
    found = CRITICAL.get(kind)
    if found is None:
        raise InvalidInput(
            "unknown_critical_action",
            f"kind={kind!r}: one of {', '.join(sorted(CRITICAL))}",
            field="kind",
            value=kind,
        )
    return found


def request(ctx: Context, kind: str, params: dict[str, Any]) -> ApprovalView:
    """Ask a second member of the actor's commission to approve a critical action (nothing runs yet).

    The requester must be allowed the action on its target; the parameters are stored as given.
    """
    critical = _critical(kind)
    params = _canonical(params)
    ctx.authorize(critical.action, critical.scope(ctx.session, params, ctx.actor))
    key = commission_key(ctx.actor)
    if key is None:
        raise PermissionDenied(
            "approval_no_commission",
            f"{ctx.actor.username} acts for no commission: a critical action is requested by a "
            "commission member",
            action=critical.action.value,
        )
    row = Approval(
        kind=kind,
        params=params,
        digest=digest_of(kind, params),
        commission_key=key,
        state=ApprovalState.REQUESTED,
        requested_by_id=ctx.actor.user_id,
        requested_by=ctx.actor.username,
        requested_role=ctx.actor.role.value,
        requested_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    _rehearse(ctx, critical, row)
    ctx.audit("request_approval", "approval", row.id, None, snapshot(row))
    return ApprovalView.of(row)


def _rehearse(ctx: Context, critical: Critical, row: Approval) -> None:
    """Run the action as if approved inside a savepoint that is always rolled back, so that a
    request its service would refuse (not final yet, invalid figures, a ballot not frozen) is
    refused now, with that service's error, instead of waiting for a second member in vain."""
    savepoint = ctx.session.begin_nested()
    try:
        row.state = ApprovalState.APPROVED
        row.decided_by_id = ctx.actor.user_id
        row.decided_by = ctx.actor.username
        ctx.session.flush()
        critical.run(ctx, row.params, row.id)
    finally:
        savepoint.rollback()
    ctx.session.refresh(row)


def _decide(ctx: Context, approval_id: int, state: ApprovalState, note: str | None) -> Approval:
    """Move a pending request to ``state`` by one conditional update (the first decision wins),
    then check the decider may decide it; any refusal rolls the update back."""
    moved = ctx.session.execute(
        update(Approval)
        .where(Approval.id == approval_id, Approval.state == ApprovalState.REQUESTED)
        .values(
            state=state,
            decided_by_id=ctx.actor.user_id,
            decided_by=ctx.actor.username,
            decided_at=ctx.now,
            note=note,
        )
        .execution_options(synchronize_session=False)
    )
    row = ctx.session.execute(
        select(Approval).where(Approval.id == approval_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("not_found", f"no approval with id {approval_id}", field="approval_id")
    critical = _critical(row.kind)
    ctx.authorize(critical.action, critical.scope(ctx.session, row.params, ctx.actor))
    if commission_key(ctx.actor) != row.commission_key:
        raise PermissionDenied(
            "approval_other_commission",
            f"approval {row.id} was requested in {row.commission_key}: only a member of that "
            "commission decides it",
            action=critical.action.value,
        )
    if getattr(moved, "rowcount", 0) != 1:
        raise Conflict(
            "approval_decided",
            f"approval {row.id} is already {row.state.value}",
            field="approval_id",
            state=row.state.value,
        )
    return row


def approve(ctx: Context, approval_id: int, digest: str) -> Approved:
    """Approve request ``approval_id`` as seen (``digest``) and run the action now, as the approver.

    Refused when the approver requested it (a second member is required), belongs to another
    commission or lacks the permission; a Conflict when it was already decided or its parameters
    are not those the approver saw.
    """
    row = _decide(ctx, approval_id, ApprovalState.APPROVED, None)
    if row.requested_by == ctx.actor.username and row.requested_by_id == ctx.actor.user_id:
        raise PermissionDenied(
            "approval_by_requester",
            f"approval {row.id} was requested by {row.requested_by}: a second member approves it",
            action=_critical(row.kind).action.value,
        )
    if digest.strip().lower() != row.digest or digest_of(row.kind, row.params) != row.digest:
        raise Conflict(
            "approval_changed",
            f"approval {row.id}: the request is not the one approved (digest {row.digest})",
            field="digest",
        )
    before = {"state": ApprovalState.REQUESTED.value}
    result = _critical(row.kind).run(ctx, row.params, row.id)
    ctx.audit("approve", "approval", row.id, before, snapshot(row))
    return Approved(ApprovalView.of(row), result)


def reject(ctx: Context, approval_id: int, note: str) -> ApprovalView:
    """Refuse (or, by its requester, withdraw) a pending request, with a reason."""
    if not note.strip():
        raise InvalidInput("reason_required", "note: a rejection states its reason", field="note")
    row = _decide(ctx, approval_id, ApprovalState.REJECTED, note.strip()[:500])
    ctx.audit("reject_approval", "approval", row.id, {"state": "requested"}, snapshot(row))
    return ApprovalView.of(row)


def list_approvals(ctx: Context, state: str | None = None) -> list[ApprovalView]:
    """The requests of the actor's commission (the CEC sees every commission's), newest first."""
    if not any(may(ctx.actor.role, c.action) for c in CRITICAL.values()):
        raise PermissionDenied(
            "role_forbids", f"the role {ctx.actor.role.value} decides no critical action"
        )
    query = select(Approval).order_by(Approval.id.desc())
    key = commission_key(ctx.actor)
    if key != "cec":
        query = query.where(Approval.commission_key == (key or ""))
    if state is not None:
        query = query.where(Approval.state == ApprovalState(state))
    return [ApprovalView.of(r) for r in ctx.session.scalars(query)]


def consume(ctx: Context, kind: str, params: dict[str, Any], approval_id: int | None) -> None:
    """Called by a guarded service after its authorisation: let the action run only as the
    approval ``approval_id`` being given in this transaction, for exactly these parameters."""
    if approval_id is None:
        if policy() == OFF:
            return
        raise PermissionDenied(
            "approval_required",
            f"{kind} needs the approval of a second member of the commission: request it "
            "(API /api/approvals, `saylau approval`), then a second member approves it",
            action=_critical(kind).action.value,
        )
    row = ctx.get(Approval, approval_id, "approval")
    if row.kind != kind or row.digest != digest_of(kind, _canonical(params)):
        raise Conflict(
            "approval_mismatch",
            f"approval {approval_id} approved another {row.kind} than this one",
            field="approval_id",
        )
    if (
        row.state is not ApprovalState.APPROVED
        or row.executed_at is not None
        or row.decided_by != ctx.actor.username
        or row.decided_by_id != ctx.actor.user_id
    ):
        raise PermissionDenied(
            "approval_not_given",
            f"approval {approval_id} is {row.state.value}: the action runs only when a second "
            "member approves it",
            action=_critical(kind).action.value,
        )
    row.executed_at = ctx.now
    ctx.session.flush()


def request_and_approve(
    factory: sessionmaker[Session],
    requester: Actor,
    approver: Actor,
    kind: str,
    params: dict[str, Any],
    *,
    clock: Callable[[], datetime] | None = None,
) -> Any:
    """Both steps by two members (a demo or a rehearsal with two accounts): request as
    ``requester``, approve as ``approver``; returns the action's result."""
    extra: dict[str, Any] = {} if clock is None else {"clock": clock}
    asked = execute(factory, requester, request, kind, params, **extra)
    done = execute(factory, approver, approve, asked.id, asked.digest, **extra)
    return done.result
