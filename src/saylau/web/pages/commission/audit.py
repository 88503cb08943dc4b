"""The audit log: events filtered by action, user, outcome and date, a page at a time, and the
verification of the hash chain."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from saylau.domain.roles import Action
from saylau.services.audit_log import AuditFilters, audit_events, verify_audit
from saylau.services.context import Context
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


@dataclass(frozen=True)
class AuditPage:
    """One page of the events the actor may read, with their count and the known actions."""

    events: list[AuditEvent]
    count: int
    page_no: int
    pages: int
    actions: list[str]


def _audit_page(ctx: Context, filters: AuditFilters, page_no: int) -> AuditPage:
    """The events of :func:`saylau.services.audit_log.audit_events` (READ_AUDIT over the actor's
    territory, checked there like for the API), a page at a time."""
    query = audit_events(ctx, filters)
    session = ctx.session
    count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, math.ceil(count / PAGE_SIZE))
    page_no = min(max(1, page_no), pages)
    events = list(session.scalars(query.offset((page_no - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    actions = list(
        session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )
    return AuditPage(events, count, page_no, pages, actions)


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
    zone = capital_zone()
    first, last = _day(since), _day(until)
    chosen = AuditFilters(
        action=action or None,
        username=user or None,
        outcome=outcome if outcome in ("done", "refused") else None,
        since=datetime.combine(first, time(), zone) if first is not None else None,
        # The whole last day: the service's window includes its end.
        until=datetime.combine(last + timedelta(days=1), time(), zone) - timedelta(microseconds=1)
        if last is not None
        else None,
    )
    shown = call(_audit_page, chosen, page_no)
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
        events=shown.events,
        count=shown.count,
        page_no=shown.page_no,
        pages=shown.pages,
        actions=shown.actions,
        filters=filters,
        base=base,
    )


@router.post("/audit/verify")
def verify(request: Request, call: PageCall, fields: Posted) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.READ_AUDIT)) is not None:
        return stop
    report = call(verify_audit)
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
