"""Territory pages: regions, units and precincts; commissions and users, with the forms to create
a user and grant a role. A body's districts and their deviation report are in ``districts.py``."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action, CommissionLevel, Role
from saylau.services.context import Actor, Scope
from saylau.services.errors import NotFound
from saylau.services.observers import commission_scope
from saylau.services.users import NewUser, RoleGrant, assign_role, create_user, user_by_name
from saylau.storage.models import Commission, Precinct, Region, RoleAssignment, Unit
from saylau.web.pages.commission import labels
from saylau.web.pages.commission.common import (
    PageCall,
    Posted,
    act,
    elections,
    gate,
    gate_form,
    page,
    whole,
)
from saylau.web.pages.commission.labels import N_

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


def _regions(session: Session, actor: Actor) -> list[Region]:
    regions = session.scalars(select(Region).order_by(Region.code))
    return [r for r in regions if actor.covers(Scope(region_id=r.id))]


def _units(session: Session, actor: Actor, region_id: int) -> list[Unit]:
    units = session.scalars(select(Unit).where(Unit.region_id == region_id).order_by(Unit.id))
    return [u for u in units if actor.covers(Scope(region_id=region_id, unit_id=u.id))]


def _commissions(session: Session, actor: Actor, region_id: int | None) -> list[Commission]:
    """The commissions the actor covers: every TEC, and the PECs of ``region_id``."""
    query = select(Commission).order_by(Commission.level, Commission.id)
    if region_id is None:
        query = query.where(Commission.level != CommissionLevel.PEC)
    else:
        query = query.where(
            (Commission.region_id == region_id) | (Commission.level == CommissionLevel.CEC)
        )
    found = []
    for commission in session.scalars(query):
        scope = commission_scope(commission)
        if commission.precinct_id is not None:
            scope = Scope(scope.region_id, scope.unit_id, commission.precinct_id)
        if commission.level is CommissionLevel.CEC:
            if actor.level is CommissionLevel.CEC:
                found.append(commission)
        elif actor.covers(scope):
            found.append(commission)
    return found


@router.get("/territory")
def territory(
    request: Request,
    call: PageCall,
    region: int | None = None,
    unit: int | None = None,
    page_no: int = 1,
) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, Action.MANAGE_DISTRICTS)) is not None:
        return stop
    with call.sessions() as session:
        regions = _regions(session, actor)
        if region is None and len(regions) == 1:
            region = regions[0].id
        chosen = next((r for r in regions if r.id == region), None)
        context: dict[str, Any] = {"regions": regions, "region": chosen, "units": [], "unit": None}
        if chosen is not None:
            units = _units(session, actor, chosen.id)
            context["units"] = units
            context["unit"] = next((u for u in units if u.id == unit), None)
            query = select(Precinct).where(Precinct.region_id == chosen.id)
            if context["unit"] is not None:
                query = query.where(Precinct.unit_id == unit)
            count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            pages = max(1, math.ceil(count / PAGE_SIZE))
            page_no = min(max(1, page_no), pages)
            context["precincts"] = list(
                session.scalars(
                    query.order_by(Precinct.number)
                    .offset((page_no - 1) * PAGE_SIZE)
                    .limit(PAGE_SIZE)
                )
            )
            context.update(page_no=page_no, pages=pages, precinct_count=count)
        context["commissions"] = _commissions(session, actor, chosen.id if chosen else None)
        context["all_elections"] = elections(session)
        return page(request, actor, "commission/territory.html", **context)


# --- users ---------------------------------------------------------------------------------------


def _users(session: Session, actor: Actor, page_no: int) -> tuple[list[Any], int, int]:
    """Role assignments in the actor's territory (all of them for the CEC), a page at a time."""
    rows = session.scalars(
        select(RoleAssignment).order_by(RoleAssignment.user_id, RoleAssignment.id)
    ).all()
    shown = []
    for row in rows:
        commission = row.commission
        if actor.level is CommissionLevel.CEC:
            shown.append(row)
        elif commission is not None and commission.level is not CommissionLevel.CEC:
            scope = commission_scope(commission)
            if commission.precinct_id is not None:
                scope = Scope(scope.region_id, scope.unit_id, commission.precinct_id)
            if actor.covers(scope):
                shown.append(row)
    pages = max(1, math.ceil(len(shown) / PAGE_SIZE))
    page_no = min(max(1, page_no), pages)
    return shown[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE], page_no, pages


@router.get("/users")
def users(
    request: Request, call: PageCall, region: int | None = None, page_no: int = 1
) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, Action.MANAGE_USERS)) is not None:
        return stop
    with call.sessions() as session:
        region_id = actor.region_id or region
        assignments, page_no, pages = _users(session, actor, page_no)
        return page(
            request,
            actor,
            "commission/users.html",
            assignments=assignments,
            page_no=page_no,
            pages=pages,
            regions=_regions(session, actor),
            region_id=region_id,
            commissions=_commissions(session, actor, region_id),
            roles=[r for r in Role if r.value in labels.ROLES],
        )


@router.post("/users")
def add_user(request: Request, call: PageCall, fields: Posted) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.MANAGE_USERS)) is not None:
        return stop
    new = NewUser(
        username=fields.get("username"),
        full_name=fields.get("full_name"),
        password=fields.get("password") or None,
        locale=fields.get("locale", "kk"),
    )
    return act(
        request,
        lambda: call(create_user, new),
        back="/users#new-user",
        notice=N_("The user is created."),
        fields=fields,
    )


def _grant(ctx: Any, username: str, role: Role, commission_id: int | None) -> Any:
    user = user_by_name(ctx.session, username)
    return assign_role(ctx, RoleGrant(user.id, role, commission_id))


@router.post("/users/roles")
def grant_role(request: Request, call: PageCall, fields: Posted) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.MANAGE_USERS)) is not None:
        return stop
    role_value = fields.get("role")
    if role_value not in {r.value for r in Role}:
        role_value = Role.ANALYST.value

    def run() -> Any:
        username = fields.get("username")
        if not username:
            raise NotFound("not_found", "no user name given", field="username")
        return call(_grant, username, Role(role_value), whole(fields.get("commission_id")))

    return act(request, run, back="/users#grant", notice=N_("The role is granted."), fields=fields)
