"""Candidacies as the API shows them: what is public, and the file only for those who handle it.

What is public: who stands where, for whom, in which state, and the reason of a refusal. What is
not: IINs, dates of birth, the file's documents, the deposit and the quota report, which only the
commission deciding on the candidacy and the nominating party's agent see (DECIDE_REGISTRATION or
SUBMIT_NOMINATION over the candidacy's territory and party).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import Field
from sqlalchemy.orm import Session

from saylau.domain.roles import Action, may
from saylau.domain.states import CandidacyState
from saylau.law.iin import Sex
from saylau.law.nomination import NominationRoute, RefusalReason
from saylau.services.candidacy import (
    Candidacy,
    CandidacyRef,
    active_entries,
    candidacy_scope,
    contest_of,
    load_candidacy,
)
from saylau.services.context import Context
from saylau.services.deadlines import contest_calendar
from saylau.services.nomination import documents_status, list_quota_of
from saylau.services.registration import DepositStatus, deposit_status
from saylau.storage.models import Party, PartyList, Person
from saylau.web.api.models import Code, DepositDueOut, DocumentsOut, Out, QuotaOut

RefText = Annotated[
    str,
    Path(
        pattern=r"^(list|smd):[0-9]{1,9}$",
        description="``list:ID`` for a party list, ``smd:ID`` for a single-member nomination.",
        examples=["smd:1"],
    ),
]
Documents = Annotated[list[Code], Field(max_length=50)]


def parse_ref(ref: str) -> CandidacyRef:
    return CandidacyRef.parse(ref)


class PersonOut(Out):
    """A candidate; ``iin`` and ``birth_date`` only for those who handle the file."""

    id: int
    surname: str
    name: str
    patronymic: str
    surname_ru: str
    name_ru: str
    patronymic_ru: str
    sex: Sex
    iin: str | None = None
    birth_date: date | None = None


class ListPersonOut(PersonOut):
    position: int
    withdrawn: bool


class CandidacyOut(Out):
    """A party list or a single-member nomination and where it stands (CL arts. 103–105)."""

    ref: str
    kind: str
    id: int
    contest_id: int
    election_id: int
    party_id: int | None
    party_code: str | None
    route: NominationRoute
    state: CandidacyState
    refusal_reason: RefusalReason | None
    refusal_article: str | None
    state_note: str
    submitted_at: datetime
    registered_at: datetime | None
    registration_order: int | None = None
    """Lists: 1 = registered first, which breaks equal remainders (CL art. 111-1 para 4)."""
    association: str | None = None
    person: PersonOut | None = None
    """The candidate of a single-member nomination."""
    persons_on_list: int | None = None


class DepositStatusOut(Out):
    candidacy: str
    due: DepositDueOut
    paid: int
    outstanding: int
    state: CandidacyState


class CandidacyDetail(CandidacyOut):
    persons: list[ListPersonOut] = Field(default_factory=list)
    """The persons of a list in list order."""
    registration_closes: datetime
    """Documents and deposits are accepted until then (E−25 18:00 local, monograph [L266])."""
    file_visible: bool
    """Whether the actor handles this file; the next three are shown only then."""
    documents: DocumentsOut | None = None
    deposit: DepositStatusOut | None = None
    quota: QuotaOut | None = None


# --- who sees the file ---------------------------------------------------------------------------


def sees_file(ctx: Context, candidacy: Candidacy) -> bool:
    """The deciding commission or the nominating party's agent, within its territory."""
    role = ctx.actor.role
    handles = may(role, Action.DECIDE_REGISTRATION) or may(role, Action.SUBMIT_NOMINATION)
    return handles and ctx.actor.covers(candidacy_scope(ctx.session, candidacy))


def require_file(ctx: Context, candidacy: Candidacy) -> None:
    """Refuse (logged) unless the actor handles this candidacy's file."""
    action = (
        Action.DECIDE_REGISTRATION
        if may(ctx.actor.role, Action.DECIDE_REGISTRATION)
        else Action.SUBMIT_NOMINATION
    )
    ctx.authorize(action, candidacy_scope(ctx.session, candidacy))


def person_fields(person: Person, personal: bool) -> dict[str, Any]:
    """A person's names, and identity only for those who handle the file."""
    return {
        "id": person.id,
        "surname": person.surname,
        "name": person.name,
        "patronymic": person.patronymic,
        "surname_ru": person.surname_ru,
        "name_ru": person.name_ru,
        "patronymic_ru": person.patronymic_ru,
        "sex": person.sex,
        "iin": person.iin if personal else None,
        "birth_date": person.birth_date if personal else None,
    }


def candidacy_out(session: Session, candidacy: Candidacy, personal: bool) -> CandidacyOut:
    contest = contest_of(session, candidacy)
    party = session.get(Party, candidacy.party_id) if candidacy.party_id is not None else None
    reason = candidacy.refusal_reason
    common = {
        "ref": str(CandidacyRef.of(candidacy)),
        "id": candidacy.id,
        "contest_id": contest.id,
        "election_id": contest.election_id,
        "party_id": candidacy.party_id,
        "party_code": party.code if party else None,
        "state": candidacy.state,
        "refusal_reason": reason,
        "refusal_article": reason.article if reason else None,
        "state_note": candidacy.state_note,
        "submitted_at": candidacy.submitted_at,
        "registered_at": candidacy.registered_at,
    }
    if isinstance(candidacy, PartyList):
        return CandidacyOut(
            **common,
            kind="list",
            route=NominationRoute.PARTY_LIST,
            registration_order=candidacy.registration_order,
            persons_on_list=len(active_entries(candidacy)),
        )
    return CandidacyOut(
        **common,
        kind="smd",
        route=candidacy.route,
        association=candidacy.association,
        person=PersonOut(**person_fields(candidacy.person, personal)),
    )


def candidacy_detail(ctx: Context, ref: CandidacyRef) -> CandidacyDetail:
    """A candidacy with its persons, deadline and — for those who handle it — its file."""
    candidacy = load_candidacy(ctx, ref)
    personal = sees_file(ctx, candidacy)
    base = candidacy_out(ctx.session, candidacy, personal)
    persons: list[ListPersonOut] = []
    if isinstance(candidacy, PartyList):
        persons = [
            ListPersonOut(
                **person_fields(e.person, personal), position=e.position, withdrawn=e.withdrawn
            )
            for e in candidacy.entries
        ]
    closes = contest_calendar(ctx.session, contest_of(ctx.session, candidacy)).stage(
        "registration_closes"
    )
    detail = CandidacyDetail(
        **base.model_dump(), persons=persons, registration_closes=closes.at, file_visible=personal
    )
    if personal:
        detail.documents = DocumentsOut.of(documents_status(ctx, ref))
        detail.deposit = deposit_out(deposit_status(ctx, ref))
        if isinstance(candidacy, PartyList):
            detail.quota = QuotaOut.of(list_quota_of(ctx.session, candidacy))
    return detail


def deposit_out(status: DepositStatus) -> DepositStatusOut:
    return DepositStatusOut(
        candidacy=status.candidacy,
        due=DepositDueOut.of(status.due),
        paid=status.paid,
        outstanding=status.outstanding,
        state=status.state,
    )
