"""Members of a commission: who serves, appointment and release (MANAGE_COMMISSIONS within the
commission's territory; CL arts. 10–19). A released member stays listed with the day and reason."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query
from pydantic import Field
from sqlalchemy.orm import Session

from saylau.services.commissions import (
    MAX_NOMINATED_BY,
    Appointment,
    appoint_member,
    list_members,
    release_member,
)
from saylau.services.context import Context
from saylau.storage.models import CommissionMember
from saylau.storage.models.organisation import CommissionPosition
from saylau.web.api.models import Day, IdPath, In, Name, Out, Reason
from saylau.web.api.pagination import Page, PageQuery, Paging, page_of
from saylau.web.api.routing import api_router, then
from saylau.web.deps import Services

router = api_router("commissions")


class MemberOut(Out):
    """A commission member; ``released_on`` is null while they serve."""

    id: int
    commission_id: int
    full_name: str
    position: CommissionPosition
    nominated_by: str
    appointed_on: date | None
    released_on: date | None
    release_reason: str


class AppointIn(In):
    full_name: Name
    position: CommissionPosition = CommissionPosition.MEMBER
    """At most one serving chair, deputy chair and secretary per commission."""
    nominated_by: str = Field(default="", max_length=MAX_NOMINATED_BY)
    """Who proposed the member (a party, a public association, a maslikhat…)."""
    appointed_on: Day | None = None
    """Default: today, on the commission's local calendar."""


class ReleaseIn(In):
    reason: Reason
    on: Day | None = None
    """The day of release; default: today."""


def member_out(_session: Session, member: CommissionMember) -> MemberOut:
    return MemberOut.model_validate(member)


def _members(
    ctx: Context, commission_id: int, include_released: bool, paging: PageQuery
) -> Page[MemberOut]:
    members = list_members(ctx, commission_id, include_released=include_released)
    return page_of([MemberOut.model_validate(m) for m in members], paging)


_members.__name__ = "list_members"


@router.get("/commissions/{commission_id}/members", response_model=Page[MemberOut])
def get_members(
    commission_id: IdPath,
    services: Services,
    paging: Paging,
    include_released: Annotated[bool, Query(description="Also list released members.")] = True,
) -> Page[MemberOut]:
    """The commission's members: serving ones (chair, deputy chair, secretary, then members),
    then released ones (MANAGE_COMMISSIONS in its territory)."""
    return services(_members, commission_id, include_released, paging)


@router.post("/commissions/{commission_id}/members", response_model=MemberOut, status_code=201)
def post_member(commission_id: IdPath, body: AppointIn, services: Services) -> MemberOut:
    """Appoint a member; a person already serving, or an office already held, is a conflict
    naming that member."""
    appointment = Appointment(body.full_name, body.position, body.nominated_by, body.appointed_on)
    return services(then(appoint_member, member_out), commission_id, appointment)


@router.post("/commission-members/{member_id}/release", response_model=MemberOut)
def post_release(member_id: IdPath, body: ReleaseIn, services: Services) -> MemberOut:
    """Release (dismiss) a serving member with the reason; the row is kept."""
    return services(then(release_member, member_out), member_id, body.reason, body.on)
