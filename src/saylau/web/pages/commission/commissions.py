"""Commissions and their members (CL arts. 10–19): the commissions of the actor's territory, found
by region, level and name a page at a time (a national election has some 10,000 PECs), one
commission's members, and the forms to appoint and release a member (MANAGE_COMMISSIONS)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action, CommissionLevel
from saylau.services.commissions import Appointment, appoint_member, list_members, release_member
from saylau.services.context import Actor, Scope
from saylau.services.errors import ServiceError
from saylau.storage.models import Commission, Region
from saylau.storage.models.organisation import CommissionPosition
from saylau.web.pages.commission.common import (
    PageCall,
    Posted,
    act,
    error_entry,
    gate,
    gate_form,
    page,
    whole,
)
from saylau.web.pages.commission.labels import N_
from saylau.web.pages.commission.mandates import parse_day

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
MAX_QUERY = 100

POSITIONS: dict[str, str] = {
    "chair": N_("Chair"),
    "deputy_chair": N_("Deputy chair"),
    "secretary": N_("Secretary"),
    "member": N_("Member of the commission"),
}
"""The positions in a commission, in the order they are listed."""

HIERARCHY = case(
    {level: rank for rank, level in enumerate(CommissionLevel)},
    value=Commission.level,
)
"""CEC, TECs of regions, TECs of units, PECs: the order of the list."""


def _regions(session: Session, actor: Actor) -> list[Region]:
    regions = session.scalars(select(Region).order_by(Region.code))
    return [r for r in regions if actor.covers(Scope(region_id=r.id))]


def _covered(query: Select[tuple[Commission]], actor: Actor) -> Select[tuple[Commission]]:
    """Only the commissions within the actor's territory (in SQL: the PECs are many)."""
    if actor.level is CommissionLevel.CEC:
        return query
    if actor.level is CommissionLevel.TEC_REGION:
        return query.where(Commission.region_id == actor.region_id)
    if actor.level is CommissionLevel.TEC_UNIT:
        return query.where(Commission.unit_id == actor.unit_id)
    return query.where(Commission.id == actor.commission_id)


def _level(text: str | None) -> CommissionLevel | None:
    try:
        return CommissionLevel(text) if text else None
    except ValueError:
        return None


@router.get("/commissions")
def commissions(
    request: Request,
    call: PageCall,
    region: int | None = None,
    level: str | None = None,
    q: str = "",
    page_no: int = 1,
    commission: int | None = None,
) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, Action.MANAGE_COMMISSIONS)) is not None:
        return stop
    wanted_level = _level(level)
    search = " ".join(q.split())[:MAX_QUERY]
    with call.sessions() as session:
        regions = _regions(session, actor)
        if region is None and len(regions) == 1:
            region = regions[0].id
        chosen = next((r for r in regions if r.id == region), None)
        query = _covered(select(Commission), actor)
        if chosen is not None:
            query = query.where(Commission.region_id == chosen.id)
        elif wanted_level in (None, CommissionLevel.PEC):
            # Without a region, the precinct commissions are not listed: choose a region.
            query = query.where(Commission.level != CommissionLevel.PEC)
        if wanted_level is not None:
            query = query.where(Commission.level == wanted_level)
        if search:
            query = query.where(Commission.name.ilike(f"%{search}%"))
        count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        pages = max(1, math.ceil(count / PAGE_SIZE))
        page_no = min(max(1, page_no), pages)
        found = list(
            session.scalars(
                query.order_by(HIERARCHY, Commission.id)
                .offset((page_no - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        )
        selected = session.get(Commission, commission) if commission is not None else None
    members: list[Any] = []
    refusal = None
    if selected is not None:
        try:
            members = call(list_members, selected.id)
        except ServiceError as error:
            refusal, selected = error_entry(request, error), None
    kept = {
        "region": chosen.id if chosen else "",
        "level": wanted_level.value if wanted_level else "",
        "q": search,
    }
    base = "/commissions?" + "".join(f"{urlencode({k: v})}&" for k, v in kept.items() if v)
    return page(
        request,
        actor,
        "commission/commissions.html",
        regions=regions,
        region=chosen,
        level=wanted_level.value if wanted_level else "",
        levels=list(CommissionLevel),
        q=search,
        found=found,
        count=count,
        page_no=page_no,
        pages=pages,
        base=base,
        selected=selected,
        members=members,
        serving=[m for m in members if m.released_on is None],
        refusal=refusal,
        positions=POSITIONS,
        position_values=[p.value for p in CommissionPosition],
    )


def _back(commission_id: int | None) -> str:
    return f"/commissions?commission={commission_id or ''}#members"


@router.post("/commissions/members")
def appoint(request: Request, call: PageCall, fields: Posted) -> Response:
    commission_id = whole(fields.get("commission_id")) or 0
    if (stop := gate_form(request, call.actor, fields, Action.MANAGE_COMMISSIONS)) is not None:
        return stop
    day = fields.get("appointed_on")

    def run() -> Any:
        appointment = Appointment(
            fields.get("full_name"),
            fields.get("position") or CommissionPosition.MEMBER,
            fields.get("nominated_by"),
            parse_day(day, "appointed_on") if day else None,
        )
        return call(appoint_member, commission_id, appointment)

    return act(
        request,
        run,
        back=_back(commission_id),
        notice=N_("The member is appointed."),
        fields=fields,
    )


@router.post("/commissions/members/release")
def release(request: Request, call: PageCall, fields: Posted) -> Response:
    commission_id = whole(fields.get("commission_id"))
    member_id = whole(fields.get("member_id")) or 0
    if (stop := gate_form(request, call.actor, fields, Action.MANAGE_COMMISSIONS)) is not None:
        return stop
    day = fields.get("on")
    return act(
        request,
        lambda: call(
            release_member,
            member_id,
            fields.get("reason"),
            parse_day(day, "on") if day else None,
        ),
        back=_back(commission_id),
        notice=N_("The member is released."),
        fields=fields,
    )
