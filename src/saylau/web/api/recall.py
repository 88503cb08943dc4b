"""Recall of a district deputy, one case from application to result (CL arts. 113-12 – 113-16;
HANDLE_RECALL over the district's territory); cases are public."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Query
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.states import RecallState
from saylau.services.context import fetch
from saylau.services.recall import (
    apply_for_recall,
    call_recall_vote,
    notify_deputy,
    record_recall_result,
    refuse_recall,
    register_recall,
    submit_signature_lists,
    verify_signatures,
)
from saylau.storage.models import RecallCase
from saylau.web.api.models import Count, Day, IdFilter, IdPath, In, Out
from saylau.web.api.pagination import Page, PageQuery, Paging, paginate
from saylau.web.api.routing import api_router, then
from saylau.web.deps import Services

router = api_router("recall")

Text = Annotated[str, Field(min_length=1, max_length=300)]


class RecallCaseOut(Out):
    """A recall case with every step's date; ``timeline`` holds the deadlines of the steps to
    come (their latest lawful dates), the petition's and the vote's figures."""

    id: int
    mandate_id: int
    state: RecallState
    initiator: str
    applied_on: date
    registered_on: date | None
    refusal_reason: str
    lists_submitted_on: date | None
    district_voters: int | None
    valid_signatures: int | None
    verified_on: date | None
    vote_decided_on: date | None
    notified_on: date | None
    vote_election_id: int | None
    vote_day: date | None
    took_part: int | None
    invalid_ballots: int | None
    for_recall: int | None
    result_published_on: date | None
    follow_up_election_id: int | None
    timeline: dict[str, Any]


class ApplyIn(In):
    initiator: Text
    """The voter (or initiative group) applying."""


class RefuseIn(In):
    reason: Text


class VerifyIn(In):
    valid_signatures: Count
    voters: Count | None = None
    """The district's voters (default: those on its precincts' lists)."""


class VoteIn(In):
    vote_day: Day


class ResultIn(In):
    took_part: Count
    for_recall: Count
    invalid: Count = 0
    voters: Count | None = None


def case_out(_session: Session, case: RecallCase) -> RecallCaseOut:
    return RecallCaseOut.model_validate(case)


def _cases(
    session: Session, state: RecallState | None, mandate_id: int | None, paging: PageQuery
) -> Page[RecallCaseOut]:
    query = select(RecallCase).order_by(RecallCase.id.desc())
    if state is not None:
        query = query.where(RecallCase.state == state)
    if mandate_id is not None:
        query = query.where(RecallCase.mandate_id == mandate_id)
    return paginate(session, query, paging, RecallCaseOut.model_validate)


@router.get("/recall-cases", response_model=Page[RecallCaseOut])
def list_cases(
    services: Services,
    paging: Paging,
    state: Annotated[RecallState | None, Query()] = None,
    mandate_id: IdFilter = None,
) -> Page[RecallCaseOut]:
    """Recall cases, newest first."""
    return services.read(_cases, state, mandate_id, paging)


@router.get("/recall-cases/{case_id}", response_model=RecallCaseOut)
def get_case(case_id: IdPath, services: Services) -> RecallCaseOut:
    return services.read(
        lambda s: RecallCaseOut.model_validate(fetch(s, RecallCase, case_id, "recall case"))
    )


@router.post("/mandates/{mandate_id}/recall-cases", response_model=RecallCaseOut, status_code=201)
def post_application(mandate_id: IdPath, body: ApplyIn, services: Services) -> RecallCaseOut:
    """A voter's application to recall a district deputy; barred in the first and last year of
    work and within a year of a failed recall (CL art. 113-12 para 2)."""
    return services(then(apply_for_recall, case_out), mandate_id, body.initiator)


@router.post("/recall-cases/{case_id}/registration", response_model=RecallCaseOut)
def post_registration(case_id: IdPath, services: Services) -> RecallCaseOut:
    """Register the application (within 3 days); signature collection starts (30 days)."""
    return services(then(register_recall, case_out), case_id)


@router.post("/recall-cases/{case_id}/refusal", response_model=RecallCaseOut)
def post_refusal(case_id: IdPath, body: RefuseIn, services: Services) -> RecallCaseOut:
    """Refuse to register the application, with the reason (CL art. 113-13 para 2)."""
    return services(then(refuse_recall, case_out), case_id, body.reason)


@router.post("/recall-cases/{case_id}/signature-lists", response_model=RecallCaseOut)
def post_lists(case_id: IdPath, services: Services) -> RecallCaseOut:
    """The signature lists are submitted, by the end of collection (CL art. 113-14)."""
    return services(then(submit_signature_lists, case_out), case_id)


@router.post("/recall-cases/{case_id}/verification", response_model=RecallCaseOut)
def post_verification(case_id: IdPath, body: VerifyIn, services: Services) -> RecallCaseOut:
    """The verified signatures: sufficient at more than 10% of the district's voters."""
    return services(then(verify_signatures, case_out), case_id, body.valid_signatures, body.voters)


@router.post("/recall-cases/{case_id}/vote", response_model=RecallCaseOut)
def post_vote(case_id: IdPath, body: VoteIn, services: Services) -> RecallCaseOut:
    """Decide to hold the recall vote on ``vote_day`` (CL art. 113-15)."""
    return services(then(call_recall_vote, case_out), case_id, body.vote_day)


@router.post("/recall-cases/{case_id}/notice", response_model=RecallCaseOut)
def post_notice(case_id: IdPath, services: Services) -> RecallCaseOut:
    """The deputy was notified of the vote (within 3 working days)."""
    return services(then(notify_deputy, case_out), case_id)


@router.post("/recall-cases/{case_id}/result", response_model=RecallCaseOut)
def post_result(case_id: IdPath, body: ResultIn, services: Services) -> RecallCaseOut:
    """The vote's result: valid at ≥ 1/3 turnout, recalled at > 50% of those who took part
    (CL art. 113-16); a recalled deputy's seat goes to a by-election."""
    return services(
        then(record_recall_result, case_out),
        case_id,
        body.took_part,
        body.for_recall,
        invalid=body.invalid,
        voters=body.voters,
    )
