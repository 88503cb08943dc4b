"""Parties: the public list with their regional branches, recording a party or a branch, and the
CEC's admission of parties to an election (ADMIT_PARTY, national)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.services.context import fetch
from saylau.services.parties import (
    Admission,
    PartyInfo,
    PartyRecord,
    admit_party,
    find_party,
    record_branch,
    record_party,
)
from saylau.storage.models import Election, Party, PartyAdmission, PartyBranch
from saylau.web.api.models import Created, Id, IdPath, In, Out
from saylau.web.api.pagination import Page, PageQuery, Paging, paginate, paginate_rows
from saylau.web.api.routing import api_router, then
from saylau.web.deps import Services

router = api_router("parties")


class PartyOut(Out):
    id: int
    code: str
    name_kk: str
    name_ru: str
    name_en: str
    branch_region_ids: list[int]
    """Regions where the party has a branch: it nominates there only (monograph [L224])."""


class PartyIn(In):
    """A party registered by the Ministry of Justice (idempotent by ``code``)."""

    code: str = Field(min_length=1, max_length=32)
    name_kk: str = Field(min_length=1, max_length=300)
    name_en: str = Field(min_length=1, max_length=300)
    name_ru: str = Field(default="", max_length=300)


class BranchIn(In):
    region_id: Id


class AdmitIn(In):
    party_id: Id


class AdmissionOut(Out):
    election_id: int
    party_id: int
    party_code: str
    admitted_at: datetime
    created: bool = False


def _branches(session: Session, party_id: int) -> list[int]:
    return sorted(
        session.scalars(select(PartyBranch.region_id).where(PartyBranch.party_id == party_id))
    )


def party_out(session: Session, info: PartyInfo) -> PartyOut:
    return PartyOut(
        id=info.id,
        code=info.code,
        name_kk=info.name_kk,
        name_ru=info.name_ru,
        name_en=info.name_en,
        branch_region_ids=_branches(session, info.id),
    )


def _row_party(session: Session, party: Party) -> PartyOut:
    info = PartyInfo(party.id, party.code, party.name_kk, party.name_ru, party.name_en)
    return party_out(session, info)


def _admission_out(_session: Session, admission: Admission) -> AdmissionOut:
    return AdmissionOut(
        election_id=admission.election_id,
        party_id=admission.party_id,
        party_code=admission.party_code,
        admitted_at=admission.admitted_at,
        created=admission.created,
    )


def _parties(session: Session, paging: PageQuery) -> Page[PartyOut]:
    query = select(Party).order_by(Party.id)
    return paginate(session, query, paging, lambda party: _row_party(session, party))


def _admissions(session: Session, election_id: int, paging: PageQuery) -> Page[AdmissionOut]:
    fetch(session, Election, election_id, "election")
    query = (
        select(PartyAdmission, Party.code)
        .join(Party, Party.id == PartyAdmission.party_id)
        .where(PartyAdmission.election_id == election_id)
        .order_by(PartyAdmission.id)
    )
    return paginate_rows(
        session,
        query,
        paging,
        lambda row: AdmissionOut(
            election_id=row[0].election_id,
            party_id=row[0].party_id,
            party_code=row[1],
            admitted_at=row[0].admitted_at,
        ),
    )


@router.get("/parties", response_model=Page[PartyOut])
def list_parties(services: Services, paging: Paging) -> Page[PartyOut]:
    """Registered parties and the regions of their branches."""
    return services.read(_parties, paging)


@router.get("/parties/{ref}", response_model=PartyOut)
def get_party(
    ref: Annotated[str, Path(min_length=1, max_length=32)], services: Services
) -> PartyOut:
    """A party by its id or its code."""
    return services(then(find_party, party_out), ref)


@router.post("/parties", response_model=PartyOut)
def post_party(body: PartyIn, services: Services) -> PartyOut:
    """Record a registered party; a changed name is updated (ADMIT_PARTY)."""
    record = PartyRecord(body.code, body.name_kk, body.name_en, body.name_ru)
    return services(then(record_party, party_out), record)


@router.post("/parties/{party_id}/branches", response_model=Created)
def post_branch(party_id: IdPath, body: BranchIn, services: Services) -> Created:
    """Record a party's branch in a region; ``created`` is False if it existed."""
    return Created(created=services(record_branch, party_id, body.region_id))


@router.get("/elections/{election_id}/parties", response_model=Page[AdmissionOut])
def list_admissions(election_id: IdPath, services: Services, paging: Paging) -> Page[AdmissionOut]:
    """The parties the CEC admitted to an election."""
    return services.read(_admissions, election_id, paging)


@router.post("/elections/{election_id}/parties", response_model=AdmissionOut)
def post_admission(election_id: IdPath, body: AdmitIn, services: Services) -> AdmissionOut:
    """Admit a party to an election (the CEC); admitting twice writes nothing."""
    return services(then(admit_party, _admission_out), election_id, body.party_id)
