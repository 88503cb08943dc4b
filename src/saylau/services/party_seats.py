"""What a party agent sees of its party's list seats after the results are published: the seats
each list won, the list in order with who holds a mandate, and the list seats left early whose
successor the party branch has still to choose.

Reads only; the decisions themselves are :func:`saylau.services.mandates.assign_list_mandates`
(CL art. 111-1 para 5; Mazhilis art. 97-1 para 5) and
:func:`saylau.services.vacancies.choose_list_successor` (art. 111-1 para 6; art. 97-1 para 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from saylau.domain.roles import Role
from saylau.domain.states import CandidacyState
from saylau.law.nomination import Label
from saylau.services.context import Context
from saylau.services.deadlines import contest_calendar
from saylau.services.errors import PermissionDenied
from saylau.services.mandates import HOLDING
from saylau.services.portal import ContestInfo, contest_info, party_label
from saylau.services.vacancies import remaining_on_list
from saylau.storage.models import (
    BodyKind,
    Contest,
    ContestResult,
    Mandate,
    MandateSource,
    MandateState,
    Party,
    PartyList,
    Person,
    Vacancy,
    VacancyOutcome,
)

DECISION_STAGE = "party_branch_seat_decision"


@dataclass(frozen=True)
class Listed:
    """One person of a party list as the seat decision needs them."""

    person_id: int
    position: int
    name: str
    name_ru: str
    withdrawn: bool
    mandate: MandateState | None
    """The state of the mandate this person took from this list (assigned, registered or
    terminated), or None."""
    elsewhere: bool
    """Holds a mandate outside this list (a district, another body): one mandate per person
    (LSA art. 5 para 2; Constitution art. 52 para 3)."""

    @property
    def selectable(self) -> bool:
        """May be named for a seat now (the service checks everything again)."""
        return not self.withdrawn and self.mandate is None


@dataclass(frozen=True)
class ListSeats:
    """A party's list in one list contest whose results are published."""

    contest: ContestInfo
    party: Label
    mazhilis: bool
    """The Mazhilis: the party's mandates keep the 30% quota (CL art. 97-1 para 5)."""
    won: int
    """List seats the party won at the election."""
    held: int
    """Of the seats, those now given to a person (assigned or registered)."""
    open: int
    """Seats won but not yet given to anyone: the branch decides who takes them."""
    awaiting: int
    """Seats left early whose successor the branch has still to choose."""
    decide_by: datetime
    """The stage ``party_branch_seat_decision``, in the contest's local time."""
    decision_open: bool
    persons: tuple[Listed, ...]


@dataclass(frozen=True)
class AwaitingSuccessor:
    """A list seat left early whose successor the party branch chooses (CL art. 111-1 para 6)."""

    id: int
    contest: ContestInfo
    occurred_on: date
    reason: str
    former: str
    """The name of the deputy whose mandate ended."""
    remaining: tuple[Listed, ...]
    """Those who may still be chosen, in list order (:func:`remaining_on_list`)."""


def _party_of(ctx: Context) -> int:
    party_id = ctx.actor.party_id
    if ctx.actor.role is not Role.PARTY_AGENT or party_id is None:
        raise PermissionDenied(
            "party_agents_only", f"the role {ctx.actor.role.value} acts for no party"
        )
    return party_id


def _listed(
    party_list: PartyList, mandates: list[Mandate], elsewhere: set[int]
) -> tuple[Listed, ...]:
    taken = {m.person_id: m.state for m in mandates if m.person_id is not None}
    return tuple(
        Listed(
            person_id=entry.person_id,
            position=entry.position,
            name=entry.person.full_name,
            name_ru=" ".join(
                part for part in (entry.person.surname_ru, entry.person.name_ru) if part
            ),
            withdrawn=entry.withdrawn,
            mandate=taken.get(entry.person_id),
            elsewhere=entry.person_id in elsewhere,
        )
        for entry in party_list.entries
    )


def party_list_seats(ctx: Context) -> tuple[ListSeats, ...]:
    """The acting agent's party's lists in list contests with published results, newest first:
    registered lists, and any list that won seats."""
    party_id = _party_of(ctx)
    session = ctx.session
    lists = session.scalars(
        select(PartyList)
        .join(Contest, Contest.id == PartyList.contest_id)
        .join(ContestResult, ContestResult.contest_id == Contest.id)
        .where(PartyList.party_id == party_id, ContestResult.published_at.is_not(None))
        .order_by(Contest.election_id.desc(), Contest.id)
    ).all()
    party = session.get(Party, party_id)
    found: list[ListSeats] = []
    for party_list in lists:
        contest = session.get(Contest, party_list.contest_id)
        if contest is None or not contest.kind.is_list:
            continue
        mandates = list(
            session.scalars(
                select(Mandate)
                .where(
                    Mandate.contest_id == contest.id,
                    Mandate.party_id == party_id,
                    Mandate.source == MandateSource.PARTY_LIST,
                )
                .order_by(Mandate.id)
            )
        )
        if not mandates and party_list.state is not CandidacyState.REGISTERED:
            continue
        successors = set(
            session.scalars(
                select(Vacancy.successor_mandate_id).where(
                    Vacancy.successor_mandate_id.in_([m.id for m in mandates])
                )
            )
        )
        listed_ids = [e.person_id for e in party_list.entries]
        elsewhere = set(
            session.scalars(
                select(Mandate.person_id).where(
                    Mandate.person_id.in_(listed_ids),
                    Mandate.state.in_(HOLDING),
                    Mandate.id.not_in([m.id for m in mandates]),
                )
            )
        )
        awaiting = session.scalar(
            select(func.count())
            .select_from(Vacancy)
            .where(
                Vacancy.mandate_id.in_([m.id for m in mandates]),
                Vacancy.outcome == VacancyOutcome.AWAITING_PARTY_DECISION,
            )
        )
        stage = contest_calendar(session, contest).stage(DECISION_STAGE)
        found.append(
            ListSeats(
                contest=contest_info(session, contest),
                party=party_label(party) if party is not None else Label("", "", ""),
                mazhilis=contest.body.kind is BodyKind.MAZHILIS,
                won=len([m for m in mandates if m.id not in successors]),
                held=len(
                    [
                        m
                        for m in mandates
                        if m.state in (MandateState.ASSIGNED, MandateState.REGISTERED)
                    ]
                ),
                open=len(
                    [m for m in mandates if m.state is MandateState.WON and m.person_id is None]
                ),
                awaiting=int(awaiting or 0),
                decide_by=stage.at,
                decision_open=ctx.now <= stage.at,
                persons=_listed(party_list, mandates, {int(p) for p in elsewhere if p}),
            )
        )
    return tuple(found)


def awaiting_successors(ctx: Context) -> tuple[AwaitingSuccessor, ...]:
    """The party's list seats left early that await the branch's choice of successor."""
    party_id = _party_of(ctx)
    session = ctx.session
    rows = session.execute(
        select(Vacancy, Mandate)
        .join(Mandate, Mandate.id == Vacancy.mandate_id)
        .where(
            Mandate.party_id == party_id,
            Mandate.source == MandateSource.PARTY_LIST,
            Vacancy.outcome == VacancyOutcome.AWAITING_PARTY_DECISION,
        )
        .order_by(Vacancy.id)
    ).all()
    found: list[AwaitingSuccessor] = []
    for vacancy, mandate in rows:
        contest = session.get(Contest, mandate.contest_id)
        if contest is None:
            continue
        former = session.get(Person, mandate.person_id) if mandate.person_id else None
        remaining = remaining_on_list(session, mandate)
        party_list = session.scalars(
            select(PartyList).where(
                PartyList.contest_id == contest.id, PartyList.party_id == party_id
            )
        ).one_or_none()
        persons = _listed(party_list, [], set()) if party_list is not None else ()
        by_id = {p.person_id: p for p in persons}
        found.append(
            AwaitingSuccessor(
                id=vacancy.id,
                contest=contest_info(session, contest),
                occurred_on=vacancy.occurred_on,
                reason=vacancy.reason,
                former=former.full_name if former is not None else "",
                remaining=tuple(by_id[p] for p in remaining if p in by_id),
            )
        )
    return tuple(found)
