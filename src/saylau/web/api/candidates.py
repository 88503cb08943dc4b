"""Candidacies: submitting party lists and single-member nominations (SUBMIT_NOMINATION), and the
public lists of candidacies with each one's state (what is shown to whom: :mod:`candidacies`).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Annotated, Any

from fastapi import Query
from pydantic import Field
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from saylau.domain.states import CandidacyState
from saylau.law.iin import Sex
from saylau.law.nomination import NominationRoute, Nominator
from saylau.services.context import Context
from saylau.services.errors import InvalidInput
from saylau.services.nomination import (
    ListSubmitted,
    NominationSubmitted,
    PartyListInput,
    SmdNominationInput,
    submit_nomination,
    submit_nominations,
    submit_party_list,
)
from saylau.services.persons import PersonInput
from saylau.storage.models import Body, Contest, Nomination, PartyList
from saylau.web.api.candidacies import (
    CandidacyDetail,
    CandidacyOut,
    Documents,
    RefText,
    candidacy_detail,
    candidacy_out,
    parse_ref,
    sees_file,
)
from saylau.web.api.models import (
    Day,
    DepositDueOut,
    DocumentsOut,
    FractionText,
    Id,
    IdFilter,
    In,
    Out,
    QuotaOut,
)
from saylau.web.api.pagination import Page, PageQuery, Paging, paginate_rows
from saylau.web.api.routing import api_router, then
from saylau.web.deps import Services

router = api_router("candidates")

Names = Annotated[str, Field(max_length=100)]


# --- models --------------------------------------------------------------------------------------


class PersonIn(In):
    """A person and the eligibility facts, each stated (Const. arts. 33, 51, 86; CL art. 4)."""

    iin: str = Field(min_length=1, max_length=12)
    surname: Names
    name: Names
    birth_date: Day
    sex: Sex
    citizen: bool
    incapacitated_by_court: bool
    imprisoned_by_sentence: bool
    corruption_crime_conviction: bool
    unexpunged_conviction: bool
    patronymic: Names = ""
    surname_ru: Names = ""
    name_ru: Names = ""
    patronymic_ru: Names = ""
    disability: bool = False
    party_id: Id | None = None
    residence_years: int | None = Field(default=None, ge=0, le=200)
    """Mazhilis candidates only: years of permanent residence in Kazakhstan."""
    documents: Documents = Field(default_factory=list)
    """This person's own documents (a list's per-person documents)."""

    def input(self) -> PersonInput:
        return PersonInput(**{**self.model_dump(), "documents": tuple(self.documents)})


class PartyListIn(In):
    contest_id: Id
    party_id: Id
    persons: list[PersonIn] = Field(min_length=1, max_length=1_000)
    documents: Documents = Field(default_factory=list)
    previous_result: FractionText | None = None
    """The party's share at the previous election of this body: reduces the deposit."""


class NominationIn(In):
    contest_id: Id
    nominator: Nominator
    person: PersonIn
    party_id: Id | None = None
    association: str = Field(default="", max_length=300)
    documents: Documents = Field(default_factory=list)

    def input(self) -> SmdNominationInput:
        return SmdNominationInput(
            contest_id=self.contest_id,
            nominator=self.nominator,
            person=self.person.input(),
            party_id=self.party_id,
            association=self.association,
            documents=tuple(self.documents),
        )


class ListSubmittedOut(Out):
    party_list_id: int
    ref: str
    contest_id: int
    party_id: int
    state: CandidacyState
    persons: list[str]
    """IINs in list order."""
    quota: QuotaOut | None
    documents: DocumentsOut
    deposit: DepositDueOut
    created: bool


class NominationSubmittedOut(Out):
    nomination_id: int
    ref: str
    contest_id: int
    person_id: int
    iin: str
    route: NominationRoute
    state: CandidacyState
    documents: DocumentsOut
    deposit: DepositDueOut
    created: bool


def _submitted_list(session: Session, result: ListSubmitted) -> ListSubmittedOut:
    return ListSubmittedOut(
        party_list_id=result.party_list_id,
        ref=f"list:{result.party_list_id}",
        contest_id=result.contest_id,
        party_id=result.party_id,
        state=result.state,
        persons=list(result.persons),
        quota=QuotaOut.of(result.quota),
        documents=DocumentsOut.of(result.documents),
        deposit=DepositDueOut.of(result.deposit),
        created=result.created,
    )


def _submitted_nomination(session: Session, result: NominationSubmitted) -> NominationSubmittedOut:
    return NominationSubmittedOut(
        nomination_id=result.nomination_id,
        ref=f"smd:{result.nomination_id}",
        contest_id=result.contest_id,
        person_id=result.person_id,
        iin=result.iin,
        route=result.route,
        state=result.state,
        documents=DocumentsOut.of(result.documents),
        deposit=DepositDueOut.of(result.deposit),
        created=result.created,
    )


# --- lists of candidacies ------------------------------------------------------------------------


def _filtered(
    query: Select[Any],
    model: type[PartyList] | type[Nomination],
    election_id: int | None,
    contest_id: int | None,
    region_id: int | None,
    party_id: int | None,
    state: CandidacyState | None,
) -> Select[Any]:
    query = query.join(Contest, Contest.id == model.contest_id)
    if election_id is not None:
        query = query.where(Contest.election_id == election_id)
    if contest_id is not None:
        query = query.where(model.contest_id == contest_id)
    if region_id is not None:
        query = query.where(Contest.body_id.in_(select(Body.id).where(Body.region_id == region_id)))
    if party_id is not None:
        query = query.where(model.party_id == party_id)
    if state is not None:
        query = query.where(model.state == state)
    return query


def list_party_lists(
    ctx: Context,
    election_id: int | None,
    contest_id: int | None,
    region_id: int | None,
    party_id: int | None,
    state: CandidacyState | None,
    paging: PageQuery,
) -> Page[CandidacyOut]:
    query = _filtered(
        select(PartyList), PartyList, election_id, contest_id, region_id, party_id, state
    ).order_by(PartyList.id)
    return paginate_rows(
        ctx.session, query, paging, lambda row: candidacy_out(ctx.session, row[0], False)
    )


def list_nominations(
    ctx: Context,
    election_id: int | None,
    contest_id: int | None,
    region_id: int | None,
    party_id: int | None,
    state: CandidacyState | None,
    route: NominationRoute | None,
    paging: PageQuery,
) -> Page[CandidacyOut]:
    query = _filtered(
        select(Nomination), Nomination, election_id, contest_id, region_id, party_id, state
    ).order_by(Nomination.id)
    if route is not None:
        query = query.where(Nomination.route == route)
    return paginate_rows(
        ctx.session,
        query,
        paging,
        lambda row: candidacy_out(ctx.session, row[0], sees_file(ctx, row[0])),
    )


StateFilter = Annotated[CandidacyState | None, Query()]


@router.get("/party-lists", response_model=Page[CandidacyOut])
def get_party_lists(
    services: Services,
    paging: Paging,
    election_id: IdFilter = None,
    contest_id: IdFilter = None,
    region_id: IdFilter = None,
    party_id: IdFilter = None,
    state: StateFilter = None,
) -> Page[CandidacyOut]:
    """Party lists with their state, by contest, region, party or state."""
    return services(list_party_lists, election_id, contest_id, region_id, party_id, state, paging)


@router.get("/nominations", response_model=Page[CandidacyOut])
def get_nominations(
    services: Services,
    paging: Paging,
    election_id: IdFilter = None,
    contest_id: IdFilter = None,
    region_id: IdFilter = None,
    party_id: IdFilter = None,
    state: StateFilter = None,
    route: Annotated[NominationRoute | None, Query()] = None,
) -> Page[CandidacyOut]:
    """Single-member nominations with their candidate and state."""
    return services(
        list_nominations, election_id, contest_id, region_id, party_id, state, route, paging
    )


@router.get("/candidacies/{ref}", response_model=CandidacyDetail)
def get_candidacy(ref: RefText, services: Services) -> CandidacyDetail:
    """A candidacy's state, decision and deadline; its documents, deposit and quota for the
    commission deciding on it and the nominating party's agent."""
    return services(candidacy_detail, parse_ref(ref))


# --- submissions ---------------------------------------------------------------------------------


@router.post("/party-lists", response_model=ListSubmittedOut, status_code=201)
def post_party_list(body: PartyListIn, services: Services) -> ListSubmittedOut:
    """Submit a party's list for a list contest (SUBMIT_NOMINATION; CL art. 103 para 1, art. 104
    paras 3–4). A list short of the 30% quota is accepted with the shortfall reported."""
    data = PartyListInput(
        contest_id=body.contest_id,
        party_id=body.party_id,
        persons=tuple(p.input() for p in body.persons),
        documents=tuple(body.documents),
        previous_result=None if body.previous_result is None else _share(body.previous_result),
    )
    return services(then(submit_party_list, _submitted_list), data)


@router.post("/nominations", response_model=NominationSubmittedOut, status_code=201)
def post_nomination(body: NominationIn, services: Services) -> NominationSubmittedOut:
    """Submit a nomination in a single-member district by a party, a public association or the
    citizen (SUBMIT_NOMINATION; CL art. 103 paras 1, 5-1)."""
    return services(then(submit_nomination, _submitted_nomination), body.input())


class NominationsIn(In):
    nominations: list[NominationIn] = Field(min_length=1, max_length=1_000)


def _submitted_all(
    session: Session, results: tuple[NominationSubmitted, ...]
) -> list[NominationSubmittedOut]:
    return [_submitted_nomination(session, r) for r in results]


@router.post("/nominations/batch", response_model=list[NominationSubmittedOut], status_code=201)
def post_nominations(body: NominationsIn, services: Services) -> list[NominationSubmittedOut]:
    """Several nominations in one transaction: one refused row refuses them all, naming it."""
    items = [n.input() for n in body.nominations]
    return services(then(submit_nominations, _submitted_all), items)


def _share(text: str) -> Fraction:
    numerator, _, denominator = text.partition("/")
    if int(denominator) == 0:
        raise InvalidInput(
            "bad_share", "previous_result: the denominator is 0", field="previous_result"
        )
    return Fraction(int(numerator), int(denominator))
