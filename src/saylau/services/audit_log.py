"""Reading the audit log (READ_AUDIT): its events by territory and filters, and its chain check.

The log is not public (issue #9 §2). The CEC reads every event; a territorial or precinct
commission reads the events of the commissions within its territory, and naming a commission
outside it is refused (and, like any refusal, logged). The check is here, in the service, so that
every interface (the API, the commission pages, the CLI) is held to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from saylau.domain.roles import Action, CommissionLevel
from saylau.services.audit import ChainReport, verify_chain
from saylau.services.context import NATIONAL, Context, Scope, scope_for
from saylau.storage.models import AuditEvent, Commission


@dataclass(frozen=True)
class AuditFilters:
    """Equality filters on the events, and a time window (both ends included)."""

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


def own_scope(ctx: Context) -> Scope:
    """The actor's territory (national for the CEC)."""
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


def audit_events(ctx: Context, filters: AuditFilters = AuditFilters()) -> Select[Any]:
    """The query of the events of the actor's territory matching ``filters``, newest first
    (READ_AUDIT over the named commission, or over the actor's own territory)."""
    if filters.commission_id is not None:
        ctx.authorize(Action.READ_AUDIT, _commission_scope(ctx, filters.commission_id))
    else:
        ctx.authorize(Action.READ_AUDIT, own_scope(ctx))
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
    return query


def read_events(
    ctx: Context, filters: AuditFilters = AuditFilters(), limit: int = 100
) -> list[AuditEvent]:
    """At most ``limit`` events of :func:`audit_events`, newest first."""
    return list(ctx.session.scalars(audit_events(ctx, filters).limit(max(1, min(limit, 1000)))))


def verify_audit(ctx: Context) -> ChainReport:
    """Recompute every hash of the chain in order (READ_AUDIT over the actor's territory)."""
    ctx.authorize(Action.READ_AUDIT, own_scope(ctx))
    return verify_chain(ctx.session)
