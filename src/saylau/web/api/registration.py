"""Registration: deposits, the commission's decision on a candidacy (register, refuse with a legal
reason), withdrawal and cancellation, and the settlement of deposits after polling.

Deposits need RECORD_DEPOSIT, decisions DECIDE_REGISTRATION, both within the contest's territory.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field
from sqlalchemy.orm import Session

from saylau.domain.states import CandidacyState
from saylau.law.nomination import RefusalReason
from saylau.services.candidacy import CandidacyRef, load_candidacy
from saylau.services.context import Context
from saylau.services.registration import (
    DepositOutcome,
    DepositStatus,
    RegistrationDecision,
    Settlement,
    cancel_registration,
    deposit_status,
    record_deposit,
    refuse,
    register,
    settle_deposits,
    withdraw,
    withdraw_from_list,
)
from saylau.web.api.candidacies import (
    DepositStatusOut,
    RefText,
    deposit_out,
    parse_ref,
    require_file,
)
from saylau.web.api.models import Count, FractionText, IdPath, In, Note, Out, QuotaOut, fraction
from saylau.web.api.routing import api_router, then
from saylau.web.deps import Services

router = api_router("registration")


class DecisionOut(Out):
    """A candidacy's state after a decision, with the reason and its article if refused."""

    candidacy: str
    state: CandidacyState
    reason: RefusalReason | None
    article: str | None
    note: str
    registration_order: int | None
    registered_at: datetime | None
    quota: QuotaOut | None
    ballot_approval: int | None = None
    """The ``strike_from_frozen_ballot`` request filed under dual control (issue #9 §2): the
    frozen ballot's line is struck when a second member approves it (``/api/approvals``)."""


class DepositIn(In):
    amount: Count = Field(ge=1)
    """Tenge paid; never more than is still due."""
    note: Note = ""


class RefuseIn(In):
    reason: RefusalReason
    note: Note = ""


class WithdrawIn(In):
    note: Note = ""
    decision: Note | None = None
    """The commission's decision, required once the ballot is frozen (the line is struck)."""


class CancelIn(WithdrawIn):
    reason: RefusalReason


class ListWithdrawalIn(WithdrawIn):
    iin: str = Field(min_length=1, max_length=12)


class OutcomeIn(In):
    candidacy: str = Field(pattern=r"^(list|smd):[0-9]{1,9}$")
    votes: Count
    elected: bool = False
    died: bool = False


class SettleIn(In):
    base: Count
    """The threshold base of decision #1: candidate or party votes plus "against all"."""
    outcomes: list[OutcomeIn] = Field(max_length=10_000)


class SettlementOut(Out):
    candidacy: str
    kind: str
    """``refunded`` or ``forfeited``."""
    amount: int
    grounds: list[str]
    share: FractionText
    explanation: str
    article: str
    created: bool


def decision_out(_session: Session, decision: RegistrationDecision) -> DecisionOut:
    return DecisionOut(
        candidacy=decision.candidacy,
        state=decision.state,
        reason=decision.reason,
        article=decision.article,
        note=decision.note,
        registration_order=decision.registration_order,
        registered_at=decision.registered_at,
        quota=QuotaOut.of(decision.quota),
        ballot_approval=decision.ballot_approval,
    )


def _deposit(_session: Session, status: DepositStatus) -> DepositStatusOut:
    return deposit_out(status)


def _settlements(_session: Session, done: tuple[Settlement, ...]) -> list[SettlementOut]:
    return [
        SettlementOut(
            candidacy=s.candidacy,
            kind=s.kind.value,
            amount=s.amount,
            grounds=list(s.grounds),
            share=fraction(s.share),
            explanation=s.explanation,
            article=s.article,
            created=s.created,
        )
        for s in done
    ]


def read_deposit(ctx: Context, ref: CandidacyRef) -> DepositStatusOut:
    """The deposit due, paid and outstanding, for those who handle the file."""
    require_file(ctx, load_candidacy(ctx, ref))
    return deposit_out(deposit_status(ctx, ref))


@router.get("/candidacies/{ref}/deposit", response_model=DepositStatusOut)
def get_deposit(ref: RefText, services: Services) -> DepositStatusOut:
    """What the candidacy owes (CL art. 104 paras 1, 1-1; decision #15), has paid and owes still."""
    return services(read_deposit, parse_ref(ref))


@router.post("/candidacies/{ref}/deposits", response_model=DepositStatusOut)
def post_deposit(ref: RefText, body: DepositIn, services: Services) -> DepositStatusOut:
    """Record a deposit payment (RECORD_DEPOSIT); paid in full with a complete file, the
    candidacy becomes ``deposit_paid``."""
    return services(then(record_deposit, _deposit), parse_ref(ref), body.amount, body.note)


@router.post("/candidacies/{ref}/register", response_model=DecisionOut)
def post_register(ref: RefText, services: Services) -> DecisionOut:
    """Register a candidacy whose file is complete and deposit paid (DECIDE_REGISTRATION); a list
    short of the 30% quota is refused instead, with the shortfall (CL art. 104 para 4)."""
    return services(then(register, decision_out), parse_ref(ref))


@router.post("/candidacies/{ref}/refuse", response_model=DecisionOut)
def post_refuse(ref: RefText, body: RefuseIn, services: Services) -> DecisionOut:
    """Refuse registration for a reason of the law (CL art. 104 para 6, para 8)."""
    return services(then(refuse, decision_out), parse_ref(ref), body.reason, body.note)


@router.post("/candidacies/{ref}/withdraw", response_model=DecisionOut)
def post_withdraw(ref: RefText, body: WithdrawIn, services: Services) -> DecisionOut:
    """Record a withdrawal by the candidate's or party's own application (CL art. 105 para 1)."""
    return services(then(withdraw, decision_out), parse_ref(ref), body.note, decision=body.decision)


@router.post("/candidacies/{ref}/cancel", response_model=DecisionOut)
def post_cancel(ref: RefText, body: CancelIn, services: Services) -> DecisionOut:
    """Cancel a registration (CL art. 104 para 6-1)."""
    return services(
        then(cancel_registration, decision_out),
        parse_ref(ref),
        body.reason,
        body.note,
        decision=body.decision,
    )


@router.post("/party-lists/{party_list_id}/withdrawals", response_model=DecisionOut)
def post_list_withdrawal(
    party_list_id: IdPath, body: ListWithdrawalIn, services: Services
) -> DecisionOut:
    """A person leaves a list by their own application; more than half gone refuses or cancels
    the list (CL art. 104 para 6 subpara 3)."""
    return services(
        then(withdraw_from_list, decision_out),
        party_list_id,
        body.iin,
        body.note,
        decision=body.decision,
    )


@router.post("/contests/{contest_id}/deposits/settle", response_model=list[SettlementOut])
def post_settlement(contest_id: IdPath, body: SettleIn, services: Services) -> list[SettlementOut]:
    """Refund or forfeit the deposits of a contest's registered candidacies after polling
    (CL art. 104 paras 1, 1-1; art. 88; decision #15); settling twice changes nothing."""
    outcomes = [
        DepositOutcome(CandidacyRef.parse(o.candidacy), o.votes, o.elected, o.died)
        for o in body.outcomes
    ]
    return services(then(settle_deposits, _settlements), contest_id, body.base, outcomes)
