"""Tabulation and results: progress, tabulating, each contest's totals with the allocation trace
or the district outcome, the results deadline and publication."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.domain.roles import Action
from saylau.services import approvals
from saylau.services.deadlines import contest_calendar, election_calendar_for
from saylau.services.errors import ServiceError
from saylau.services.results import publish_results
from saylau.services.tabulation import (
    contest_progress,
    contest_scope,
    record_lot,
    tabulate_election,
)
from saylau.storage.models import Contest, ContestResult, Election
from saylau.web.pages.commission.approvals import file_or_act
from saylau.web.pages.commission.common import (
    PageCall,
    Posted,
    act,
    allowed,
    chosen_election,
    elections,
    gate,
    gate_form,
    page,
    whole,
)
from saylau.web.pages.commission.labels import N_

router = APIRouter(include_in_schema=False)
READ = (Action.TABULATE, Action.PUBLISH_RESULTS)


def _contests(session: Session, election: Election, actor: Any) -> list[Contest]:
    contests = session.scalars(
        select(Contest).where(Contest.election_id == election.id).order_by(Contest.id)
    )
    return [c for c in contests if actor.covers(contest_scope(c))]


def _deadline(session: Session, election: Election, actor: Any) -> Any:
    calendar = election_calendar_for(session, election, actor.region_id)
    try:
        return calendar.stage("results_deadline")
    except LookupError:
        return None


@router.get("/results")
def results(request: Request, call: PageCall, election: int | None = None) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, *READ)) is not None:
        return stop
    with call.sessions() as session:
        chosen = chosen_election(session, election)
        context: dict[str, Any] = {
            "all_elections": elections(session),
            "election": chosen,
            "may_tabulate": allowed(actor, (Action.TABULATE,)),
            "may_publish": allowed(actor, (Action.PUBLISH_RESULTS,)),
        }
        if chosen is not None:
            contests = _contests(session, chosen, actor)
            progress = contest_progress(session, chosen.id)
            stored = {
                r.contest_id: r
                for r in session.scalars(
                    select(ContestResult).where(
                        ContestResult.contest_id.in_([c.id for c in contests])
                    )
                )
            }
            context["rows"] = [(c, progress.get(c.id, (0, 0)), stored.get(c.id)) for c in contests]
            counted = sum(p[0] for _, p, _ in context["rows"])
            total = sum(p[1] for _, p, _ in context["rows"])
            context.update(counted=counted, total=total)
            deadline = _deadline(session, chosen, actor)
            context["deadline"] = deadline
            context["late"] = deadline is not None and datetime.now(UTC) > deadline.at
        return page(request, actor, "commission/results.html", **context)


@router.get("/results/contest/{contest_id}")
def contest_result(request: Request, call: PageCall, contest_id: int) -> Response:
    actor = call.actor
    if (stop := gate(request, actor, *READ)) is not None:
        return stop
    with call.sessions() as session:
        contest = session.get(Contest, contest_id)
        if contest is None:
            return page(request, actor, "commission/missing.html", status_code=404)
        if not actor.covers(contest_scope(contest)):
            return page(request, actor, "commission/forbidden.html", status_code=403)
        result = session.scalars(
            select(ContestResult).where(ContestResult.contest_id == contest.id)
        ).first()
        deadline = None
        try:
            deadline = contest_calendar(session, contest).stage("results_deadline")
        except (LookupError, ServiceError):
            deadline = None
        return page(
            request,
            actor,
            "commission/contest_result.html",
            contest=contest,
            result=result,
            outcome=result.outcome if result else {},
            totals=result.totals if result else {},
            deadline=deadline,
            may_tabulate=allowed(actor, (Action.TABULATE,)),
        )


@router.post("/results/tabulate")
def tabulate(request: Request, call: PageCall, fields: Posted) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.TABULATE)) is not None:
        return stop
    election_id = whole(fields.get("election")) or 0
    return act(
        request,
        lambda: call(tabulate_election, election_id),
        back=f"/results?election={election_id}",
        notice=N_("The election is tabulated."),
        fields=fields,
    )


@router.post("/results/publish")
def publish(request: Request, call: PageCall, fields: Posted) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.PUBLISH_RESULTS)) is not None:
        return stop
    election_id = whole(fields.get("election")) or 0
    reason = fields.get("late_reason") or None
    return file_or_act(  # under dual control a request a second member approves (issue #9 §2)
        request,
        call,
        approvals.PUBLISH_RESULTS,
        lambda: approvals.publish_params(election_id, reason),
        lambda: call(publish_results, election_id, late_reason=reason),
        back=f"/results?election={election_id}#publish",
        notice=N_("The results are published."),
        fields=fields,
    )


@router.post("/results/contest/{contest_id}/lot")
def lot(request: Request, call: PageCall, fields: Posted, contest_id: int) -> Response:
    if (stop := gate_form(request, call.actor, fields, Action.TABULATE)) is not None:
        return stop
    return act(
        request,
        lambda: call(record_lot, contest_id, fields.get("seed")),
        back=f"/results/contest/{contest_id}",
        notice=N_("The lot is drawn and recorded."),
        fields=fields,
    )
