"""The audit log: events filtered by action, user, commission, outcome and time, and the check of
its hash chain (READ_AUDIT).

The log is not public. The CEC reads every event; a territorial or precinct commission reads the
events of the commissions within its territory. Reading it, like any refused action, is itself
refused and logged outside that territory.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query

from saylau.services.audit_log import AuditFilters, audit_events, verify_audit
from saylau.services.context import Context
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


def read_audit(ctx: Context, filters: AuditFilters, paging: PageQuery) -> Page[AuditEventOut]:
    """Events of the actor's territory matching the filters, newest first (READ_AUDIT, checked by
    :func:`saylau.services.audit_log.audit_events`)."""
    return paginate(ctx.session, audit_events(ctx, filters), paging, AuditEventOut.model_validate)


def verify_audit_chain(ctx: Context) -> ChainOut:
    """Recompute every hash of the chain in order (READ_AUDIT)."""
    report = verify_audit(ctx)
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
