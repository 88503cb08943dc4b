"""``saylau approval``: the requests of critical actions and their approval by a second member of
the same commission (dual control, issue #9 §2).

``saylau results publish``, ``saylau protocol correct`` and ``saylau territory import`` (seats
above a cap) file such a request (printed as JSON) when ``SAYLAU_DUAL_CONTROL`` is ``required``
(a withdrawal from a frozen ballot files its strike itself: ``ballot_approval``); a second member lists the commission's requests,
approves one as seen (``--digest``; the action then runs as the approver) or rejects it.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from saylau.cli.common import AsCommission, AsRole, AsUser, act
from saylau.cli.jsonio import write_output
from saylau.services import approvals

approval_app = typer.Typer(
    help="Dual control: list, approve or reject requests of critical actions.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the ``approval`` group."""
    app.add_typer(approval_app, name="approval")


def approval_document(view: approvals.ApprovalView) -> dict[str, Any]:
    """A request as JSON: what a second member checks before approving it (``digest``)."""
    return {
        "id": view.id,
        "action": view.kind,
        "params": view.params,
        "digest": view.digest,
        "commission": view.commission,
        "state": view.state,
        "requested_by": view.requested_by,
        "requested_at": view.requested_at.isoformat(),
        "decided_by": view.decided_by,
        "decided_at": view.decided_at.isoformat() if view.decided_at else None,
        "note": view.note,
    }


def requested(
    who: tuple[str | None, str | None, int | None], kind: str, params: dict[str, Any]
) -> None:
    """File the request of ``kind`` as ``who`` and print it (dual control is required)."""
    view = act(who, approvals.request, kind, params)
    write_output(
        {
            "approval_required": True,
            "approval": approval_document(view),
            "next": f"a second member runs: saylau approval approve {view.id} --digest {view.digest}",
        }
    )


@approval_app.command("list")
def approval_list(
    state: Annotated[
        str | None, typer.Option("--state", help="requested, approved or rejected.")
    ] = None,
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """The requests of the acting member's commission, newest first."""
    views = act((user, role, commission), approvals.list_approvals, state)
    write_output([approval_document(v) for v in views])


@approval_app.command("approve")
def approval_approve(
    approval: Annotated[int, typer.Argument(help="The request's id.")],
    digest: Annotated[str, typer.Option("--digest", help="The request's digest, as listed.")],
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Approve another member's request as seen: the action runs now, as the approver."""
    done = act((user, role, commission), _approve, approval, digest)
    write_output(done)


def _approve(ctx: Any, approval_id: int, digest: str) -> dict[str, Any]:
    """Approve and run, then describe the action's result as the direct command would."""
    from saylau.services.protocols import status_document

    done = approvals.approve(ctx, approval_id, digest)
    kind, result = done.approval.kind, done.result
    shown: dict[str, Any]
    if kind == approvals.PUBLISH_RESULTS:
        shown = {
            "election_id": result.election_id,
            "contests": list(result.contests),
            "mandates": result.mandates,
            "deadline": result.deadline.isoformat(),
            "late": result.late,
            "election_status": result.election_status.value,
        }
    elif kind == approvals.CORRECT_DEFINITIVE:
        shown = status_document(result)
    elif kind == approvals.OVERRIDE_SEAT_CAP:
        shown = result.as_dict()
    else:
        shown = {"contest_id": result.contest_id, "status": result.status.value}
    return {"approval": approval_document(done.approval), "result": shown}


_approve.__name__ = "approve"


@approval_app.command("reject")
def approval_reject(
    approval: Annotated[int, typer.Argument(help="The request's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is refused (recorded).")],
    user: AsUser = None,
    role: AsRole = None,
    commission: AsCommission = None,
) -> None:
    """Refuse (or, as its requester, withdraw) a pending request, with the reason."""
    write_output(
        approval_document(act((user, role, commission), approvals.reject, approval, reason))
    )
