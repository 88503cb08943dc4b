"""Publication of results, the mandates they create, and the open-data export.

Results are published once every contest in the publisher's territory is final, no later than the
results deadline of the calendar (E+7 at 18:00 local; monograph [L292], decision #12). Publication
creates the mandates won: each single-member winner's seat (CL art. 9 paras 3–4) and each party's
list seats, which the party branch then gives to listed persons (CL art. 111-1 para 5; art. 97-1
para 5 for the Mazhilis; the mandates service does that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from saylau.domain.roles import Action
from saylau.services import approvals
from saylau.services.audit import snapshot
from saylau.services.context import Context
from saylau.services.deadlines import election_calendar_for
from saylau.services.errors import Conflict
from saylau.services.subscriptions import enqueue
from saylau.services.tabulation import FINAL, contest_scope, election_of, election_totals
from saylau.storage.models import (
    Body,
    Contest,
    ContestResult,
    ContestStatus,
    District,
    Election,
    ElectionStatus,
    Mandate,
    MandateSource,
    MandateState,
    Precinct,
    SubscriptionEvent,
)


@dataclass(frozen=True)
class Publication:
    """What a publication did: which contests, how many mandates, and against which deadline."""

    election_id: int
    contests: tuple[int, ...]
    mandates: int
    deadline: datetime
    late: bool
    election_status: ElectionStatus


def publish_results(
    ctx: Context,
    election_id: int,
    *,
    late_reason: str | None = None,
    approval_id: int | None = None,
) -> Publication:
    """Publish the final results of every contest in the actor's territory (PUBLISH_RESULTS).

    Refused (Conflict) while a contest is not final (a precinct not definitive, a lot not drawn),
    when everything is already published, and after the results deadline unless ``late_reason``
    records why (the law still requires the results; monograph [L292]). Creates the mandates won.
    Dual control (issue #9 §2): runs only as ``approval_id``, approved by a second member of the
    commission (:mod:`saylau.services.approvals`).
    """
    election = ctx.get(Election, election_id, "election")
    contests = list(
        ctx.session.scalars(
            select(Contest)
            .where(Contest.election_id == election.id)
            .options(selectinload(Contest.body))
            .order_by(Contest.id)
        )
    )
    if not contests:
        raise Conflict(
            "no_contests", f"election {election.id} has no contests", field="election_id"
        )
    covered = [c for c in contests if ctx.actor.covers(contest_scope(c))]
    for contest in covered or contests[:1]:
        ctx.authorize(Action.PUBLISH_RESULTS, contest_scope(contest))
    approvals.consume(
        ctx,
        approvals.PUBLISH_RESULTS,
        approvals.publish_params(election_id, late_reason),
        approval_id,
    )
    results = {
        r.contest_id: r
        for r in ctx.session.scalars(
            select(ContestResult).where(ContestResult.contest_id.in_([c.id for c in covered]))
        )
    }
    pending = [
        c.id
        for c in covered
        if c.id not in results
        or results[c.id].status != FINAL
        or c.status in (ContestStatus.OPEN, ContestStatus.LOT_REQUIRED)
    ]
    if pending:
        raise Conflict(
            "results_not_final",
            f"results are published when every contest is final; not final: {pending[:10]}"
            + (f" and {len(pending) - 10} more" if len(pending) > 10 else ""),
            field="election_id",
            contests=pending,
        )
    todo = [c for c in covered if results[c.id].published_at is None]
    if not todo:
        raise Conflict(
            "already_published",
            f"the results of election {election.id} in this territory are already published",
            field="election_id",
        )
    deadline = _deadline(ctx.session, election, todo)
    late = ctx.now > deadline
    if late and not (late_reason or "").strip():
        raise Conflict(
            "results_deadline_passed",
            f"the results deadline was {deadline.isoformat()} local time (E+"
            f"{(deadline.date() - election.polling_day).days}, monograph [L292]); publishing "
            "later needs a recorded reason",
            field="late_reason",
            deadline=deadline.isoformat(),
        )
    mandates = 0
    for contest in todo:
        result = results[contest.id]
        before = _published_record(result)
        mandates += _create_mandates(ctx, contest, result)
        result.published_at = ctx.now
        ctx.session.flush()
        after = _published_record(result)
        if late:
            after["late_reason"] = (late_reason or "").strip()
        ctx.audit("publish_results", "contest_result", result.id, before, after)
    # The contests' subscribers are told, by outbox rows of this same transaction.
    enqueue(ctx.session, [c.id for c in todo], SubscriptionEvent.RESULT_PUBLISHED, ctx.now)
    remaining = ctx.session.scalar(
        select(
            exists().where(
                Contest.election_id == election.id,
                Contest.id.not_in(
                    select(ContestResult.contest_id).where(ContestResult.published_at.is_not(None))
                ),
            )
        )
    )
    if not remaining and election.status is ElectionStatus.CALLED:
        before_election = snapshot(election)
        election.status = ElectionStatus.RESULTS_PUBLISHED
        ctx.session.flush()
        ctx.audit("publish_results", "election", election.id, before_election, snapshot(election))
    return Publication(
        election.id, tuple(c.id for c in todo), mandates, deadline, late, election.status
    )


def _deadline(session: Session, election: Election, contests: list[Contest]) -> datetime:
    """The earliest results deadline among the contests' regions (local time; decision #14)."""
    places = {(contest.body.region_id, contest.kind.body) for contest in contests}
    return min(
        election_calendar_for(session, election, region_id, body).stage("results_deadline").at
        for region_id, body in places
    )


def _create_mandates(ctx: Context, contest: Contest, result: ContestResult) -> int:
    """The seats a final result gives: the SMD winner's, or each party's list seats."""
    already = ctx.session.scalar(select(exists().where(Mandate.contest_id == contest.id)))
    if already:
        return 0
    outcome = result.outcome
    made: list[Mandate] = []
    if outcome.get("status") == "elected":
        winner = outcome["winner"]
        made.append(
            Mandate(
                body_id=contest.body_id,
                contest_id=contest.id,
                source=MandateSource.SINGLE_MEMBER,
                party_id=winner.get("party_id"),
                person_id=winner["person_id"],
                state=MandateState.WON,
            )
        )
    elif outcome.get("status") == "allocated":
        for line in outcome["lists"]:
            for _ in range(int(line["seats"])):
                made.append(
                    Mandate(
                        body_id=contest.body_id,
                        contest_id=contest.id,
                        source=MandateSource.PARTY_LIST,
                        party_id=line["party_id"],
                        person_id=None,
                        state=MandateState.WON,
                    )
                )
    ctx.session.add_all(made)
    ctx.session.flush()
    for mandate in made:
        ctx.audit("create_mandate", "mandate", mandate.id, None, snapshot(mandate))
    return len(made)


def _published_record(result: ContestResult) -> dict[str, Any]:
    return {
        "contest_id": result.contest_id,
        "status": result.status,
        "outcome_status": result.outcome.get("status"),
        "published_at": result.published_at,
    }


def export_results(session: Session, election_id: int) -> dict[str, Any]:
    """Every contest's result with its totals and trace, the totals and the mandates: a
    JSON-ready document for open data. Figures are exact (fractions as ``"n/d"``)."""
    election = election_of(session, election_id)
    contests = list(
        session.scalars(
            select(Contest)
            .where(Contest.election_id == election.id)
            .options(selectinload(Contest.body), selectinload(Contest.district))
            .order_by(Contest.id)
        )
    )
    results = {
        r.contest_id: r
        for r in session.scalars(
            select(ContestResult)
            .join(Contest, Contest.id == ContestResult.contest_id)
            .where(Contest.election_id == election.id)
        )
    }
    mandates = session.scalars(
        select(Mandate)
        .join(Contest, Contest.id == Mandate.contest_id)
        .where(Contest.election_id == election.id)
        .order_by(Mandate.id)
    ).all()
    synthetic = bool(session.scalar(select(exists().where(Precinct.synthetic.is_(True)))))
    return {
        "election": {
            "id": election.id,
            "name": election.name,
            "kind": election.kind.value,
            "purpose": election.purpose,
            "rules": election.rules,
            "polling_day": election.polling_day.isoformat(),
            "status": election.status.value,
            "parent_id": election.parent_id,
        },
        "synthetic": synthetic,
        "contests": [_contest_document(c, results.get(c.id)) for c in contests],
        "totals": [
            {
                "scope": line.scope,
                "key": line.key,
                "kind": line.kind.value,
                "protocols": line.protocols,
                "voters_on_list": line.voters_on_list,
                "ballots_in_boxes": line.ballots_in_boxes,
                "valid": line.valid,
                "against_all": line.against_all,
                "invalid": line.invalid,
                "turnout": f"{line.turnout.numerator}/{line.turnout.denominator}",
            }
            for line in election_totals(session, election.id)
        ],
        "mandates": [
            {
                "id": m.id,
                "body_id": m.body_id,
                "contest_id": m.contest_id,
                "source": m.source.value,
                "party_id": m.party_id,
                "person_id": m.person_id,
                "state": m.state.value,
            }
            for m in mandates
        ],
    }


def _contest_document(contest: Contest, result: ContestResult | None) -> dict[str, Any]:
    body: Body = contest.body
    district: District | None = contest.district
    return {
        "contest_id": contest.id,
        "kind": contest.kind.value,
        "seats": contest.seats,
        "status": contest.status.value,
        "follows_contest_id": contest.follows_contest_id,
        "body": {
            "id": body.id,
            "kind": body.kind.value,
            "name_kk": body.name_kk,
            "name_en": body.name_en,
            "region_id": body.region_id,
            "unit_id": body.unit_id,
        },
        "district": None
        if district is None
        else {"id": district.id, "number": district.number, "name": district.name},
        "result": None
        if result is None
        else {
            "status": result.status,
            "final": result.status == FINAL,
            "precincts_counted": result.precincts_counted,
            "precincts_total": result.precincts_total,
            "progress": f"{result.precincts_counted} of {result.precincts_total} precincts "
            "definitive",
            "totals": result.totals,
            "outcome": result.outcome,
            "computed_at": result.computed_at.isoformat(),
            "published_at": result.published_at.isoformat() if result.published_at else None,
        },
    }
