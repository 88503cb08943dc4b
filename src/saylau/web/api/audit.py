"""The audit log: events filtered by action, user, commission, outcome and time, and the check of
its hash chain (READ_AUDIT).

The log is not public. The CEC reads every event; a territorial or precinct commission reads the
events of the commissions within its territory. Reading it, like any refused action, is itself
refused and logged outside that territory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query
from sqlalchemy import Select, select

from saylau.domain.roles import Action, CommissionLevel
from saylau.services.audit import verify_chain
from saylau.services.context import NATIONAL, Context, Scope, scope_for
from saylau.storage.models import AuditEvent, Commission
from saylau.web.api.models import IdFilter, Moment, Out
from saylau.web.api.pagination import Page, PageQuery, Paging, paginate
from saylau.web.api.routing import api_router
from saylau.web.deps import Services

router = api_router("audit")

Word = Annotated[str | None, Query(min_length=1, max_length=100)]


class AuditEventOut(Out):
    """One event of the hash-chained log: who (user, role, commission) did what to which entity,
    before and after; refused actions have ``outcome`` ``refused``."""

    id: int
    at: datetime
    user_id: int | None
    username: str
    role: str
    commission_id: int | None
    action: str
    entity: str
    entity_id: str
    outcome: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: str
    hash: str


class ChainOut(Out):
    events: int
    intact: bool
    first_broken_id: int | None
    problem: str


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    user_id: int | None = None
    username: str | None = None
    role: str | None = None
    commission_id: int | None = None
    outcome: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def audit_filters(
    action: Word = None,
    user_id: IdFilter = None,
    username: Word = None,
    role: Word = None,
    commission_id: IdFilter = None,
    outcome: Annotated[Literal["done", "refused"] | None, Query()] = None,
    entity: Word = None,
    entity_id: Word = None,
    since: Annotated[Moment | None, Query(description="Events at or after (ISO 8601).")] = None,
    until: Annotated[Moment | None, Query(description="Events at or before (ISO 8601).")] = None,
) -> AuditFilters:
    return AuditFilters(
        action, user_id, username, role, commission_id, outcome, entity, entity_id, since, until
    )


Filters = Annotated[AuditFilters, Depends(audit_filters)]


def _own_scope(ctx: Context) -> Scope:
    actor = ctx.actor
    if actor.level is CommissionLevel.CEC:
        return NATIONAL
    return Scope(actor.region_id, actor.unit_id, actor.precinct_id)


def _commission_scope(ctx: Context, commission_id: int) -> Scope:
    commission = ctx.get(Commission, commission_id, "commission")
    if commission.level is CommissionLevel.CEC:
        return NATIONAL
    return scope_for(
        ctx.session,
        region_id=commission.region_id,
        unit_id=commission.unit_id,
        precinct_id=commission.precinct_id,
    )


def _territory(ctx: Context, query: Select[Any]) -> Select[Any]:
    """Only the events of commissions within the actor's territory (all, for the CEC)."""
    actor = ctx.actor
    if actor.level is CommissionLevel.CEC:
        return query
    commissions = select(Commission.id)
    if actor.level is CommissionLevel.TEC_REGION:
        commissions = commissions.where(Commission.region_id == actor.region_id)
    elif actor.level is CommissionLevel.TEC_UNIT:
        commissions = commissions.where(Commission.unit_id == actor.unit_id)
    else:
        commissions = commissions.where(Commission.id == actor.commission_id)
    return query.where(AuditEvent.commission_id.in_(commissions))


def read_audit(ctx: Context, filters: AuditFilters, paging: PageQuery) -> Page[AuditEventOut]:
    """Events of the actor's territory matching the filters, newest first (READ_AUDIT)."""
    if filters.commission_id is not None:
        ctx.authorize(Action.READ_AUDIT, _commission_scope(ctx, filters.commission_id))
    else:
        ctx.authorize(Action.READ_AUDIT, _own_scope(ctx))
    query = _territory(ctx, select(AuditEvent)).order_by(AuditEvent.id.desc())
    f = filters
    equal = {
        AuditEvent.action: f.action,
        AuditEvent.user_id: f.user_id,
        AuditEvent.username: f.username,
        AuditEvent.role: f.role,
        AuditEvent.commission_id: f.commission_id,
        AuditEvent.outcome: f.outcome,
        AuditEvent.entity: f.entity,
        AuditEvent.entity_id: f.entity_id,
    }
    for column, value in equal.items():
        if value is not None:
            query = query.where(column == value)
    if f.since is not None:
        query = query.where(AuditEvent.at >= f.since)
    if f.until is not None:
        query = query.where(AuditEvent.at <= f.until)
    return paginate(ctx.session, query, paging, AuditEventOut.model_validate)


def verify_audit_chain(ctx: Context) -> ChainOut:
    """Recompute every hash of the chain in order (READ_AUDIT)."""
    ctx.authorize(Action.READ_AUDIT, _own_scope(ctx))
    report = verify_chain(ctx.session)
    return ChainOut(
        events=report.events,
        intact=report.intact,
        first_broken_id=report.first_broken_id,
        problem=report.problem,
    )


@router.get("/audit", response_model=Page[AuditEventOut])
def get_audit(services: Services, paging: Paging, filters: Filters) -> Page[AuditEventOut]:
    """The audit log of the actor's territory, newest first, filtered by action, user,
    commission, outcome (``done`` or ``refused``), entity and time."""
    return services(read_audit, filters, paging)


@router.get("/audit/verify", response_model=ChainOut)
def get_verify(services: Services) -> ChainOut:
    """Whether the hash chain is intact, and the first event whose link breaks if not."""
    return services(verify_audit_chain)
