"""Mandates and deputies: who takes a party's list seats, deputy registration, competence.

- The governing body of a party's (regional) branch decides which listed persons take the list seats
  the party won, within 5 days of the publication of results (CL art. 111-1 para 5; 10 days for the
  Mazhilis, art. 97-1 para 5): calendar stage ``party_branch_seat_decision``.
- A person holds one mandate only (LSA art. 5 para 2; Constitution art. 52 para 3).
- The Mazhilis mandates of a party keep the 30% women + youth + disability quota (art. 97-1 para 5).
- A maslikhat is competent once at least 3/4 of its seats are filled (LSA art. 5 para 4).

The helpers at the top (the mandate's state machine, convocation term, held mandates, quota) are
shared by the vacancy and recall services.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from types import MappingProxyType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.law.bodies import Competence, check_one_seat_per_person, term_end
from saylau.law.bodies import competence as law_competence
from saylau.law.errors import LawInputError
from saylau.law.quota import ListPerson, QuotaCheck, check_mandate_quota
from saylau.law.rules import DEFAULT_RULES, RuleSet
from saylau.services.audit import snapshot
from saylau.services.context import Context, fetch
from saylau.services.deadlines import (
    election_calendar_for,
    election_rules,
    local_today,
    require_before,
)
from saylau.services.elections import body_scope, law_body
from saylau.services.errors import Conflict, InvalidInput, law_input, require_step
from saylau.storage.models import (
    Body,
    BodyKind,
    Contest,
    Election,
    ListEntry,
    Mandate,
    MandateSource,
    MandateState,
    Party,
    PartyList,
    Person,
)

# --- the mandate's life -------------------------------------------------------------------------

MANDATE_TRANSITIONS: Mapping[MandateState, frozenset[MandateState]] = MappingProxyType(
    {
        # An SMD winner is registered directly; a list seat is first given to a person.
        MandateState.WON: frozenset(
            {
                MandateState.ASSIGNED,
                MandateState.REGISTERED,
                MandateState.TERMINATED,
                MandateState.VACANT,
            }
        ),
        MandateState.ASSIGNED: frozenset({MandateState.REGISTERED, MandateState.TERMINATED}),
        MandateState.REGISTERED: frozenset({MandateState.TERMINATED}),
        MandateState.TERMINATED: frozenset(),
        MandateState.VACANT: frozenset(),
    }
)
"""won → assigned (list seat given to a person) → registered (deputy) → terminated (early end)."""

HOLDING = (MandateState.WON, MandateState.ASSIGNED, MandateState.REGISTERED)
"""States in which a person holds a mandate (for the one-seat rule)."""


def move_mandate(mandate: Mandate, target: MandateState) -> None:
    """Change a mandate's state through :data:`MANDATE_TRANSITIONS` (Conflict if not allowed)."""
    require_step(
        f"mandate {mandate.id}", MANDATE_TRANSITIONS, mandate.state, target, field="mandate_id"
    )
    mandate.state = target


# --- shared helpers -----------------------------------------------------------------------------


def root_election(session: Session, election: Election) -> Election:
    """The general election a by-election, recall vote or runoff descends from (``parent_id``)."""
    seen = {election.id}
    while election.parent_id is not None:
        parent = session.get(Election, election.parent_id)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        election = parent
    return election


def convocation_term(session: Session, mandate: Mandate) -> tuple[date, date]:
    """First day and nominal end of the convocation the mandate belongs to (LSA art. 5 para 1).

    The convocation starts on the earliest ``term_start`` of the body's deputies elected at the
    general election the mandate descends from (the polling day while none is registered); it ends
    five years later (:func:`saylau.law.bodies.term_end`). Deputies elected at by-elections serve
    until the end of the same convocation.
    """
    contest = fetch(session, Contest, mandate.contest_id, "contest")
    root = root_election(session, contest.election)
    start = session.scalar(
        select(func.min(Mandate.term_start))
        .join(Contest, Mandate.contest_id == Contest.id)
        .where(Mandate.body_id == mandate.body_id, Contest.election_id == root.id)
    )
    first = start if start is not None else root.polling_day
    return first, term_end(first, election_rules(root))


def held_mandates(
    session: Session, person_ids: Sequence[int], *, exclude: Sequence[int] = ()
) -> list[tuple[int, int]]:
    """``(person_id, body_id)`` of every mandate these persons hold, except the ids excluded."""
    if not person_ids:
        return []
    query = select(Mandate.person_id, Mandate.body_id).where(
        Mandate.person_id.in_(list(person_ids)), Mandate.state.in_(HOLDING)
    )
    if exclude:
        query = query.where(Mandate.id.not_in(list(exclude)))
    return [(int(p), int(b)) for p, b in session.execute(query) if p is not None]


def require_one_seat(session: Session, pairs: Sequence[tuple[int, int]]) -> None:
    """Refuse a second mandate for anyone (LSA art. 5 para 2; Constitution art. 52 para 3)."""
    conflicts = check_one_seat_per_person([(str(p), str(b)) for p, b in pairs])
    if conflicts:
        first = conflicts[0]
        raise Conflict(
            "one_seat_per_person",
            f"person {first.person_id} would hold mandates in bodies "
            f"{', '.join(first.body_ids)}: a person holds one mandate only ({first.article})",
            field="person_ids",
            person_id=int(first.person_id),
            body_ids=[int(b) for b in first.body_ids],
        )


def list_person(person: Person) -> ListPerson:
    return ListPerson(
        id=str(person.id),
        sex=person.sex,
        birth_date=person.birth_date,
        disability=person.disability,
    )


def mandate_quota(
    session: Session, person_ids: Sequence[int], polling_day: date, rules: RuleSet
) -> QuotaCheck | None:
    """The quota of a party's Mazhilis mandates held by ``person_ids`` (CL art. 97-1 para 5),
    or None where the rule set has no such quota."""
    if rules.quota is None or not rules.quota.applies_to_mazhilis_mandates or not person_ids:
        return None
    persons = session.scalars(select(Person).where(Person.id.in_(list(person_ids)))).all()
    by_id = {p.id: p for p in persons}
    try:
        return check_mandate_quota(
            [list_person(by_id[i]) for i in person_ids], polling_day, rules.quota
        )
    except LawInputError as exc:
        raise law_input(exc) from exc


def party_list_of(session: Session, contest_id: int, party_id: int) -> PartyList | None:
    return session.scalars(
        select(PartyList).where(PartyList.contest_id == contest_id, PartyList.party_id == party_id)
    ).one_or_none()


# --- list seats ---------------------------------------------------------------------------------


def _party_list_mandates(session: Session, contest_id: int, party_id: int) -> list[Mandate]:
    return list(
        session.scalars(
            select(Mandate)
            .where(
                Mandate.contest_id == contest_id,
                Mandate.party_id == party_id,
                Mandate.source == MandateSource.PARTY_LIST,
            )
            .order_by(Mandate.id)
        )
    )


def _listed(session: Session, contest_id: int, party_id: int) -> dict[int, ListEntry]:
    party_list = party_list_of(session, contest_id, party_id)
    if party_list is None:
        raise InvalidInput(
            "no_party_list",
            f"party {party_id} has no list in contest {contest_id}",
            field="party_id",
            party_id=party_id,
        )
    return {entry.person_id: entry for entry in party_list.entries}


def assign_list_mandates(
    ctx: Context, contest_id: int, party_id: int, person_ids: Sequence[int]
) -> list[Mandate]:
    """Give the list seats a party won in a contest to persons on its list (CL art. 111-1 para 5).

    The decision is the governing body's of the party's branch (the party's, for the Mazhilis:
    art. 97-1 para 5). Every person must be on the party's list of this contest and not withdrawn,
    and hold no mandate in any maslikhat or the Mazhilis (LSA art. 5 para 2; Const. art. 52
    para 3). For the Mazhilis, once the party's seats are all given, its mandates must meet the
    30% women + youth + disability quota (art. 97-1 para 5 part 3).

    Deadline: the calendar stage ``party_branch_seat_decision``, 5 days (Mazhilis 10) after the
    latest lawful publication of results, 18:00 local (decision #12); later → Conflict. The law is
    silent on what happens when the branch does not decide in time: Saylau leaves the seats
    ``won`` (unassigned) and refuses late decisions, so that the commission must record a reasoned
    override of that stage (decision #13) before a late decision can be entered.

    Idempotent: persons who already hold one of this party's seats in the contest are skipped, so
    repeating a decision changes nothing. Returns the mandates of ``person_ids``, in that order.
    """
    contest = ctx.get(Contest, contest_id, "contest")
    ctx.get(Party, party_id, "party")
    body = contest.body
    ctx.authorize(Action.ASSIGN_MANDATE, body_scope(ctx.session, body, party_id))
    if not contest.kind.is_list:
        raise InvalidInput(
            "not_a_list_contest",
            f"contest {contest_id} is a {contest.kind.value} contest: only list seats are "
            "assigned by a party (CL art. 111-1 para 5)",
            field="contest_id",
        )
    ids = list(person_ids)
    if not ids:
        raise InvalidInput("no_persons", "name at least one person", field="person_ids")
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InvalidInput(
            "duplicate_person",
            f"persons {duplicates} are named twice: one seat per person",
            field="person_ids",
        )
    listed = _listed(ctx.session, contest_id, party_id)
    for person_id in ids:
        entry = listed.get(person_id)
        if entry is None:
            raise InvalidInput(
                "not_on_list",
                f"person {person_id} is not on party {party_id}'s list in contest {contest_id} "
                "(CL art. 111-1 para 5: seats go to listed candidates)",
                field="person_ids",
                person_id=person_id,
            )
        if entry.withdrawn:
            raise InvalidInput(
                "withdrawn_from_list",
                f"person {person_id} has withdrawn from party {party_id}'s list",
                field="person_ids",
                person_id=person_id,
            )
    mandates = _party_list_mandates(ctx.session, contest_id, party_id)
    holding = {
        m.person_id: m
        for m in mandates
        if m.person_id is not None and m.state in (MandateState.ASSIGNED, MandateState.REGISTERED)
    }
    new = [i for i in ids if i not in holding]
    if not new:
        return [holding[i] for i in ids]
    open_seats = [m for m in mandates if m.state is MandateState.WON and m.person_id is None]
    if len(new) > len(open_seats):
        raise Conflict(
            "no_seats_left",
            f"party {party_id} has {len(open_seats)} list seat(s) left to assign in contest "
            f"{contest_id}; {len(new)} person(s) named",
            field="person_ids",
            open_seats=len(open_seats),
        )
    election = contest.election
    rules = election_rules(election)
    calendar = election_calendar_for(ctx.session, election, body.region_id, law_body(body))
    require_before(ctx, calendar, "party_branch_seat_decision", "the decision on list seats")
    require_one_seat(ctx.session, [*held_mandates(ctx.session, new), *[(i, body.id) for i in new]])
    if body.kind is BodyKind.MAZHILIS and len(new) == len(open_seats):
        everyone = [*holding, *new]
        check = mandate_quota(ctx.session, [int(i) for i in everyone], election.polling_day, rules)
        if check is not None and not check.met:
            raise InvalidInput(
                "mandate_quota",
                f"{check.count} of {check.size} persons are women, youth or persons with "
                f"disabilities; at least {check.required} are required ({check.article}): "
                f"replace {check.shortfall}",
                field="person_ids",
                required=check.required,
                count=check.count,
                shortfall=check.shortfall,
            )
    for person_id, mandate in zip(new, open_seats, strict=False):
        before = snapshot(mandate)
        move_mandate(mandate, MandateState.ASSIGNED)
        mandate.person_id = person_id
        mandate.assigned_at = ctx.now
        ctx.session.flush()
        ctx.audit("assign_mandate", "mandate", mandate.id, before, snapshot(mandate))
        holding[person_id] = mandate
    return [holding[i] for i in ids]


# --- deputies -----------------------------------------------------------------------------------


def register_deputy(
    ctx: Context,
    mandate_id: int,
    application_received_on: date,
    term_start: date | None = None,
) -> Mandate:
    """Register the holder of a mandate as a deputy, on their written application.

    An SMD winner (``won`` with a person) or an assigned list seat becomes ``registered``; the
    application's date is recorded, and the deputy's work starts on ``term_start`` (default:
    the day of registration, local time). The one-mandate rule is checked again (LSA art. 5
    para 2; Constitution art. 52 para 3). Registering twice is refused (Conflict).
    """
    mandate = ctx.get(Mandate, mandate_id, "mandate")
    body = ctx.get(Body, mandate.body_id, "body")
    ctx.authorize(Action.REGISTER_DEPUTY, body_scope(ctx.session, body))
    today = local_today(ctx, body.region_id)
    contest = ctx.get(Contest, mandate.contest_id, "contest")
    polling_day = contest.election.polling_day
    if application_received_on > today:
        raise InvalidInput(
            "future_date",
            f"application_received_on={application_received_on.isoformat()}: the application "
            f"must already have come in (today is {today.isoformat()})",
            field="application_received_on",
        )
    if application_received_on < polling_day:
        raise InvalidInput(
            "before_polling_day",
            f"application_received_on={application_received_on.isoformat()}: comes after the "
            f"election of {polling_day.isoformat()}",
            field="application_received_on",
        )
    start = today if term_start is None else term_start
    if start < polling_day:
        raise InvalidInput(
            "before_polling_day",
            f"term_start={start.isoformat()}: a deputy's work starts after the election of "
            f"{polling_day.isoformat()}",
            field="term_start",
        )
    if mandate.person_id is None:
        raise Conflict(
            "seat_not_assigned",
            f"mandate {mandate_id} is a list seat not yet given to a person: the party branch "
            "decides first (CL art. 111-1 para 5)",
            field="mandate_id",
        )
    require_one_seat(
        ctx.session,
        [
            *held_mandates(ctx.session, [mandate.person_id], exclude=[mandate.id]),
            (mandate.person_id, body.id),
        ],
    )
    before = snapshot(mandate)
    move_mandate(mandate, MandateState.REGISTERED)
    mandate.registered_at = ctx.now
    mandate.application_received_on = application_received_on
    mandate.term_start = start
    ctx.session.flush()
    ctx.audit("register_deputy", "mandate", mandate.id, before, snapshot(mandate))
    return mandate


def competence(session: Session, body_id: int) -> Competence:
    """Whether a body is competent: at least 3/4 of its seats held by registered deputies
    (LSA art. 5 para 4, :func:`saylau.law.bodies.competence`), and how many are missing.

    Counts the body's mandates in state ``registered``; a terminated mandate no longer counts.
    The rule set is that of the latest election with a contest for the body.
    """
    body = fetch(session, Body, body_id, "body")
    filled = session.scalar(
        select(func.count())
        .select_from(Mandate)
        .where(Mandate.body_id == body_id, Mandate.state == MandateState.REGISTERED)
    )
    election = session.scalars(
        select(Election)
        .join(Contest, Contest.election_id == Election.id)
        .where(Contest.body_id == body_id)
        .order_by(Election.polling_day.desc(), Election.id.desc())
        .limit(1)
    ).first()
    rules = election_rules(election) if election is not None else DEFAULT_RULES
    try:
        return law_competence(body.seats, int(filled or 0), rules)
    except LawInputError as exc:
        raise law_input(exc) from exc
