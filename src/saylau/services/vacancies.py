"""Mandates ended early, and how their seats are filled: list successor or by-election.

- A list seat goes to the person the party branch's governing body chooses from those remaining on
  the list; an empty list leaves it vacant until the next election (CL art. 111-1 para 6; Mazhilis
  art. 97-1 para 6 with its mandate quota): :func:`saylau.law.vacancy.fill_list_vacancy`.
- A single-member seat is filled at a by-election on the last Sunday of March or October, none in
  the year before the term ends (CL art. 101 paras 1(4), 3-1; art. 113):
  :func:`saylau.law.vacancy.schedule_by_election`. The by-election is a new election record
  (purpose ``by_election``) with an SMD contest for the same district that follows the original
  contest; it then runs through the normal workflows (nomination, ballots, protocols, results).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.law.calendar import ElectionKind
from saylau.law.errors import LawInputError
from saylau.law.vacancy import (
    ByElectionStatus,
    ListVacancy,
    ListVacancyStatus,
    fill_list_vacancy,
    schedule_by_election,
)
from saylau.services.audit import snapshot
from saylau.services.context import Context
from saylau.services.deadlines import election_rules, local_today
from saylau.services.elections import body_scope, law_body
from saylau.services.errors import Conflict, InvalidInput, law_input
from saylau.services.mandates import (
    HOLDING,
    convocation_term,
    held_mandates,
    mandate_quota,
    move_mandate,
    party_list_of,
    root_election,
)
from saylau.storage.models import (
    Body,
    BodyKind,
    Contest,
    District,
    DistrictPrecinct,
    Election,
    Mandate,
    MandateSource,
    MandateState,
    Vacancy,
    VacancyOutcome,
)

BY_ELECTION = "by_election"
MAX_REASON = 300


def terminate_mandate(
    ctx: Context,
    mandate_id: int,
    on: date,
    reason: str,
    *,
    successor_person_id: int | None = None,
    agreed_day: date | None = None,
) -> Vacancy:
    """End a mandate early on ``on`` for ``reason`` and decide how its seat is filled.

    List seat: with ``successor_person_id`` (the branch's choice, CL art. 111-1 para 6) the seat
    passes to that person (a new ``assigned`` mandate); without it the vacancy awaits the branch's
    choice (:func:`choose_list_successor`); nobody left on the list → vacant until the next
    election. Single-member seat: a by-election on the next last Sunday of March/October after
    the vacancy (and after today, when it is recorded late), or on ``agreed_day`` agreed with the
    CEC (art. 101 para 3-1); none within the year before the convocation's term ends (art. 113).
    HANDLE_VACANCY permission within the body's territory. Terminating twice is a Conflict.
    """
    mandate = ctx.get(Mandate, mandate_id, "mandate")
    body = ctx.get(Body, mandate.body_id, "body")
    ctx.authorize(Action.HANDLE_VACANCY, body_scope(ctx.session, body))
    text = reason.strip()
    if not text or len(text) > MAX_REASON:
        raise InvalidInput(
            "bad_reason",
            f"reason={reason!r}: state why the mandate ends, in 1–{MAX_REASON} characters",
            field="reason",
        )
    today = local_today(ctx, body.region_id)
    if on > today:
        raise InvalidInput(
            "future_date",
            f"on={on.isoformat()}: a mandate's end is recorded once it happened "
            f"(today is {today.isoformat()})",
            field="on",
        )
    if successor_person_id is not None and mandate.source is not MandateSource.PARTY_LIST:
        raise InvalidInput(
            "not_a_list_seat",
            f"successor_person_id={successor_person_id}: only a list seat passes to a successor; "
            "a single-member seat is filled at a by-election (CL art. 101)",
            field="successor_person_id",
        )
    if agreed_day is not None and mandate.source is not MandateSource.SINGLE_MEMBER:
        raise InvalidInput(
            "not_a_district_seat",
            f"agreed_day={agreed_day.isoformat()}: only a single-member seat has a by-election",
            field="agreed_day",
        )
    if agreed_day is not None and agreed_day <= today:
        raise InvalidInput(
            "past_date",
            f"agreed_day={agreed_day.isoformat()}: a by-election is called for a future day "
            f"(today is {today.isoformat()})",
            field="agreed_day",
        )
    existing = ctx.session.scalars(
        select(Vacancy).where(Vacancy.mandate_id == mandate.id)
    ).one_or_none()
    if existing is not None or mandate.state is MandateState.TERMINATED:
        raise Conflict(
            "already_terminated",
            f"mandate {mandate_id} already ended on {mandate.terminated_on}",
            field="mandate_id",
            vacancy_id=existing.id if existing else None,
        )
    if mandate.person_id is None:
        raise Conflict(
            "seat_not_held",
            f"mandate {mandate_id} is a list seat nobody holds yet: nothing to terminate",
            field="mandate_id",
        )
    started = (
        mandate.term_start or ctx.get(Contest, mandate.contest_id, "contest").election.polling_day
    )
    if on < started:
        raise InvalidInput(
            "before_term",
            f"on={on.isoformat()}: the mandate began on {started.isoformat()}",
            field="on",
        )
    return vacate(
        ctx,
        mandate,
        on,
        text,
        successor_person_id=successor_person_id,
        agreed_day=agreed_day,
    )


def vacate(
    ctx: Context,
    mandate: Mandate,
    on: date,
    reason: str,
    *,
    successor_person_id: int | None = None,
    agreed_day: date | None = None,
) -> Vacancy:
    """Terminate ``mandate`` and fill its seat by the law (caller has authorised and validated).

    Shared with the recall service: a recalled deputy's seat is filled like any other vacancy.
    """
    before = snapshot(mandate)
    move_mandate(mandate, MandateState.TERMINATED)
    mandate.terminated_on = on
    mandate.termination_reason = reason
    ctx.session.flush()
    ctx.audit("terminate_mandate", "mandate", mandate.id, before, snapshot(mandate))
    vacancy = Vacancy(mandate_id=mandate.id, occurred_on=on, reason=reason)
    if mandate.source is MandateSource.PARTY_LIST:
        outcome = _list_outcome(ctx, mandate, successor_person_id)
        _apply_list_outcome(ctx, vacancy, mandate, outcome)
        explanation = outcome.reason
    else:
        explanation = _schedule(ctx, vacancy, mandate, on, agreed_day)
    ctx.session.add(vacancy)
    ctx.session.flush()
    ctx.audit("vacancy", "vacancy", vacancy.id, None, {**snapshot(vacancy), "law": explanation})
    return vacancy


# --- list seats ---------------------------------------------------------------------------------


def remaining_on_list(session: Session, mandate: Mandate) -> list[int]:
    """Persons still on the party's list of the mandate's contest, in list order: not withdrawn,
    never seated from this list, and holding no mandate anywhere."""
    if mandate.party_id is None:
        return []
    party_list = party_list_of(session, mandate.contest_id, mandate.party_id)
    if party_list is None:
        return []
    seated = set(
        session.scalars(
            select(Mandate.person_id).where(
                Mandate.contest_id == mandate.contest_id, Mandate.person_id.is_not(None)
            )
        )
    )
    candidates = [e.person_id for e in party_list.entries if not e.withdrawn]
    candidates = [p for p in candidates if p not in seated]
    holders = {p for p, _ in held_mandates(session, candidates)}
    return [p for p in candidates if p not in holders]


def _list_outcome(ctx: Context, mandate: Mandate, choice: int | None) -> ListVacancy:
    session = ctx.session
    body = ctx.get(Body, mandate.body_id, "body")
    election = ctx.get(Contest, mandate.contest_id, "contest").election
    rules = election_rules(election)
    keeps_quota = None
    if body.kind is BodyKind.MAZHILIS:
        holders = [
            int(p)
            for p in session.scalars(
                select(Mandate.person_id).where(
                    Mandate.contest_id == mandate.contest_id,
                    Mandate.party_id == mandate.party_id,
                    Mandate.state.in_(HOLDING),
                    Mandate.person_id.is_not(None),
                )
            )
            if p is not None
        ]

        def keeps_quota(name: str) -> bool:
            check = mandate_quota(session, [*holders, int(name)], election.polling_day, rules)
            return check is None or check.met

    try:
        return fill_list_vacancy(
            [str(p) for p in remaining_on_list(session, mandate)],
            None if choice is None else str(choice),
            body=law_body(body),
            keeps_quota=keeps_quota,
            rules=rules,
        )
    except LawInputError as exc:
        raise law_input(exc) from exc


def _apply_list_outcome(
    ctx: Context, vacancy: Vacancy, mandate: Mandate, outcome: ListVacancy
) -> None:
    if outcome.status is ListVacancyStatus.FILLED and outcome.successor is not None:
        successor = Mandate(
            body_id=mandate.body_id,
            contest_id=mandate.contest_id,
            source=MandateSource.PARTY_LIST,
            party_id=mandate.party_id,
            person_id=int(outcome.successor),
            state=MandateState.ASSIGNED,
            assigned_at=ctx.now,
        )
        ctx.session.add(successor)
        ctx.session.flush()
        ctx.audit("assign_mandate", "mandate", successor.id, None, snapshot(successor))
        vacancy.outcome = VacancyOutcome.FILLED_FROM_LIST
        vacancy.successor_mandate_id = successor.id
    elif outcome.status is ListVacancyStatus.VACANT_UNTIL_NEXT_ELECTION:
        vacancy.outcome = VacancyOutcome.VACANT_UNTIL_NEXT_ELECTION
    else:
        # awaiting the branch's choice; also when nobody left keeps the Mazhilis quota (the law
        # is silent there, art. 97-1 para 6): the seat stays open for the party's decision.
        vacancy.outcome = VacancyOutcome.AWAITING_PARTY_DECISION


def choose_list_successor(ctx: Context, vacancy_id: int, person_id: int) -> Vacancy:
    """Record the party branch's choice of successor for a list seat (CL art. 111-1 para 6).

    ASSIGN_MANDATE permission: the party's agent or the commission of the body's territory. Only a
    vacancy awaiting the party's decision can be filled; the person must remain on the list.
    """
    vacancy = ctx.get(Vacancy, vacancy_id, "vacancy")
    mandate = vacancy.mandate
    body = ctx.get(Body, mandate.body_id, "body")
    ctx.authorize(Action.ASSIGN_MANDATE, body_scope(ctx.session, body, mandate.party_id))
    if vacancy.outcome is not VacancyOutcome.AWAITING_PARTY_DECISION:
        raise Conflict(
            "vacancy_not_open",
            f"vacancy {vacancy_id} is {vacancy.outcome.value}: no successor to choose",
            field="vacancy_id",
        )
    outcome = _list_outcome(ctx, mandate, person_id)
    before = snapshot(vacancy)
    _apply_list_outcome(ctx, vacancy, mandate, outcome)
    ctx.session.flush()
    ctx.audit("choose_list_successor", "vacancy", vacancy.id, before, snapshot(vacancy))
    return vacancy


# --- by-elections -------------------------------------------------------------------------------


def _schedule(
    ctx: Context, vacancy: Vacancy, mandate: Mandate, on: date, agreed_day: date | None
) -> str:
    contest = ctx.get(Contest, mandate.contest_id, "contest")
    body = ctx.get(Body, mandate.body_id, "body")
    rules = election_rules(contest.election)
    _start, end = convocation_term(ctx.session, mandate)
    today = local_today(ctx, body.region_id)
    try:
        plan = schedule_by_election(
            on,
            term_end=end,
            earliest=max(on, today) + timedelta(days=1),
            agreed_day=agreed_day,
            rules=rules,
        )
    except LawInputError as exc:
        raise law_input(exc) from exc
    if plan.status is ByElectionStatus.NOT_HELD or plan.polling_day is None:
        vacancy.outcome = VacancyOutcome.NO_BY_ELECTION_FINAL_YEAR
        return plan.reason
    follow_up = call_by_election(ctx, contest, plan.polling_day)
    vacancy.outcome = VacancyOutcome.BY_ELECTION
    vacancy.by_election_contest_id = follow_up.id
    vacancy.by_election_day = plan.polling_day
    return plan.reason


def call_by_election(ctx: Context, contest: Contest, polling_day: date) -> Contest:
    """The SMD contest of a by-election for ``contest``'s district on ``polling_day``.

    By-elections of one general election on one day share an election record (purpose
    ``by_election``, ``parent_id`` = the general election, its rule set); the district is copied
    into it with the same number and precincts, and the new contest follows the original one.
    """
    if contest.district_id is None or contest.kind.is_list:
        raise InvalidInput(
            "not_a_district_contest",
            f"contest {contest.id} has no single-member district to hold a by-election in",
            field="contest_id",
        )
    body = ctx.get(Body, contest.body_id, "body")
    root = root_election(ctx.session, contest.election)
    election = ctx.session.scalars(
        select(Election).where(
            Election.purpose == BY_ELECTION,
            Election.parent_id == root.id,
            Election.polling_day == polling_day,
        )
    ).first()
    if election is None:
        election = Election(
            name=f"By-elections of {polling_day.isoformat()} ({root.name})",
            kind=ElectionKind.EARLY,
            purpose=BY_ELECTION,
            rules=root.rules,
            called_on=local_today(ctx, body.region_id),
            polling_day=polling_day,
            parent_id=root.id,
        )
        ctx.session.add(election)
        ctx.session.flush()
        ctx.audit("call_by_election", "election", election.id, None, snapshot(election))
    district = copy_district(ctx, ctx.get(District, contest.district_id, "district"), election)
    follow_up = ctx.session.scalars(
        select(Contest).where(
            Contest.election_id == election.id,
            Contest.body_id == contest.body_id,
            Contest.kind == contest.kind,
            Contest.district_id == district.id,
        )
    ).one_or_none()
    if follow_up is None:
        follow_up = Contest(
            election_id=election.id,
            body_id=contest.body_id,
            kind=contest.kind,
            district_id=district.id,
            seats=1,
            follows_contest_id=contest.id,
        )
        ctx.session.add(follow_up)
        ctx.session.flush()
        ctx.audit("create_contest", "contest", follow_up.id, None, snapshot(follow_up))
    return follow_up


def copy_district(ctx: Context, district: District, election: Election) -> District:
    """The same district (body, number, name, precincts) in another election record."""
    existing = ctx.session.scalars(
        select(District).where(
            District.election_id == election.id,
            District.body_id == district.body_id,
            District.number == district.number,
        )
    ).one_or_none()
    if existing is not None:
        return existing
    copy = District(
        election_id=election.id,
        body_id=district.body_id,
        number=district.number,
        name=district.name,
        published_at=district.published_at,
    )
    ctx.session.add(copy)
    ctx.session.flush()
    precincts = sorted(link.precinct_id for link in district.precincts)
    for precinct_id in precincts:
        ctx.session.add(DistrictPrecinct(district_id=copy.id, precinct_id=precinct_id))
    ctx.session.flush()
    after: dict[str, Any] = {**snapshot(copy), "precinct_ids": precincts}
    ctx.audit("copy_district", "district", copy.id, None, after)
    return copy
