"""The election dashboard: the calendar with what is due now, and the progress of nominations,
registrations and protocols per commission in the actor's territory."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.domain.roles import CommissionLevel
from saylau.domain.states import CandidacyState
from saylau.law.calendar import Stage
from saylau.services.context import Actor
from saylau.services.deadlines import election_calendar_for
from saylau.services.elections import body_scope, contests_for_precinct
from saylau.services.tabulation import contest_progress
from saylau.storage.models import (
    Body,
    BodyKind,
    Commission,
    Contest,
    Election,
    Nomination,
    PartyList,
    Protocol,
)
from saylau.web.i18n import negotiate
from saylau.web.pages.commission.common import PageCall, chosen_election, elections, gate, page
from saylau.web.pages.commission.labels import STAGES

router = APIRouter(include_in_schema=False)

REFUSED = (CandidacyState.REFUSED, CandidacyState.WITHDRAWN, CandidacyState.CANCELLED)


@dataclass(frozen=True)
class StageLine:
    stage: Stage
    name: str
    status: str
    """``passed``, ``open`` (within its period), ``next`` (the next deadline) or ``upcoming``."""


@dataclass
class Progress:
    """One commission's (one body's) figures in the election."""

    body: Body
    commission: str
    submitted: int = 0
    registered: int = 0
    refused: int = 0
    counted: int = 0
    precincts: int = 0
    states: Counter[str] = field(default_factory=Counter)

    @property
    def pending(self) -> int:
        return self.submitted - self.registered - self.refused


def calendar_lines(session: Session, election: Election, actor: Actor) -> list[StageLine]:
    calendar = election_calendar_for(session, election, actor.region_id)
    now = datetime.now(UTC)
    lines: list[StageLine] = []
    next_found = False
    for stage in calendar.stages:
        end = stage.until or stage.at
        if stage.at <= now <= end and stage.until is not None:
            status = "open"
        elif end < now:
            status = "passed"
        elif not next_found:
            status, next_found = "next", True
        else:
            status = "upcoming"
        lines.append(StageLine(stage, STAGES.get(stage.id, stage.id), status))
    return lines


def _commission_names(session: Session) -> dict[tuple[str, int | None], str]:
    names: dict[tuple[str, int | None], str] = {}
    for commission in session.scalars(select(Commission)):
        if commission.level is CommissionLevel.CEC:
            names[("cec", None)] = commission.name
        elif commission.level is CommissionLevel.TEC_REGION:
            names[("region", commission.region_id)] = commission.name
        elif commission.level is CommissionLevel.TEC_UNIT:
            names[("unit", commission.unit_id)] = commission.name
    return names


def _commission_of(body: Body, names: dict[tuple[str, int | None], str]) -> str:
    if body.kind is BodyKind.MAZHILIS:
        return names.get(("cec", None), "")
    if body.unit_id is not None:
        return names.get(("unit", body.unit_id), "")
    return names.get(("region", body.region_id), "")


def progress(session: Session, election: Election, actor: Actor) -> list[Progress]:
    """Per body of the election that the actor's commission covers."""
    contests = list(session.scalars(select(Contest).where(Contest.election_id == election.id)))
    names = _commission_names(session)
    rows: dict[int, Progress] = {}
    body_of: dict[int, int] = {}
    for contest in contests:
        body = contest.body
        if body.id not in rows:
            if not actor.covers(body_scope(session, body)):
                continue
            rows[body.id] = Progress(body, _commission_of(body, names))
        body_of[contest.id] = body.id
    for model in (Nomination, PartyList):
        for contest_id, state, count in session.execute(
            select(model.contest_id, model.state, func.count())
            .join(Contest, Contest.id == model.contest_id)
            .where(Contest.election_id == election.id)
            .group_by(model.contest_id, model.state)
        ):
            if contest_id not in body_of:
                continue
            row = rows[body_of[contest_id]]
            row.submitted += count
            row.registered += count if state is CandidacyState.REGISTERED else 0
            row.refused += count if state in REFUSED else 0
    for contest_id, (counted, total) in contest_progress(session, election.id).items():
        if contest_id in body_of:
            row = rows[body_of[contest_id]]
            row.counted += counted
            row.precincts += total
    for contest_id, protocol_state, count in session.execute(
        select(Protocol.contest_id, Protocol.state, func.count())
        .join(Contest, Contest.id == Protocol.contest_id)
        .where(Contest.election_id == election.id)
        .group_by(Protocol.contest_id, Protocol.state)
    ):
        if contest_id in body_of:
            rows[body_of[contest_id]].states[protocol_state.value] += count
    return sorted(rows.values(), key=lambda r: (r.body.kind is not BodyKind.MAZHILIS, r.body.id))


def precinct_protocols(session: Session, election: Election, actor: Actor) -> list[Any]:
    """A precinct commission's own contests and the state of each protocol."""
    if actor.precinct_id is None:
        return []
    states = dict(
        session.execute(
            select(Protocol.contest_id, Protocol.state).where(
                Protocol.precinct_id == actor.precinct_id
            )
        ).all()
    )
    return [
        (contest, states.get(contest.id))
        for contest in contests_for_precinct(session, election.id, actor.precinct_id)
    ]


@router.get("/dashboard")
def dashboard(request: Request, call: PageCall, election: int | None = None) -> Response:
    actor = call.actor
    if (stop := gate(request, actor)) is not None:
        return stop
    negotiate(request)
    with call.sessions() as session:
        chosen = chosen_election(session, election)
        context: dict[str, Any] = {"all_elections": elections(session), "election": chosen}
        if chosen is not None:
            context["stages"] = calendar_lines(session, chosen, actor)
            context["progress"] = progress(session, chosen, actor)
            context["own"] = precinct_protocols(session, chosen, actor)
        return page(request, actor, "commission/dashboard.html", **context)
