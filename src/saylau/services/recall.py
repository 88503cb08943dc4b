"""The recall of a deputy elected in a single-member district, as one case from application to
result (CL arts. 113-12 – 113-16; decision #16).

application by a voter (not in the deputy's first or last year, nor within a year of a failed
recall: art. 113-12 para 2) → registration decided within 3 days (art. 113-13 para 2) → signatures
collected for 30 days (art. 113-14 para 1) → lists submitted and verified within 10 days; the
petition needs *more than* 10% of the district's voters (art. 113-14 para 2) → decision to hold the
vote within 1 day (art. 113-15 para 1) → deputy notified within 3 working days (para 2) → vote
within 2 months (para 3), an election record with purpose ``recall`` for the district → result:
valid at ≥ 1/3 turnout, recalled at > 50% of those who took part (art. 113-16 paras 3–4),
published within 3 days of the vote → if recalled, the mandate ends and a by-election is called
for the district (as for any vacancy, art. 101, 113).

Each step happens "today" (the local date of the district's region, decision #12) and is refused
with a Conflict naming the deadline once it has passed. The case stores its timeline
(:func:`saylau.law.recall.recall_timeline`): dates of steps not yet taken are their latest lawful
dates. HANDLE_RECALL permission, scoped to the district's territory.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.domain.states import RECALL_TRANSITIONS, RecallState
from saylau.law.calendar import ElectionKind
from saylau.law.errors import LawInputError
from saylau.law.recall import (
    RecallTimeline,
    decide_recall_vote,
    may_initiate_recall,
    petition_sufficient,
    recall_rules,
    recall_timeline,
    signatures_needed,
)
from saylau.law.rules import RuleSet
from saylau.services.audit import snapshot
from saylau.services.context import Context, Scope
from saylau.services.deadlines import election_rules, local_today
from saylau.services.elections import law_body
from saylau.services.errors import Conflict, InvalidInput, law_input, require_step
from saylau.services.mandates import convocation_term, root_election
from saylau.services.vacancies import copy_district, vacate
from saylau.storage.models import (
    Body,
    Contest,
    District,
    DistrictPrecinct,
    Election,
    ElectionStatus,
    Mandate,
    MandateSource,
    MandateState,
    Precinct,
    RecallCase,
)

RECALL = "recall"
MAX_TEXT = 300
RESULT_PUBLICATION_DAYS = 3
"""The recall vote's result is published within 3 days of the vote (CL art. 113-16; issue #3 §2.8).
The law core's ``RecallRules`` has no parameter for it yet, so the figure lives here."""

OPEN_STATES = (
    RecallState.APPLIED,
    RecallState.REGISTERED,
    RecallState.COLLECTING,
    RecallState.VOTE_CALLED,
)


@dataclass
class _Case:
    """A recall case with everything its steps need, loaded and authorised."""

    case: RecallCase
    mandate: Mandate
    contest: Contest
    district: District
    body: Body
    rules: RuleSet
    today: date


def district_scope(session: Session, district_id: int, body: Body) -> Scope:
    """The territory of a district: the region all its precincts lie in (none if they span
    regions: then only the CEC covers it), and their unit for a second-level maslikhat's district.

    A district of a first-level maslikhat or the Mazhilis stays with the region's commission even
    when it lies within one unit: a lower commission does not act for a higher body.
    """
    rows = session.execute(
        select(Precinct.region_id, Precinct.unit_id)
        .join(DistrictPrecinct, DistrictPrecinct.precinct_id == Precinct.id)
        .where(DistrictPrecinct.district_id == district_id)
    ).all()
    regions = {r for r, _ in rows}
    units = {u for _, u in rows}
    region_id = next(iter(regions)) if len(regions) == 1 else None
    unit_id = None
    if body.unit_id is not None and region_id is not None and units == {body.unit_id}:
        unit_id = body.unit_id
    return Scope(region_id=region_id, unit_id=unit_id)


def district_voters(session: Session, district_id: int) -> int:
    """Voters on the lists of the district's precincts."""
    total = session.scalar(
        select(func.coalesce(func.sum(Precinct.voters), 0))
        .join(DistrictPrecinct, DistrictPrecinct.precinct_id == Precinct.id)
        .where(DistrictPrecinct.district_id == district_id)
    )
    return int(total or 0)


def _district_of(ctx: Context, mandate: Mandate) -> tuple[Contest, District]:
    contest = ctx.get(Contest, mandate.contest_id, "contest")
    if mandate.source is not MandateSource.SINGLE_MEMBER or contest.district_id is None:
        raise InvalidInput(
            "not_a_district_deputy",
            f"mandate {mandate.id} is not a single-member seat: only a deputy elected in a "
            "single-member district can be recalled (CL art. 113-12 para 1)",
            field="mandate_id",
        )
    return contest, ctx.get(District, contest.district_id, "district")


def _authorised(ctx: Context, mandate: Mandate) -> tuple[Contest, District, Body, RuleSet, date]:
    contest, district = _district_of(ctx, mandate)
    body = ctx.get(Body, mandate.body_id, "body")
    scope = district_scope(ctx.session, district.id, body)
    ctx.authorize(Action.HANDLE_RECALL, scope)
    rules = election_rules(contest.election)
    try:
        recall_rules(rules)
    except LawInputError as exc:
        raise law_input(exc) from exc
    today = local_today(ctx, scope.region_id)
    return contest, district, body, rules, today


def _load(ctx: Context, case_id: int) -> _Case:
    case = ctx.get(RecallCase, case_id, "recall case")
    mandate = ctx.get(Mandate, case.mandate_id, "mandate")
    contest, district, body, rules, today = _authorised(ctx, mandate)
    return _Case(case, mandate, contest, district, body, rules, today)


def _move(case: RecallCase, target: RecallState) -> None:
    require_step(f"recall case {case.id}", RECALL_TRANSITIONS, case.state, target, field="case_id")
    case.state = target


def _late(step: str, due: date, today: date, article: str) -> Conflict:
    return Conflict(
        "deadline_passed",
        f"{step} was due by {due.isoformat()} ({article}); today is {today.isoformat()}",
        field="case_id",
        deadline=due.isoformat(),
    )


def _timeline(
    c: _Case, *, registered: date | None = None, decision: date | None = None
) -> RecallTimeline:
    """The law's timeline with the actual dates of the steps taken so far (or given here)."""
    case = c.case
    r = recall_rules(c.rules)
    start = registered or case.registered_on
    if start is None:
        start = case.applied_on + timedelta(days=r.application_review_days)
    try:
        return recall_timeline(
            start,
            body=law_body(c.body),
            application_filed=case.applied_on,
            lists_submitted=case.lists_submitted_on,
            vote_decision=decision or case.vote_decided_on,
            rules=c.rules,
        )
    except LawInputError as exc:
        raise law_input(exc) from exc


def _store_timeline(c: _Case, extra: dict[str, Any] | None = None) -> None:
    """Write the current timeline (and petition / vote records) into ``case.timeline``."""
    line = _timeline(c)
    deadlines: dict[str, Any] = {}
    for item in fields(line):
        value = getattr(line, item.name)
        if isinstance(value, date):
            deadlines[item.name] = value.isoformat()
        elif value is None:
            deadlines[item.name] = None
    if c.case.vote_day is not None:
        deadlines["result_published_by"] = (
            c.case.vote_day + timedelta(days=RESULT_PUBLICATION_DAYS)
        ).isoformat()
    stored = dict(c.case.timeline or {})
    stored.update(extra or {})
    stored["deadlines"] = deadlines
    stored["body"] = line.body.value
    stored["articles"] = list(line.articles)
    c.case.timeline = stored


def _text(value: str, field: str) -> str:
    text = value.strip()
    if not text or len(text) > MAX_TEXT:
        raise InvalidInput(
            "bad_text", f"{field}={value!r}: give 1–{MAX_TEXT} characters", field=field
        )
    return text


# --- the steps ----------------------------------------------------------------------------------


def apply_for_recall(ctx: Context, mandate_id: int, initiator: str) -> RecallCase:
    """Record a voter's application to recall a district deputy (CL art. 113-12).

    Refused (Conflict) in the deputy's first or last year of work, within a year of the
    publication of a recall vote that kept the mandate (art. 113-12 para 2,
    :func:`saylau.law.recall.may_initiate_recall`), or while another case is open.
    """
    mandate = ctx.get(Mandate, mandate_id, "mandate")
    contest, district, body, rules, today = _authorised(ctx, mandate)
    who = _text(initiator, "initiator")
    if mandate.state is not MandateState.REGISTERED or mandate.term_start is None:
        raise Conflict(
            "not_a_deputy",
            f"mandate {mandate_id} is {mandate.state.value}: only a registered deputy can be "
            "recalled",
            field="mandate_id",
        )
    cases = ctx.session.scalars(select(RecallCase).where(RecallCase.mandate_id == mandate.id)).all()
    open_case = next((c for c in cases if c.state in OPEN_STATES), None)
    if open_case is not None:
        raise Conflict(
            "recall_open",
            f"recall case {open_case.id} for mandate {mandate_id} is still {open_case.state.value}",
            field="mandate_id",
            case_id=open_case.id,
        )
    failed = [
        c.result_published_on
        for c in cases
        if c.state is RecallState.KEPT and c.result_published_on is not None
    ]
    _start, end = convocation_term(ctx.session, mandate)
    try:
        check = may_initiate_recall(
            today,
            term_start=mandate.term_start,
            term_end=end,
            last_failed_recall_published=max(failed, default=None),
            rules=rules,
        )
    except LawInputError as exc:
        raise law_input(exc) from exc
    if not check.allowed:
        window = (
            f"; possible from {check.window[0].isoformat()} to {check.window[1].isoformat()}"
            if check.window
            else "; not possible again in this term"
        )
        raise Conflict(
            "recall_barred",
            f"a recall cannot be initiated on {today.isoformat()}: "
            + "; ".join(check.reasons)
            + window
            + f" ({', '.join(check.articles)})",
            field="mandate_id",
            bars=[b.value for b in check.bars],
        )
    case = RecallCase(
        mandate_id=mandate.id,
        state=RecallState.APPLIED,
        initiator=who,
        applied_on=today,
        timeline={},
    )
    ctx.session.add(case)
    ctx.session.flush()
    _store_timeline(_Case(case, mandate, contest, district, body, rules, today))
    ctx.session.flush()
    ctx.audit("apply_for_recall", "recall_case", case.id, None, snapshot(case))
    return case


def register_recall(ctx: Context, case_id: int) -> RecallCase:
    """Register the application (within 3 days, art. 113-13 para 2); collection starts at once
    and runs 30 days (art. 113-14 para 1)."""
    c = _load(ctx, case_id)
    case = c.case
    before = snapshot(case)
    _move(case, RecallState.REGISTERED)
    due = _timeline(c, registered=case.applied_on).application_decision_by
    if due is not None and c.today > due:
        raise _late("the decision on the application", due, c.today, "CL art. 113-13 para 2")
    case.registered_on = c.today
    _store_timeline(c)
    ctx.session.flush()
    ctx.audit("register_recall", "recall_case", case.id, before, snapshot(case))
    before = snapshot(case)
    _move(case, RecallState.COLLECTING)
    ctx.session.flush()
    ctx.audit("start_signature_collection", "recall_case", case.id, before, snapshot(case))
    return case


def refuse_recall(ctx: Context, case_id: int, reason: str) -> RecallCase:
    """Refuse to register the application, with the reason (art. 113-13 para 2).

    A refusal is accepted even after the 3 days: it ends a case that would otherwise stay open.
    """
    c = _load(ctx, case_id)
    text = _text(reason, "reason")
    before = snapshot(c.case)
    _move(c.case, RecallState.REFUSED)
    c.case.refusal_reason = text
    ctx.session.flush()
    ctx.audit("refuse_recall", "recall_case", c.case.id, before, snapshot(c.case))
    return c.case


def submit_signature_lists(ctx: Context, case_id: int) -> RecallCase:
    """Record the submission of the signature lists, by the end of collection (art. 113-14)."""
    c = _load(ctx, case_id)
    case = c.case
    if case.state is not RecallState.COLLECTING or case.lists_submitted_on is not None:
        raise Conflict(
            "not_collecting",
            f"recall case {case_id} is {case.state.value}"
            + (
                f", lists submitted on {case.lists_submitted_on.isoformat()}"
                if case.lists_submitted_on
                else ""
            )
            + ": no signature lists to submit",
            field="case_id",
        )
    due = _timeline(c).collection_ends
    if c.today > due:
        raise _late("signature collection", due, c.today, "CL art. 113-14 para 1")
    before = snapshot(case)
    case.lists_submitted_on = c.today
    _store_timeline(c)
    ctx.session.flush()
    ctx.audit("submit_signature_lists", "recall_case", case.id, before, snapshot(case))
    return case


def verify_signatures(
    ctx: Context, case_id: int, valid_signatures: int, voters: int | None = None
) -> RecallCase:
    """Record the verified signatures (within 10 days of submission, art. 113-14 para 2).

    The petition is sufficient with *more than* 10% of the district's voters (exactly 10% is not);
    ``voters`` defaults to the voters on the lists of the district's precincts. An insufficient
    petition ends the case.
    """
    c = _load(ctx, case_id)
    case = c.case
    if (
        case.state is not RecallState.COLLECTING
        or case.lists_submitted_on is None
        or case.verified_on is not None
    ):
        raise Conflict(
            "not_awaiting_verification",
            f"recall case {case_id} is {case.state.value}: verification follows the submission "
            "of the lists, once",
            field="case_id",
        )
    due = _timeline(c).verification_ends
    if c.today > due:
        raise _late("the verification of signatures", due, c.today, "CL art. 113-14 para 2")
    base = district_voters(ctx.session, c.district.id) if voters is None else voters
    try:
        sufficient = petition_sufficient(valid_signatures, base, c.rules)
        needed = signatures_needed(base, c.rules)
    except LawInputError as exc:
        raise law_input(exc) from exc
    before = snapshot(case)
    case.valid_signatures = valid_signatures
    case.district_voters = base
    case.verified_on = c.today
    if not sufficient:
        _move(case, RecallState.INSUFFICIENT)
    _store_timeline(
        c,
        {
            "petition": {
                "district_voters": base,
                "valid_signatures": valid_signatures,
                "signatures_needed": needed,
                "sufficient": sufficient,
                "article": "CL art. 113-14 para 2",
            }
        },
    )
    ctx.session.flush()
    ctx.audit("verify_signatures", "recall_case", case.id, before, snapshot(case))
    return case


def call_recall_vote(ctx: Context, case_id: int, vote_day: date) -> RecallCase:
    """Decide to hold the recall vote (≤ 1 day after verification ends, art. 113-15 para 1) on
    ``vote_day``: after the campaign (3 days; Mazhilis 5, para 4) and within 2 months (para 3).

    Creates the vote's election record (purpose ``recall``) with the deputy's district.
    """
    c = _load(ctx, case_id)
    case = c.case
    if (
        case.state is not RecallState.COLLECTING
        or case.verified_on is None
        or case.valid_signatures is None
        or case.district_voters is None
    ):
        raise Conflict(
            "petition_not_verified",
            f"recall case {case_id} is {case.state.value}: the vote follows a verified, "
            "sufficient petition",
            field="case_id",
        )
    due = _timeline(c).vote_decision_by
    if c.today > due:
        raise _late("the decision to hold the vote", due, c.today, "CL art. 113-15 para 1")
    line = _timeline(c, decision=c.today)
    if not line.campaign_ends < vote_day <= line.vote_by:
        raise InvalidInput(
            "vote_day_outside_window",
            f"vote_day={vote_day.isoformat()}: must fall after the campaign ending "
            f"{line.campaign_ends.isoformat()} and no later than {line.vote_by.isoformat()} "
            "(CL art. 113-15 paras 3–4)",
            field="vote_day",
        )
    root = root_election(ctx.session, c.contest.election)
    election = Election(
        name=f"Recall vote: {c.body.name_en}, district {c.district.number}",
        kind=ElectionKind.EARLY,
        purpose=RECALL,
        rules=root.rules,
        called_on=c.today,
        polling_day=vote_day,
        parent_id=root.id,
    )
    ctx.session.add(election)
    ctx.session.flush()
    ctx.audit("call_recall_vote", "election", election.id, None, snapshot(election))
    copy_district(ctx, c.district, election)
    before = snapshot(case)
    case.vote_decided_on = c.today
    case.vote_day = vote_day
    case.vote_election_id = election.id
    _move(case, RecallState.VOTE_CALLED)
    _store_timeline(c)
    ctx.session.flush()
    ctx.audit("decide_recall_vote", "recall_case", case.id, before, snapshot(case))
    return case


def notify_deputy(ctx: Context, case_id: int) -> RecallCase:
    """Record that the deputy was notified of the vote (within 3 working days, art. 113-15
    para 2; public holidays are not stored, so only weekends are skipped)."""
    c = _load(ctx, case_id)
    case = c.case
    if case.state is not RecallState.VOTE_CALLED or case.notified_on is not None:
        raise Conflict(
            "not_awaiting_notice",
            f"recall case {case_id} is {case.state.value}: the deputy is notified once, after "
            "the decision to hold the vote",
            field="case_id",
        )
    due = _timeline(c).notice_by
    if c.today > due:
        raise _late("the notice to the deputy", due, c.today, "CL art. 113-15 para 2")
    before = snapshot(case)
    case.notified_on = c.today
    ctx.session.flush()
    ctx.audit("notify_deputy", "recall_case", case.id, before, snapshot(case))
    return case


def record_recall_result(
    ctx: Context,
    case_id: int,
    took_part: int,
    for_recall: int,
    *,
    invalid: int = 0,
    voters: int | None = None,
) -> RecallCase:
    """Publish the result of the recall vote (within 3 days of the vote).

    Valid at ≥ 1/3 of the district's voters taking part; recalled at > 50% of those who took part
    (art. 113-16 paras 3–4, :func:`saylau.law.recall.decide_recall_vote`; decision #16: ``voters``
    are those on the district's list on the recall day, by default the precincts' lists). If
    recalled, the mandate ends that day and the seat is filled like any vacancy: a by-election
    for the district (``follow_up_election_id``) unless in the term's final year.
    """
    c = _load(ctx, case_id)
    case = c.case
    if case.state is not RecallState.VOTE_CALLED or case.vote_day is None:
        raise Conflict(
            "no_vote_called",
            f"recall case {case_id} is {case.state.value}: no recall vote awaits its result",
            field="case_id",
        )
    if c.today < case.vote_day:
        raise Conflict(
            "vote_not_held",
            f"the recall vote is on {case.vote_day.isoformat()}; today is {c.today.isoformat()}",
            field="case_id",
        )
    due = case.vote_day + timedelta(days=RESULT_PUBLICATION_DAYS)
    if c.today > due:
        raise _late("the publication of the result", due, c.today, "CL art. 113-16")
    base = district_voters(ctx.session, c.district.id) if voters is None else voters
    try:
        vote = decide_recall_vote(base, took_part, for_recall, invalid=invalid, rules=c.rules)
    except LawInputError as exc:
        raise law_input(exc) from exc
    before = snapshot(case)
    case.took_part = took_part
    case.invalid_ballots = invalid
    case.for_recall = for_recall
    case.result_published_on = c.today
    _move(case, RecallState.RECALLED if vote.recalled else RecallState.KEPT)
    record = {
        "district_voters": vote.district_voters,
        "took_part": vote.took_part,
        "for_recall": vote.for_recall,
        "valid": vote.valid,
        "recalled": vote.recalled,
        "turnout_needed": vote.turnout_needed,
        "votes_needed": vote.votes_needed,
        "articles": list(vote.articles),
    }
    if vote.recalled:
        vacancy = vacate(
            ctx,
            c.mandate,
            c.today,
            f"recalled by the voters of the district (CL art. 113-16 para 4), recall case {case.id}",
        )
        if vacancy.by_election_contest_id is not None:
            follow_up = ctx.get(Contest, vacancy.by_election_contest_id, "contest")
            case.follow_up_election_id = follow_up.election_id
        record["vacancy_id"] = vacancy.id
    _store_timeline(c, {"vote": record})
    if case.vote_election_id is not None:
        election = ctx.get(Election, case.vote_election_id, "election")
        election_before = snapshot(election)
        election.status = ElectionStatus.RESULTS_PUBLISHED
        ctx.session.flush()
        ctx.audit(
            "publish_recall_result", "election", election.id, election_before, snapshot(election)
        )
    ctx.session.flush()
    ctx.audit("record_recall_result", "recall_case", case.id, before, snapshot(case))
    return case
