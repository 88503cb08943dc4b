"""Dual control (issue #9 §2): the requests of critical actions and their approval by a second
member of the same commission.

Publishing results, correcting a definitive protocol and changing a frozen ballot are answered
``202 Accepted`` with the request filed (:func:`requested`) when ``SAYLAU_DUAL_CONTROL`` is
``required``; a second member lists the requests of the commission, approves one as seen (its
SHA-256 digest) — the action then runs as the approver — or rejects it with a reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import Field

from saylau.services import approvals
from saylau.services.context import Context
from saylau.web.api.models import IdPath, In, Out, Reason
from saylau.web.api.pagination import Page, Paging, page_of
from saylau.web.api.routing import api_router
from saylau.web.deps import Services

router = api_router("approvals")

Digest = Annotated[str, Field(min_length=64, max_length=64, pattern=r"^[0-9a-fA-F]{64}$")]
State = Literal["requested", "approved", "rejected"]


class ApprovalOut(Out):
    """A request of a critical action: its exact parameters and the digest a second member
    approves."""

    id: int
    action: str
    """``publish_results``, ``correct_definitive``, ``change_frozen_ballot``,
    ``strike_from_frozen_ballot`` or ``override_seat_cap``."""
    params: dict[str, Any]
    digest: str
    commission: str
    state: State
    requested_by: str
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    note: str | None = None


class ApprovedOut(Out):
    """The approval given and the action's result (one of the three, by ``approval.action``)."""

    approval: ApprovalOut
    publication: dict[str, Any] | None = None
    protocol: dict[str, Any] | None = None
    ballot: dict[str, Any] | None = None
    territory: dict[str, Any] | None = None
    """The import report of an approved ``override_seat_cap``."""


class ApproveIn(In):
    digest: Digest
    """The digest of the request as the approver saw it: a changed request is refused."""


class RejectIn(In):
    reason: Reason


ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {
        "model": ApprovalOut,
        "description": "Dual control is required: the request is filed and waits for a second "
        "member of the commission (`POST /api/approvals/{id}/approve`).",
    }
}
"""The extra response of an endpoint under dual control."""


def approval_out(view: approvals.ApprovalView) -> ApprovalOut:
    return ApprovalOut(
        id=view.id,
        action=view.kind,
        params=view.params,
        digest=view.digest,
        commission=view.commission,
        state=view.state,
        requested_by=view.requested_by,
        requested_at=view.requested_at,
        decided_by=view.decided_by,
        decided_at=view.decided_at,
        note=view.note,
    )


def required() -> bool:
    """Whether the critical actions go through a request (``SAYLAU_DUAL_CONTROL``)."""
    return approvals.policy() == approvals.REQUIRED


def requested(services: Services, kind: str, params: dict[str, Any]) -> JSONResponse:
    """File the request of ``kind`` with ``params`` as the caller and answer 202 with it."""
    view = services(approvals.request, kind, params)
    return JSONResponse(status_code=202, content=jsonable_encoder(approval_out(view)))


def approve(ctx: Context, approval_id: int, digest: str) -> ApprovedOut:
    """Approve and run, then describe the result while its rows are attached."""
    from saylau.web.api.ballots import ballot_out
    from saylau.web.api.protocols import status_out
    from saylau.web.api.results import _publication

    done = approvals.approve(ctx, approval_id, digest)
    out = ApprovedOut(approval=approval_out(done.approval))
    kind = done.approval.kind
    if kind == approvals.PUBLISH_RESULTS:
        out.publication = jsonable_encoder(_publication(done.result))
    elif kind == approvals.CORRECT_DEFINITIVE:
        out.protocol = jsonable_encoder(status_out(done.result))
    elif kind == approvals.OVERRIDE_SEAT_CAP:
        out.territory = done.result.as_dict()
    else:
        out.ballot = jsonable_encoder(ballot_out(ctx.session, done.result))
    return out


def _listed(ctx: Context, state: str | None) -> list[ApprovalOut]:
    return [approval_out(v) for v in approvals.list_approvals(ctx, state)]


_listed.__name__ = "list_approvals"


@router.get("/approvals", response_model=Page[ApprovalOut])
def get_approvals(
    services: Services, paging: Paging, state: Annotated[State | None, Query()] = None
) -> Page[ApprovalOut]:
    """The requests of the caller's commission (the CEC sees every commission's), newest first."""
    return page_of(services(_listed, state), paging)


@router.post("/approvals/{approval_id}/approve", response_model=ApprovedOut)
def post_approve(approval_id: IdPath, body: ApproveIn, services: Services) -> ApprovedOut:
    """Approve a request of another member as seen (``digest``): the action runs now, as the
    approver; the requester cannot approve, and a decided request is a conflict."""
    return services(approve, approval_id, body.digest)


@router.post("/approvals/{approval_id}/reject", response_model=ApprovalOut)
def post_reject(approval_id: IdPath, body: RejectIn, services: Services) -> ApprovalOut:
    """Refuse a pending request with its reason (its requester may withdraw it the same way)."""
    return approval_out(services(approvals.reject, approval_id, body.reason))
