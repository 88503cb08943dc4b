"""Ballots: the party order by a recorded lot, candidates in Kazakh order, print runs, freezing.

Parties appear in the order of one lot drawn for the whole election, the same on every list ballot
(CL art. 37 para 1; monograph [L304]; decision #9); candidates in the alphabetical order of the
Kazakh language (art. 37 para 1); "against all" comes last, but it is a field of the protocol, not a
line stored here. Each contest's print run is its precincts' voters plus 1%, per precinct and in
total (art. 37 paras 2–3). A frozen ballot (printed) changes only by a recorded decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select

from saylau.domain.roles import Action
from saylau.domain.states import CandidacyState
from saylau.law.ballots import (
    BallotLayout,
    Candidate,
    PartyOrder,
    PrintRun,
    RowKind,
    ballot_layout,
    party_order_by_lot,
    print_run,
)
from saylau.law.errors import LawInputError
from saylau.services import approvals
from saylau.services.audit import snapshot
from saylau.services.candidacy import (
    Candidacy,
    CandidacyRef,
    contest_of,
    load_candidacy,
    owned_by,
)
from saylau.services.contests import contest_scope, describe_contest
from saylau.services.context import NATIONAL, Context
from saylau.services.deadlines import contest_calendar, election_rules, require_after
from saylau.services.errors import Conflict, InvalidInput, law_input
from saylau.storage.models import (
    BallotChoice,
    BallotDefinition,
    Contest,
    DistrictPrecinct,
    Election,
    LotRecord,
    Nomination,
    Party,
    PartyList,
    Precinct,
    ProtocolVote,
)


def lot_purpose(election_id: int) -> str:
    """The purpose recorded in the ballot-order lot (``saylau.law.ballots.party_order_by_lot``)."""
    return f"ballot-order:{election_id}"


@dataclass(frozen=True)
class PartyOrderRecord:
    """The recorded lot: seed, method and the party codes in ballot order (decision #9)."""

    lot_record_id: int
    election_id: int
    purpose: str
    seed: str
    method: str
    parties: tuple[str, ...]
    drawn_at: datetime
    created: bool


@dataclass(frozen=True)
class BallotLine:
    position: int
    label: str
    party_list_id: int | None
    nomination_id: int | None


class BallotStatus(StrEnum):
    PREPARED = "prepared"
    """Lines and print run written by this call."""
    UNCHANGED = "unchanged"
    FROZEN = "frozen"
    FROZEN_DIFFERS = "frozen_differs"
    """Frozen, but the registrations have changed since: only a recorded decision changes it."""
    NO_CANDIDATES = "no_candidates"


@dataclass(frozen=True)
class ContestBallot:
    """A contest's ballot: lines in print order, print run and per-precinct delivery."""

    contest_id: int
    status: BallotStatus
    lines: tuple[BallotLine, ...]
    against_all: bool
    extended: bool
    print_run: int
    precinct_delivery: dict[int, int]
    """Precinct id → ballots delivered (voters + 1%, rounded up)."""
    frozen_at: datetime | None
    change_decision: str | None
    lot_record_id: int | None


@dataclass(frozen=True)
class BallotsPrepared:
    election_id: int
    party_order: PartyOrderRecord | None
    contests: tuple[ContestBallot, ...]


# --- the party order ---------------------------------------------------------------------------------


def _lot_record(ctx: Context, election_id: int) -> LotRecord | None:
    return (
        ctx.session.execute(
            select(LotRecord)
            .where(
                LotRecord.election_id == election_id, LotRecord.purpose == lot_purpose(election_id)
            )
            .order_by(LotRecord.id)
        )
        .scalars()
        .first()
    )


def _order_record(record: LotRecord, created: bool) -> PartyOrderRecord:
    return PartyOrderRecord(
        record.id,
        record.election_id,
        record.purpose,
        record.seed,
        record.method,
        tuple(record.order),
        record.drawn_at,
        created,
    )


def _list_contests(ctx: Context, election_id: int) -> list[Contest]:
    contests = ctx.session.execute(
        select(Contest).where(Contest.election_id == election_id).order_by(Contest.id)
    ).scalars()
    return [c for c in contests if c.kind.is_list]


def _registration_closed(ctx: Context, contest: Contest, what: str) -> None:
    require_after(ctx, contest_calendar(ctx.session, contest), "registration_closes", what)


def draw_party_order(ctx: Context, election_id: int, seed: str) -> PartyOrderRecord:
    """Draw the order of parties on every list ballot of the election by an auditable lot over
    the parties with a registered list (CL art. 37 para 1; monograph [L304]; decision #9).

    Drawn once, after registration has closed in every list contest: the same seed again returns
    the record; a different seed is refused, since the draw is public and final.
    """
    election = ctx.get(Election, election_id, "election")
    ctx.authorize(Action.MANAGE_BALLOTS, NATIONAL)
    if not seed.strip():
        raise InvalidInput(
            "empty_seed",
            "seed: a lot needs a published, non-empty seed (decision #9)",
            field="seed",
        )
    contests = _list_contests(ctx, election.id)
    for contest in contests:
        _registration_closed(ctx, contest, f"the party order of election {election.id}")
    ctx.session.execute(select(Election.id).where(Election.id == election.id).with_for_update())
    existing = _lot_record(ctx, election.id)
    if existing is not None:
        if existing.seed != seed:
            raise Conflict(
                "lot_drawn",
                f"seed={seed!r}: the party order of election {election.id} was drawn with seed "
                f"{existing.seed!r} at {existing.drawn_at.isoformat()} (lot record {existing.id})",
                field="seed",
            )
        return _order_record(existing, created=False)
    codes = sorted(
        set(
            ctx.session.execute(
                select(Party.code)
                .join(PartyList, PartyList.party_id == Party.id)
                .where(
                    PartyList.contest_id.in_([c.id for c in contests]),
                    PartyList.state == CandidacyState.REGISTERED,
                )
            ).scalars()
        )
    )
    if not codes:
        raise Conflict(
            "no_registered_lists",
            f"election {election.id} has no registered party list to order",
            field="election_id",
        )
    try:
        order = party_order_by_lot(codes, seed, str(election.id))
    except LawInputError as error:
        raise law_input(error) from error
    assert order.lot is not None
    record = LotRecord(
        election_id=election.id,
        purpose=order.lot.purpose,
        seed=order.lot.seed,
        method=order.lot.method,
        candidates=list(order.lot.candidates),
        order=list(order.lot.order),
        drawn_by=ctx.actor.user_id,
        drawn_at=ctx.now,
    )
    ctx.session.add(record)
    ctx.session.flush()
    ctx.audit("draw_party_order", "lot_record", record.id, None, snapshot(record))
    return _order_record(record, created=True)


# --- one contest's ballot ----------------------------------------------------------------------------


def contest_voters(ctx: Context, contest: Contest) -> dict[int, int]:
    """Voters on the list at each precinct of the contest: its district's precincts, or every
    precinct of the body's territory for a list contest."""
    query = select(Precinct.id, Precinct.voters)
    if contest.district_id is not None:
        query = query.join(DistrictPrecinct, DistrictPrecinct.precinct_id == Precinct.id).where(
            DistrictPrecinct.district_id == contest.district_id
        )
    elif contest.body.unit_id is not None:
        query = query.where(Precinct.unit_id == contest.body.unit_id)
    elif contest.body.region_id is not None:
        query = query.where(Precinct.region_id == contest.body.region_id)
    return {precinct_id: voters for precinct_id, voters in ctx.session.execute(query).all()}


@dataclass
class _Plan:
    lines: list[BallotLine]
    layout: BallotLayout
    run: PrintRun
    lot_record_id: int | None


def _plan(ctx: Context, contest: Contest) -> _Plan | None:
    """The ballot the current registrations call for; None if nobody is registered."""
    rules = election_rules(contest.election)
    lot_record_id: int | None = None
    try:
        if contest.kind.is_list:
            lists = (
                ctx.session.execute(
                    select(PartyList).where(
                        PartyList.contest_id == contest.id,
                        PartyList.state == CandidacyState.REGISTERED,
                    )
                )
                .scalars()
                .all()
            )
            if not lists:
                return None
            record = _lot_record(ctx, contest.election_id)
            if record is None:
                raise Conflict(
                    "party_order_not_drawn",
                    f"{describe_contest(contest)}: draw the party order of election "
                    f"{contest.election_id} first (CL art. 37 para 1)",
                    field="seed",
                )
            lot_record_id = record.id
            by_code = {pl.party.code: pl for pl in lists}
            unordered = sorted(set(by_code) - set(record.order))
            if unordered:
                raise Conflict(
                    "party_not_in_lot",
                    f"{describe_contest(contest)}: parties {unordered} were registered after the "
                    f"party order was drawn (lot record {record.id})",
                    field="seed",
                )
            codes = tuple(code for code in record.order if code in by_code)
            layout = ballot_layout(
                contest.kind,
                rules,
                party_order=PartyOrder(
                    codes, f"lot record {record.id}, {record.method}, seed {record.seed!r}"
                ),
                party_names={
                    code: (pl.party.name_kk, pl.party.name_ru or pl.party.name_kk)
                    for code, pl in by_code.items()
                },
            )
            lines = [
                BallotLine(row.position, row.label_kk, by_code[row.choice_id].id, None)
                for row in layout.rows
                if row.kind is RowKind.PARTY
            ]
        else:
            nominations = (
                ctx.session.execute(
                    select(Nomination).where(
                        Nomination.contest_id == contest.id,
                        Nomination.state == CandidacyState.REGISTERED,
                    )
                )
                .scalars()
                .all()
            )
            if not nominations:
                return None
            layout = ballot_layout(
                contest.kind,
                rules,
                candidates=[
                    Candidate(
                        str(n.id), n.person.surname, n.person.name, n.person.patronymic or None
                    )
                    for n in nominations
                ],
            )
            lines = [
                BallotLine(row.position, row.label_kk, None, int(row.choice_id))
                for row in layout.rows
                if row.kind is RowKind.CANDIDATE
            ]
        voters = contest_voters(ctx, contest)
        if not voters:
            raise Conflict(
                "no_precincts",
                f"{describe_contest(contest)} has no precincts: no print run can be computed",
                field="contest_id",
            )
        run = print_run({str(p): v for p, v in voters.items()}, rules)
    except LawInputError as error:
        raise law_input(error, "ballot") from error
    return _Plan(lines, layout, run, lot_record_id)


def _stored_lines(ctx: Context, contest_id: int) -> list[BallotLine]:
    return [
        BallotLine(c.position, c.label, c.party_list_id, c.nomination_id)
        for c in ctx.session.execute(
            select(BallotChoice)
            .where(BallotChoice.contest_id == contest_id)
            .order_by(BallotChoice.position)
        ).scalars()
    ]


def _definition(ctx: Context, contest_id: int) -> BallotDefinition | None:
    return ctx.session.execute(
        select(BallotDefinition).where(BallotDefinition.contest_id == contest_id)
    ).scalar_one_or_none()


def _view(
    ctx: Context, contest: Contest, status: BallotStatus, definition: BallotDefinition | None
) -> ContestBallot:
    rules = election_rules(contest.election)
    return ContestBallot(
        contest_id=contest.id,
        status=status,
        lines=tuple(_stored_lines(ctx, contest.id)),
        against_all=rules.against_all_on_ballot,
        extended=definition.extended if definition else False,
        print_run=definition.print_run if definition else 0,
        precinct_delivery=(
            {int(k): int(v) for k, v in definition.precinct_delivery.items()} if definition else {}
        ),
        frozen_at=definition.frozen_at if definition else None,
        change_decision=definition.change_decision if definition else None,
        lot_record_id=definition.lot_record_id if definition else None,
    )


def _state(definition: BallotDefinition | None, lines: Sequence[BallotLine]) -> dict[str, Any]:
    return {
        "definition": snapshot(definition) if definition is not None else None,
        "lines": [
            {
                "position": line.position,
                "label": line.label,
                "party_list_id": line.party_list_id,
                "nomination_id": line.nomination_id,
            }
            for line in lines
        ],
    }


def _delivery(plan: _Plan) -> dict[str, int]:
    return {str(k): v for k, v in plan.run.precinct_delivery.items()}


def _matches(definition: BallotDefinition, lines: list[BallotLine], plan: _Plan) -> bool:
    """Whether the stored ballot is what ``plan`` calls for. A frozen ballot keeps its printed
    positions when a line is struck, so only the order of its lines is compared."""
    if definition.frozen_at is not None:
        same_lines = [replace(line, position=0) for line in lines] == [
            replace(line, position=0) for line in plan.lines
        ]
    else:
        same_lines = lines == plan.lines
    return (
        same_lines
        and definition.print_run == plan.run.to_print
        and definition.precinct_delivery == _delivery(plan)
        and definition.extended == plan.layout.extended
        and definition.lot_record_id == plan.lot_record_id
    )


def _require_no_votes(ctx: Context, contest: Contest) -> None:
    votes = ctx.session.execute(
        select(func.count()).select_from(ProtocolVote).where(ProtocolVote.contest_id == contest.id)
    ).scalar_one()
    if votes:
        raise Conflict(
            "protocols_entered",
            f"{describe_contest(contest)}: protocols already count votes for its ballot lines",
            field="contest_id",
        )


def _write(
    ctx: Context,
    contest: Contest,
    definition: BallotDefinition | None,
    plan: _Plan | None,
    decision: str | None,
) -> BallotDefinition | None:
    """Replace the stored lines and print run by ``plan`` (None: no registered candidacy)."""
    lines = _stored_lines(ctx, contest.id)
    before = _state(definition, lines)
    _require_no_votes(ctx, contest)
    ctx.session.execute(delete(BallotChoice).where(BallotChoice.contest_id == contest.id))
    if plan is None:
        if definition is not None:
            ctx.session.delete(definition)
        ctx.session.flush()
        ctx.audit("prepare_ballot", "ballot_definition", contest.id, before, _state(None, []))
        return None
    for line in plan.lines:
        ctx.session.add(
            BallotChoice(
                contest_id=contest.id,
                position=line.position,
                party_list_id=line.party_list_id,
                nomination_id=line.nomination_id,
                label=line.label[:400],
            )
        )
    if definition is None:
        definition = BallotDefinition(contest_id=contest.id)
        ctx.session.add(definition)
    definition.lot_record_id = plan.lot_record_id
    definition.extended = plan.layout.extended
    definition.print_run = plan.run.to_print
    definition.precinct_delivery = _delivery(plan)
    if decision is not None:
        definition.change_decision = decision[:500]
    ctx.session.flush()
    ctx.audit(
        "prepare_ballot" if decision is None else "change_frozen_ballot",
        "ballot_definition",
        contest.id,
        before,
        _state(definition, plan.lines),
    )
    return definition


def _prepare(ctx: Context, contest: Contest, decision: str | None) -> ContestBallot:
    _registration_closed(ctx, contest, f"the ballot of {describe_contest(contest)}")
    plan = _plan(ctx, contest)
    definition = _definition(ctx, contest.id)
    lines = _stored_lines(ctx, contest.id)
    frozen = definition is not None and definition.frozen_at is not None
    if plan is None and definition is None:
        return _view(ctx, contest, BallotStatus.NO_CANDIDATES, None)
    unchanged = plan is not None and definition is not None and _matches(definition, lines, plan)
    if frozen and decision is None:
        status = BallotStatus.FROZEN if unchanged else BallotStatus.FROZEN_DIFFERS
        return _view(ctx, contest, status, definition)
    if unchanged and decision is None:
        return _view(ctx, contest, BallotStatus.UNCHANGED, definition)
    if plan is None and frozen:
        raise Conflict(
            "no_candidates",
            f"{describe_contest(contest)}: no registered candidacy is left; the frozen ballot "
            "cannot be emptied by a change",
            field="contest_id",
        )
    written = _write(ctx, contest, definition, plan, decision)
    status = BallotStatus.PREPARED if written is not None else BallotStatus.NO_CANDIDATES
    return _view(ctx, contest, status, written)


def _decision_text(decision: str | None) -> str | None:
    if decision is None:
        return None
    text = decision.strip()
    if not text:
        raise InvalidInput(
            "empty_decision",
            "decision: a change of a frozen ballot cites its decision",
            field="decision",
        )
    return text


def prepare_contest_ballot(
    ctx: Context, contest_id: int, *, decision: str | None = None, approval_id: int | None = None
) -> ContestBallot:
    """Lay out one contest's ballot from its registered candidacies, with its print run
    (CL art. 37 paras 1–3), once registration has closed.

    Re-running it changes nothing unless registrations changed. A frozen ballot is changed (and
    reprinted) only with ``decision``, the text of the commission's decision, which is recorded,
    and under dual control (issue #9 §2): only as ``approval_id``, approved by a second member of
    the commission (:mod:`saylau.services.approvals`).
    """
    contest = ctx.get(Contest, contest_id, "contest")
    ctx.authorize(Action.MANAGE_BALLOTS, contest_scope(ctx.session, contest))
    text = _decision_text(decision)
    definition = _definition(ctx, contest.id)
    if text is not None and (definition is None or definition.frozen_at is None):
        raise Conflict(
            "not_frozen",
            f"{describe_contest(contest)}: the ballot is not frozen; prepare it without a decision",
            field="decision",
        )
    if text is not None:
        approvals.consume(
            ctx,
            approvals.CHANGE_FROZEN_BALLOT,
            approvals.ballot_change_params(contest_id, text),
            approval_id,
        )
    return _prepare(ctx, contest, text)


def prepare_ballots(ctx: Context, election_id: int, seed: str) -> BallotsPrepared:
    """Draw the party order (if the election has registered lists) and prepare every contest's
    ballot. Frozen ballots are left as they are and reported (``frozen_differs`` when
    registrations have changed since)."""
    election = ctx.get(Election, election_id, "election")
    ctx.authorize(Action.MANAGE_BALLOTS, NATIONAL)
    contests = (
        ctx.session.execute(
            select(Contest).where(Contest.election_id == election.id).order_by(Contest.id)
        )
        .scalars()
        .all()
    )
    has_lists = any(
        ctx.session.execute(
            select(PartyList.id).where(
                PartyList.contest_id == c.id, PartyList.state == CandidacyState.REGISTERED
            )
        ).first()
        for c in contests
        if c.kind.is_list
    )
    order = draw_party_order(ctx, election.id, seed) if has_lists else None
    results = tuple(_prepare(ctx, contest, None) for contest in contests)
    return BallotsPrepared(election.id, order, results)


def freeze_ballot(ctx: Context, contest_id: int) -> ContestBallot:
    """Freeze a prepared ballot for printing; afterwards it changes only by a recorded decision.
    Freezing a frozen ballot changes nothing."""
    contest = ctx.get(Contest, contest_id, "contest")
    ctx.authorize(Action.MANAGE_BALLOTS, contest_scope(ctx.session, contest))
    definition = _definition(ctx, contest.id)
    if definition is None:
        raise Conflict(
            "not_prepared",
            f"{describe_contest(contest)}: prepare the ballot before freezing it",
            field="contest_id",
        )
    if definition.frozen_at is not None:
        return _view(ctx, contest, BallotStatus.FROZEN, definition)
    plan = _plan(ctx, contest)
    if plan is None or not _matches(definition, _stored_lines(ctx, contest.id), plan):
        raise Conflict(
            "ballot_outdated",
            f"{describe_contest(contest)}: registrations changed since the ballot was prepared; "
            "prepare it again before freezing",
            field="contest_id",
        )
    before = snapshot(definition)
    definition.frozen_at = ctx.now
    ctx.session.flush()
    ctx.audit("freeze_ballot", "ballot_definition", contest.id, before, snapshot(definition))
    return _view(ctx, contest, BallotStatus.FROZEN, definition)


def remove_from_ballot(ctx: Context, candidacy: Candidacy, decision: str | None) -> int | None:
    """Take a withdrawn or cancelled candidacy off its contest's ballot.

    Called inside a registration decision that was authorized. A prepared ballot is laid out
    again; a frozen one keeps its printed positions, the line is struck, and the commission's
    ``decision`` is required and recorded (CL art. 37; issue #3 §2.4).

    Striking a line of a frozen ballot changes a printed ballot, so it is under dual control
    (issue #9 §2): with ``SAYLAU_DUAL_CONTROL=required`` the withdrawal or cancellation itself is
    recorded now — withdrawing is the candidate's or party's own right (CL art. 105 para 1) and a
    cancellation is the commission's decision (CL art. 104 para 6-1) — while the strike is filed
    as a ``strike_from_frozen_ballot`` request by the acting member (its id is returned) and done
    by :func:`strike_from_frozen_ballot` when a second member approves it. Returns None when
    nothing waits for an approval.
    """
    contest = contest_of(ctx.session, candidacy)
    definition = _definition(ctx, contest.id)
    if definition is None or _line_of(ctx, contest, candidacy) is None:
        return None
    if definition.frozen_at is None:
        _write(ctx, contest, definition, _plan(ctx, contest), None)
        return None
    text = _decision_text(decision)
    if text is None:
        raise Conflict(
            "decision_required",
            f"the ballot of {describe_contest(contest)} was frozen at "
            f"{definition.frozen_at.isoformat()}: striking {CandidacyRef.of(candidacy)} needs "
            "the commission's recorded decision",
            field="decision",
        )
    if approvals.policy() == approvals.REQUIRED:
        params = approvals.strike_params(CandidacyRef.of(candidacy), text)
        return approvals.request(ctx, approvals.STRIKE_FROM_FROZEN_BALLOT, params).id
    _strike(ctx, contest, definition, candidacy, text)
    return None


def _line_of(ctx: Context, contest: Contest, candidacy: Candidacy) -> BallotChoice | None:
    return ctx.session.execute(
        select(BallotChoice).where(
            BallotChoice.contest_id == contest.id, owned_by(BallotChoice, candidacy)
        )
    ).scalar_one_or_none()


def _strike(
    ctx: Context,
    contest: Contest,
    definition: BallotDefinition,
    candidacy: Candidacy,
    decision: str,
) -> None:
    line = _line_of(ctx, contest, candidacy)
    if line is None:
        raise Conflict(
            "not_on_ballot",
            f"{CandidacyRef.of(candidacy)} has no line on the ballot of {describe_contest(contest)}",
            field="candidacy",
        )
    _require_no_votes(ctx, contest)
    before = _state(definition, _stored_lines(ctx, contest.id))
    ctx.session.delete(line)
    definition.change_decision = decision[:500]
    ctx.session.flush()
    ctx.audit(
        "change_frozen_ballot",
        "ballot_definition",
        contest.id,
        before,
        _state(definition, _stored_lines(ctx, contest.id)),
    )


STRUCK_STATES = frozenset(
    {CandidacyState.WITHDRAWN, CandidacyState.CANCELLED, CandidacyState.REFUSED}
)
"""A line of a frozen ballot is struck only for a candidacy no longer standing."""


def strike_from_frozen_ballot(
    ctx: Context, ref: CandidacyRef, decision: str, *, approval_id: int | None = None
) -> ContestBallot:
    """Strike a withdrawn, cancelled or refused candidacy's line from its contest's frozen ballot,
    keeping the printed positions, by the commission's recorded ``decision`` (CL art. 37;
    issue #3 §2.4) and, under dual control (issue #9 §2), only as ``approval_id`` approved by a
    second member of the commission (kind ``strike_from_frozen_ballot``)."""
    candidacy = load_candidacy(ctx, ref)
    contest = contest_of(ctx.session, candidacy)
    ctx.authorize(Action.MANAGE_BALLOTS, contest_scope(ctx.session, contest))
    text = _decision_text(decision)
    if text is None:
        raise InvalidInput(
            "empty_decision",
            "decision: striking a frozen ballot cites its decision",
            field="decision",
        )
    if candidacy.state not in STRUCK_STATES:
        raise Conflict(
            "still_standing",
            f"{ref} is {candidacy.state.value}: only a withdrawn, cancelled or refused candidacy "
            "is struck from a frozen ballot",
            field="candidacy",
        )
    definition = _definition(ctx, contest.id)
    if definition is None or definition.frozen_at is None:
        raise Conflict(
            "not_frozen",
            f"{describe_contest(contest)}: the ballot is not frozen; prepare it again instead",
            field="candidacy",
        )
    approvals.consume(
        ctx, approvals.STRIKE_FROM_FROZEN_BALLOT, approvals.strike_params(ref, text), approval_id
    )
    _strike(ctx, contest, definition, candidacy, text)
    return _view(ctx, contest, BallotStatus.FROZEN, definition)


def ballot_of(ctx: Context, contest_id: int) -> ContestBallot:
    """A contest's ballot as stored (a read)."""
    contest = ctx.get(Contest, contest_id, "contest")
    definition = _definition(ctx, contest.id)
    if definition is None:
        return _view(ctx, contest, BallotStatus.NO_CANDIDATES, None)
    status = BallotStatus.FROZEN if definition.frozen_at else BallotStatus.UNCHANGED
    return _view(ctx, contest, status, definition)
