"""The audit log: events filtered by action, user, outcome and date, a page at a time, and the
verification of the hash chain."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from saylau.domain.roles import Action, CommissionLevel
from saylau.services.audit import verify_chain
from saylau.services.deadlines import capital_zone
from saylau.storage.models import AuditEvent
from saylau.web.pages.commission.common import PageCall, Posted, flash, gate, gate_form, page
from saylau.web.pages.commission.labels import N_

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.get("/audit")
def audit(
    request: Request,
    call: PageCall,
    action: str = "",
    user: str = "",
    outcome: str = "",
    since: str = "",
    until: str = "",
    page_no: int = 1,
) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, Action.READ_AUDIT)) is not None:
        return stop
    query = select(AuditEvent)
    if actor.level not in (CommissionLevel.CEC, None) and actor.commission_id is not None:
        # A territorial commission reads the events of its own commission's staff.
        query = query.where(AuditEvent.commission_id == actor.commission_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if user:
        query = query.where(AuditEvent.username == user)
    if outcome in ("done", "refused"):
        query = query.where(AuditEvent.outcome == outcome)
    zone = capital_zone()
    first, last = _day(since), _day(until)
    if first is not None:
        query = query.where(AuditEvent.at >= datetime.combine(first, time(), zone))
    if last is not None:
        query = query.where(
            AuditEvent.at < datetime.combine(last + timedelta(days=1), time(), zone)
        )
    with call.sessions() as session:
        count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        pages = max(1, math.ceil(count / PAGE_SIZE))
        page_no = min(max(1, page_no), pages)
        events = list(
            session.scalars(
                query.order_by(AuditEvent.id.desc())
                .offset((page_no - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        )
        actions = list(
            session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
        )
        filters: dict[str, Any] = {
            "action": action,
            "user": user,
            "outcome": outcome,
            "since": since,
            "until": until,
        }
        base = "/audit?" + "".join(f"{k}={v}&" for k, v in filters.items() if v)
        return page(
            request,
            actor,
            "commission/audit.html",
            events=events,
            count=count,
            page_no=page_no,
            pages=pages,
            actions=actions,
            filters=filters,
            base=base,
        )


@router.post("/audit/verify")
def verify(request: Request, call: PageCall, fields: Posted) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.READ_AUDIT)) is not None:
        return stop
    report = call.read(verify_chain)
    flash(
        request,
        notice=N_("The chain of the audit log is intact.")
        if report.intact
        else N_("The chain of the audit log is BROKEN."),
        data={
            "chain": {
                "events": report.events,
                "intact": report.intact,
                "first_broken_id": report.first_broken_id,
                "problem": report.problem,
            }
        },
    )
    return RedirectResponse("/audit#chain", status_code=303)
