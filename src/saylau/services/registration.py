"""Registration: deposits, the commission's decision on each candidacy, withdrawal, cancellation
and the settlement of deposits after the results.

The state machine is domain.states: nominated → documents_complete → deposit_paid → registered |
refused(reason, article), later withdrawn | cancelled(reason). Reasons are the fixed list of
``saylau.law.nomination.RefusalReason`` (CL art. 104 paras 6, 6-1, 8; art. 105 para 1; monograph
§3.6, §3.8). The deposit is paid in full before registration (CL art. 104 paras 1, 1-1);
registration closes E−25 18:00 local (monograph [L266]); a registered list gets its registration
order in the contest, which breaks equal remainders (CL art. 111-1 para 4; decision #4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sqlalchemy import func, select

from saylau.domain.roles import Action
from saylau.domain.states import CandidacyState
from saylau.law.deposit import DepositDue, deposit_refunded
from saylau.law.errors import LawInputError
from saylau.law.nomination import RefusalReason
from saylau.law.quota import QuotaCheck
from saylau.services import ballots
from saylau.services.audit import snapshot
from saylau.services.candidacy import (
    PENDING_STATES,
    Candidacy,
    CandidacyKind,
    CandidacyRef,
    active_entries,
    advance,
    contest_of,
    deposit_due_for,
    deposit_paid,
    documents_report,
    load_candidacy,
    owned_by,
    owner_ids,
    transition,
)
from saylau.services.contests import contest_scope, describe_contest
from saylau.services.context import Context
from saylau.services.deadlines import (
    contest_calendar,
    election_rules,
    require_after,
    require_before,
)
from saylau.services.errors import Conflict, InvalidInput, NotFound, law_input
from saylau.services.nomination import list_quota_of
from saylau.storage.models import (
    Contest,
    DepositEntry,
    DepositKind,
    Nomination,
    PartyList,
)


@dataclass(frozen=True)
class DepositStatus:
    """What a candidacy owes, has paid and still has to pay."""

    candidacy: str
    due: DepositDue
    paid: int
    outstanding: int
    state: CandidacyState


@dataclass(frozen=True)
class RegistrationDecision:
    """The state of a candidacy after a decision, with the reason and its article if refused."""

    candidacy: str
    state: CandidacyState
    reason: RefusalReason | None
    article: str | None
    note: str
    registration_order: int | None
    registered_at: datetime | None
    quota: QuotaCheck | None = None
    ballot_approval: int | None = None
    """A ``strike_from_frozen_ballot`` request filed for this decision: the frozen ballot's line
    is struck when a second member approves it (dual control, issue #9 §2)."""


def _decision(
    candidacy: Candidacy, quota: QuotaCheck | None = None, ballot_approval: int | None = None
) -> RegistrationDecision:
    reason = candidacy.refusal_reason
    return RegistrationDecision(
        candidacy=str(CandidacyRef.of(candidacy)),
        state=candidacy.state,
        reason=reason,
        article=reason.article if reason is not None else None,
        note=candidacy.state_note,
        registration_order=(
            candidacy.registration_order if isinstance(candidacy, PartyList) else None
        ),
        registered_at=candidacy.registered_at,
        quota=quota,
        ballot_approval=ballot_approval,
    )


def _status(ctx: Context, candidacy: Candidacy) -> DepositStatus:
    due = deposit_due_for(ctx.session, candidacy)
    paid = deposit_paid(ctx.session, candidacy)
    return DepositStatus(
        str(CandidacyRef.of(candidacy)), due, paid, max(0, due.amount - paid), candidacy.state
    )


# --- deposits ------------------------------------------------------------------------------------


def deposit_status(ctx: Context, ref: CandidacyRef) -> DepositStatus:
    """The deposit due, paid and outstanding (a read)."""
    return _status(ctx, load_candidacy(ctx, ref))


def record_deposit(ctx: Context, ref: CandidacyRef, amount: int, note: str = "") -> DepositStatus:
    """Record a deposit payment (CL art. 104 paras 1, 1-1; art. 88; decision #15).

    The full deposit is paid before registration: payments are accepted while the candidacy is
    pending and registration is open, and never beyond the amount due. Paid in full with a
    complete file, the candidacy becomes ``deposit_paid``.
    """
    candidacy = load_candidacy(ctx, ref)
    contest = contest_of(ctx.session, candidacy)
    ctx.authorize(Action.RECORD_DEPOSIT, contest_scope(ctx.session, contest))
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(
            "bad_amount",
            f"amount={amount!r}: a payment is a whole number of tenge > 0",
            field="amount",
        )
    if candidacy.state not in {CandidacyState.NOMINATED, CandidacyState.DOCUMENTS_COMPLETE}:
        raise Conflict(
            "deposit_closed",
            f"{ref} is {candidacy.state.value}: no deposit payment is taken now",
            field="state",
        )
    require_before(
        ctx, contest_calendar(ctx.session, contest), "registration_closes", f"deposit for {ref}"
    )
    status = _status(ctx, candidacy)
    if amount > status.outstanding:
        raise InvalidInput(
            "overpayment",
            f"amount={amount}: {status.paid} of {status.due.amount} tenge already paid, at most "
            f"{status.outstanding} more is due ({status.due.article})",
            field="amount",
        )
    entry = DepositEntry(
        **owner_ids(candidacy),
        kind=DepositKind.PAID,
        amount=amount,
        note=note[:500],
        at=ctx.now,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    ctx.audit("record_deposit", "deposit_entry", entry.id, None, snapshot(entry))
    advance(ctx, candidacy)
    return _status(ctx, candidacy)


# --- the registration decision ---------------------------------------------------------------------


def _not_ready(candidacy: Candidacy, ref: CandidacyRef, ctx: Context) -> Conflict:
    report = documents_report(ctx.session, candidacy)
    status = _status(ctx, candidacy)
    missing = [m.text for m in report.missing]
    return Conflict(
        "not_ready",
        f"{ref} is {candidacy.state.value}: missing documents {missing or 'none'}; deposit "
        f"{status.paid} of {status.due.amount} tenge paid (CL art. 104 paras 1, 1-1, 3, 3-1)",
        field="state",
        missing=missing,
        outstanding=status.outstanding,
    )


def register(ctx: Context, ref: CandidacyRef) -> RegistrationDecision:
    """Register a candidacy whose file is complete and deposit paid, before registration closes.

    A list short of the 30% quota is refused instead, with the shortfall in the note
    (CL art. 104 para 4, para 6 subpara 3). A registered list takes the next registration order
    in its contest (1 = earliest), the tie-break for equal remainders (art. 111-1 para 4).
    """
    candidacy = load_candidacy(ctx, ref)
    contest = contest_of(ctx.session, candidacy)
    ctx.authorize(Action.DECIDE_REGISTRATION, contest_scope(ctx.session, contest))
    calendar = contest_calendar(ctx.session, contest)
    what = f"registering {ref} in {describe_contest(contest)}"
    require_after(ctx, calendar, "registration_opens", what)
    require_before(ctx, calendar, "registration_closes", what)
    if candidacy.state in {CandidacyState.NOMINATED, CandidacyState.DOCUMENTS_COMPLETE}:
        raise _not_ready(candidacy, ref, ctx)
    if not isinstance(candidacy, PartyList):
        transition(ctx, candidacy, CandidacyState.REGISTERED)
        return _decision(candidacy)
    quota = list_quota_of(ctx.session, candidacy)
    if quota is not None and not quota.met:
        transition(
            ctx,
            candidacy,
            CandidacyState.REFUSED,
            reason=RefusalReason.NOMINATION_PROCEDURE_BROKEN,
            note=(
                f"quota not met: {quota.count} of {quota.size} persons count "
                f"({', '.join(c.value for c in quota.categories)}), {quota.required} required; "
                f"replace {quota.shortfall} or add {quota.additions_needed} ({quota.article})"
            ),
        )
        return _decision(candidacy, quota)
    ctx.session.execute(select(Contest.id).where(Contest.id == contest.id).with_for_update())
    last = ctx.session.execute(
        select(func.max(PartyList.registration_order)).where(PartyList.contest_id == contest.id)
    ).scalar_one()
    transition(
        ctx,
        candidacy,
        CandidacyState.REGISTERED,
        changes={"registration_order": (last or 0) + 1},
    )
    return _decision(candidacy, quota)


def refuse(
    ctx: Context, ref: CandidacyRef, reason: RefusalReason, note: str = ""
) -> RegistrationDecision:
    """Refuse registration for a reason of the law (CL art. 104 para 6 subparas 3–4, para 8).

    Withdrawal is not a refusal (use :func:`withdraw`), and "incomplete documents" is refused for
    a complete file. Refusals may follow the close of registration (late or unfinished files) but
    not polling day.
    """
    candidacy = load_candidacy(ctx, ref)
    contest = contest_of(ctx.session, candidacy)
    ctx.authorize(Action.DECIDE_REGISTRATION, contest_scope(ctx.session, contest))
    if reason is RefusalReason.WITHDRAWN_BY_OWN_APPLICATION:
        raise InvalidInput(
            "not_a_refusal",
            f"reason={reason.value}: a withdrawal is recorded with withdraw (CL art. 105 para 1)",
            field="reason",
        )
    if reason is RefusalReason.LIST_MAJORITY_WITHDREW and not isinstance(candidacy, PartyList):
        raise InvalidInput(
            "list_reason",
            f"reason={reason.value}: applies to party lists only (CL art. 104 para 6)",
            field="reason",
        )
    require_before(ctx, contest_calendar(ctx.session, contest), "polling_opens", f"refusing {ref}")
    if reason is RefusalReason.INCOMPLETE_DOCUMENTS:
        report = documents_report(ctx.session, candidacy)
        if report.complete:
            raise InvalidInput(
                "documents_complete",
                f"reason={reason.value}: the file of {ref} is complete",
                field="reason",
            )
        if not note:
            note = "missing: " + ", ".join(m.text for m in report.missing)
    transition(ctx, candidacy, CandidacyState.REFUSED, reason=reason, note=note)
    return _decision(candidacy)


def withdraw(
    ctx: Context, ref: CandidacyRef, note: str = "", decision: str | None = None
) -> RegistrationDecision:
    """Record a withdrawal by the candidate's (or party's) own application (CL art. 105 para 1).

    If the contest's ballot is already frozen, the line is struck only by a recorded ``decision``
    and, under dual control, only when a second member approves the strike: the withdrawal is the
    candidate's right and is recorded at once (:func:`saylau.services.ballots.remove_from_ballot`).
    """
    candidacy = load_candidacy(ctx, ref)
    contest = contest_of(ctx.session, candidacy)
    ctx.authorize(Action.DECIDE_REGISTRATION, contest_scope(ctx.session, contest))
    require_before(
        ctx, contest_calendar(ctx.session, contest), "polling_opens", f"withdrawing {ref}"
    )
    transition(
        ctx,
        candidacy,
        CandidacyState.WITHDRAWN,
        reason=RefusalReason.WITHDRAWN_BY_OWN_APPLICATION,
        note=note,
    )
    pending = ballots.remove_from_ballot(ctx, candidacy, decision)
    return _decision(candidacy, ballot_approval=pending)


def cancel_registration(
    ctx: Context,
    ref: CandidacyRef,
    reason: RefusalReason,
    note: str = "",
    decision: str | None = None,
) -> RegistrationDecision:
    """Cancel a registration (CL art. 104 para 6-1); a frozen ballot changes only by decision."""
    candidacy = load_candidacy(ctx, ref)
    contest = contest_of(ctx.session, candidacy)
    ctx.authorize(Action.DECIDE_REGISTRATION, contest_scope(ctx.session, contest))
    if reason is RefusalReason.WITHDRAWN_BY_OWN_APPLICATION:
        raise InvalidInput(
            "not_a_cancellation",
            f"reason={reason.value}: a withdrawal is recorded with withdraw (CL art. 105 para 1)",
            field="reason",
        )
    require_before(
        ctx, contest_calendar(ctx.session, contest), "polling_opens", f"cancelling {ref}"
    )
    transition(ctx, candidacy, CandidacyState.CANCELLED, reason=reason, note=note)
    pending = ballots.remove_from_ballot(ctx, candidacy, decision)
    return _decision(candidacy, ballot_approval=pending)


def withdraw_from_list(
    ctx: Context, party_list_id: int, iin: str, note: str = "", decision: str | None = None
) -> RegistrationDecision:
    """A person leaves a party list by their own application (CL art. 105 para 1).

    When more than half of the list has left, the list is refused (before registration) or its
    registration cancelled (CL art. 104 para 6 subpara 3). Leaving twice changes nothing.
    """
    party_list = ctx.get(PartyList, party_list_id, "party_list")
    contest = contest_of(ctx.session, party_list)
    ctx.authorize(Action.DECIDE_REGISTRATION, contest_scope(ctx.session, contest))
    ref = CandidacyRef(CandidacyKind.LIST, party_list.id)
    entry = next((e for e in party_list.entries if e.person.iin == iin), None)
    if entry is None:
        raise NotFound("not_on_list", f"iin={iin!r}: not on {ref}", field="iin")
    if entry.withdrawn:
        return _decision(party_list)
    if party_list.state not in PENDING_STATES | {CandidacyState.REGISTERED}:
        raise Conflict("list_closed", f"{ref} is {party_list.state.value}", field="state")
    require_before(
        ctx,
        contest_calendar(ctx.session, contest),
        "polling_opens",
        f"withdrawing {iin} from {ref}",
    )
    before = {
        "party_list_id": party_list.id,
        "position": entry.position,
        "iin": iin,
        "withdrawn": False,
    }
    entry.withdrawn = True
    ctx.session.flush()
    ctx.audit(
        "withdraw_from_list",
        "list_entry",
        f"{party_list.id}:{entry.position}",
        before,
        {**before, "withdrawn": True, "note": note},
    )
    left = len(party_list.entries) - len(active_entries(party_list))
    if left * 2 > len(party_list.entries):
        target = (
            CandidacyState.CANCELLED
            if party_list.state is CandidacyState.REGISTERED
            else CandidacyState.REFUSED
        )
        transition(
            ctx,
            party_list,
            target,
            reason=RefusalReason.LIST_MAJORITY_WITHDREW,
            note=f"{left} of {len(party_list.entries)} persons withdrew",
        )
        pending = ballots.remove_from_ballot(ctx, party_list, decision)
        return _decision(party_list, ballot_approval=pending)
    if party_list.state in PENDING_STATES:
        advance(ctx, party_list)
    return _decision(party_list)


# --- deposits after the results ------------------------------------------------------------------


@dataclass(frozen=True)
class DepositOutcome:
    """A registered candidacy's result, as tabulated: votes, and whether elected or deceased."""

    candidacy: CandidacyRef
    votes: int
    elected: bool = False
    died: bool = False


@dataclass(frozen=True)
class Settlement:
    """A deposit refunded or forfeited to the budget, with the grounds and the article."""

    candidacy: str
    kind: DepositKind
    amount: int
    grounds: tuple[str, ...]
    share: Fraction
    explanation: str
    article: str
    created: bool


def settle_deposits(
    ctx: Context, contest_id: int, base: int, outcomes: Sequence[DepositOutcome]
) -> tuple[Settlement, ...]:
    """Refund or forfeit the deposits of a contest's registered candidacies after polling
    (CL art. 104 para 1 part 6, para 1-1 part 2; art. 88 paras 4–5; decision #15).

    ``base`` is the threshold base of decision #1 (candidate or party votes plus "against all");
    the votes come from tabulation as input. Every registered candidacy needs an outcome. Settling
    twice changes nothing (the first settlement is returned).
    """
    contest = ctx.get(Contest, contest_id, "contest")
    ctx.authorize(Action.RECORD_DEPOSIT, contest_scope(ctx.session, contest))
    require_after(
        ctx, contest_calendar(ctx.session, contest), "polling_closes", "settling deposits"
    )
    registered: list[Candidacy] = []
    if contest.kind.is_list:
        registered.extend(
            ctx.session.execute(
                select(PartyList)
                .where(
                    PartyList.contest_id == contest.id,
                    PartyList.state == CandidacyState.REGISTERED,
                )
                .order_by(PartyList.id)
            ).scalars()
        )
    else:
        registered.extend(
            ctx.session.execute(
                select(Nomination)
                .where(
                    Nomination.contest_id == contest.id,
                    Nomination.state == CandidacyState.REGISTERED,
                )
                .order_by(Nomination.id)
            ).scalars()
        )
    by_ref = {CandidacyRef.of(c): c for c in registered}
    given: dict[CandidacyRef, DepositOutcome] = {}
    for index, outcome in enumerate(outcomes, start=1):
        if outcome.candidacy not in by_ref:
            raise InvalidInput(
                "not_registered_here",
                f"outcomes[{index}].candidacy={outcome.candidacy}: not a registered candidacy of "
                f"{describe_contest(contest)}",
                field=f"outcomes[{index}].candidacy",
            )
        if outcome.candidacy in given:
            raise InvalidInput(
                "duplicate_outcome",
                f"outcomes[{index}].candidacy={outcome.candidacy}: given twice",
                field=f"outcomes[{index}].candidacy",
            )
        given[outcome.candidacy] = outcome
    missing = [str(ref) for ref in by_ref if ref not in given]
    if missing:
        raise InvalidInput(
            "outcome_missing",
            f"outcomes: no result given for {missing}",
            field="outcomes",
            missing=missing,
        )
    rules = election_rules(contest.election)
    settlements: list[Settlement] = []
    for ref, candidacy in by_ref.items():
        outcome = given[ref]
        try:
            decision = deposit_refunded(
                outcome.votes,
                base,
                outcome.elected,
                outcome.died,
                rules,
                party_list=isinstance(candidacy, PartyList),
                body=contest.kind.body,
            )
        except LawInputError as error:
            raise law_input(error, f"outcomes[{ref}]") from error
        kind = DepositKind.REFUNDED if decision.refunded else DepositKind.FORFEITED
        previous = ctx.session.execute(
            select(DepositEntry).where(
                owned_by(DepositEntry, candidacy),
                DepositEntry.kind.in_((DepositKind.REFUNDED, DepositKind.FORFEITED)),
            )
        ).scalar_one_or_none()
        grounds = tuple(g.value for g in decision.grounds)
        if previous is not None:
            settlements.append(
                Settlement(
                    str(ref),
                    previous.kind,
                    previous.amount,
                    grounds,
                    decision.share,
                    previous.note,
                    decision.article,
                    created=False,
                )
            )
            continue
        paid = deposit_paid(ctx.session, candidacy)
        if paid == 0:
            continue
        entry = DepositEntry(
            **owner_ids(candidacy),
            kind=kind,
            amount=paid,
            note=f"{decision.explanation} ({decision.article})"[:500],
            at=ctx.now,
        )
        ctx.session.add(entry)
        ctx.session.flush()
        ctx.audit("settle_deposit", "deposit_entry", entry.id, None, snapshot(entry))
        settlements.append(
            Settlement(
                str(ref),
                kind,
                paid,
                grounds,
                decision.share,
                entry.note,
                decision.article,
                created=True,
            )
        )
    return tuple(settlements)
